"""URLs of the patient's case page and of "find my enquiry", under /<language>/case/."""

from django.urls import path

from enquiries import case_page

app_name = "case"

urlpatterns = [
    path("", case_page.find_enquiry, name="find"),
    path("link-sent/", case_page.link_sent, name="link_sent"),
    path("<str:token>/", case_page.case_page, name="page"),
    path("<str:token>/files/", case_page.case_files, name="files"),
]

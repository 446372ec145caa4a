"""URLs of the patient's case page and of "find my enquiry", under /<language>/case/."""

from django.urls import path

from enquiries import case_page

app_name = "case"

urlpatterns = [
    path("", case_page.find_enquiry, name="find"),
    path("link-sent/", case_page.link_sent, name="link_sent"),
    path("<str:token>/", case_page.case_page, name="page"),
    path("<str:token>/files/", case_page.case_files, name="files"),
    path("<str:token>/hospital-sharing/", case_page.hospital_sharing, name="hospital_sharing"),
    path("<str:token>/plans/<int:plan_id>/accept/", case_page.accept_plan, name="accept_plan"),
    path("<str:token>/plans/<int:plan_id>/decline/", case_page.decline_plan, name="decline_plan"),
    path(
        "<str:token>/plans/<int:plan_id>/question/", case_page.plan_question, name="plan_question"
    ),
    path("<str:token>/documents/<int:document_id>/", case_page.case_document, name="document"),
]

"""URLs of the enquiry form, under /<language>/start/."""

from django.urls import path

from enquiries import views

app_name = "enquiries"

urlpatterns = [
    path("", views.start, name="start"),
    path("thank-you/", views.thank_you, name="thank_you"),
]

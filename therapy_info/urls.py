"""URLs of the CAR-T information pages (mounted under /<language>/car-t/)."""

from django.urls import path

from therapy_info import views

app_name = "therapy_info"

urlpatterns = [
    path("", views.index, name="index"),
    # Before the page pattern; models.RESERVED_SLUGS keeps pages off this address.
    path("questions/", views.faq, name="faq"),
    # Staff only, never in the page cache (settings.PAGE_CACHE_VIEWS does not name it).
    path(
        "questions/pending/<int:revision_id>/",
        views.pending_question_revision,
        name="pending_question_revision",
    ),
    path("<slug:slug>/", views.page_detail, name="page"),
    # Staff only, never in the page cache (settings.PAGE_CACHE_VIEWS does not name it).
    path(
        "<slug:slug>/pending/<int:revision_id>/",
        views.pending_revision,
        name="pending_revision",
    ),
]

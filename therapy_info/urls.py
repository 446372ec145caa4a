"""URLs of what patients read, mounted at the root of each language (/<language>/): the CAR-T
information pages under car-t/, the hospitals' programmes under hospitals/."""

from django.urls import path

from therapy_info import programme_views, views

app_name = "therapy_info"

urlpatterns = [
    path("car-t/", views.index, name="index"),
    # Before the page pattern; models.RESERVED_SLUGS keeps pages off this address.
    path("car-t/questions/", views.faq, name="faq"),
    # Staff only, never in the page cache (settings.PAGE_CACHE_VIEWS does not name it).
    path(
        "car-t/questions/pending/<int:revision_id>/",
        views.pending_question_revision,
        name="pending_question_revision",
    ),
    path("car-t/<slug:slug>/", views.page_detail, name="page"),
    # Staff only, never in the page cache (settings.PAGE_CACHE_VIEWS does not name it).
    path(
        "car-t/<slug:slug>/pending/<int:revision_id>/",
        views.pending_revision,
        name="pending_revision",
    ),
    path("hospitals/", programme_views.programme_list, name="programmes"),
    path("hospitals/<slug:slug>/", programme_views.programme_detail, name="programme"),
]

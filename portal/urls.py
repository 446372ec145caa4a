"""The portal's URLs: language-prefixed public pages, plus admin, health check and machine files.

The composition root: the one module of portal that names our apps (tests/portal/
test_architecture.py holds the rest of portal to that)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from portal import views
from portal.sitemaps import FixedPageSitemap
from therapy_info import views as therapy_info_views
from therapy_info.sitemaps import PageSitemap, ProgrammeSitemap

SITEMAPS = {
    "portal": FixedPageSitemap(
        [
            "home",
            "therapy_info:index",
            "therapy_info:programmes",
            "enquiries:start",
            "privacy",
            "contact",
        ]
    ),
    "pages": PageSitemap,
    "programmes": ProgrammeSitemap,
}

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("i18n/switch/<str:language>/", views.switch_language, name="switch_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    path(
        "sitemap.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

urlpatterns += i18n_patterns(
    path("", therapy_info_views.home, name="home"),
    path("privacy/", therapy_info_views.privacy, name="privacy"),
    path("contact/", views.contact, name="contact"),
    # The CAR-T pages (car-t/…) and the hospitals' programmes (hospitals/…).
    path("", include("therapy_info.urls")),
    path("start/", include("enquiries.urls")),
    path("case/", include("enquiries.case_urls")),
)

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

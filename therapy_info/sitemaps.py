"""sitemap.xml entries for the published CAR-T information pages and hospitals' programme pages
(drafts never appear)."""

from django.contrib.sitemaps import Sitemap

from therapy_info.models import Page
from therapy_info.programmes import Programme


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    i18n = True
    # Each URL lists its versions in the other languages, and the English one as x-default.
    alternates = True
    x_default = True

    def items(self):
        return Page.objects.published().in_navigation_order()

    def lastmod(self, page):
        return page.updated_at


class ProgrammeSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.7
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        # Only what the sitemap writes: the address and the date.
        return Programme.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, programme):
        return programme.updated_at

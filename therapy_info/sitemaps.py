"""sitemap.xml entries for the published CAR-T information pages (drafts never appear)."""

from django.contrib.sitemaps import Sitemap

from therapy_info.models import Page


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

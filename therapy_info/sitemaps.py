"""sitemap.xml entries for the published CAR-T information pages (drafts never appear)."""

from django.contrib.sitemaps import Sitemap

from therapy_info.models import Page


class PageSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    i18n = True

    def items(self):
        return Page.objects.published().in_navigation_order()

    def lastmod(self, page):
        return page.updated_at

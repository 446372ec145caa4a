"""sitemap.xml: the fixed pages of the portal plus every published CAR-T page."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from therapy_info.sitemaps import PageSitemap


class FixedPageSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    # Each URL lists its versions in the other languages, and the English one as x-default.
    alternates = True
    x_default = True

    def items(self):
        return ["home", "therapy_info:index", "enquiries:start", "privacy", "contact"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"portal": FixedPageSitemap, "pages": PageSitemap}

"""sitemap.xml entries for fixed pages, named by their URL names (portal/urls.py lists them)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class FixedPageSitemap(Sitemap):
    changefreq = "monthly"
    i18n = True
    # Each URL lists its versions in the other languages, and the English one as x-default.
    alternates = True
    x_default = True

    def __init__(self, url_names):
        self.url_names = list(url_names)

    def items(self):
        return self.url_names

    def location(self, item):
        return reverse(item)

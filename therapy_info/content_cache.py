"""Published content served from the cache, stale as soon as any of it changes.

Every cache key carries the page cache's content version (portal.page_cache); saving or deleting
any page, reference, key figure, question or notice bumps it (signals.py), so readers get the new
text at once, in stored pages and here alike, without hunting down keys (an old slug, a reference
shown on another page). Drafts and staff previews are never cached.
"""

from django.core.cache import cache
from django.utils.translation import get_language

from portal.page_cache import content_version

# Content changes rarely and every save invalidates it; a day bounds what a missed signal costs.
TIMEOUT_SECONDS = 24 * 60 * 60


def cached(name, build):
    """build() once per content version and language; None (nothing to show) is not cached."""
    key = f"therapy_info:{content_version()}:{get_language()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, TIMEOUT_SECONDS)
    return value

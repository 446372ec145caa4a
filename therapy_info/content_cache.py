"""Published content served from the cache, and the one switch that makes all of it stale.

Every cache key carries a content version; saving or deleting any page, reference, key figure or
question bumps the version, so readers get the new text at once without hunting down keys (an old
slug, a reference shown on another page). Drafts and staff previews are never cached.
"""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

VERSION_KEY = "therapy_info:content-version"
# Content changes rarely and every save invalidates it; a day bounds what a missed signal costs.
TIMEOUT_SECONDS = 24 * 60 * 60


def content_version():
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, None)


def _new_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def invalidate():
    """Makes every cached copy stale, now and again when the transaction commits: a reader
    between the save and the commit may have cached the old text under the new version."""
    _new_version()
    transaction.on_commit(_new_version)


def cached(name, build):
    """build() once per content version and language; None (nothing to show) is not cached."""
    key = f"therapy_info:{content_version()}:{get_language()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:
            cache.set(key, value, TIMEOUT_SECONDS)
    return value

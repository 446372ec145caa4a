"""Fixtures every test can use. App-specific fixtures live in tests/<app>/conftest.py."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached pages and rate-limit counters never leak."""
    cache.clear()
    yield
    cache.clear()

"""Fixtures every test can use. App-specific fixtures live in tests/<app>/conftest.py."""

import os
import socket

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the shipped content (therapy_info/content/), as `make run` loads
    it after migrating: pages, references, key figures, questions and the privacy notice."""
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached pages and rate-limit counters never leak."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a request in another language leaves that language active,
    and content written afterwards would land in that language's columns."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def closed_port():
    """A local port where nothing listens: bound by the system, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_down(settings, closed_port):
    """The shared cache configured as in production (Redis), but unreachable: a closed port.

    The settings change makes Django build the cache anew; each test starts with no outage
    remembered and no rate-limit counter kept in this process's memory."""
    from portal import ratelimit, resilient_cache

    resilient_cache.reset_breakers()
    ratelimit._counters_in_this_process.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    yield
    resilient_cache.reset_breakers()
    ratelimit._counters_in_this_process.clear()


@pytest.fixture
def redis_cache(settings):
    """The shared cache on the real Redis (database 1 of 127.0.0.1:6379, emptied before and
    after). Skipped locally when Redis is down, failed in CI, which starts it (.ci/run)."""
    import redis

    from portal import resilient_cache

    location = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {location} (CI starts it: see .ci/run)")
        pytest.skip(f"Redis does not answer at {location}")
    resilient_cache.reset_breakers()
    settings.CACHES = {
        "default": {"BACKEND": "portal.resilient_cache.ResilientRedisCache", "LOCATION": location}
    }
    cache.clear()
    yield cache
    cache.clear()
    resilient_cache.reset_breakers()

"""Fixtures every test can use. App-specific fixtures live in tests/<app>/conftest.py."""

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

"""Fixtures for the enquiry form's tests (the shared ones are in tests/conftest.py, the factories
in tests/factories.py)."""

import pytest
from django.db import connection

from therapy_info.programmes import City


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only are skipped on any other database, with the reason shown."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def private_media(private_media):
    """Every test here keeps medical records in a temporary folder (see tests/conftest.py)."""
    return private_media


@pytest.fixture
def cities(db):
    return {city.name: city for city in City.objects.all()}

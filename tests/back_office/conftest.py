"""Fixtures for the back-office tests: a colleague for the coordinator, and enquiries with a few
workflow details (staff in each role and logged-in clients are in tests/conftest.py)."""

import pytest

from tests.factories import make_enquiry
from therapy_info.programmes import City


@pytest.fixture(autouse=True)
def private_media(private_media):
    """Every test here keeps medical records in a temporary folder (see tests/conftest.py)."""
    return private_media


@pytest.fixture
def other_coordinator(make_staff):
    return make_staff("coordinator", username="colleague", first_name="Chen", last_name="Li")


@pytest.fixture
def enquiry(db):
    return make_enquiry()


@pytest.fixture
def make(db):
    """make(**fields): an enquiry stored directly, with optional preferred cities."""

    def create(cities=(), **fields):
        enquiry = make_enquiry(**fields)
        if cities:
            enquiry.preferred_cities.set(City.objects.filter(name__in=cities))
        return enquiry

    return create

"""Fixtures for the security and data-protection tests (the shared ones, staff in each role and
logged-in clients among them, are in tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def private_media(private_media):
    """Every test here keeps medical records in a temporary folder (see tests/conftest.py)."""
    return private_media

"""The migration that adds closed_at dates enquiries closed before it from their last status
change into that status, or from when they arrived."""

from datetime import UTC, datetime, timedelta
from importlib import import_module

import pytest
from django.apps import apps

from enquiries.models import Enquiry, EnquiryEvent
from tests.factories import make_enquiry

pytestmark = pytest.mark.django_db

migration = import_module("enquiries.migrations.0006_closed_at_and_data_protection_roles")
ARRIVED = datetime(2024, 1, 1, tzinfo=UTC)


def enquiry_closed_before_the_migration(status):
    enquiry = make_enquiry(submitted_at=ARRIVED)
    Enquiry.objects.filter(pk=enquiry.pk).update(status=status, closed_at=None)
    return enquiry


def status_changed(enquiry, days, new):
    EnquiryEvent.objects.create(
        enquiry=enquiry,
        kind="status_changed",
        created_at=ARRIVED + timedelta(days=days),
        details={"old": "x", "new": new},
    )


def closed_at(enquiry):
    return Enquiry.objects.get(pk=enquiry.pk).closed_at


def test_closed_since_the_last_change_into_its_status():
    enquiry = enquiry_closed_before_the_migration("closed_treated")
    status_changed(enquiry, 10, "closed_treated")
    status_changed(enquiry, 20, "in_review")
    status_changed(enquiry, 30, "closed_treated")

    migration.backfill_closed_at(apps, None)

    assert closed_at(enquiry) == ARRIVED + timedelta(days=30)


def test_closed_without_a_recorded_change_counts_from_arrival():
    enquiry = enquiry_closed_before_the_migration("spam")

    migration.backfill_closed_at(apps, None)

    assert closed_at(enquiry) == ARRIVED


def test_an_open_enquiry_stays_without_a_closing_date():
    enquiry = enquiry_closed_before_the_migration("in_review")
    status_changed(enquiry, 10, "closed_treated")

    migration.backfill_closed_at(apps, None)

    assert closed_at(enquiry) is None

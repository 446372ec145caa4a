"""Retention: closed enquiries are anonymised 24 months after closing, spam is deleted 30 days
after it was marked; their files leave storage, and nothing else is touched."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from enquiries import outbox, records, retention
from enquiries.models import (
    AuditEntry,
    CaseLink,
    CaseMessage,
    Consent,
    Enquiry,
    EnquiryEvent,
    Note,
    OutgoingEmail,
)
from tests.factories import make_enquiry, pdf_file

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
MARKERS = {
    "enquirer_name": "Enqmarker Qzv",
    "referring_hospital": "Hospmarker Qzv",
    "patient_name": "Patmarker Qzv",
    "email": "marker.qzv@example.org",
    "phone": "+442079460958",
    "messenger_id": "wxid_marker_qzv",
    "preferred_language": "Langmarker Qzv",
    "best_time_to_reach": "Timemarker Qzv",
    "time_zone": "UTC+05:45",
    "diagnosis_details": "Diagmarker Qzv",
    "medical_summary": "Summarymarker Qzv",
    "utm_source": "Sourcemarker Qzv",
    "utm_medium": "Mediummarker Qzv",
    "utm_campaign": "Campaignmarker Qzv",
    "utm_term": "Termmarker Qzv",
    "utm_content": "Contentmarker Qzv",
}


def closed_enquiry(status="closed_treated", closed_at=NOW - timedelta(days=800), files=1):
    enquiry = make_enquiry(
        birth_year=1973, birth_date=date(1973, 3, 4), country="CZ", diagnosis="cll", **MARKERS
    )
    Enquiry.objects.filter(pk=enquiry.pk).update(status=status, closed_at=closed_at)
    enquiry.refresh_from_db()
    Consent.objects.create(
        enquiry=enquiry,
        kind="health_data_processing",
        given=True,
        text_version="1",
        text="t",
        language="en",
    )
    Note.objects.create(enquiry=enquiry, text="Notemarker Qzv")
    for index in range(files):
        records.store(enquiry, pdf_file(f"Filemarker-{index}.pdf")).save()
    return enquiry


@pytest.fixture
def apply_now(django_capture_on_commit_callbacks):
    def run(**kwargs):
        with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
            return retention.apply(**kwargs)

    return run


def test_an_enquiry_closed_over_24_months_ago_is_anonymised(apply_now):
    enquiry = closed_enquiry()

    apply_now()

    enquiry.refresh_from_db()
    for name in MARKERS:
        assert getattr(enquiry, name) == "", name
    assert enquiry.birth_date is None
    assert enquiry.anonymised_at == NOW
    assert (enquiry.email_key, enquiry.phone_key, enquiry.name_key) == ("", "", "")


def test_anonymising_removes_the_email_records_whose_message_ids_the_mail_logs_know(apply_now):
    enquiry = closed_enquiry()
    outbox.queue_enquiry_emails(enquiry)

    apply_now()

    assert not OutgoingEmail.objects.filter(enquiry=enquiry).exists()


def test_anonymising_keeps_the_aggregate_facts(apply_now):
    enquiry = closed_enquiry()

    apply_now()

    enquiry.refresh_from_db()
    assert (enquiry.country, enquiry.diagnosis, enquiry.status) == ("CZ", "cll", "closed_treated")
    assert enquiry.birth_year == 1970
    assert enquiry.consents.count() == 1


def test_anonymising_empties_the_notes_and_removes_the_files(apply_now, stored_files):
    enquiry = closed_enquiry(files=2)
    assert len(stored_files()) == 2

    apply_now()

    assert list(enquiry.notes.values_list("text", flat=True)) == [""]
    assert not enquiry.record_files.exists()
    assert stored_files() == []


def test_anonymising_empties_the_messages_and_removes_the_case_links(apply_now):
    enquiry = closed_enquiry()
    CaseMessage.objects.create(enquiry=enquiry, sender="patient", text="Messagemarker Qzv")
    token = CaseLink.issue(enquiry)

    apply_now()

    assert list(enquiry.messages.values_list("text", flat=True)) == [""]
    assert not enquiry.case_links.exists()
    assert CaseLink.find(token) == (CaseLink.Found.UNKNOWN, None)


def test_anonymising_empties_the_coordinators_messages_too(apply_now, coordinator):
    enquiry = closed_enquiry()
    CaseMessage.objects.create(
        enquiry=enquiry, sender="coordinator", author=coordinator, text="Replymarker Qzv"
    )

    apply_now()

    assert list(enquiry.messages.values_list("sender", "text")) == [("coordinator", "")]


def test_anonymising_leaves_an_event_on_the_timeline(apply_now):
    enquiry = closed_enquiry()

    apply_now()

    assert enquiry.events.filter(kind=EnquiryEvent.Kind.ANONYMISED).count() == 1


def test_an_enquiry_closed_less_than_24_months_ago_is_kept(apply_now, stored_files):
    enquiry = closed_enquiry(closed_at=datetime(2024, 6, 16, tzinfo=UTC))

    apply_now()

    enquiry.refresh_from_db()
    assert enquiry.patient_name == MARKERS["patient_name"]
    assert len(stored_files()) == 1


def test_the_period_is_a_setting(apply_now, settings):
    settings.RETENTION_CLOSED_MONTHS = 36
    enquiry = closed_enquiry()

    apply_now()

    enquiry.refresh_from_db()
    assert enquiry.anonymised_at is None


def test_an_open_enquiry_is_never_touched_however_old(apply_now, stored_files):
    enquiry = closed_enquiry(status="in_review", closed_at=None)
    Enquiry.objects.filter(pk=enquiry.pk).update(submitted_at=NOW - timedelta(days=3000))

    apply_now()

    enquiry.refresh_from_db()
    assert enquiry.patient_name == MARKERS["patient_name"]
    assert len(stored_files()) == 1


def test_spam_marked_over_30_days_ago_is_deleted_with_its_files(apply_now, stored_files):
    spam = closed_enquiry(status="spam", closed_at=NOW - timedelta(days=31))

    apply_now()

    assert not Enquiry.objects.filter(pk=spam.pk).exists()
    assert not Note.objects.exists()
    assert stored_files() == []


def test_recent_spam_is_kept_so_a_mistake_can_be_undone(apply_now):
    spam = closed_enquiry(status="spam", closed_at=NOW - timedelta(days=29))

    apply_now()

    assert Enquiry.objects.filter(pk=spam.pk, patient_name=MARKERS["patient_name"]).exists()


def test_a_dry_run_counts_and_changes_nothing(apply_now, stored_files):
    closed = closed_enquiry()
    closed_enquiry(status="spam", closed_at=NOW - timedelta(days=31))

    outcome = apply_now(dry_run=True)

    assert (len(outcome.anonymised), len(outcome.deleted)) == (1, 1)
    closed.refresh_from_db()
    assert closed.patient_name == MARKERS["patient_name"]
    assert Enquiry.objects.count() == 2
    assert len(stored_files()) == 2
    assert not AuditEntry.objects.exists()


def test_a_second_run_finds_nothing_to_do(apply_now):
    closed_enquiry()
    closed_enquiry(status="spam", closed_at=NOW - timedelta(days=31))
    apply_now()

    outcome = apply_now()

    assert (outcome.anonymised, outcome.deleted) == ([], [])
    assert AuditEntry.objects.count() == 1


def test_a_run_that_did_something_is_in_the_audit_log_by_reference(apply_now):
    closed = closed_enquiry()
    spam = closed_enquiry(status="spam", closed_at=NOW - timedelta(days=31))

    apply_now()

    entry = AuditEntry.objects.get()
    assert entry.action == AuditEntry.Action.APPLIED_RETENTION
    assert entry.actor_name == "manage.py apply_retention"
    assert entry.details == {"anonymised": [closed.reference], "deleted": [spam.reference]}


def test_the_command_prints_the_counts(capsys, django_capture_on_commit_callbacks):
    closed_enquiry()
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", "--dry-run")
        call_command("apply_retention")

    printed = capsys.readouterr().out
    assert "Would anonymise 1 closed enquiries; would delete 0 spam enquiries." in printed
    assert "Anonymised 1 closed enquiries; deleted 0 spam enquiries." in printed
    assert MARKERS["patient_name"] not in printed


def test_closing_an_enquiry_records_when_and_reopening_clears_it(make_staff):
    coordinator = make_staff("coordinator")
    enquiry = make_enquiry()
    with time_machine.travel(NOW, tick=False):
        enquiry.change_status(Enquiry.Status.CLOSED_WITHDREW, by=coordinator)
    assert enquiry.closed_at == NOW
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        enquiry.change_status(Enquiry.Status.CLOSED_TREATED, by=coordinator)
    assert Enquiry.objects.get(pk=enquiry.pk).closed_at == NOW

    enquiry.change_status(Enquiry.Status.IN_REVIEW, by=coordinator)

    assert Enquiry.objects.get(pk=enquiry.pk).closed_at is None


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 6, 15), 24, datetime(2024, 6, 15)),
        (datetime(2026, 3, 31), 1, datetime(2026, 2, 28)),
        (datetime(2026, 1, 10), 13, datetime(2024, 12, 10)),
    ],
)
def test_months_are_calendar_months(moment, months, expected):
    assert retention.months_before(moment, months) == expected

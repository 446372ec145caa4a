"""Every workflow change leaves an event with who, when, from and to; the timeline shows them."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from enquiries.models import Enquiry, EnquiryEvent, Note
from tests.back_office.pages import action, change_url, changelist_url, page_form_data


def events(enquiry, kind):
    return list(enquiry.events.filter(kind=kind))


def test_changing_the_status_records_who_and_from_what_to_what(enquiry, coordinator):
    assert enquiry.change_status(Enquiry.Status.IN_REVIEW, by=coordinator)
    [event] = events(enquiry, EnquiryEvent.Kind.STATUS_CHANGED)
    assert event.actor == coordinator
    assert event.details == {"old": "new", "new": "in_review"}
    assert str(event.describe()) == "Status: New → In review"


def test_setting_the_same_status_records_nothing(enquiry, coordinator):
    assert not enquiry.change_status(Enquiry.Status.NEW, by=coordinator)
    assert not events(enquiry, EnquiryEvent.Kind.STATUS_CHANGED)


def test_assigning_records_the_coordinator_by_name(enquiry, coordinator):
    enquiry.assign(coordinator, by=coordinator)
    [event] = events(enquiry, EnquiryEvent.Kind.ASSIGNED)
    assert str(event.describe()) == "Assigned to Cora Ortiz"
    assert event.actor == coordinator


def test_a_coordinator_cannot_reassign_a_colleagues_enquiry(make, coordinator, other_coordinator):
    enquiry = make(assigned_to=other_coordinator)
    with pytest.raises(PermissionDenied):
        enquiry.assign(coordinator, by=coordinator)


def test_a_lead_reassigns_anything(make, lead, coordinator, other_coordinator):
    enquiry = make(assigned_to=other_coordinator)
    assert enquiry.assign(coordinator, by=lead)
    assert Enquiry.objects.get(pk=enquiry.pk).assigned_to == coordinator


def test_the_first_reply_is_recorded_once(enquiry, coordinator):
    assert enquiry.record_first_reply(by=coordinator)
    first = Enquiry.objects.get(pk=enquiry.pk).first_replied_at
    assert not enquiry.record_first_reply(by=coordinator)
    assert Enquiry.objects.get(pk=enquiry.pk).first_replied_at == first
    assert len(events(enquiry, EnquiryEvent.Kind.FIRST_REPLY_RECORDED)) == 1


def test_a_note_records_an_event_without_its_text(enquiry, coordinator):
    note = enquiry.add_note("Called the daughter, sending PET scan.", by=coordinator)
    [event] = events(enquiry, EnquiryEvent.Kind.NOTE_ADDED)
    assert event.details == {"note": note.pk}
    assert "PET" not in str(event.details)


def test_saving_the_page_records_each_change_as_an_event(login, coordinator, enquiry):
    client = login(coordinator)
    data = page_form_data(
        client.get(change_url(enquiry)),
        status="in_review",
        assigned_to=coordinator.pk,
        priority="high",
        next_follow_up_on="2030-01-15",
        first_reply_sent="on",
        **{"notes-0-text": "Asked for the latest PET-CT report."},
    )
    response = client.post(change_url(enquiry), data)
    assert response.status_code == 302, response.content.decode()
    kinds = set(enquiry.events.values_list("kind", flat=True))
    assert kinds >= {
        "assigned",
        "status_changed",
        "priority_changed",
        "follow_up_scheduled",
        "first_reply_recorded",
        "note_added",
    }
    assert set(enquiry.events.exclude(kind="received").values_list("actor", flat=True)) == {
        coordinator.pk
    }
    enquiry.refresh_from_db()
    assert enquiry.next_follow_up_on == date(2030, 1, 15)
    note = Note.objects.get(enquiry=enquiry)
    assert note.author == coordinator
    assert note.text == "Asked for the latest PET-CT report."


def test_a_stale_page_does_not_undo_a_colleagues_change(
    login, coordinator, other_coordinator, enquiry
):
    client = login(coordinator)
    stale = page_form_data(client.get(change_url(enquiry)))  # before the colleague's change
    enquiry.change_status(Enquiry.Status.AWAITING_RECORDS, by=other_coordinator)
    client.post(change_url(enquiry), {**stale, "priority": "urgent"})
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.AWAITING_RECORDS
    assert enquiry.priority == Enquiry.Priority.URGENT


def test_notes_cannot_be_edited_after_the_fact_even_by_a_superuser(
    login, coordinator, admin_user, enquiry
):
    note = enquiry.add_note("Original wording.", by=coordinator)
    client = login(admin_user)
    page = client.get(change_url(enquiry))
    # The page shows the note without a text box; a forged post adds one.
    data = page_form_data(page, **{"notes-0-text": "Rewritten by someone else."})
    response = client.post(change_url(enquiry), data)
    assert response.status_code == 302  # saved, not refused with a form error
    note.refresh_from_db()
    assert note.text == "Original wording."


def test_the_timeline_shows_every_event_with_who_and_what(login, coordinator, enquiry):
    enquiry.record_event(EnquiryEvent.Kind.RECEIVED, files=0)
    enquiry.record_event(EnquiryEvent.Kind.NOTIFICATION_SENT, recipient="patient", attempt=1)
    enquiry.assign(coordinator, by=coordinator)
    enquiry.change_status(Enquiry.Status.IN_REVIEW, by=coordinator)
    enquiry.add_note("Anything.", by=coordinator)
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    timeline = html[html.index('id="bo-timeline-heading"') :]
    for text in [
        "Received with 0 file(s)",
        "Notification sent: patient email (attempt 1)",
        "Assigned to Cora Ortiz",
        "Status: New → In review",
        "Note added",
        "by Cora Ortiz",
    ]:
        assert text in timeline


def test_actions_change_status_and_mark_spam_with_events(login, coordinator, make):
    first, second = make(), make()
    client = login(coordinator)
    page = action(client, "change_status", [first])
    assert page.status_code == 200
    client.post(
        changelist_url(),
        {
            "action": "change_status",
            "_selected_action": [first.pk],
            "apply": "1",
            "choice": "with_hospital",
        },
    )
    action(client, "mark_as_spam", [second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Enquiry.Status.WITH_HOSPITAL
    assert second.status == Enquiry.Status.SPAM
    assert second.events.get(kind="status_changed").details["new"] == "spam"


def test_the_first_reply_action_records_it(login, coordinator, enquiry):
    action(login(coordinator), "mark_first_reply_sent", [enquiry])
    enquiry.refresh_from_db()
    assert enquiry.first_replied_at is not None

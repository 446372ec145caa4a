"""What staff do with patient data is recorded one way (AuditEntry.record): one audit entry, and
for the actions the timeline shows too, an event on each enquiry concerned."""

import pytest

from enquiries.models import AuditEntry, EnquiryEvent
from enquiries.models.audit import ON_THE_TIMELINE
from tests.back_office.pages import action

Action = AuditEntry.Action


def test_an_action_on_many_enquiries_costs_two_queries_however_many_there_are(
    make, lead, django_assert_num_queries
):
    enquiries = [make() for _ in range(5)]
    with django_assert_num_queries(2):
        AuditEntry.record(lead, Action.EXPORTED_ENQUIRIES, enquiries=enquiries)
    for enquiry in enquiries:
        [event] = enquiry.events.filter(kind=EnquiryEvent.Kind.EXPORTED)
        assert (event.actor, event.details) == (lead, {})


def test_an_action_on_one_enquiry_costs_one_query_for_the_entry_and_one_for_the_event(
    enquiry, lead, django_assert_num_queries
):
    with django_assert_num_queries(2):
        AuditEntry.record(lead, Action.DOWNLOADED_RECORD, enquiry=enquiry, file=7)
    [event] = enquiry.events.filter(kind=EnquiryEvent.Kind.RECORD_DOWNLOADED)
    assert (event.actor, event.details) == (lead, {"file": 7})


def test_exporting_a_single_enquiry_to_csv_still_lists_its_count_and_reference(
    login, lead, enquiry
):
    action(login(lead), "export_csv", [enquiry])
    entry = AuditEntry.objects.get(action=Action.EXPORTED_ENQUIRIES)
    assert entry.enquiry_reference == ""
    assert entry.details == {"count": 1, "references": [enquiry.reference]}


def test_the_access_request_event_keeps_the_file_count_in_the_audit_log_only(enquiry, lead):
    AuditEntry.record(lead, Action.EXPORTED_PATIENT_DATA, enquiry=enquiry, files=2)
    entry = AuditEntry.objects.get()
    assert (entry.enquiry_reference, entry.details) == (enquiry.reference, {"files": 2})
    [event] = enquiry.events.filter(kind=EnquiryEvent.Kind.PATIENT_DATA_EXPORTED)
    assert (event.actor, event.details) == (lead, {})


@pytest.mark.parametrize("audit_only", sorted(set(Action) - set(ON_THE_TIMELINE)))
def test_an_action_the_timeline_does_not_show_leaves_only_the_audit_entry(
    enquiry, lead, audit_only
):
    events_before = enquiry.events.count()
    AuditEntry.record(lead, audit_only, enquiry=enquiry)
    assert enquiry.events.count() == events_before
    assert AuditEntry.objects.get().enquiry_reference == enquiry.reference


def test_every_action_the_timeline_shows_leaves_a_kind_of_event():
    assert {kind for kind, _repeated in ON_THE_TIMELINE.values()} <= set(EnquiryEvent.Kind)

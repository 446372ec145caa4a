"""Every kind of timeline event and every audit action reads as the line a coordinator sees."""

import pytest
from django.contrib import admin

from enquiries.admin import audit
from enquiries.models import AuditEntry, Consent, EnquiryEvent, RecordFile, timeline

Kind = EnquiryEvent.Kind
Action = AuditEntry.Action

TIMELINE_LINES = [
    (Kind.RECEIVED, {"files": 2}, "Received with 2 file(s)"),
    (Kind.RECEIVED, {}, "Received with 0 file(s)"),
    (Kind.FILES_ADDED, {"files": 1}, "1 file(s) added by the patient (the form sent again)"),
    (
        Kind.NOTIFICATION_SENT,
        {"recipient": "coordinators", "attempt": 2},
        "Notification sent: coordinators email (attempt 2)",
    ),
    (
        Kind.NOTIFICATION_FAILED,
        {"recipient": "patient", "error": "SMTPServerDisconnected"},
        "Notification failed: patient email (attempt 1)",
    ),
    (Kind.STATUS_CHANGED, {"old": "new", "new": "closed_treated"}, "Status: New → Closed: treated"),
    (Kind.STATUS_CHANGED, {"old": "retired", "new": "spam"}, "Status: retired → Spam"),
    (Kind.ASSIGNED, {"old": "", "new": "Cora Ortiz"}, "Assigned to Cora Ortiz"),
    (Kind.ASSIGNED, {"old": "Cora Ortiz", "new": ""}, "Unassigned (was Cora Ortiz)"),
    (Kind.ASSIGNED, {"old": "", "new": ""}, "Unassigned (was —)"),
    (
        Kind.ASSIGNED_AUTOMATICALLY,
        {"new": "Anna Petrova", "language": "ru", "pool": "speaks_language"},
        "Assigned automatically to Anna Petrova (speaks Russian)",
    ),
    (
        Kind.ASSIGNED_AUTOMATICALLY,
        {"new": "Cora Ortiz", "language": "ar", "pool": "available"},
        "Assigned automatically to Cora Ortiz (no coordinator taking new enquiries speaks "
        "Arabic: round-robin among all who take them)",
    ),
    (
        Kind.ASSIGNED_AUTOMATICALLY,
        {"new": "Cora Ortiz", "language": "en", "pool": "all_active"},
        "Assigned automatically to Cora Ortiz (no coordinator takes new enquiries now: "
        "round-robin among all active coordinators)",
    ),
    (Kind.ASSIGNED_AUTOMATICALLY, {"new": "Cora Ortiz"}, "Assigned automatically to Cora Ortiz"),
    (Kind.PRIORITY_CHANGED, {"old": "normal", "new": "urgent"}, "Priority: Normal → Urgent"),
    (Kind.FOLLOW_UP_SCHEDULED, {"on": "2025-03-04"}, "Next follow-up set to 2025-03-04"),
    (Kind.FOLLOW_UP_SCHEDULED, {"on": None}, "Next follow-up date cleared"),
    (Kind.FIRST_REPLY_RECORDED, {}, "First reply sent"),
    (Kind.NOTE_ADDED, {"note": 7}, "Note added"),
    (Kind.RECORD_DOWNLOADED, {"file": 12}, "Medical record file #12 downloaded"),
    (Kind.EXPORTED, {}, "Exported"),
    (Kind.PATIENT_DATA_EXPORTED, {}, "Patient's data exported (access request)"),
    (Kind.ANONYMISED, {"files": 3}, "Anonymised (retention period over)"),
    (Kind.FILES_UPLOADED, {"files": 2}, "2 file(s) uploaded by the patient on their case page"),
    (Kind.MESSAGE_FROM_PATIENT, {"message": 4}, "Message from the patient"),
    (Kind.CASE_LINK_SENT, {}, "A fresh case page link was sent to the patient"),
    (Kind.NEWS_FROM_PATIENT_SEEN, {}, "What the patient sent was seen"),
    (Kind.MESSAGE_TO_PATIENT, {"message": 5}, "Message to the patient"),
    (
        Kind.HOSPITAL_SHARING_REQUESTED,
        {},
        "The patient was asked to agree to sharing with hospitals",
    ),
    (
        Kind.HOSPITAL_SHARING_GIVEN,
        {},
        "The patient agreed to sharing with hospitals on the case page",
    ),
    (
        Kind.REFERRED,
        {"referral": 3, "programme": "Alpha Hospital", "method": "email"},
        "Referred to Alpha Hospital by email to its international office",
    ),
    (
        Kind.REFERRED,
        {"referral": 3, "programme": "Alpha Hospital", "method": "other_means"},
        "Referred to Alpha Hospital, sent by other means",
    ),
    (Kind.REFERRED, {}, "Referred to a programme"),
    (
        Kind.REFERRAL_ANSWERED,
        {"referral": 3, "programme": "Alpha Hospital", "status": "more_information_needed"},
        "Alpha Hospital answered: More information needed",
    ),
    (Kind.REFERRAL_ANSWERED, {}, "The programme answered"),
    (
        Kind.PLAN_RECORDED,
        {"plan": 4, "programme": "Alpha Hospital", "valid_until": "2031-01-31"},
        "Treatment plan from Alpha Hospital recorded (valid until 2031-01-31)",
    ),
    (Kind.PLAN_RECORDED, {}, "Treatment plan recorded"),
    (
        Kind.PLAN_ACCEPTED,
        {"plan": 4, "programme": "Alpha Hospital"},
        "The patient accepted the treatment plan of Alpha Hospital",
    ),
    (Kind.PLAN_ACCEPTED, {}, "The patient accepted a treatment plan"),
    (
        Kind.PLAN_DECLINED,
        {"plan": 4, "programme": "Alpha Hospital"},
        "The patient declined the treatment plan of Alpha Hospital",
    ),
    (Kind.PLAN_DECLINED, {}, "The patient declined a treatment plan"),
    (
        Kind.DOCUMENT_ADDED,
        {"document": 5, "type": "application/pdf", "size": 204_800},
        "Document added for the patient: PDF document, 0.2 MB",
    ),
    (
        Kind.DOCUMENT_ADDED,
        {"document": 5, "type": "image/png", "size": 2048, "programme": "Alpha Hospital"},
        "Document added for the patient: PNG image, 2.0 KB, with the plan of Alpha Hospital",
    ),
    (Kind.DOCUMENT_ADDED, {}, "Document added for the patient"),
    (
        Kind.PATIENT_READ_MESSAGES,
        {"messages": 2},
        "The patient read 2 message(s) from the coordinators on their case page",
    ),
    (
        Kind.CLOSED_AS_DUPLICATE,
        {"of": "CT-AAAA-BBBB", "old": "in_review"},
        "Closed as a duplicate of CT-AAAA-BBBB (was: In review)",
    ),
    (
        Kind.DUPLICATE_CLOSED_INTO_THIS,
        {"duplicate": "CT-CCCC-DDDD"},
        "CT-CCCC-DDDD was closed as a duplicate of this enquiry",
    ),
]

AUDIT_LINES = [
    # The action column says it all: nothing more to add.
    (Action.VIEWED_ENQUIRY, {}, ""),
    (Action.DOWNLOADED_RECORD, {"file": 12}, "File #12"),
    (
        Action.EXPORTED_ENQUIRIES,
        {"count": 2, "references": ["CT-AAAA-BBBB", "CT-CCCC-DDDD"]},
        "2 enquiries: CT-AAAA-BBBB, CT-CCCC-DDDD",
    ),
    (Action.DELETED_ENQUIRY, {}, ""),
    (Action.EXPORTED_PATIENT_DATA, {"files": 2}, ""),
    (
        Action.EXPORTED_PATIENT_DATA,
        {"files": 2, "person_of": "CT-AAAA-BBBB"},
        "Person of CT-AAAA-BBBB",
    ),
    (Action.ERASED_ENQUIRY, {"files": 1}, ""),
    (Action.ERASED_ENQUIRY, {"files": 1, "person_of": "CT-AAAA-BBBB"}, "Person of CT-AAAA-BBBB"),
    (
        Action.APPLIED_RETENTION,
        {"anonymised": ["CT-AAAA-BBBB"], "deleted": []},
        "Anonymised: CT-AAAA-BBBB. Deleted spam: —.",
    ),
    (
        Action.UNLOCKED_STAFF_ACCOUNT,
        {"account": "cora", "failures": 5},
        "Login cora, after 5 failures",
    ),
    (Action.PATIENT_OPENED_CASE_PAGE, {}, ""),
    (Action.PATIENT_UPLOADED_FILES, {"files": 3}, "3 file(s)"),
    (Action.PATIENT_SENT_MESSAGE, {"message": 9}, "Message #9"),
    (Action.SENT_MESSAGE_TO_PATIENT, {"message": 10}, "Message #10"),
    (Action.PATIENT_DOWNLOADED_DOCUMENT, {"document": 4}, "Document #4"),
    (
        Action.REFERRED_CASE,
        {"referral": 3, "programme": "Alpha Hospital", "method": "email", "files": 2},
        "Alpha Hospital, referral #3",
    ),
    (Action.DOWNLOADED_REFERRAL_SUMMARY, {"referral": 3}, "Referral #3"),
    (Action.ADDED_PATIENT_DOCUMENT, {"document": 5, "type": "application/pdf"}, "Document #5"),
    (Action.DOWNLOADED_PATIENT_DOCUMENT, {"document": 5}, "Document #5"),
]


@pytest.mark.parametrize(("kind", "details", "line"), TIMELINE_LINES)
def test_each_kind_of_event_reads_as_one_line_on_the_timeline(kind, details, line):
    assert str(EnquiryEvent(kind=kind, details=details).describe()) == line


def test_every_kind_of_event_has_its_line_pinned_above():
    assert {kind for kind, _details, _line in TIMELINE_LINES} == set(Kind)


@pytest.mark.parametrize(("action", "details", "line"), AUDIT_LINES)
def test_each_audit_action_reads_as_one_line_in_the_audit_log(action, details, line):
    audit_admin = admin.site.get_model_admin(AuditEntry)
    assert str(audit_admin.summary(AuditEntry(action=action, details=details))) == line


def test_every_audit_action_has_its_line_pinned_above():
    assert {action for action, _details, _line in AUDIT_LINES} == set(Action)


def test_the_timeline_table_lists_only_kinds_of_event():
    assert set(timeline.TIMELINE_LINES) <= set(Kind)


def test_the_audit_table_lists_only_audit_actions():
    assert set(audit.AUDIT_LINES) <= set(Action)


@pytest.mark.parametrize(
    ("content_type", "size", "line"),
    [
        ("application/pdf", 790, "PDF document, 0.8 KB"),
        ("application/pdf", 10, "PDF document, 0.1 KB"),
        ("image/jpeg", 850_000, "JPEG image, 0.8 MB"),
        ("image/png", 9_500_000, "PNG image, 9.1 MB"),
        ("application/zip", 2048, "File, 2.0 KB"),
    ],
)
def test_a_record_file_reads_as_its_kind_and_size(content_type, size, line):
    assert str(RecordFile(content_type=content_type, size=size)) == line


@pytest.mark.parametrize(("given", "line"), [(True, "given"), (False, "not given")])
def test_a_consent_reads_given_or_not_given(given, line):
    consent = Consent(kind=Consent.Kind.HOSPITAL_SHARING, given=given)
    assert str(consent) == f"Sharing with partner hospitals in China: {line}"

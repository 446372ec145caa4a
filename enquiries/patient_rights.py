"""A patient's rights over what we hold: a copy of everything (subject access, GDPR Art. 15 /
PIPL Art. 45) as a ZIP of JSON and the files (their records, what went to hospitals, the
documents given to them), and erasure (GDPR Art. 17 / PIPL Art. 47).
Lead coordinators run both from the admin; both leave an audit entry."""

import json
import tempfile
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from enquiries import case, records
from enquiries.models import (
    AuditEntry,
    CaseDocument,
    CaseLink,
    CaseMessage,
    Consent,
    Enquiry,
    Note,
    OutgoingEmail,
    RecordFile,
    Referral,
    TreatmentPlan,
    staff_name,
)

# Internal bookkeeping, derived from fields that are exported anyway.
NOT_EXPORTED = {"id", "email_key", "phone_key", "name_key", "submission_token"}


def _value(enquiry, field):
    if field.choices:
        return getattr(enquiry, f"get_{field.name}_display")()
    if field.name == "country":
        return enquiry.country.name
    if field.name == "duplicate_of":
        return enquiry.duplicate_of.reference if enquiry.duplicate_of else None
    if field.name == "preferred_programme":
        programme = enquiry.preferred_programme
        return f"{programme.name} ({programme.city.name})" if programme else None
    if field.is_relation:
        return staff_name(getattr(enquiry, field.name)) or None
    return getattr(enquiry, field.name)


def _zip_file_name(index, record):
    """A name inside the ZIP: numbered, the patient's own name made harmless by the sanitiser
    downloads use, so it ends in the detected type's extension too."""
    return f"{index}-{records.safe_file_name(record.original_name, record.content_type)}"


def _money(plan):
    # Text, not a JSON number: a decimal amount exactly as stored.
    return str(plan.estimated_cost)


def _referrals(enquiry):
    """Each referral as it went (to which programme, when, how, what was shared, the files' hashes,
    its summary in this archive), the programme's answer and its plans with the patient's choice."""
    described = []
    for index, referral in enumerate(enquiry.referrals.all(), start=1):
        described.append(
            {
                "programme": str(referral.programme.name),
                "city": str(referral.programme.city.name),
                "sent_at": referral.sent_at,
                "sent": referral.get_method_display(),
                "sent_to": referral.sent_to,
                "sent_by": staff_name(referral.sent_by) or None,
                "answers_to_the_form_shared": referral.shared_answers,
                "summary_in_this_archive": (
                    f"referrals/{index}-case-summary.html" if referral.summary_document else None
                ),
                "summary_sha256": referral.summary_sha256,
                "package_size_in_bytes": referral.package_size,
                "files_sent": [
                    {"name": sent.name, "size_in_bytes": sent.size, "sha256": sent.sha256}
                    for sent in referral.files.all()
                ],
                "status": referral.get_status_display(),
                "answered_at": referral.answered_at,
                "answer": referral.answer_note,
                "treatment_plans": [
                    {
                        "proposal": plan.proposal,
                        "proposed_start": plan.proposed_start,
                        "proposed_end": plan.proposed_end,
                        "estimated_cost": _money(plan),
                        "currency": plan.currency,
                        "includes": plan.includes,
                        "excludes": plan.excludes,
                        "valid_until": plan.valid_until,
                        "recorded_at": plan.recorded_at,
                        "your_decision": plan.get_decision_display(),
                        "decided_at": plan.decided_at,
                    }
                    for plan in referral.plans.all()
                ],
            }
        )
    return described


def _documents(enquiry):
    return [
        {
            "title": document.title,
            "file_in_this_archive": f"documents/{_zip_file_name(index, document)}",
            "original_name": document.original_name,
            "type": document.content_type,
            "size_in_bytes": document.size,
            "sha256": document.sha256,
            "added_at": document.added_at,
            "with_the_plan": document.plan.proposal if document.plan else None,
        }
        for index, document in enumerate(enquiry.case_documents.all(), start=1)
    ]


def describe(enquiry):
    """Everything held about the enquiry, as plain data (what the JSON file holds)."""
    fields = [field for field in Enquiry._meta.concrete_fields if field.name not in NOT_EXPORTED]
    files = []
    for index, record in enumerate(enquiry.record_files.all(), start=1):
        files.append(
            {
                "file_in_this_archive": f"files/{_zip_file_name(index, record)}",
                "original_name": record.original_name,
                "type": record.content_type,
                "size_in_bytes": record.size,
                "sha256": record.sha256,
                "uploaded_at": record.uploaded_at,
                # Which record of their checklist the patient said it is (sent from the case page).
                "sent_as": record.checklist_item or None,
            }
        )
    return {
        "enquiry": {str(field.verbose_name): _value(enquiry, field) for field in fields},
        "preferred_cities": [city.name for city in enquiry.preferred_cities.all()],
        "consents": [
            {
                "consent_to": consent.get_kind_display(),
                "given": consent.given,
                "text_as_shown": consent.text,
                "text_version": consent.text_version,
                "language": consent.language,
                "recorded_at": consent.given_at,
            }
            for consent in enquiry.consents.all()
        ],
        "internal_notes": [
            {"written_at": note.created_at, "by": staff_name(note.author), "text": note.text}
            for note in enquiry.notes.all()
        ],
        # What we sent, or tried to send, them and about them (no addresses are stored).
        "emails": [
            {
                "email": email.get_kind_display(),
                "to": email.get_recipient_role_display(),
                "status": email.get_status_display(),
                "attempts": email.attempts,
                "queued_at": email.created_at,
                "sent_at": email.sent_at,
                "message_id": email.message_id,
            }
            for email in enquiry.emails.all()
        ],
        # The conversation on their case page, and the links to it (when each was made and last
        # used; the links themselves are never kept).
        "messages": [
            {
                "from": message.get_sender_display(),
                "written_by": staff_name(message.author) or None,
                "sent_at": message.sent_at,
                "read_at": message.read_at,
                "text": message.text,
            }
            for message in enquiry.messages.all()
        ],
        "case_page_links": [
            {"created_at": link.created_at, "last_used_at": link.last_used_at}
            for link in enquiry.case_links.all()
        ],
        "timeline": [
            {"at": event.created_at, "what": str(event.describe())}
            for event in enquiry.events.all()
        ],
        "files": files,
        "referrals": _referrals(enquiry),
        "documents_for_the_patient": _documents(enquiry),
    }


def person_details(enquiry, person_of):
    """What an audit entry adds when the enquiry was acted on as one of a person's: the
    reference of the enquiry the lead chose (enquiries.person)."""
    if person_of is None:
        return {}
    return {"person_of": person_of.get(enquiry.pk, enquiry.reference)}


def export(enquiries, *, by, person_of=None):
    """A temporary file holding the ZIP of each enquiry's data (one folder per reference), and
    its audit entry and timeline event. The caller streams and closes the file. `person_of`
    maps each enquiry's pk to the reference chosen when the export is a person's."""
    archive = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once streamed)
    exported_at = timezone.now()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for enquiry in enquiries:
            data = {"reference": enquiry.reference, "exported_at": exported_at, **describe(enquiry)}
            folder = enquiry.reference
            stored = [
                *zip(
                    (record.file for record in enquiry.record_files.all()),
                    data["files"],
                    ["file_in_this_archive"] * len(data["files"]),
                    strict=True,
                ),
                *(
                    (referral.summary_document, listed, "summary_in_this_archive")
                    for referral, listed in zip(
                        enquiry.referrals.all(), data["referrals"], strict=True
                    )
                    if listed["summary_in_this_archive"]
                ),
                *zip(
                    (document.file for document in enquiry.case_documents.all()),
                    data["documents_for_the_patient"],
                    ["file_in_this_archive"] * len(data["documents_for_the_patient"]),
                    strict=True,
                ),
            ]
            for file, listed, key in stored:
                try:
                    with file.open("rb") as handle:
                        zipped.writestr(f"{folder}/{listed[key]}", handle.read())
                except FileNotFoundError:
                    listed[key] = None
                    listed["missing_from_storage"] = True
            zipped.writestr(
                f"{folder}/enquiry.json",
                json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            AuditEntry.record(
                by,
                AuditEntry.Action.EXPORTED_PATIENT_DATA,
                enquiry=enquiry,
                files=len(data["files"]),
                **person_details(enquiry, person_of),
            )
    archive.seek(0)
    return archive


# What hangs off an enquiry and goes with it, as the erasure page counts it: a name for each kind
# of row, its model and the lookup from a row to its enquiry.
ERASED_WITH_THE_ENQUIRY = {
    "messages": (CaseMessage, "enquiry"),
    "record_files": (RecordFile, "enquiry"),
    "notes": (Note, "enquiry"),
    "consents": (Consent, "enquiry"),
    "emails": (OutgoingEmail, "enquiry"),
    "case_links": (CaseLink, "enquiry"),
    "referrals": (Referral, "enquiry"),
    "treatment_plans": (TreatmentPlan, "referral__enquiry"),
    "case_documents": (CaseDocument, "enquiry"),
}


def _count(model, to_enquiry):
    rows = model.objects.filter(**{to_enquiry: OuterRef("pk")}).order_by().values(to_enquiry)
    return Coalesce(Subquery(rows.annotate(count=Count("pk")).values("count")), 0)


def what_erasure_removes(enquiries):
    """The enquiries, each annotated with how many rows of each kind (ERASED_WITH_THE_ENQUIRY,
    as `<name>_count`) go with it: one query, whatever the number of rows."""
    return enquiries.annotate(
        **{
            f"{name}_count": _count(model, to_enquiry)
            for name, (model, to_enquiry) in ERASED_WITH_THE_ENQUIRY.items()
        }
    )


def erase(enquiries, *, by, person_of=None):
    """Delete the enquiries with everything hanging off them, and their files from storage.

    Nothing is kept but the audit entry: the reference, who erased it and when (and, for a
    person's enquiries, `person_of` as in export()). An anonymised row would still hold dates,
    country, diagnosis and cities, which with the reference could point back at the patient who
    asked us to forget them. Returns the references erased."""
    with transaction.atomic():
        enquiries = list(enquiries.prefetch_related("record_files", "case_documents", "referrals"))
        for enquiry in enquiries:
            AuditEntry.record(
                by,
                AuditEntry.Action.ERASED_ENQUIRY,
                enquiry=enquiry,
                files=len(enquiry.stored_files()),
                **person_details(enquiry, person_of),
            )
        erased = Enquiry.objects.filter(pk__in=[e.pk for e in enquiries]).delete_with_files()
        case.forget_fresh_link_requests(references=erased)
        return erased

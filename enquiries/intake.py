"""Intake: a valid enquiry form becomes a stored enquiry, in one transaction with everything that
comes with it; and the enquiry a form already made, for a form posted again."""

from enquiries import assignment, consents, outbox, pathways, records
from enquiries.forms import CONSENT_FIELDS
from enquiries.models import Enquiry, EnquiryEvent
from therapy_info import privacy_notice


def already_received(submission_token):
    """The enquiry already stored from the form with this token (a double-click, a refresh, a
    resend after a dropped connection), or None."""
    if submission_token is None:
        return None
    return Enquiry.objects.filter(submission_token=submission_token).first()


def receive_enquiry(form, *, language):
    """Store a valid EnquiryForm's enquiry (its answers, the preferred hospital among them) with
    its cities, consents, files, 'received' event, its coordinator (enquiries.assignment) and
    notification emails in one transaction, and return it. If anything fails, nothing is kept:
    no rows, no files."""
    enquiry = form.save(commit=False)
    answers = form.cleaned_data
    enquiry.submission_token = answers["submission_token"]
    enquiry.language = language
    # The version in force now: the one linked from the form the patient just sent.
    enquiry.privacy_notice_version = privacy_notice.current_version()
    # Where the answers point, for the list's filters: stored with the enquiry's own insert. The
    # catalogue comes from the cache, read before the transaction takes the database's write
    # lock (on a miss: four reads that need not hold it).
    pathways.set_pathway_flags(enquiry)
    with records.atomic_with_files() as store_all:
        enquiry.insert_with_unique_reference()
        # The form's one many-to-many field. A new enquiry links no city yet, so the links are
        # inserted directly: save_m2m() would first look up existing ones.
        Enquiry.preferred_cities.through.objects.bulk_create(
            Enquiry.preferred_cities.through(enquiry=enquiry, city=city)
            for city in answers["preferred_cities"]
        )
        for field_name, kind in CONSENT_FIELDS.items():
            consents.record_consent(enquiry, kind, given=answers[field_name], language=language)
        stored = store_all(enquiry, answers["record_files"])
        enquiry.record_event(EnquiryEvent.Kind.RECEIVED, files=len(stored))
        # After "received" on the timeline; before the emails, which read who has it.
        assignment.assign_new_enquiry(enquiry)
        # The emails' rows and tasks, in this same transaction: the outbox.
        outbox.queue_enquiry_emails(enquiry)
    return enquiry

"""What a patient does after the thank-you page, on their private case page: read where their
enquiry stands, send a message, get a fresh link. The page itself is enquiries.case_page."""

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from enquiries import outbox, records
from enquiries.models import AuditEntry, CaseMessage, Enquiry, EnquiryEvent, OutgoingEmail

# The audit log's name for the patient (AuditEntry.actor_name), who has no staff account.
PATIENT = "patient"

# Each open status, and "duplicate", in words a patient should read: what it means for them,
# never the coordinators' shorthand ("Closed: not eligible" is for the back office; the
# coordinator tells the patient why, in a message).
STATUS_FOR_PATIENTS = {
    Enquiry.Status.NEW: (
        _("Received"),
        _("We have your enquiry. A coordinator will read it and reply to you."),
    ),
    Enquiry.Status.IN_REVIEW: (
        _("Being reviewed"),
        _("A coordinator is reading your enquiry and the records you sent."),
    ),
    Enquiry.Status.AWAITING_RECORDS: (
        _("Waiting for medical records"),
        _("To go further, we need medical records. Please see the list below."),
    ),
    Enquiry.Status.WITH_HOSPITAL: (
        _("With a hospital"),
        _("With your consent, a hospital's doctors are reviewing your case."),
    ),
    Enquiry.Status.TREATMENT_PLANNED: (
        _("Treatment being planned"),
        _("A hospital has proposed a plan. Your coordinator is preparing the next steps with you."),
    ),
    # Closed, but not the end of their case: it goes on in the patient's other enquiry.
    Enquiry.Status.DUPLICATE: (
        _("Merged with your other enquiry"),
        _(
            "You sent us more than one enquiry, so we merged this one with your other one. "
            "Please follow your other enquiry: we will write to you there."
        ),
    ),
}
CLOSED_FOR_PATIENTS = (
    _("Closed"),
    _(
        "This enquiry is closed. You can still read it here. If you need our help again, "
        "please send a new enquiry."
    ),
)


# What a coordinator's reply template says for {case_link}, in the language of the message
# (enquiries.replies.fill): the patient reads the message on that page.
CASE_PAGE_WORDS = _("your case page")


def status_for_patient(enquiry):
    """(title, explanation) of the enquiry's status, as the patient reads it."""
    return STATUS_FOR_PATIENTS.get(enquiry.status, CLOSED_FOR_PATIENTS)


def record_patient_action(enquiry, action, **details):
    """What the patient did, in the audit log and, for what the timeline shows, on it
    (AuditEntry.record). `details` holds counts and ids, never what they wrote or sent."""
    AuditEntry.record(None, action, enquiry=enquiry, actor_name=PATIENT, **details)


def raise_news_flag(enquiry):
    """Flags the enquiry as holding something new from the patient and lets the coordinators
    know, by one email at a time: while one is still waiting to go out, no second is queued (the
    email says only that something is new). Call it inside the transaction that stores the news,
    with the enquiry locked."""
    if enquiry.news_from_patient_at is None:
        enquiry.news_from_patient_at = timezone.now()
        enquiry.save(update_fields=["news_from_patient_at"])
    waiting = enquiry.emails.filter(
        kind=OutgoingEmail.Kind.NEWS_FROM_PATIENT,
        status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.RETRYING],
    )
    if not waiting.exists():
        outbox.queue_email(enquiry, OutgoingEmail.Kind.NEWS_FROM_PATIENT)


def send_message_from_patient(enquiry, text, *, form_token):
    """Store the patient's message, once per form (a double click stores one), flag the enquiry
    and notify the coordinators. Returns the message."""
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        existing = CaseMessage.objects.filter(form_token=form_token, enquiry=locked).first()
        if existing is not None:
            return existing
        message = CaseMessage.objects.create(
            enquiry=locked, sender=CaseMessage.Sender.PATIENT, text=text, form_token=form_token
        )
        raise_news_flag(locked)
        record_patient_action(locked, AuditEntry.Action.PATIENT_SENT_MESSAGE, message=message.pk)
    return message


def mark_replies_read(enquiry, conversation):
    """The patient has seen the coordinators' messages of `conversation` (their case page shows
    it): the unread ones get the time, and the timeline says how many the patient read. Returns
    that number (0 if another tab got there first)."""
    unread = [
        message.pk
        for message in conversation
        if message.sender == CaseMessage.Sender.COORDINATOR and message.read_at is None
    ]
    if not unread:
        return 0
    now = timezone.now()
    read = CaseMessage.objects.filter(pk__in=unread, read_at__isnull=True).update(read_at=now)
    if read:
        # At the very time the messages were marked read: the timeline says when they were.
        EnquiryEvent.objects.create(
            enquiry=enquiry,
            kind=EnquiryEvent.Kind.PATIENT_READ_MESSAGES,
            created_at=now,
            details={"messages": read},
        )
    return read


def email_digest(email):
    """A keyed hash of an email address, so that a fresh-link request can travel through the
    task queue without the address itself."""
    return salted_hmac(
        "enquiries.case.fresh-link", email.strip().casefold(), algorithm="sha256"
    ).hexdigest()


def send_fresh_link(reference, digest):
    """Queue a fresh case page link for the enquiry with this reference, if its email address
    has this digest and it still has a case page. Says nothing either way: the request's answer
    was the same whatever the outcome."""
    enquiry = Enquiry.objects.filter(reference=reference.strip().upper()).first()
    if enquiry is None or not enquiry.has_case_page:
        return False
    if not hmac.compare_digest(email_digest(enquiry.email), digest):
        return False
    with transaction.atomic():
        outbox.queue_email(enquiry, OutgoingEmail.Kind.CASE_LINK)
        enquiry.record_event(EnquiryEvent.Kind.CASE_LINK_SENT)
    return True


@dataclass
class ReceivedFiles:
    """What became of the files a patient sent from their case page."""

    added: int = 0
    # Already with the enquiry (the same SHA-256): not stored twice.
    already_there: int = 0
    # Refused, with nothing stored: the enquiry's total would pass a limit, or it is closed.
    over_file_limit: bool = False
    over_size_limit: bool = False
    enquiry_closed: bool = False

    @property
    def refused(self):
        return self.over_file_limit or self.over_size_limit or self.enquiry_closed


def receive_files_from_patient(enquiry, uploaded_files, *, checklist_item=""):
    """Store the files a patient sent from their case page, all or none: in one transaction with
    the event, audit entry and news flag; none if the enquiry is closed or its files would pass
    CASE_MAX_FILES_PER_ENQUIRY or CASE_MAX_MEGABYTES_PER_ENQUIRY in all. Files the enquiry
    already holds are skipped. If storing fails, nothing is kept: no rows, no files. Each file
    is labelled with `checklist_item`, the record of the checklist the patient said it is."""
    outcome = ReceivedFiles()
    with records.atomic_with_files() as store_all:
        # Two uploads at once must not both find room for the last files, and a coordinator
        # closing the enquiry meanwhile must not see files arrive.
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        if not locked.takes_files_sent_again:
            outcome.enquiry_closed = True
            return outcome
        held = locked.record_files.aggregate(count=Count("pk"), size=Sum("size"))
        known = set(locked.record_files.values_list("sha256", flat=True))
        new_files = []
        for uploaded in uploaded_files:
            digest = records.sha256_of(uploaded)
            if digest in known:
                outcome.already_there += 1
            else:
                new_files.append(uploaded)
                known.add(digest)
        count = held["count"] + len(new_files)
        size = (held["size"] or 0) + sum(uploaded.size for uploaded in new_files)
        outcome.over_file_limit = count > settings.CASE_MAX_FILES_PER_ENQUIRY
        outcome.over_size_limit = size > settings.CASE_MAX_MEGABYTES_PER_ENQUIRY * 1024 * 1024
        if outcome.refused or not new_files:
            return outcome
        outcome.added = len(store_all(locked, new_files, checklist_item=checklist_item))
        raise_news_flag(locked)
        record_patient_action(locked, AuditEntry.Action.PATIENT_UPLOADED_FILES, files=outcome.added)
    return outcome


def room_left(held_files):
    """(files, megabytes) an enquiry holding these record files can still take."""
    files = max(settings.CASE_MAX_FILES_PER_ENQUIRY - len(held_files), 0)
    held_megabytes = sum(record.size for record in held_files) // (1024 * 1024)
    return files, max(settings.CASE_MAX_MEGABYTES_PER_ENQUIRY - held_megabytes, 0)


FRESH_LINK_TASK = "enquiries.tasks.send_fresh_case_link"


def forget_fresh_link_requests(*, references=(), finished_before=None):
    """Delete the task rows of "find my enquiry" requests (django-tasks-db keeps every finished
    task with its arguments: a reference and a keyed hash of an email address): those naming
    these references, whatever their state (erasure), and those finished before an instant
    (retention). Returns how many went."""
    from django.db.models import Q
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    wanted = Q()
    for reference in references:
        wanted |= Q(args_kwargs__args__0=reference)
    if finished_before is not None:
        wanted |= Q(
            status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED],
            finished_at__lt=finished_before,
        )
    if not wanted:
        return 0
    deleted, _by_model = DBTaskResult.objects.filter(wanted, task_path=FRESH_LINK_TASK).delete()
    return deleted

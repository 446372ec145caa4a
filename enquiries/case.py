"""What a patient does after the thank-you page, on their private case page: read where their
enquiry stands, send a message, get a fresh link, agree to sharing with hospitals when asked,
choose or decline a hospital's treatment plan or ask about it, download the documents a
coordinator gave them. The page itself is enquiries.case_page."""

import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from enquiries import consents, outbox, records
from enquiries.models import (
    AuditEntry,
    CaseMessage,
    Consent,
    Enquiry,
    EnquiryEvent,
    OutgoingEmail,
    TreatmentPlan,
)
from therapy_info.money import format_money

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
        _(
            "With your consent, we have sent your case to one or more hospitals, whose doctors "
            "are reviewing it. A plan a hospital proposes will be shown on this page."
        ),
    ),
    Enquiry.Status.TREATMENT_PLANNED: (
        _("Treatment being planned"),
        _(
            "You have chosen a hospital's plan. Your coordinator is arranging the next steps "
            "with the hospital and will write to you here."
        ),
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


# Sharing the case with hospitals, when a coordinator asks for it.


def hospital_sharing_consent(enquiry):
    """The patient's latest answer about sharing their case with hospitals (a Consent), or None."""
    return (
        enquiry.consents.filter(kind=Consent.Kind.HOSPITAL_SHARING)
        .order_by("-given_at", "-pk")
        .first()
    )


def asks_for_hospital_sharing(enquiry, consent):
    """Whether the case page asks the patient to agree to sharing with hospitals: a coordinator
    asked, the patient has not agreed (`consent` is their latest answer), the enquiry is open."""
    return (
        enquiry.hospital_sharing_requested_at is not None
        and enquiry.takes_files_sent_again
        and not (consent is not None and consent.given)
    )


def give_hospital_sharing_consent(enquiry, *, language):
    """Record that the patient agrees to sharing with hospitals, in the wording of the current
    version in `language` (the page's), with the event, the news flag and the coordinators'
    email, all in one transaction. Agreeing again records nothing (a double click, a second
    tab). Returns (the consent, whether it is new)."""
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        latest = hospital_sharing_consent(locked)
        if latest is not None and latest.given:
            return latest, False
        consent = consents.record_consent(
            locked, Consent.Kind.HOSPITAL_SHARING, given=True, language=language
        )
        locked.record_event(EnquiryEvent.Kind.HOSPITAL_SHARING_GIVEN, consent=consent.pk)
        raise_news_flag(locked)
    return consent, True


# Treatment plans and documents, as the patient sees them.

# What a document is, in words, by the type we serve it as; any other type is a file.
DOCUMENT_KINDS = {
    "application/pdf": _("PDF document"),
    "image/jpeg": _("Image (JPEG)"),
    "image/png": _("Image (PNG)"),
}
# What a type we do not know is served as: the browser saves it, never opens or runs it.
UNKNOWN_TYPE = "application/octet-stream"


def document_kind(document):
    return DOCUMENT_KINDS.get(document.content_type, _("File"))


def served_content_type(document):
    return document.content_type if document.content_type in records.EXTENSIONS else UNKNOWN_TYPE


def document_download_name(document):
    """The document's name as a download: safe, and ending in its type's extension."""
    fallback = f"document-{document.pk}"
    if document.content_type in records.EXTENSIONS:
        return records.safe_file_name(
            document.original_name, document.content_type, fallback=fallback
        )
    name = records.clean_file_name(document.original_name)[: records.MAX_FILE_NAME_LENGTH]
    return name.rstrip(" .") or fallback


def documents_for_patient(documents):
    """The documents as a list, each with `kind` in words (document_kind)."""
    documents = list(documents)
    for document in documents:
        document.kind = document_kind(document)
    return documents


def plans_of(enquiry):
    """The treatment plans proposed on the enquiry's referrals, with their hospital and city."""
    return (
        TreatmentPlan.objects.filter(referral__enquiry=enquiry)
        .select_related("referral__programme__city")
        .order_by("recorded_at", "pk")
    )


def documents_of(enquiry):
    return enquiry.case_documents.only(
        "plan_id", "title", "original_name", "content_type", "size", "added_at"
    ).order_by("added_at", "pk")


@dataclass
class PlanForPatient:
    """A treatment plan as its case page shows it: the hospital, the cost in the page's
    language, whether it can still be accepted or declined, and the documents that go with it."""

    plan: TreatmentPlan
    cost: str
    expired: bool
    # Another plan of the enquiry is accepted: this one can no longer be.
    accepted_elsewhere: bool
    # The hospital no longer offers it (TreatmentPlan.is_withdrawn).
    withdrawn: bool
    can_accept: bool
    can_decline: bool
    documents: list = field(default_factory=list)

    @property
    def programme(self):
        return self.plan.referral.programme

    @property
    def accepted(self):
        return self.plan.decision == TreatmentPlan.Decision.ACCEPTED

    @property
    def declined(self):
        return self.plan.decision == TreatmentPlan.Decision.DECLINED


def plans_for_patient(enquiry, plans, documents, *, language, today=None):
    """Each of `plans` (the enquiry's, from plans_of) as a PlanForPatient, with its `documents`
    (the enquiry's, from documents_of)."""
    today = today or timezone.localdate()
    plans = list(plans)
    accepted = {plan.pk for plan in plans if plan.decision == TreatmentPlan.Decision.ACCEPTED}
    takes_decisions = enquiry.takes_files_sent_again
    by_referral = {}
    for plan in plans:
        by_referral.setdefault(plan.referral_id, []).append(plan)
    shown = []
    for plan in plans:
        expired = plan.is_expired(today)
        accepted_elsewhere = bool(accepted - {plan.pk})
        withdrawn = plan.is_withdrawn(by_referral[plan.referral_id])
        open_to_decision = takes_decisions and not expired and not accepted and not withdrawn
        shown.append(
            PlanForPatient(
                plan=plan,
                cost=format_money(plan.estimated_cost, plan.currency, language),
                expired=expired,
                accepted_elsewhere=accepted_elsewhere,
                withdrawn=withdrawn,
                # A declined plan may still be chosen while valid: the patient changed their mind.
                can_accept=open_to_decision,
                can_decline=open_to_decision and plan.decision == TreatmentPlan.Decision.UNDECIDED,
                documents=[document for document in documents if document.plan_id == plan.pk],
            )
        )
    return shown


def plan_for_patient(enquiry, plan, *, language):
    """One plan of the enquiry as its decision and question pages show it (the other plans say
    whether one was accepted already)."""
    plans = list(plans_of(enquiry))
    documents = documents_for_patient(documents_of(enquiry).filter(plan=plan))
    for shown in plans_for_patient(enquiry, plans, documents, language=language):
        if shown.plan.pk == plan.pk:
            return shown
    raise TreatmentPlan.DoesNotExist


def accept_plan(plan, *, language):
    """The patient accepts the plan on their case page (TreatmentPlan.accept, which raises
    ValidationError when it cannot be); the coordinators hear of it. Returns whether it is new."""
    with transaction.atomic():
        accepted = plan.accept(language)
        if accepted:
            raise_news_flag(Enquiry.objects.select_for_update().get(pk=plan.referral.enquiry_id))
    return accepted


def decline_plan(plan, *, language):
    """The patient declines the plan on their case page (TreatmentPlan.decline); the
    coordinators hear of it. Returns whether it is new."""
    with transaction.atomic():
        declined = plan.decline(language)
        if declined:
            raise_news_flag(Enquiry.objects.select_for_update().get(pk=plan.referral.enquiry_id))
    return declined


def ask_about_plan(enquiry, plan, text, *, form_token, language):
    """The patient's question about a plan: a message in the conversation that starts by saying
    which plan it is about (in the page's language, which the coordinator reads as well)."""
    with translation.override(language):
        about = _("About the plan from %(hospital)s (%(proposal)s):") % {
            "hospital": plan.referral.programme.name,
            "proposal": plan.proposal,
        }
    return send_message_from_patient(enquiry, f"{about}\n\n{text}", form_token=form_token)

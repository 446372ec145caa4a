"""Referring a case to hospitals' programmes, and what comes with it: the patient's consent to
sharing with hospitals (or asking for it on their case page), the case package (a summary in
English and Chinese and the record files chosen) recorded exactly as it went, sent by email through
the outbox or recorded as sent by other means, and the documents a coordinator gives the patient.
The back office (enquiries.admin.referrals) calls these; the programme's answer and the patient's
choice are the models' (Referral.record_answer, TreatmentPlan.accept and decline)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from enquiries import outbox, records
from enquiries.forms import ANSWER_SECTIONS, EnquiryForm
from enquiries.models import (
    AuditEntry,
    CaseDocument,
    Consent,
    Enquiry,
    EnquiryEvent,
    OutgoingEmail,
    Referral,
    ReferralFile,
)
from enquiries.models.records import file_size
from enquiries.models.referrals import programme_name
from therapy_info.programmes import Programme

# A first referral moves an enquiry in one of these on to "With hospital"; one already with a
# hospital, or further, keeps its status.
BEFORE_A_HOSPITAL = frozenset(
    {Enquiry.Status.NEW, Enquiry.Status.IN_REVIEW, Enquiry.Status.AWAITING_RECORDS}
)

# The case summary is written in ours and the hospitals' language, one after the other.
SUMMARY_LANGUAGES = ("en", "zh-hans")

# The form's answers a hospital needs to say whether treatment is possible, and no more. Not the
# patient's name, date of birth or contact details: the coordinator speaks for the patient, and the
# reference identifies the case; a hospital that offers a plan gets the name later, for admission
# and the visa letter, with the patient's agreement. The year of birth, gender and country are
# clinical (age) and practical (travel) facts; the medical answers are the point of the referral.
SHARED_ANSWERS = [
    (_("The patient"), ["gender", "birth_year", "country"]),
    # Every medical answer, in the form's order (one list, so a new question reaches hospitals).
    (_("Medical situation"), ANSWER_SECTIONS["medical"]),
    (_("Treatment in China"), ["travel_timeframe", "companion_travelling"]),
]
# Answers in the patient's own words: shared as they were typed, in whatever language.
PATIENTS_OWN_WORDS = {"diagnosis_details", "medical_summary"}


def hospital_sharing_consent(enquiry):
    """The patient's latest answer to sharing with hospitals (a Consent), or None: a consent
    given later on the case page, or withdrawn, counts over the form's."""
    return (
        enquiry.consents.filter(kind=Consent.Kind.HOSPITAL_SHARING)
        .order_by("-given_at", "-pk")
        .first()
    )


def has_hospital_sharing_consent(enquiry):
    consent = hospital_sharing_consent(enquiry)
    return consent is not None and consent.given


def why_no_referral(enquiry):
    """Why this enquiry cannot be referred, nor its patient asked to agree to it, or None."""
    if enquiry.anonymised_at is not None:
        return _("This enquiry was anonymised: there is nothing left to refer.")
    if enquiry.status == Enquiry.Status.SPAM:
        return _("This enquiry is marked as spam.")
    if not enquiry.is_open:
        return _(
            "This enquiry is closed (%(status)s): give it an open status first to refer it."
        ) % {"status": enquiry.get_status_display()}
    return None


def ask_for_hospital_sharing(enquiry, *, by):
    """Ask the patient, on their case page, to agree to sharing their case with hospitals: the
    enquiry records when, the timeline says so, and the patient gets an email saying something
    waits for them there (one at a time: none while another is still waiting to go out).
    Returns False when the patient has agreed already; raises ValidationError when the enquiry
    cannot be referred at all."""
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        reason = why_no_referral(locked)
        if reason is not None:
            raise ValidationError(reason)
        if has_hospital_sharing_consent(locked):
            return False
        locked.hospital_sharing_requested_at = timezone.now()
        locked.save(update_fields=["hospital_sharing_requested_at"])
        locked.record_event(EnquiryEvent.Kind.HOSPITAL_SHARING_REQUESTED, actor=by)
        waiting = locked.emails.filter(
            kind=OutgoingEmail.Kind.HOSPITAL_SHARING_REQUEST,
            status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.RETRYING],
        )
        if not waiting.exists():
            outbox.queue_email(locked, OutgoingEmail.Kind.HOSPITAL_SHARING_REQUEST)
    enquiry.hospital_sharing_requested_at = locked.hospital_sharing_requested_at
    return True


# The case package.


@dataclass
class FileInPackage:
    """A record file as it goes in a package: the name it goes under, its content's size and
    SHA-256 when the package was made."""

    record: object
    name: str
    size: int
    sha256: str


def megabytes(size):
    return _("%(size)s MB") % {"size": number_format(size / (1024 * 1024), 1)}


def files_in_package(enquiry, record_files):
    """The record files chosen, read from storage now: each with its SHA-256 and size as they
    are (what goes is what is recorded), named as it goes (numbered: two scans may share a
    name). Raises ValidationError for a file that is not the enquiry's or is missing."""
    chosen = []
    for number, record in enumerate(record_files, start=1):
        if record.enquiry_id != enquiry.pk:
            raise ValidationError({"record_files": _("Choose files of this enquiry only.")})
        digest, size = hashlib.sha256(), 0
        try:
            with record.file.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:
            raise ValidationError(
                {
                    "record_files": _(
                        "“%(name)s” is missing from storage: leave it out, or ask the patient "
                        "to send it again."
                    )
                    % {"name": record.original_name}
                }
            ) from None
        name = records.safe_file_name(
            record.original_name, record.content_type, fallback=f"record-{record.pk}"
        )
        chosen.append(FileInPackage(record, f"{number}-{name}", size, digest.hexdigest()))
    return chosen


def summary_answers(enquiry):
    """The shared answers in both summary languages: one section per part of the form, each row
    the form's question and the answer, each in English and in Chinese. An answer in the
    patient's own words is the same in both, marked as theirs."""
    sections = []
    for title, names in SHARED_ANSWERS:
        rows = []
        for name in names:
            texts = {}
            for language in SUMMARY_LANGUAGES:
                with translation.override(language):
                    label = str(EnquiryForm.base_fields[name].label)
                    texts[language] = (label, _answer(enquiry, name))
            rows.append(
                {
                    "label_en": texts["en"][0],
                    "label_zh": texts["zh-hans"][0],
                    "answer_en": texts["en"][1],
                    "answer_zh": texts["zh-hans"][1],
                    "patients_words": name in PATIENTS_OWN_WORDS,
                }
            )
        titles = {}
        for language in SUMMARY_LANGUAGES:
            with translation.override(language):
                titles[language] = str(title)
        sections.append({"title_en": titles["en"], "title_zh": titles["zh-hans"], "rows": rows})
    return sections


def _answer(enquiry, name):
    """One answer as text in the active language; "" when the patient skipped it."""
    field = Enquiry._meta.get_field(name)
    value = getattr(enquiry, name)
    if name == "country":
        return str(enquiry.country.name) if enquiry.country else ""
    if field.choices and value:
        return str(dict(field.flatchoices).get(value, value))
    return "" if value is None else str(value)


def render_summary(enquiry, programme, files, *, share_answers, sent_at):
    """The case summary as it goes to `programme`: one self-contained, printable HTML page in
    English and Chinese (UTF-8 bytes)."""
    names = {}
    for language in SUMMARY_LANGUAGES:
        with translation.override(language):
            names[language] = str(programme.name)
    with translation.override("en"):
        context = {
            "reference": enquiry.reference,
            "programme_en": names["en"],
            "programme_zh": names["zh-hans"],
            "sent_on": timezone.localdate(sent_at).isoformat(),
            "sections": summary_answers(enquiry) if share_answers else [],
            "files": [
                {"name": each.name, "size": file_size(each.size), "sha256": each.sha256}
                for each in files
            ],
            "SITE_NAME": settings.SITE_NAME,
            "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        }
        return render_to_string("enquiries/referrals/summary.html", context).encode()


def refer(
    enquiry,
    *,
    programmes,
    record_files,
    share_answers,
    method,
    sent_by_other_means="",
    by,
    form_token=None,
):
    """Refer the case to each of `programmes` at once, and return the referrals: each with its
    own summary (naming the programme) and the chosen record files, recorded as they went (names,
    sizes and SHA-256 of the content read now, the summary's too, the package's size). By email
    (`method`), one email per programme to its international office through the outbox; by other
    means, `sent_by_other_means` says how and to whom. The timeline and the audit log say so, and
    the enquiry moves to "With hospital" on its first referral.

    All or nothing: the patient's consent to sharing with hospitals is needed, each package must
    stay under REFERRAL_PACKAGE_MAX_BYTES, and if anything fails no row and no summary file is
    kept. Raises ValidationError, by field ("programmes", "record_files", "method",
    "sent_by_other_means") or for the whole referral.

    Once per form: `form_token` (the refer form's one-time token) is recorded with the referrals,
    and the same form posted again (a double click) refers nowhere again and returns the
    referrals the first post made."""
    programmes = list(programmes)
    record_files = list(record_files)
    sent_by_other_means = sent_by_other_means.strip()
    with records.atomic_with_files() as writes:
        # A consent withdrawn, or the enquiry closed, meanwhile must not let a package go out.
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        if form_token is not None:
            made_already = list(
                locked.referrals.filter(form_token=form_token).select_related("programme")
            )
            if made_already:
                return made_already
        _check_referral(locked, programmes, method, sent_by_other_means)
        files = files_in_package(locked, record_files)
        files_size = sum(each.size for each in files)
        now = timezone.now()
        referrals = []
        for programme in programmes:
            summary = render_summary(
                locked, programme, files, share_answers=share_answers, sent_at=now
            )
            package_size = len(summary) + files_size
            if package_size > settings.REFERRAL_PACKAGE_MAX_BYTES:
                raise ValidationError(
                    {
                        "record_files": _(
                            "The package would be %(size)s; the limit is %(limit)s. Choose "
                            "fewer files, or send the others by other means."
                        )
                        % {
                            "size": megabytes(package_size),
                            "limit": megabytes(settings.REFERRAL_PACKAGE_MAX_BYTES),
                        }
                    }
                )
            referral = Referral(
                enquiry=locked,
                programme=programme,
                method=method,
                sent_to=(
                    programme.international_office_email
                    if method == Referral.Method.EMAIL
                    else sent_by_other_means
                ),
                shared_answers=share_answers,
                summary_sha256=hashlib.sha256(summary).hexdigest(),
                package_size=package_size,
                sent_at=now,
                sent_by=by,
                form_token=form_token,
            )
            writes.write(
                referral.summary_document,
                records.random_storage_name(None, "referrals", "html"),
                ContentFile(summary),
            )
            referrals.append(referral)
        for referral in referrals:
            _record(locked, referral, files, by)
        if locked.status in BEFORE_A_HOSPITAL:
            locked.change_status(Enquiry.Status.WITH_HOSPITAL, by=by)
    return referrals


def _check_referral(enquiry, programmes, method, sent_by_other_means):
    reason = why_no_referral(enquiry)
    if reason is not None:
        raise ValidationError(reason)
    if not has_hospital_sharing_consent(enquiry):
        raise ValidationError(
            _(
                "The patient has not agreed to sharing their case with hospitals: ask them on "
                "their case page first."
            ),
            code="no_consent",
        )
    if not programmes:
        raise ValidationError({"programmes": _("Choose at least one programme.")})
    unpublished = [str(p.name) for p in programmes if p.status != Programme.Status.PUBLISHED]
    if unpublished:
        raise ValidationError(
            {
                "programmes": _("%(names)s is not published: refer to published programmes.")
                % {"names": ", ".join(unpublished)}
            }
        )
    if method not in Referral.Method.values:
        raise ValidationError({"method": _("Choose how the case is sent.")})
    if method == Referral.Method.EMAIL:
        no_address = [str(p.name) for p in programmes if not p.international_office_email]
        if no_address:
            raise ValidationError(
                {
                    "method": _(
                        "%(names)s has no international office email: send it by other means "
                        "and write how."
                    )
                    % {"names": ", ".join(no_address)}
                }
            )
    elif not sent_by_other_means:
        raise ValidationError(
            {"sent_by_other_means": _("Write how the case was sent, and to whom.")}
        )


def _record(enquiry, referral, files, by):
    """Store one referral with its files' record, its email if it goes by email, and its audit
    entry and timeline event."""
    if referral.method == Referral.Method.EMAIL:
        referral.email = outbox.queue_email(enquiry, OutgoingEmail.Kind.REFERRAL)
    referral.save()
    ReferralFile.objects.bulk_create(
        ReferralFile(
            referral=referral,
            record_file=each.record,
            name=each.name,
            size=each.size,
            sha256=each.sha256,
        )
        for each in files
    )
    AuditEntry.record(
        by,
        AuditEntry.Action.REFERRED_CASE,
        enquiry=enquiry,
        referral=referral.pk,
        programme=programme_name(referral.programme),
        method=referral.method,
        files=len(files),
        answers_shared=referral.shared_answers,
    )


# Documents for the patient.


def add_document(enquiry, uploaded_file, *, title, by, plan=None, form_token=None):
    """Give the patient a document on their case page (a plan's details, a visa invitation
    letter): stored privately like a record file, optionally with one of the enquiry's plans,
    audited and on the timeline. The upload must have passed enquiries.forms.check_record_file.
    Raises ValidationError when the enquiry has no case page or the plan is another's.

    Once per form: the same form (`form_token`, its one-time token) posted again stores nothing
    and returns the document the first post stored."""
    if plan is not None and plan.referral.enquiry_id != enquiry.pk:
        raise ValidationError({"plan": _("Choose a plan of this enquiry.")})
    with records.atomic_with_files() as writes:
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        if form_token is not None:
            stored_already = locked.case_documents.filter(form_token=form_token).first()
            if stored_already is not None:
                return stored_already
        if not locked.has_case_page:
            raise ValidationError(
                _("This enquiry has no case page (spam or anonymised): nobody would see it.")
            )
        document = writes.store(
            locked,
            uploaded_file,
            model=CaseDocument,
            folder="documents",
            title=title.strip(),
            plan=plan,
            added_by=by,
            form_token=form_token,
        )
        document.save()
        AuditEntry.record(
            by,
            AuditEntry.Action.ADDED_PATIENT_DOCUMENT,
            enquiry=locked,
            document=document.pk,
            type=document.content_type,
            size=document.size,
            programme=programme_name(plan.referral.programme) if plan is not None else "",
        )
    return document

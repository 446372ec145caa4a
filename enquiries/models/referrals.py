"""Referrals of an enquiry to hospitals' programmes: exactly what went to whom and when, what each
programme answered, the treatment plans it proposed and the patient's choice, and the documents a
coordinator gives the patient (e.g. a visa invitation letter). All of it is health data: files in
private storage, covered by export, erasure and retention with the enquiry."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from enquiries.models.records import kind_and_size, medical_records_storage
from enquiries.models.timeline import EnquiryEvent
from therapy_info.programmes import Currency


def programme_name(programme):
    """The programme's name as the timeline keeps it: in the back office's language, whatever
    language the page that recorded it was in (events are written once and read by staff)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(programme.name)


class PackageChanged(Exception):
    """A file of a referral's package is no longer what was recorded as sent (gone from storage,
    or other content): the package does not go out. (Its class name is what the timeline and the
    logs say; the message names the file.)"""


class Referral(models.Model):
    """The case sent to one programme, and where the programme's answer stands."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent, waiting for the answer")
        PLAN_OFFERED = "plan_offered", _("Accepted with a plan")
        DECLINED = "declined", _("Declined")
        MORE_INFORMATION_NEEDED = "more_information_needed", _("More information needed")

    class Method(models.TextChoices):
        EMAIL = "email", _("By email to the international office")
        OTHER_MEANS = "other_means", _("By other means")

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="referrals"
    )
    programme = models.ForeignKey(
        "therapy_info.Programme",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("programme"),
    )
    status = models.CharField(_("status"), max_length=30, choices=Status, default=Status.SENT)
    method = models.CharField(_("sent"), max_length=20, choices=Method)
    # The address the email went to, or how it went otherwise ("handed to Dr Li's office").
    sent_to = models.CharField(_("sent to"), max_length=300)
    shared_answers = models.BooleanField(_("the form's answers were shared"), default=True)
    # The summary document of the package (English and Chinese), as it went.
    summary_document = models.FileField(
        _("case summary"), storage=medical_records_storage, max_length=200, blank=True
    )
    summary_sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    package_size = models.PositiveBigIntegerField(_("package size in bytes"), default=0)
    email = models.ForeignKey(
        "enquiries.OutgoingEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("email"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The decline reason, or what more the programme needs.
    answer_note = models.TextField(_("the programme's answer"), blank=True)
    # The one-time token of the refer form that made it (shared by the referrals one post made),
    # and of the answer form that recorded its latest answer: the same form posted twice (a
    # double click) records nothing more.
    form_token = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    answer_form_token = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["enquiry_id", "sent_at", "pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.programme} ({self.get_status_display()})"

    @property
    def summary_file_name(self):
        return f"{self.enquiry.reference}-case-summary.html"

    def package(self):
        """The package as it goes by email: (file name, content, type) of the summary and of each
        record file, read from private storage now and checked against the SHA-256 recorded when
        the referral was made. Raises PackageChanged rather than send something else."""
        files = [
            (
                self.summary_file_name,
                _read_checked(self.summary_document, self.summary_sha256, "summary"),
                "text/html; charset=utf-8",
            )
        ]
        for sent in self.files.select_related("record_file"):
            if sent.record_file is None:
                raise PackageChanged(f"file {sent.pk} of referral {self.pk} is gone")
            content = _read_checked(sent.record_file.file, sent.sha256, f"file {sent.pk}")
            files.append((sent.name, content, sent.record_file.content_type))
        return files

    # What a coordinator must write with each answer but a plan (the plan says it all).
    NOTE_NEEDED = {
        Status.DECLINED: _("Write why the programme declined."),
        Status.MORE_INFORMATION_NEEDED: _("Write what more the programme needs."),
    }

    def record_answer(self, status, *, by, note="", plan=None, form_token=None):
        """Record what the programme answered: accepted with `plan` (an unsaved TreatmentPlan,
        status PLAN_OFFERED), declined with its reason, or more information needed and what
        (`note`). The referral's status moves, and the timeline says so (and that a plan was
        recorded). A programme may answer again (a plan after more information, a revised
        plan): each answer is recorded in turn. Raises ValidationError, field by field ("note",
        "plan", the plan's fields), and stores nothing, when the answer is incomplete.
        Returns the plan saved, or None.

        Once per form: the same answer form (`form_token`, its one-time token) posted again (a
        double click) records nothing more and returns None."""
        from enquiries.models.enquiry import Enquiry  # the enquiry module imports this one

        if status not in self.Status.values or status == self.Status.SENT:
            raise ValidationError({"status": _("Choose what the programme answered.")})
        if self.enquiry.anonymised_at is not None:
            raise ValidationError(_("This enquiry was anonymised: it takes no more answers."))
        note = note.strip()
        if status == self.Status.PLAN_OFFERED:
            if plan is None:
                raise ValidationError({"plan": _("An acceptance needs the programme's plan.")})
            plan.referral = self
            plan.recorded_by = by
            plan.full_clean()
        elif not note:
            raise ValidationError({"note": self.NOTE_NEEDED[status]})
        name = programme_name(self.programme)
        with transaction.atomic():
            # The enquiry locked, as for the patient's decisions: the second of two posts waits
            # for the first and finds its token.
            Enquiry.objects.select_for_update().get(pk=self.enquiry_id)
            recorded = Referral.objects.only("answer_form_token").get(pk=self.pk)
            if form_token is not None and recorded.answer_form_token == form_token:
                return None
            self.status = status
            self.answered_at = timezone.now()
            self.answer_note = note
            self.answer_form_token = form_token
            self.save(update_fields=["status", "answered_at", "answer_note", "answer_form_token"])
            # The answer's status and the programme: never the note, which may describe the
            # patient's health (it stays on the referral).
            self.enquiry.record_event(
                EnquiryEvent.Kind.REFERRAL_ANSWERED,
                actor=by,
                referral=self.pk,
                programme=name,
                status=status,
            )
            if plan is not None:
                plan.save()
                self.enquiry.record_event(
                    EnquiryEvent.Kind.PLAN_RECORDED,
                    actor=by,
                    referral=self.pk,
                    plan=plan.pk,
                    programme=name,
                    valid_until=plan.valid_until.isoformat(),
                )
        return plan


def _read_checked(field_file, sha256, what):
    try:
        with field_file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise PackageChanged(f"{what} is missing from storage") from None
    if hashlib.sha256(content).hexdigest() != sha256:
        raise PackageChanged(f"{what} is not what was recorded")
    return content


class ReferralFile(models.Model):
    """One of the patient's record files as it went with a referral (its hash at that moment)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="files")
    record_file = models.ForeignKey(
        "enquiries.RecordFile", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        ordering = ["referral_id", "pk"]
        verbose_name = _("file sent")
        verbose_name_plural = _("files sent")

    def __str__(self):
        return self.name


class TreatmentPlan(models.Model):
    """What a programme proposes: the product or trial, dates, cost, and the patient's choice."""

    class Decision(models.TextChoices):
        UNDECIDED = "", _("Not decided yet")
        ACCEPTED = "accepted", _("Accepted by the patient")
        DECLINED = "declined", _("Declined by the patient")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="plans")
    proposal = models.CharField(
        _("product or trial"),
        max_length=300,
        help_text=_("E.g. the approved product's name, or the trial's name and registry number."),
    )
    proposed_start = models.DateField(_("proposed start"), null=True, blank=True)
    proposed_end = models.DateField(_("proposed end"), null=True, blank=True)
    # Money as a decimal with its ISO currency, never a float.
    estimated_cost = models.DecimalField(_("estimated cost"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency)
    includes = models.TextField(_("what the cost includes"))
    excludes = models.TextField(_("what it does not include"), blank=True)
    valid_until = models.DateField(_("valid until"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decision = models.CharField(
        _("patient's decision"), max_length=10, choices=Decision, blank=True, default=""
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["referral_id", "recorded_at", "pk"]
        verbose_name = _("treatment plan")
        verbose_name_plural = _("treatment plans")

    def __str__(self):
        return self.proposal

    def clean(self):
        errors = {}
        if self.estimated_cost is not None and self.estimated_cost <= 0:
            errors["estimated_cost"] = _("Enter the estimated cost, more than zero.")
        if (
            self.proposed_start is not None
            and self.proposed_end is not None
            and self.proposed_end < self.proposed_start
        ):
            errors["proposed_end"] = _("The proposed end is before the proposed start.")
        if errors:
            raise ValidationError(errors)

    def is_expired(self, today=None):
        """Past its last valid day (valid_until is the last day it can be accepted on)."""
        return self.valid_until < (today or timezone.localdate())

    def is_withdrawn(self, plans_of_its_referral=None):
        """The hospital no longer offers it: its referral's latest answer is not this plan (the
        programme declined or asked for more since, or proposed a newer plan).
        `plans_of_its_referral`, in the order they were recorded, spares the query."""
        if self.referral.status != Referral.Status.PLAN_OFFERED:
            return True
        if plans_of_its_referral is None:
            plans_of_its_referral = self.referral.plans.order_by("recorded_at", "pk").only("pk")
        *_, latest = plans_of_its_referral
        return latest.pk != self.pk

    def accept(self, language):
        """The patient chooses this plan: it is accepted, the timeline says which (the
        programme's name as the patient read it, in `language`) and the enquiry moves to
        Treatment planned. Raises ValidationError if the plan has expired or was withdrawn by
        the hospital (is_withdrawn), another plan of the enquiry was accepted or the enquiry is
        closed; accepting it again changes nothing
        (returns False), so a double click is one decision."""
        from enquiries.models.enquiry import Enquiry  # the enquiry module imports this one

        with transaction.atomic():
            enquiry, plan = self._lock()
            if plan.decision == self.Decision.ACCEPTED:
                self._take_decision_of(plan)
                return False
            if not enquiry.is_open:
                raise ValidationError(
                    _("The enquiry is closed: it takes no decision on a plan."), code="closed"
                )
            other_accepted = TreatmentPlan.objects.filter(
                referral__enquiry=enquiry, decision=self.Decision.ACCEPTED
            ).exclude(pk=plan.pk)
            if other_accepted.exists():
                raise ValidationError(
                    _("Another plan of this enquiry is already accepted."),
                    code="another_plan_accepted",
                )
            if plan.is_withdrawn():
                raise ValidationError(
                    _(
                        "The hospital no longer offers this plan, so it cannot be chosen. Please "
                        "ask your coordinator what the hospital proposes now."
                    ),
                    code="withdrawn",
                )
            if plan.is_expired():
                raise ValidationError(
                    _("The plan was valid until %(date)s.")
                    % {"date": plan.valid_until.isoformat()},
                    code="expired",
                )
            plan._decide(self.Decision.ACCEPTED, enquiry, EnquiryEvent.Kind.PLAN_ACCEPTED, language)
            enquiry.change_status(Enquiry.Status.TREATMENT_PLANNED, by=None)
        self._take_decision_of(plan)
        return True

    def decline(self, language=None):
        """The patient declines this plan, on the timeline (the programme's name in `language`,
        by default the active one). Declining it again changes nothing (returns False). A plan
        the patient accepted is not declined (ValidationError): the enquiry has moved on with
        it, so a change of mind goes through the coordinator."""
        with transaction.atomic():
            enquiry, plan = self._lock()
            if plan.decision == self.Decision.DECLINED:
                self._take_decision_of(plan)
                return False
            if plan.decision == self.Decision.ACCEPTED:
                raise ValidationError(
                    _("The patient accepted this plan: it cannot be declined now."),
                    code="accepted",
                )
            if not enquiry.is_open:
                raise ValidationError(
                    _("The enquiry is closed: it takes no decision on a plan."), code="closed"
                )
            plan._decide(
                self.Decision.DECLINED,
                enquiry,
                EnquiryEvent.Kind.PLAN_DECLINED,
                language or translation.get_language(),
            )
        self._take_decision_of(plan)
        return True

    def _lock(self):
        """The plan's enquiry, locked (one decision at a time per enquiry: two plans accepted at
        once must not both pass), and the plan as it is now, with its programme."""
        from enquiries.models.enquiry import Enquiry  # the enquiry module imports this one

        enquiry = Enquiry.objects.select_for_update(of=("self",)).get(referrals__plans=self)
        plan = TreatmentPlan.objects.select_related("referral__programme").get(pk=self.pk)
        return enquiry, plan

    def _decide(self, decision, enquiry, event_kind, language):
        self.decision = decision
        self.decided_at = timezone.now()
        self.save(update_fields=["decision", "decided_at"])
        with translation.override(language):
            programme_name = str(self.referral.programme.name)
        enquiry.record_event(event_kind, plan=self.pk, programme=programme_name)

    def _take_decision_of(self, plan):
        self.decision, self.decided_at = plan.decision, plan.decided_at


class CaseDocument(models.Model):
    """A document a coordinator gives the patient on the case page (a plan's details, a visa
    invitation letter), stored privately; the patient downloads it there."""

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="case_documents"
    )
    plan = models.ForeignKey(
        TreatmentPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("treatment plan"),
    )
    title = models.CharField(_("what it is"), max_length=200)
    file = models.FileField(_("file"), storage=medical_records_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    # The one-time token of the form that added it: the same form posted twice is one document.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        ordering = ["enquiry_id", "added_at", "pk"]
        verbose_name = _("document for the patient")
        verbose_name_plural = _("documents for the patient")

    def __str__(self):
        return self.title

    def kind_and_size(self):
        return kind_and_size(self.content_type, self.size)

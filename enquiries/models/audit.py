"""Who looked at or took out patient data (the one way to record it), and the staff logins locked
after failures."""

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as reset_axes_attempts
from django.conf import settings
from django.db import models, transaction
from django.db.models import (
    F,
    Max,
    OuterRef,
    Subquery,
    Sum,
    Window,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enquiries.models.timeline import EnquiryEvent


class AuditEntry(models.Model):
    """Who looked at or took out patient data: opened an enquiry, downloaded a file, exported.
    Holds the enquiry's reference, never its contents; kept even when the enquiry is gone."""

    class Action(models.TextChoices):
        VIEWED_ENQUIRY = "viewed_enquiry", _("Opened an enquiry")
        DOWNLOADED_RECORD = "downloaded_record", _("Downloaded a medical record")
        EXPORTED_ENQUIRIES = "exported_enquiries", _("Exported enquiries to CSV")
        DELETED_ENQUIRY = "deleted_enquiry", _("Deleted an enquiry")
        EXPORTED_PATIENT_DATA = "exported_patient_data", _("Exported a patient's data (access)")
        ERASED_ENQUIRY = "erased_enquiry", _("Erased an enquiry at the patient's request")
        APPLIED_RETENTION = "applied_retention", _("Applied the retention rules")
        UNLOCKED_STAFF_ACCOUNT = "unlocked_staff_account", _("Unlocked a staff login")
        # What the patient did on their case page (no staff member: actor_name says "patient").
        PATIENT_OPENED_CASE_PAGE = "patient_opened_case_page", _("Patient opened their case page")
        PATIENT_UPLOADED_FILES = "patient_uploaded_files", _("Patient uploaded files")
        PATIENT_SENT_MESSAGE = "patient_sent_message", _("Patient sent a message")
        PATIENT_DOWNLOADED_DOCUMENT = (
            "patient_downloaded_document",
            _("Patient downloaded a document from their case page"),
        )
        SENT_MESSAGE_TO_PATIENT = "sent_message_to_patient", _("Wrote to the patient")
        REFERRED_CASE = "referred_case", _("Referred the case to a programme")
        DOWNLOADED_REFERRAL_SUMMARY = (
            "downloaded_referral_summary",
            _("Downloaded a referral's case summary"),
        )
        ADDED_PATIENT_DOCUMENT = "added_patient_document", _("Added a document for the patient")
        DOWNLOADED_PATIENT_DOCUMENT = (
            "downloaded_patient_document",
            _("Downloaded a document for the patient"),
        )

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The login name at the time: the entry still says who after the account is deleted.
    actor_name = models.CharField(_("staff login"), max_length=150)
    action = models.CharField(_("action"), max_length=30, choices=Action)
    enquiry_reference = models.CharField(
        _("enquiry reference"), max_length=12, blank=True, db_index=True
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        # Entries are written by the code only: nobody is ever given add, change or delete.
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.actor_name}: {self.get_action_display()} {self.enquiry_reference}".strip()

    @classmethod
    def record(
        cls,
        actor,
        action,
        *,
        enquiry=None,
        enquiries=None,
        reference="",
        actor_name="",
        **details,
    ):
        """Record what a staff member (or a scheduled command) did: one audit entry, and for an
        action the timeline shows too (ON_THE_TIMELINE), an event on each enquiry concerned.

        Name what was acted on as `enquiry` (the entry holds its reference), as `enquiries` for
        several at once (the entry lists their count and references; their events go in one
        query), or as `reference` for an enquiry already gone. `details` holds references, ids
        and counts, never personal data. Without a staff member, `actor_name` says what acted."""
        if enquiry is not None and enquiries is not None:
            raise TypeError("Name one enquiry or several, not both.")
        if enquiry is not None:
            reference = enquiry.reference
        if enquiries is not None:
            enquiries = list(enquiries)
            details = {
                "count": len(enquiries),
                "references": [each.reference for each in enquiries],
                **details,
            }
        entry = cls.objects.create(
            actor=actor,
            actor_name=actor.get_username() if actor is not None else actor_name,
            action=action,
            enquiry_reference=reference,
            details=details,
        )
        if action in ON_THE_TIMELINE:
            kind, repeated = ON_THE_TIMELINE[action]
            event_details = {key: details[key] for key in repeated}
            if enquiry is not None:
                enquiry.record_event(kind, actor=actor, **event_details)
            if enquiries:
                EnquiryEvent.objects.bulk_create(
                    EnquiryEvent(enquiry=each, kind=kind, actor=actor, details=dict(event_details))
                    for each in enquiries
                )
        return entry


# The actions an enquiry's timeline shows as well as the audit log: the kind of event each leaves
# and which of the entry's details the event repeats.
ON_THE_TIMELINE = {
    AuditEntry.Action.DOWNLOADED_RECORD: (EnquiryEvent.Kind.RECORD_DOWNLOADED, ("file",)),
    AuditEntry.Action.EXPORTED_ENQUIRIES: (EnquiryEvent.Kind.EXPORTED, ()),
    AuditEntry.Action.EXPORTED_PATIENT_DATA: (EnquiryEvent.Kind.PATIENT_DATA_EXPORTED, ()),
    AuditEntry.Action.PATIENT_UPLOADED_FILES: (EnquiryEvent.Kind.FILES_UPLOADED, ("files",)),
    AuditEntry.Action.PATIENT_SENT_MESSAGE: (EnquiryEvent.Kind.MESSAGE_FROM_PATIENT, ("message",)),
    AuditEntry.Action.SENT_MESSAGE_TO_PATIENT: (EnquiryEvent.Kind.MESSAGE_TO_PATIENT, ("message",)),
    AuditEntry.Action.REFERRED_CASE: (
        EnquiryEvent.Kind.REFERRED,
        ("referral", "programme", "method"),
    ),
    AuditEntry.Action.ADDED_PATIENT_DOCUMENT: (
        EnquiryEvent.Kind.DOCUMENT_ADDED,
        ("document", "type", "size", "programme"),
    ),
}


class StaffLockoutQuerySet(models.QuerySet):
    def locked(self):
        """One row for each account-and-address pair django-axes refuses right now, with the
        pair's `failures` and `last_failure_at`.

        axes keeps one row per account, address AND browser (user agent), and locks a pair when
        the failures of all its rows that failed within the cool-off add up to the limit
        (handlers/database.py get_failures, AXES_LOCKOUT_PARAMETERS by account and address).
        The row listed is the one whose ageing out ends the lock: newest first, the row where
        the pair's failures reach the limit."""
        limit = settings.AXES_FAILURE_LIMIT
        recent = AccessAttempt.objects.all()
        cool_off = get_cool_off()
        if cool_off is not None:
            recent = recent.filter(attempt_time__gte=timezone.now() - cool_off)
        failures_so_far = Window(
            Sum("failures_since_start"),
            partition_by=[F("username"), F("ip_address")],
            order_by=[F("attempt_time").desc(), F("pk").desc()],
        )
        reaching_the_limit = (
            recent.annotate(failures_so_far=failures_so_far)
            .annotate(failures_before=F("failures_so_far") - F("failures_since_start"))
            .filter(failures_so_far__gte=limit, failures_before__lt=limit)
            .values("pk")
        )
        pair = (
            recent.filter(username=OuterRef("username"), ip_address=OuterRef("ip_address"))
            .order_by()
            .values("username", "ip_address")
        )
        return self.filter(pk__in=reaching_the_limit).annotate(
            failures=Subquery(pair.annotate(total=Sum("failures_since_start")).values("total")),
            last_failure_at=Subquery(pair.annotate(last=Max("attempt_time")).values("last")),
        )


class StaffLockout(AccessAttempt):
    """A staff login refused after repeated failures from one address (django-axes' rows for that
    account and address, from any browser), which a lead coordinator may lift before the
    cool-off ends."""

    objects = StaffLockoutQuerySet.as_manager()

    class Meta:
        proxy = True
        ordering = ["-attempt_time"]
        verbose_name = _("staff login lockout")
        verbose_name_plural = _("staff login lockouts")
        # Seeing the list and lifting a lock are one right; nobody adds or edits these rows.
        default_permissions = ()
        permissions = [
            ("unlock_staff_accounts", "Can see and lift staff login lockouts"),
        ]

    @property
    def locked_until(self):
        # On a row from locked(), the one where the pair reached the limit: once it is older
        # than the cool-off, the newer rows add up to less than the limit.
        cool_off = get_cool_off()
        return self.attempt_time + cool_off if cool_off is not None else None

    def unlock(self, by):
        """Lift this lock (a row from locked()): every row of its account-and-address pair goes,
        one per browser, as axes counts them together; an audit entry names the account and the
        failures (never the address)."""
        with transaction.atomic():
            AuditEntry.record(
                by,
                AuditEntry.Action.UNLOCKED_STAFF_ACCOUNT,
                account=self.username,
                failures=self.failures,
            )
            reset_axes_attempts(ip=self.ip_address, username=self.username)

"""One row per email owed about an enquiry (sent once by enquiries.outbox)."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import (
    Q,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutgoingEmailQuerySet(models.QuerySet):
    def needing_attention(self, now=None):
        """Emails a coordinator should know about (OutgoingEmail.attention_condition)."""
        return self.filter(OutgoingEmail.attention_condition(now))


class OutgoingEmail(models.Model):
    """One email we owe someone about an enquiry, sent exactly once by its own task
    (enquiries.outbox). Holds no address and no text: both are resolved when it is sent (a
    referral's from the referral it sends, which records where it went)."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        COORDINATORS_NOTIFICATION = "coordinators_notification", _("Coordinators' notification")
        CASE_LINK = "case_link", _("A fresh case page link")
        NEWS_FROM_PATIENT = "news_from_patient", _("Something new from the patient")
        MESSAGE_FROM_COORDINATOR = (
            "message_from_coordinator",
            _("A message from the coordinator is waiting"),
        )
        HOSPITAL_SHARING_REQUEST = (
            "hospital_sharing_request",
            _("The patient is asked to agree to sharing with hospitals"),
        )
        # The case package itself, to a programme's international office (enquiries.referrals).
        REFERRAL = "referral", _("Referral to a programme")

    class RecipientRole(models.TextChoices):
        PATIENT = "patient", _("Patient")
        COORDINATORS = "coordinators", _("Coordinators")
        PROGRAMME = "programme", _("The programme's international office")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed, gave up")

    # Nothing more will happen to the email by itself.
    FINISHED = (Status.SENT, Status.FAILED)

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="emails"
    )
    kind = models.CharField(_("email"), max_length=40, choices=Kind)
    recipient_role = models.CharField(_("to"), max_length=20, choices=RecipientRole)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Chosen before the first attempt and sent with every attempt: a copy delivered twice (the
    # server accepted, but its answer never reached us) carries the same id, so it is recognisable.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    # The exception's class only: its message may quote an address.
    last_error = models.CharField(_("last error"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["enquiry_id", "created_at", "pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            # The back office's "stuck or failed" filter looks only at emails not yet sent.
            models.Index(
                fields=["created_at"],
                name="outgoing_email_unsent_idx",
                condition=~Q(status="sent"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @staticmethod
    def stuck_before(now=None):
        """An email queued before this instant and still unsent is stuck."""
        return (now or timezone.now()) - timedelta(minutes=settings.ENQUIRY_EMAIL_STUCK_MINUTES)

    # The one rule for an email a coordinator should know about: it gave up, or it is still unsent
    # ENQUIRY_EMAIL_STUCK_MINUTES after it was queued (a dead worker, a mail server down for long).
    # Written twice over the same parts, as a query condition for lists and filters and as a test
    # of one row already loaded (no query per row); tests/enquiries/test_email_attention.py checks
    # they agree.
    @classmethod
    def attention_condition(cls, now=None):
        return Q(status=cls.Status.FAILED) | (
            ~Q(status__in=cls.FINISHED) & Q(created_at__lt=cls.stuck_before(now))
        )

    def needs_attention(self, now=None):
        return self.status == self.Status.FAILED or (
            self.status not in self.FINISHED and self.created_at < self.stuck_before(now)
        )

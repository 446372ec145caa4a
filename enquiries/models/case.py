"""The patient's side of an enquiry after the thank-you page: the private links to their case page
and the messages between them and their coordinator."""

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 32 random bytes: 43 URL-safe characters, far beyond guessing. Only their SHA-256 is stored, so
# a copy of the database (a backup, a leak) opens no case page.
TOKEN_BYTES = 32
TOKEN_LENGTH = 43
TOKEN_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# Using a link moves its expiry on; writing that down once a while is enough (no write per view).
TOUCH_EVERY = timedelta(minutes=5)


def hash_token(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_a_token(token):
    return len(token) == TOKEN_LENGTH and set(token) <= TOKEN_CHARACTERS


def idle_limit():
    return timedelta(days=settings.CASE_LINK_IDLE_DAYS)


class CaseLink(models.Model):
    """One private link to an enquiry's case page, as sent in an email or shown once on the
    thank-you page. It stops working after CASE_LINK_IDLE_DAYS without use; a patient who lost
    or let it expire asks for a fresh one with their email and reference."""

    class Found(Enum):
        OPEN = "open"
        EXPIRED = "expired"
        UNKNOWN = "unknown"

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="case_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)

    class Meta:
        ordering = ["enquiry_id", "created_at", "pk"]
        verbose_name = _("case page link")
        verbose_name_plural = _("case page links")

    def __str__(self):
        # Never the token or its hash: the admin and logs have no use for either.
        return f"{self.enquiry_id}: {self.created_at:%Y-%m-%d}"

    @classmethod
    def issue(cls, enquiry, *, now=None):
        """A new link for the enquiry; returns its token, which is never stored and never shown
        again (the email or the page that carries it is the only copy)."""
        now = now or timezone.now()
        token = secrets.token_urlsafe(TOKEN_BYTES)
        cls.objects.create(
            enquiry=enquiry, token_hash=hash_token(token), created_at=now, last_used_at=now
        )
        return token

    @classmethod
    def find(cls, token, *, now=None):
        """(what was found, the link or None) for a token from a URL.

        A token that is malformed, unknown, or whose enquiry has no case page any more (spam,
        anonymised) is UNKNOWN, alike, so the answer says nothing about any case. The lookup is
        by the token's hash: how long it takes depends on the hash, which tells an attacker
        nothing about any stored token's characters."""
        now = now or timezone.now()
        if not looks_like_a_token(token):
            return cls.Found.UNKNOWN, None
        wanted = hash_token(token)
        link = cls.objects.select_related("enquiry__assigned_to").filter(token_hash=wanted).first()
        if link is None or not hmac.compare_digest(link.token_hash, wanted):
            return cls.Found.UNKNOWN, None
        if not link.enquiry.has_case_page:
            return cls.Found.UNKNOWN, None
        if link.is_expired(now):
            return cls.Found.EXPIRED, link
        return cls.Found.OPEN, link

    def is_expired(self, now=None):
        return self.last_used_at + idle_limit() < (now or timezone.now())

    def touch(self, *, now=None):
        """Record a use: the link stays valid for CASE_LINK_IDLE_DAYS from now."""
        now = now or timezone.now()
        if now - self.last_used_at >= TOUCH_EVERY:
            self.last_used_at = now
            CaseLink.objects.filter(pk=self.pk).update(last_used_at=now)


class CaseMessage(models.Model):
    """A message in the conversation between a patient (on their case page) and the coordinators.
    Messages are only ever added; the text is health data, kept to the portal (emails only say
    that there is a message)."""

    class Sender(models.TextChoices):
        PATIENT = "patient", _("Patient")
        COORDINATOR = "coordinator", _("Coordinator")

    MAX_LENGTH = 4000

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(_("from"), max_length=20, choices=Sender)
    # The coordinator who wrote it; empty for the patient's messages.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("message"), max_length=MAX_LENGTH)
    # The random id of the form the message was written in: the same form sent twice (a double
    # click, a resend on a flaky connection) stores one message.
    form_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    # When the other side first saw it: the patient on their case page, or a coordinator on the
    # enquiry page.
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["enquiry_id", "sent_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.get_sender_display()}, {self.sent_at:%Y-%m-%d %H:%M}"

"""The two emails every enquiry triggers: the patient's acknowledgement and the coordinators'
notification. Neither carries health details; each outcome lands on the enquiry's timeline."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from enquiries.models import Enquiry, EnquiryEvent

logger = logging.getLogger(__name__)

PATIENT = "patient"
COORDINATORS = "coordinators"


def _render(template_base, context):
    subject = render_to_string(f"{template_base}_subject.txt", context)
    body = render_to_string(f"{template_base}_body.txt", context)
    # A subject must be one line, whatever the template's trailing newline.
    return " ".join(subject.split()), body


def send_acknowledgement(enquiry):
    context = {
        "reference": enquiry.reference,
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }
    with translation.override(enquiry.language):
        subject, body = _render("enquiries/email/acknowledgement", context)
    send_mail(subject, body, None, [enquiry.email])


def send_coordinators_notification(enquiry):
    admin_path = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    context = {
        "reference": enquiry.reference,
        "admin_url": f"{settings.SITE_URL}{admin_path}",
        "language": enquiry.language,
        "first_reply_due_at": enquiry.first_reply_due_at,
        "SITE_NAME": settings.SITE_NAME,
    }
    # Coordinators work in English, like the admin; the patient's language is named in the text.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _render("enquiries/email/coordinators", context)
    send_mail(subject, body, None, settings.ENQUIRY_NOTIFICATION_EMAILS)


SENDERS = [
    (PATIENT, "acknowledgement_sent_at", send_acknowledgement),
    (COORDINATORS, "coordinators_notified_at", send_coordinators_notification),
]


def deliver(enquiry, attempt, schedule_retry):
    """Send whichever of the two emails has not gone out yet and record the outcome.

    Returns the enquiry's new notification status: SENT, RETRYING (then `schedule_retry()` is
    called in the same transaction as the outcome) or, after the last allowed attempt, FAILED.
    A mail server error never propagates: the enquiry is already safe. Mail is sent outside any
    transaction so a slow mail server never holds a database lock."""
    events = []
    failed = False
    for recipient, sent_at_field, send in SENDERS:
        if getattr(enquiry, sent_at_field) is not None:
            continue
        try:
            send(enquiry)
        except Exception as error:
            failed = True
            # The error's class only: its message may quote an address.
            logger.warning(
                "Enquiry %s: %s email failed on attempt %d (%s)",
                enquiry.pk,
                recipient,
                attempt,
                type(error).__name__,
            )
            details = {"recipient": recipient, "attempt": attempt, "error": type(error).__name__}
            events.append((EnquiryEvent.Kind.NOTIFICATION_FAILED, details))
        else:
            setattr(enquiry, sent_at_field, timezone.now())
            events.append(
                (EnquiryEvent.Kind.NOTIFICATION_SENT, {"recipient": recipient, "attempt": attempt})
            )

    if not failed:
        enquiry.notification_status = Enquiry.NotificationStatus.SENT
    elif attempt >= settings.ENQUIRY_NOTIFICATION_MAX_ATTEMPTS:
        enquiry.notification_status = Enquiry.NotificationStatus.FAILED
    else:
        enquiry.notification_status = Enquiry.NotificationStatus.RETRYING
    enquiry.notification_attempts = attempt

    with transaction.atomic():
        enquiry.save(
            update_fields=[
                "notification_status",
                "notification_attempts",
                "acknowledgement_sent_at",
                "coordinators_notified_at",
            ]
        )
        for kind, details in events:
            if enquiry.notification_status == Enquiry.NotificationStatus.FAILED:
                details = {**details, "gave_up": kind == EnquiryEvent.Kind.NOTIFICATION_FAILED}
            enquiry.record_event(kind, **details)
        if enquiry.notification_status == Enquiry.NotificationStatus.RETRYING:
            schedule_retry()
    return enquiry.notification_status

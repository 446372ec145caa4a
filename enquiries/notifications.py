"""What the emails an enquiry triggers say: the patient's acknowledgement and the coordinators'
notification. Neither carries health details. enquiries.outbox sends each exactly once."""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from enquiries.models import OutgoingEmail


def _render(template_base, context):
    subject = render_to_string(f"{template_base}_subject.txt", context)
    body = render_to_string(f"{template_base}_body.txt", context)
    # A subject must be one line, whatever the template's trailing newline.
    return " ".join(subject.split()), body


def send(subject, body, recipients, message_id, mailer=None):
    """Hand one message to the mail server, under the Message-ID its outbox row chose, through
    `mailer` (a connection the caller opened and will close) or the default mailer."""
    headers = {"Message-ID": message_id} if message_id else {}
    message = EmailMessage(subject=subject, body=body, to=recipients, headers=headers)
    (mailer or mailers.default).send_messages([message])


def send_acknowledgement(enquiry, message_id=None, mailer=None):
    context = {
        "reference": enquiry.reference,
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }
    with translation.override(enquiry.language):
        subject, body = _render("enquiries/email/acknowledgement", context)
    send(subject, body, [enquiry.email], message_id, mailer)


def send_coordinators_notification(enquiry, message_id=None, mailer=None):
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
    send(subject, body, settings.ENQUIRY_NOTIFICATION_EMAILS, message_id, mailer)


# Each kind of outgoing email: who receives it and what writes and sends it.
SENDERS = {
    OutgoingEmail.Kind.ACKNOWLEDGEMENT: (OutgoingEmail.RecipientRole.PATIENT, send_acknowledgement),
    OutgoingEmail.Kind.COORDINATORS_NOTIFICATION: (
        OutgoingEmail.RecipientRole.COORDINATORS,
        send_coordinators_notification,
    ),
}

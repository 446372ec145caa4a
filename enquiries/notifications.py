"""What the emails about an enquiry say: the patient's acknowledgement, fresh case page links and
word of a coordinator's message or of a question waiting on their case page, the coordinators'
notification of a new enquiry and of news from the patient, and a referral to a programme. None
carries health details (a message's text included): the patient's emails link to their case page,
the coordinators' to the back office. A referral is the exception the patient agreed to: its
package (summary and records) goes as attachments to the programme's international office, with
neither the patient's name nor health details in its subject or text. enquiries.outbox sends each
exactly once."""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from enquiries.models import CaseLink, OutgoingEmail, Referral
from enquiries.roles import ASSIGNABLE_GROUPS


def _render(template_base, context):
    subject = render_to_string(f"{template_base}_subject.txt", context)
    body = render_to_string(f"{template_base}_body.txt", context)
    # A subject must be one line, whatever the template's trailing newline.
    return " ".join(subject.split()), body


def send(subject, body, recipients, message_id, mailer=None, *, attachments=(), reply_to=()):
    """Hand one message to the mail server, under the Message-ID its outbox row chose, through
    `mailer` (a connection the caller opened and will close) or the default mailer.
    `attachments`: (file name, content, type) of each, read by the caller when it sends."""
    headers = {"Message-ID": message_id} if message_id else {}
    message = EmailMessage(
        subject=subject, body=body, to=recipients, headers=headers, reply_to=list(reply_to)
    )
    for name, content, content_type in attachments:
        message.attach(name, content, content_type)
    (mailer or mailers.default).send_messages([message])


def case_page_url(enquiry):
    """A new private link to the enquiry's case page, in the patient's language. Issued when the
    email is written: only the email holds the token (the database keeps its hash)."""
    token = CaseLink.issue(enquiry)
    with translation.override(enquiry.language):
        path = reverse("case:page", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


def _send_to_patient(template_base, enquiry, message_id, mailer):
    context = {
        "reference": enquiry.reference,
        "case_url": case_page_url(enquiry),
        "link_idle_days": settings.CASE_LINK_IDLE_DAYS,
        "SITE_NAME": settings.SITE_NAME,
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
    }
    with translation.override(enquiry.language):
        subject, body = _render(template_base, context)
    send(subject, body, [enquiry.email], message_id, mailer)


def send_acknowledgement(enquiry, message_id=None, mailer=None):
    _send_to_patient("enquiries/email/acknowledgement", enquiry, message_id, mailer)


def send_case_link(enquiry, message_id=None, mailer=None):
    _send_to_patient("enquiries/email/case_link", enquiry, message_id, mailer)


def send_message_waiting(enquiry, message_id=None, mailer=None):
    _send_to_patient("enquiries/email/message_waiting", enquiry, message_id, mailer)


def send_hospital_sharing_request(enquiry, message_id=None, mailer=None):
    _send_to_patient("enquiries/email/hospital_sharing_request", enquiry, message_id, mailer)


def _send_to_coordinators(template_base, enquiry, recipients, message_id, mailer, **context):
    admin_path = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    context = {
        "reference": enquiry.reference,
        "admin_url": f"{settings.SITE_URL}{admin_path}",
        "SITE_NAME": settings.SITE_NAME,
        **context,
    }
    # Coordinators work in English, like the admin; the patient's language is named in the text.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _render(template_base, context)
    send(subject, body, recipients, message_id, mailer)


def send_coordinators_notification(enquiry, message_id=None, mailer=None):
    _send_to_coordinators(
        "enquiries/email/coordinators",
        enquiry,
        settings.ENQUIRY_NOTIFICATION_EMAILS,
        message_id,
        mailer,
        language=enquiry.language,
        first_reply_due_at=enquiry.first_reply_due_at,
    )


def coordinators_for(enquiry):
    """Who hears about news from the patient: the assigned coordinator, or, while nobody is,
    every active coordinator (ENQUIRY_NOTIFICATION_EMAILS when there is none with an address)."""
    from django.contrib.auth import get_user_model

    assignee = enquiry.assigned_to
    if assignee is not None and assignee.is_active and assignee.email:
        return [assignee.email]
    addresses = sorted(
        set(
            get_user_model()
            .objects.filter(is_active=True, is_staff=True, groups__name__in=ASSIGNABLE_GROUPS)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    return addresses or list(settings.ENQUIRY_NOTIFICATION_EMAILS)


def send_news_from_patient(enquiry, message_id=None, mailer=None):
    _send_to_coordinators(
        "enquiries/email/news_from_patient", enquiry, coordinators_for(enquiry), message_id, mailer
    )


# The languages of a referral's email, one after the other: ours and the hospitals'.
REFERRAL_LANGUAGES = ("en", "zh-hans")


class NotToBeSent(Exception):
    """The email must no longer go out (not a failure to retry): the outbox gives it up at once.
    (Its class name is what the timeline and the logs say.)"""


class ReferralNoLongerAllowed(NotToBeSent):
    """Since the referral was made, the enquiry was closed, marked spam or anonymised, or the
    patient withdrew their consent to sharing with hospitals."""


def send_referral(enquiry, message_id=None, mailer=None):
    """The referral whose email this is, to the address it records it went to, with its package
    attached (read and checked now: Referral.package). Raises ReferralNoLongerAllowed, sending
    nothing, if the case may no longer go to a hospital (checked now, as when referring)."""
    # The referrals module queues through the outbox, which imports this one.
    from enquiries.referrals import has_hospital_sharing_consent, why_no_referral

    if why_no_referral(enquiry) is not None or not has_hospital_sharing_consent(enquiry):
        raise ReferralNoLongerAllowed
    referral = Referral.objects.select_related("programme").get(
        enquiry=enquiry, email__message_id=message_id
    )
    package = referral.package()
    subjects, bodies = [], []
    for language in REFERRAL_LANGUAGES:
        with translation.override(language):
            context = {
                "reference": enquiry.reference,
                "programme": str(referral.programme.name),
                "files": len(package) - 1,
                "SITE_NAME": settings.SITE_NAME,
                "CONTACT_EMAIL": settings.CONTACT_EMAIL,
            }
            subject, body = _render("enquiries/email/referral", context)
        subjects.append(subject)
        bodies.append(body.strip())
    send(
        " / ".join(subjects),
        "\n\n———\n\n".join(bodies) + "\n",
        [referral.sent_to],
        message_id,
        mailer,
        attachments=package,
        reply_to=[settings.CONTACT_EMAIL],
    )


# The emails a new enquiry triggers.
NEW_ENQUIRY_EMAILS = [
    OutgoingEmail.Kind.ACKNOWLEDGEMENT,
    OutgoingEmail.Kind.COORDINATORS_NOTIFICATION,
]

# Each kind of outgoing email: who receives it and what writes and sends it.
SENDERS = {
    OutgoingEmail.Kind.ACKNOWLEDGEMENT: (OutgoingEmail.RecipientRole.PATIENT, send_acknowledgement),
    OutgoingEmail.Kind.COORDINATORS_NOTIFICATION: (
        OutgoingEmail.RecipientRole.COORDINATORS,
        send_coordinators_notification,
    ),
    OutgoingEmail.Kind.CASE_LINK: (OutgoingEmail.RecipientRole.PATIENT, send_case_link),
    OutgoingEmail.Kind.NEWS_FROM_PATIENT: (
        OutgoingEmail.RecipientRole.COORDINATORS,
        send_news_from_patient,
    ),
    OutgoingEmail.Kind.MESSAGE_FROM_COORDINATOR: (
        OutgoingEmail.RecipientRole.PATIENT,
        send_message_waiting,
    ),
    OutgoingEmail.Kind.HOSPITAL_SHARING_REQUEST: (
        OutgoingEmail.RecipientRole.PATIENT,
        send_hospital_sharing_request,
    ),
    OutgoingEmail.Kind.REFERRAL: (OutgoingEmail.RecipientRole.PROGRAMME, send_referral),
}

"""What a patient is asked to agree to: each consent's wording and version, and the one way a
consent is recorded, with the words and language it was given in."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from enquiries.models import Consent

# Bump when a consent's wording changes: each stored consent says which wording was agreed to.
# 2026-11: the Russian and Arabic wordings were rephrased (a statement of consent, not an order).
CONSENT_TEXT_VERSION = "2026-11"
CONSENT_TEXTS = {
    Consent.Kind.HEALTH_DATA_PROCESSING: _(
        "I agree that the health information I give here is processed to answer my enquiry."
    ),
    Consent.Kind.HOSPITAL_SHARING: _(
        "I agree that my case is shared with partner hospitals in China so they can say whether "
        "treatment is possible. (Needed before a referral; you can also agree later.)"
    ),
    Consent.Kind.MARKETING_EMAIL: _("Send me occasional news about CAR-T treatment by email."),
}


def record_consent(enquiry, kind, *, given, language):
    """Store whether the patient agreed to `kind`, with the wording of the current version in
    `language` (the language the patient read it in), and return the Consent."""
    with translation.override(language):
        text = str(CONSENT_TEXTS[kind])
    return Consent.objects.create(
        enquiry=enquiry,
        kind=kind,
        given=given,
        text_version=CONSENT_TEXT_VERSION,
        text=text,
        language=language,
    )

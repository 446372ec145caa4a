"""Recording a consent: the wording of the current version, in the language the patient read it."""

import pytest
from django.utils import translation

from enquiries.consents import CONSENT_TEXT_VERSION, record_consent
from enquiries.models import Consent
from tests.factories import make_enquiry

pytestmark = pytest.mark.django_db


def test_a_consent_is_stored_with_the_wording_its_version_and_the_patients_language():
    enquiry = make_enquiry()

    # Recorded while the page around it is in English: the wording is the one the patient read.
    with translation.override("en"):
        consent = record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="ru")

    stored = Consent.objects.get(pk=consent.pk)
    assert (stored.enquiry, stored.kind, stored.given) == (enquiry, "hospital_sharing", True)
    assert stored.text_version == CONSENT_TEXT_VERSION == "2026-11"
    assert stored.language == "ru"
    assert "партнёрским больницам в Китае" in stored.text


def test_a_refusal_is_recorded_too():
    consent = record_consent(
        make_enquiry(), Consent.Kind.MARKETING_EMAIL, given=False, language="en"
    )

    assert Consent.objects.get(pk=consent.pk).given is False

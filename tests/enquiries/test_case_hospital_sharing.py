"""Agreeing to sharing with hospitals on the case page, when a coordinator asked for it: the enquiry
form's wording and version, recorded once with its language and time, and the box replaced by the
date it was given."""

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from enquiries import case, consents
from enquiries.case_forms import HospitalSharingConsentForm
from enquiries.models import CaseLink, Consent, Enquiry, EnquiryEvent, OutgoingEmail
from tests.factories import make_enquiry

pytestmark = pytest.mark.django_db


def case_url(token, language="en"):
    return f"/{language}/case/{token}/"


def asked_enquiry(**fields):
    enquiry = make_enquiry(hospital_sharing_requested_at=timezone.now(), **fields)
    return enquiry, CaseLink.issue(enquiry)


def agree(client, token, language="en", **data):
    return client.post(
        f"/{language}/case/{token}/hospital-sharing/",
        {"agree": "on", "text_version": consents.CONSENT_TEXT_VERSION, **data},
    )


def sharing_consents(enquiry):
    return list(enquiry.consents.filter(kind=Consent.Kind.HOSPITAL_SHARING))


def test_the_page_asks_with_the_forms_wording_when_a_coordinator_asked(client):
    _enquiry, token = asked_enquiry()

    page = client.get(case_url(token)).content.decode()

    assert 'data-testid="hospital-sharing"' in page
    assert str(consents.CONSENT_TEXTS[Consent.Kind.HOSPITAL_SHARING]) in page
    assert 'name="agree"' in page


def test_the_page_does_not_ask_when_no_coordinator_asked(client):
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)

    page = client.get(case_url(token)).content.decode()

    assert 'data-testid="hospital-sharing"' not in page
    assert 'name="agree"' not in page


def test_the_page_does_not_ask_a_patient_who_agreed_on_the_form(client):
    enquiry, token = asked_enquiry()
    consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="en")

    page = client.get(case_url(token)).content.decode()

    assert 'name="agree"' not in page
    assert 'data-testid="hospital-sharing-given"' in page


def test_a_patient_who_said_no_on_the_form_is_asked_again(client):
    enquiry, token = asked_enquiry()
    consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=False, language="en")

    assert 'name="agree"' in client.get(case_url(token)).content.decode()


def test_agreeing_records_the_wording_shown_its_version_language_and_time(client):
    enquiry, token = asked_enquiry(language="en")
    before = timezone.now()

    response = agree(client, token, language="ru")

    assert response.status_code == 302
    assert response["Location"] == "/ru/case/" + token + "/#hospital-sharing-title"
    (consent,) = sharing_consents(enquiry)
    with translation.override("ru"):
        russian = str(consents.CONSENT_TEXTS[Consent.Kind.HOSPITAL_SHARING])
    assert (consent.given, consent.text_version, consent.text, consent.language) == (
        True,
        consents.CONSENT_TEXT_VERSION,
        russian,
        "ru",
    )
    assert before <= consent.given_at <= timezone.now()
    (event,) = enquiry.events.filter(kind=EnquiryEvent.Kind.HOSPITAL_SHARING_GIVEN)
    assert event.details == {"consent": consent.pk}


def test_agreeing_flags_the_enquiry_for_the_coordinators(client):
    enquiry, token = asked_enquiry()

    agree(client, token)

    enquiry.refresh_from_db()
    assert enquiry.news_from_patient_at is not None
    assert enquiry.emails.filter(kind=OutgoingEmail.Kind.NEWS_FROM_PATIENT).count() == 1


def test_agreeing_twice_records_one_consent_and_one_event(client):
    enquiry, token = asked_enquiry()

    first, second = agree(client, token), agree(client, token)

    assert (first.status_code, second.status_code) == (302, 302)
    assert len(sharing_consents(enquiry)) == 1
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.HOSPITAL_SHARING_GIVEN).count() == 1


def test_once_given_the_box_is_replaced_by_the_date_it_was_given(client):
    enquiry, token = asked_enquiry()
    agree(client, token)
    given_at = sharing_consents(enquiry)[0].given_at

    page = client.get(case_url(token)).content.decode()

    assert 'name="agree"' not in page
    day = date_format(timezone.localtime(given_at), "DATE_FORMAT")
    assert f"You agreed on {day} that your case is shared with partner hospitals." in page


def test_without_the_tick_the_patient_gets_a_field_error_and_nothing_is_recorded(client):
    enquiry, token = asked_enquiry()

    response = client.post(
        f"/en/case/{token}/hospital-sharing/",
        {"text_version": consents.CONSENT_TEXT_VERSION},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please tick the box if you agree that your case is shared with partner" in page
    assert 'aria-invalid="true"' in page
    assert sharing_consents(enquiry) == []
    assert not enquiry.events.filter(kind=EnquiryEvent.Kind.HOSPITAL_SHARING_GIVEN).exists()


def test_the_missing_tick_error_is_in_the_readers_language(client):
    _enquiry, token = asked_enquiry()

    response = client.post(
        f"/zh-hans/case/{token}/hospital-sharing/",
        {"text_version": consents.CONSENT_TEXT_VERSION},
    )

    with translation.override("zh-hans"):
        error = str(HospitalSharingConsentForm.base_fields["agree"].error_messages["required"])
    assert not error.startswith("Please tick the box")
    assert error in response.content.decode()


def test_agreeing_to_a_wording_since_replaced_is_refused(client):
    enquiry, token = asked_enquiry()

    response = agree(client, token, text_version="1999-01")

    assert response.status_code == 400
    assert "The wording has just been updated" in response.content.decode()
    assert sharing_consents(enquiry) == []


def test_nothing_is_recorded_when_nobody_asked(client):
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)

    response = agree(client, token)

    assert response.status_code == 302
    assert sharing_consents(enquiry) == []


def test_a_closed_enquiry_is_not_asked_and_records_nothing(client):
    enquiry, token = asked_enquiry(status=Enquiry.Status.CLOSED_WITHDREW)

    assert 'name="agree"' not in client.get(case_url(token)).content.decode()
    agree(client, token)

    assert sharing_consents(enquiry) == []


def test_a_wrong_link_cannot_agree(client):
    enquiry, token = asked_enquiry()
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = agree(client, tampered)

    assert response.status_code == 404
    assert sharing_consents(enquiry) == []


def test_agreeing_needs_the_csrf_token():
    _enquiry, token = asked_enquiry()

    assert agree(Client(enforce_csrf_checks=True), token).status_code == 403
    assert not Consent.objects.exists()


def test_two_tabs_agreeing_at_once_record_one_consent():
    # Both pages passed the view's check before either stored anything: the second call finds
    # the first one's consent under the enquiry's lock.
    enquiry, _token = asked_enquiry()

    first, new = case.give_hospital_sharing_consent(enquiry, language="en")
    again, new_again = case.give_hospital_sharing_consent(enquiry, language="ar")

    assert (new, new_again) == (True, False)
    assert again == first
    assert sharing_consents(enquiry) == [first]

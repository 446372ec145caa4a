"""The enquiry form and its emails in the patient's language: labels, help texts, choices and
errors (ours and Django's own), the language and consent wording stored with the enquiry, and the
acknowledgement email; the coordinators' email stays in English, like the admin."""

import pytest
from django import forms
from django.core import mail
from django.utils import translation

from enquiries import notifications
from enquiries.forms import UTM_FIELDS, EnquiryForm
from enquiries.models import Consent, Enquiry
from tests.factories import make_enquiry, valid_form_data
from tests.i18n.catalogs import SAME_IN_EVERY_LANGUAGE, TRANSLATED_LANGUAGES

pytestmark = pytest.mark.django_db


def english_and_translated(language, read):
    with translation.override("en"):
        english = read()
    with translation.override(language):
        translated = read()
    return english, translated


def form_texts():
    texts = {}
    for name, field in EnquiryForm.base_fields.items():
        if isinstance(field.widget, forms.HiddenInput) or name in ["website", *UTM_FIELDS]:
            continue
        texts[f"{name}.label"] = str(field.label or "")
        texts[f"{name}.help_text"] = str(field.help_text or "")
        for key, message in field.error_messages.items():
            texts[f"{name}.error.{key}"] = str(message)
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            if name == "country":
                continue  # django-countries' own catalogs, checked below.
            for value, label in field.choices:
                texts[f"{name}.choice.{value}"] = str(label)
    return texts


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_label_help_text_choice_and_error_of_the_form_is_translated(language):
    english, translated = english_and_translated(language, form_texts)

    untranslated = [
        key
        for key, text in english.items()
        if text
        and text == translated[key]
        and text not in SAME_IN_EVERY_LANGUAGE
        # Time zones are written the same way everywhere ("UTC+08:00").
        and not text.startswith("UTC")
    ]
    assert untranslated == []


@pytest.mark.parametrize(
    ("language", "ours", "consent"),
    [
        ("zh-hans", "请输入患者全名。", "只有在您同意此项后，我们才能答复您的咨询。"),  # noqa: RUF001
        ("ru", "Введите полное имя пациента.", "Мы сможем ответить на ваше обращение"),
        (
            "ar",
            "يُرجى إدخال الاسم الكامل للمريض.",
            "لا يمكننا الرد على استفسارك إلا إذا وافقت على ذلك.",
        ),
    ],
)
def test_form_errors_are_in_the_readers_language(client, language, ours, consent):
    data = valid_form_data(patient_name="", consent_health_data=None)

    content = client.post(f"/{language}/start/", data).content.decode()

    assert ours in content
    assert consent in content
    assert "Enter the patient's full name." not in content
    assert "We can only answer your enquiry if you agree to this." not in content


@pytest.mark.parametrize(
    ("language", "whole_number", "valid_date"),
    [
        ("zh-hans", "输入整数。", "输入一个有效的日期。"),
        ("ru", "Введите целое число.", "Введите правильную дату."),
        ("ar", "أدخل رقما صحيحا.", "أدخل تاريخاً صحيحاً."),
    ],
)
def test_djangos_own_validation_messages_are_translated(client, language, whole_number, valid_date):
    data = valid_form_data(birth_year="abc", birth_date="31.02.1970")

    content = client.post(f"/{language}/start/", data).content.decode()

    assert whole_number in content
    assert valid_date in content
    assert "Enter a whole number." not in content


def test_the_country_list_is_in_the_readers_language(client):
    content = client.get("/ar/start/").content.decode()

    assert "الصين" in content
    assert "يُرجى اختيار بلد" in content


def test_phone_and_email_read_left_to_right_on_the_arabic_form(client):
    content = client.get("/ar/start/").content.decode()

    assert 'type="email" name="email" autocomplete="email" dir="ltr"' in content
    assert 'type="tel" name="phone" autocomplete="tel" dir="ltr"' in content


def test_the_enquiry_records_the_language_and_the_consent_wording_shown(client):
    client.post("/ar/start/", valid_form_data())

    enquiry = Enquiry.objects.get()
    assert enquiry.language == "ar"
    consent = enquiry.consents.get(kind=Consent.Kind.HEALTH_DATA_PROCESSING)
    assert consent.language == "ar"
    assert consent.text == "أوافق على معالجة المعلومات الصحية التي أقدّمها هنا للرد على استفساري."


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("en", "Your enquiry {} has reached us", "Hello,"),
        ("zh-hans", "我们已收到您的咨询 {}", "您好："),  # noqa: RUF001
        ("ru", "Ваше обращение {} получено", "Здравствуйте!"),
        ("ar", "وصلنا استفسارك {}", "مرحبًا،"),
    ],
)
def test_the_acknowledgement_email_is_in_the_patients_language(language, subject, greeting):
    enquiry = make_enquiry(language=language)

    notifications.send_acknowledgement(enquiry)

    (message,) = mail.outbox
    assert message.subject == subject.format(enquiry.reference)
    assert message.body.startswith(greeting)
    assert enquiry.reference in message.body


def test_the_coordinators_email_stays_in_english(settings):
    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    enquiry = make_enquiry(language="ru")

    notifications.send_coordinators_notification(enquiry)

    (message,) = mail.outbox
    assert message.subject == f"New enquiry {enquiry.reference}"
    assert "(form language: ru)" in message.body

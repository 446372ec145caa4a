"""The first-reply promise says the same words on the home, contact and thank-you pages and in the
acknowledgement email, in every language, and follows the one setting."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from enquiries import notifications
from enquiries.views import SESSION_REFERENCE
from portal.service_promise import promise_in_words
from tests.factories import make_enquiry
from tests.i18n.catalogs import visible_text

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans", "ru", "ar"]
# What each language says for the default promise (8 working hours) and for 16 and 12.
WORDS = {
    ("en", 8): "within one working day",
    ("zh-hans", 8): "在一个工作日内",
    ("ru", 8): "в течение одного рабочего дня",
    ("ar", 8): "خلال يوم عمل واحد",
    ("en", 16): "within 2 working days",
    ("zh-hans", 16): "在2个工作日内",
    ("ru", 16): "в течение 2 рабочих дней",
    ("ar", 16): "خلال يومي عمل",
    ("en", 12): "within 12 working hours",
    ("zh-hans", 12): "在12个工作小时内",
    ("ru", 12): "в течение 12 рабочих часов",
    ("ar", 12): "خلال 12 ساعة عمل",
}


def page_text(client, language, name):
    with translation.override(language):
        url = reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    return visible_text(response.content.decode())


def thank_you_text(client, language):
    session = client.session
    session[SESSION_REFERENCE] = "CT-2345-6789"
    session.save()
    return page_text(client, language, "enquiries:thank_you")


def acknowledgement_text(language):
    mail.outbox.clear()
    notifications.send_acknowledgement(make_enquiry(language=language))
    (message,) = mail.outbox
    return message.body


@pytest.mark.parametrize("hours", [8, 16, 12])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_and_the_email_give_the_same_promise(client, settings, language, hours):
    settings.FIRST_REPLY_PROMISE_WORKING_HOURS = hours
    words = WORDS[language, hours]
    with translation.override(language):
        assert promise_in_words() == words

    texts = {
        "home": page_text(client, language, "home"),
        "contact": page_text(client, language, "contact"),
        "thank-you page": thank_you_text(client, language),
        "acknowledgement email": acknowledgement_text(language),
    }

    assert {place: words in text for place, text in texts.items()} == dict.fromkeys(texts, True)

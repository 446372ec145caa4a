"""Who runs the site, for a family deciding whom to trust: the organisation's identity on the
contact page, in the footer and with the privacy notice when it is set, and nothing made up when
it is not; and the privacy notice one click from the consent boxes."""

import uuid

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

LEGAL_NAME = f"Example Health {uuid.uuid4().hex} Ltd."


@pytest.fixture
def organisation(settings):
    settings.ORGANISATION = {
        "legal_name": LEGAL_NAME,
        "address_lines": ["Room 1201, 88 Example Road", "Shanghai 200000"],
        "phone": "+86 21 5555 0100",
        "whatsapp": "+86 138 0000 0001",
        "wechat_id": "example-care-7f3a",
    }
    return settings.ORGANISATION


def test_the_contact_page_says_who_we_are_and_how_to_reach_us(client, organisation):
    page = client.get(reverse("contact")).content.decode()

    assert "Who we are" in page
    assert f"<strong>{LEGAL_NAME}</strong>" in page
    assert "Room 1201, 88 Example Road<br>Shanghai 200000<br>" in page
    assert 'href="tel:+862155550100"' in page
    assert 'href="https://wa.me/8613800000001"' in page
    assert "example-care-7f3a" in page


def test_the_footer_of_every_page_names_the_organisation(client, organisation):
    for url in (reverse("home"), reverse("therapy_info:index"), reverse("enquiries:start")):
        page = client.get(url).content.decode()
        footer = page[page.index('<footer class="site-footer') :]
        assert LEGAL_NAME in footer, url
        assert "Room 1201, 88 Example Road, Shanghai 200000" in footer, url


def test_the_privacy_notice_says_who_is_responsible_for_the_data(client, organisation):
    page = client.get(reverse("privacy")).content.decode()

    assert "Who is responsible for your data" in page
    assert f"<strong>{LEGAL_NAME}</strong>" in page


def test_without_an_identity_set_nothing_is_made_up(client, settings):
    settings.ORGANISATION = {"legal_name": "", "address_lines": [], "phone": ""}

    contact = client.get(reverse("contact")).content.decode()
    privacy = client.get(reverse("privacy")).content.decode()

    assert "Who we are" not in contact
    assert "Phone:" not in contact
    assert "Who is responsible for your data" not in privacy
    assert '<address class="organisation' not in contact + privacy


def test_the_identity_is_escaped(client, settings):
    marker = uuid.uuid4().hex
    settings.ORGANISATION = {"legal_name": f"<script>{marker}</script>", "address_lines": []}

    page = client.get(reverse("contact")).content.decode()

    assert f"<script>{marker}" not in page
    assert f"&lt;script&gt;{marker}" in page


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "ar"])
def test_the_consent_boxes_link_to_the_privacy_notice_in_the_patients_language(client, language):
    with translation.override(language):
        start, privacy = reverse("enquiries:start"), reverse("privacy")

    page = client.get(start).content.decode()
    consent = page[
        page.index('name="consent_health_data"') - 2500 : page.index('name="consent_health_data"')
    ]

    assert f'<a href="{privacy}" target="_blank" rel="noopener">' in consent

"""The privacy notice: versions content editors maintain, the one in force on the public page,
and each enquiry recording the version in force when it was sent."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from enquiries.models import Enquiry
from tests.factories import valid_form_data
from therapy_info.models import PrivacyNotice

pytestmark = pytest.mark.django_db


def new_version(version="2026-06", effective_on=datetime.date(2026, 6, 1), body="## New\n\nText."):
    return PrivacyNotice.objects.create(version=version, effective_on=effective_on, body=body)


def test_version_1_ships_the_text_the_site_showed_until_version_2(client):
    with time_machine.travel("2026-11-27 12:00Z"):
        html = client.get(reverse("privacy")).content.decode()

    assert "You trust us with information about your health." in html
    assert "the messages and records you send from your private case page" not in html
    assert "Version 1, in effect since" in html


def test_version_2_names_the_case_page_and_covers_every_enquiry_of_a_patient(client):
    with time_machine.travel("2026-11-28 12:00Z"):
        html = client.get(reverse("privacy")).content.decode()

    assert "the messages and records you send from your private case page" in html
    assert "a copy or a deletion covers all of them" in html
    assert "Version 2, in effect since" in html


@pytest.mark.parametrize(
    ("language", "heading", "version_line"),
    [
        ("ru", "Что мы собираем", "Версия 2, действует"),
        ("zh-hans", "我们收集哪些信息", "版本 2"),
        ("ar", "ما الذي نجمعه", "2"),
    ],
)
def test_version_2_is_translated(client, language, heading, version_line):
    with time_machine.travel("2026-11-28 12:00Z"):
        html = client.get(f"/{language}/privacy/").content.decode()

    assert heading in html
    assert version_line in html


def test_the_arabic_version_2_puts_the_consent_condition_before_the_sharing(client):
    """Version 1's Arabic read as "share with hospitals that offer CAR-T only": the "only" belonged
    to the consent."""
    with time_machine.travel("2026-11-28 12:00Z"):
        html = client.get("/ar/privacy/").content.decode()

    assert "وإذا وافقت على ذلك بشكل منفصل، وفي هذه الحالة فقط، نشارك حالتك" in html
    assert "CAR-T فقط إذا وافقت" not in html


def test_the_page_shows_the_latest_version_in_effect(client):
    new_version(body="## Newer words\n\nWe changed this.")
    new_version("2099-01", datetime.date(2099, 1, 1), body="Not yet.")

    with time_machine.travel("2026-07-01 12:00Z"):
        html = client.get(reverse("privacy")).content.decode()

    assert "Newer words" in html
    assert "Not yet." not in html
    assert "Version 2026-06" in html


def test_a_version_takes_over_on_its_day_without_a_save(client):
    new_version(body="From June.")
    with time_machine.travel("2026-05-31 12:00Z"):
        assert "From June." not in client.get(reverse("privacy")).content.decode()
    with time_machine.travel("2026-06-01 12:00Z"):
        assert "From June." in client.get(reverse("privacy")).content.decode()


def test_an_editors_save_is_on_the_page_at_once_despite_the_page_cache(client):
    client.get(reverse("privacy"))
    with time_machine.travel("2026-07-01 12:00Z"):
        client.get(reverse("privacy"))
        new_version(body="Saved just now.")
        assert "Saved just now." in client.get(reverse("privacy")).content.decode()


def test_the_notice_is_sanitised(client):
    new_version(effective_on=datetime.date(2026, 1, 2), body="<script>alert(1)</script> **ok**")
    with time_machine.travel("2026-07-01 12:00Z"):
        html = client.get(reverse("privacy")).content.decode()

    assert "<script>alert(1)" not in html
    assert "<strong>ok</strong>" in html


def test_an_enquiry_records_the_version_in_force_when_sent(submit):
    new_version()
    with time_machine.travel("2026-07-01 12:00Z"):
        submit(valid_form_data())

    assert Enquiry.objects.get().privacy_notice_version == "2026-06"


def test_content_editors_add_a_version_starting_from_the_current_text(login, content_editor):
    client = login(content_editor)

    html = client.get(reverse("admin:therapy_info_privacynotice_add")).content.decode()

    assert "You trust us with information about your health." in html


def test_a_version_in_effect_can_no_longer_be_changed(login, content_editor):
    client = login(content_editor)
    current = PrivacyNotice.objects.get(version="1")
    url = reverse("admin:therapy_info_privacynotice_change", args=[current.pk])

    response = client.post(url, {"version": "1", "effective_on": "2026-01-01", "body_en": "x"})

    assert response.status_code == 403
    current.refresh_from_db()
    assert current.body_en.startswith("You trust us")


def test_a_future_version_can_still_be_edited(login, content_editor):
    future = new_version("2099-01", datetime.date(2099, 1, 1))
    client = login(content_editor)
    url = reverse("admin:therapy_info_privacynotice_change", args=[future.pk])

    assert client.get(url).status_code == 200


def test_coordinators_cannot_edit_the_notice(login, coordinator):
    response = login(coordinator).get(reverse("admin:therapy_info_privacynotice_changelist"))

    assert response.status_code == 403

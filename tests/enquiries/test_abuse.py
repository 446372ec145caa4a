"""Abuse: forged posts, bots and floods are turned away without troubling real patients."""

import logging
import re

import pytest
from django.core.cache import cache
from django.test import Client

from enquiries.models import Enquiry
from portal.ratelimit import client_address
from tests.factories import valid_form_data

pytestmark = pytest.mark.django_db


def test_it_refuses_a_post_without_a_csrf_token(start_url):
    response = Client(enforce_csrf_checks=True).post(start_url, valid_form_data())
    assert response.status_code == 403
    assert not Enquiry.objects.exists()


def test_it_accepts_a_post_with_the_csrf_token_from_the_form(start_url):
    browser = Client(enforce_csrf_checks=True)
    html = browser.get(start_url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = browser.post(start_url, valid_form_data(csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert Enquiry.objects.count() == 1


def test_a_bot_filling_the_honeypot_sees_a_thank_you_page(submit):
    response = submit(valid_form_data(website="http://spam.example"))
    assert response.status_code == 200
    assert "Thank you: we have your enquiry" in response.content.decode()


def test_a_bot_filling_the_honeypot_stores_nothing(submit):
    submit(valid_form_data(website="http://spam.example"))
    assert not Enquiry.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, start_url):
    html = client.get(start_url).content.decode()
    honeypot = html[html.index('class="enquiry-honeypot"') - 60 : html.index('name="website"')]
    assert 'aria-hidden="true"' in honeypot
    assert (
        'tabindex="-1"' in html[html.index('name="website"') - 200 : html.index('id="id_website"')]
    )


class TestTheHourlyLimit:
    @pytest.fixture(autouse=True)
    def limit_of_two(self, settings):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 2

    def test_it_accepts_submissions_up_to_the_limit(self, submit):
        assert [submit().status_code for _ in range(2)] == [302, 302]
        assert Enquiry.objects.count() == 2

    def test_it_answers_the_next_one_with_a_friendly_429(self, submit):
        submit()
        submit()
        response = submit()
        assert response.status_code == 429
        assert "Please try again later" in response.content.decode()
        assert Enquiry.objects.count() == 2

    def test_it_counts_each_address_separately(self, submit):
        submit()
        submit()
        assert submit(REMOTE_ADDR="203.0.113.9").status_code == 302

    def test_it_does_not_count_a_repeated_post_of_the_same_form(self, submit):
        data = valid_form_data()
        submit(data)
        submit(data)
        assert submit().status_code == 302

    def test_it_does_not_count_a_form_with_mistakes(self, submit):
        submit(valid_form_data(email="bad"))
        submit(valid_form_data(email="bad"))
        assert submit().status_code == 302

    def test_it_counts_bots_caught_by_the_honeypot(self, submit):
        submit(valid_form_data(website="spam"))
        submit(valid_form_data(website="spam"))
        assert submit().status_code == 429

    def test_it_opens_again_in_the_next_hour(self, submit):
        import time_machine

        with time_machine.travel("2026-05-01 10:10Z", tick=False):
            submit()
            submit()
        with time_machine.travel("2026-05-01 11:00Z", tick=False):
            assert submit().status_code == 302

    def test_it_keeps_the_counter_in_the_cache_without_the_address(self, submit):
        submit(REMOTE_ADDR="198.51.100.77")
        keys = [key for key in cache._cache if "enquiries:rate" in key]
        assert len(keys) == 1
        assert "198.51.100.77" not in keys[0]


def test_behind_a_proxy_it_counts_the_address_the_proxy_saw(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"


def test_without_a_proxy_it_ignores_a_forged_forwarded_header(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.post("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "198.51.100.7"


def test_it_logs_no_personal_data_when_receiving_an_enquiry(submit, caplog):
    markers = {
        "patient_name": "Markername Zqxv",
        "email": "marker.zqxv@example.org",
        "phone": "+44 20 7946 0958",
        "medical_summary": "Markersummary zqxv",
    }
    with caplog.at_level(logging.DEBUG):
        submit(valid_form_data(**markers))
        submit(valid_form_data(**{**markers, "email": "bad"}))
        submit(valid_form_data(**markers, website="spam"))
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for value in [*markers.values(), "+442079460958", "127.0.0.1"]:
        assert value not in logged


def test_it_logs_no_personal_data_when_the_database_fails(submit, caplog, monkeypatch):
    from django.db import DatabaseError

    def fail(*args, **kwargs):
        raise DatabaseError("value too long: Markername Zqxv")

    monkeypatch.setattr(Enquiry, "record_event", fail)
    with caplog.at_level(logging.DEBUG):
        response = submit(valid_form_data(patient_name="Markername Zqxv"))
    assert response.status_code == 503
    assert "Markername" not in caplog.text
    assert "DatabaseError" in caplog.text

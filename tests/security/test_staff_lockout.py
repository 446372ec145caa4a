"""Staff login lockout behind a proxy: the client's address is the one our trusted proxy saw, an
account is locked only for the address that failed, and the lock does not slide."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from portal.ratelimit import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-42"
# Where nginx connects from: every request reaches the app from this one socket address.
PROXY = "127.0.0.1"
ADDRESS_A = "198.51.100.10"
ADDRESS_B = "203.0.113.20"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def coordinator():
    return get_user_model().objects.create_user(
        username="coordinator", password=PASSWORD, is_staff=True
    )


def log_in(client, address, password=PASSWORD, username="coordinator"):
    # What nginx sends: whatever the client claimed, then the address nginx saw.
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"10.9.9.9, {address}",
    )


def is_locked_out(response):
    # The per-address login rate limit also answers 429: tell axes' lockout page apart.
    return response.status_code == 429 and "Too many failed logins" in response.content.decode()


def fail_until_locked(client, address, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, address, password="wrong-password")


def test_axes_reads_the_address_our_rate_limits_read(client, coordinator, settings):
    log_in(client, ADDRESS_A, password="wrong-password")

    request = RequestFactory().post(
        "/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"10.9.9.9, {ADDRESS_A}"
    )
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == client_address(request) == ADDRESS_A


def test_failures_through_the_proxy_lock_the_forwarded_address_only(client, coordinator, settings):
    fail_until_locked(client, ADDRESS_A, settings)

    assert is_locked_out(log_in(client, ADDRESS_A))
    assert log_in(client, ADDRESS_B).status_code == 302


def test_an_attacker_elsewhere_cannot_lock_a_coordinator_out(client, coordinator, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": "coordinator", "password": "wrong-password"},
            REMOTE_ADDR=ADDRESS_A,
        )

    locked = client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": PASSWORD},
        REMOTE_ADDR=ADDRESS_A,
    )
    elsewhere = client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": PASSWORD},
        REMOTE_ADDR=ADDRESS_B,
    )

    assert is_locked_out(locked)
    assert elsewhere.status_code == 302


def test_a_locked_address_may_still_log_into_another_account(client, coordinator, settings):
    get_user_model().objects.create_user(username="lead", password=PASSWORD, is_staff=True)
    fail_until_locked(client, ADDRESS_A, settings)

    assert log_in(client, ADDRESS_A, username="lead").status_code == 302


def test_failures_during_the_lockout_do_not_extend_it(client, coordinator, settings):
    cool_off = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    locked_at = dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(locked_at, tick=False):
        fail_until_locked(client, ADDRESS_A, settings)
    # The attacker keeps trying through the whole lockout.
    for minutes in range(5, int(cool_off.total_seconds() // 60), 5):
        with time_machine.travel(locked_at + dt.timedelta(minutes=minutes), tick=False):
            assert is_locked_out(log_in(client, ADDRESS_A, password="wrong-password"))

    with time_machine.travel(locked_at + cool_off - dt.timedelta(seconds=1), tick=False):
        assert is_locked_out(log_in(client, ADDRESS_A))
    with time_machine.travel(locked_at + cool_off + dt.timedelta(seconds=1), tick=False):
        assert log_in(client, ADDRESS_A).status_code == 302


def test_a_forwarded_entry_that_is_not_an_address_is_never_taken_for_one(client, coordinator):
    # With the proxy count set too high, the client's own text reaches the entry we trust.
    response = client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="not-an-address<script>",
    )

    assert response.status_code == 200
    assert AccessAttempt.objects.get().ip_address == PROXY

"""Staff login: one address may try only so many logins in 15 minutes, whatever the accounts."""

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-42"


@pytest.fixture(autouse=True)
def limit_of_three(settings):
    settings.STAFF_LOGIN_ATTEMPTS_PER_15_MINUTES = 3


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user(
        username="coordinator", password=PASSWORD, is_staff=True
    )


def log_in(client, username="coordinator", password=PASSWORD, address="10.0.0.1"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_logins_up_to_the_limit_are_answered_normally(client, staff_user):
    statuses = [log_in(client, username=f"guess{n}").status_code for n in range(3)]

    assert statuses == [200, 200, 200]


def test_the_next_attempt_from_that_address_gets_a_friendly_429(client, staff_user):
    for n in range(3):
        log_in(client, username=f"guess{n}")

    response = log_in(client)

    assert response.status_code == 429
    assert "Too many login attempts" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_spraying_many_account_names_is_limited_before_axes_locks_any(client, staff_user):
    # Axes locks one name from one address after five failures; the address limit stops a
    # sweep over many names that axes alone would never lock.
    for n in range(3):
        log_in(client, username=f"guess{n}", password="wrong")

    assert log_in(client, username="guess-next", password="wrong").status_code == 429


def test_another_address_can_still_log_in(client, staff_user):
    for n in range(3):
        log_in(client, username=f"guess{n}")

    assert log_in(client, address="198.51.100.7").status_code == 302


def test_the_login_page_itself_is_never_limited(client, staff_user):
    for n in range(3):
        log_in(client, username=f"guess{n}")

    assert client.get(reverse("admin:login"), REMOTE_ADDR="10.0.0.1").status_code == 200


def test_the_address_can_try_again_in_the_next_window(client, staff_user):
    with time_machine.travel("2026-05-01 10:01Z", tick=False):
        for n in range(3):
            log_in(client, username=f"guess{n}")
        assert log_in(client).status_code == 429
    with time_machine.travel("2026-05-01 10:16Z", tick=False):
        assert log_in(client).status_code == 302


def test_the_counter_is_in_the_cache_without_the_address(client, staff_user):
    log_in(client, address="198.51.100.77")

    keys = [key for key in cache._cache if "staff-login:rate" in key]
    assert len(keys) == 1
    assert "198.51.100.77" not in keys[0]

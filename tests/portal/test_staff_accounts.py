"""Staff accounts: lockout, two-factor login, session timeouts and ends, no default account."""

import time

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-staff-password-42"


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_user(
        username="coordinator", email="coordinator@example.org", password=PASSWORD, is_staff=True
    )


def log_in(client, username="coordinator", password=PASSWORD):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1"
    )


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_no_user_account_exists_after_migrations():
    assert get_user_model().objects.count() == 0


def test_staff_member_logs_in_with_a_password_when_2fa_is_off(client, staff_user):
    response = log_in(client)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_account_is_locked_after_five_failed_logins(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong-password")

    response = log_in(client)

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_lockout_of_one_address_does_not_lock_the_account_elsewhere(client, staff_user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong-password")

    response = client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
    )

    assert response.status_code == 302


def test_password_alone_does_not_open_the_admin_when_2fa_is_required(client, staff_user, settings):
    settings.STAFF_REQUIRE_2FA = True

    response = log_in(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:two_factor")
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


def test_first_login_sets_up_an_authenticator_and_opens_the_admin(client, staff_user, settings):
    settings.STAFF_REQUIRE_2FA = True
    log_in(client)

    setup_page = client.get(reverse("admin:two_factor"))
    assert "Set up your authenticator app" in setup_page.content.decode()
    assert "two-factor-qr" in setup_page.content.decode()
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)

    response = client.post(reverse("admin:two_factor"), {"token": current_code(device)})

    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, staff_user, settings):
    settings.STAFF_REQUIRE_2FA = True
    TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    log_in(client)

    response = client.post(reverse("admin:two_factor"), {"token": "000000"})

    assert response.status_code == 200
    assert "That code is not valid" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302


def test_an_enrolled_staff_member_is_asked_for_a_code_not_a_new_setup(client, staff_user, settings):
    settings.STAFF_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)
    log_in(client)

    page = client.get(reverse("admin:two_factor")).content.decode()
    assert "Enter your authentication code" in page
    assert "two-factor-qr" not in page

    client.post(reverse("admin:two_factor"), {"token": current_code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_an_idle_staff_session_ends(client, staff_user, settings):
    log_in(client)
    assert client.get(reverse("admin:index")).status_code == 200

    with time_machine.travel(time.time() + settings.STAFF_SESSION_IDLE_MINUTES * 60 + 5):
        response = client.get(reverse("admin:index"))

    assert response.status_code == 302


def test_an_active_staff_session_still_ends_after_the_absolute_timeout(
    client, staff_user, settings
):
    log_in(client)
    start = time.time()
    step = (settings.STAFF_SESSION_IDLE_MINUTES - 1) * 60
    elapsed = 0
    # Keep the session busy, never idle, until past the absolute limit.
    while elapsed <= settings.STAFF_SESSION_ABSOLUTE_HOURS * 3600:
        elapsed += step
        with time_machine.travel(start + elapsed):
            last = client.get(reverse("admin:index"))

    assert last.status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, staff_user):
    log_in(client)
    assert client.get(reverse("admin:index")).status_code == 200

    staff_user.is_active = False
    staff_user.save()

    assert client.get(reverse("admin:index")).status_code == 302


def test_logging_out_ends_the_session(client, staff_user):
    log_in(client)
    client.post(reverse("admin:logout"))

    assert client.get(reverse("admin:index")).status_code == 302

"""An account made with `create_staff_user` starts on the printed one-time password: its owner
chooses their own at first login, after the second factor and before any other admin page."""

import re
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import PasswordChangeRequired

pytestmark = pytest.mark.django_db

EMAIL = "new.coordinator@example.org"
PASSWORD_CHANGE = reverse("admin:password_change")
NEW_PASSWORD = f"my-own-passphrase-{uuid.uuid4().hex}"


@pytest.fixture
def printed_password(capsys):
    call_command("create_staff_user", email=EMAIL, role="coordinator")
    return re.search(r"One-time password \(shown only now\): (\S+)", capsys.readouterr().out)[1]


def log_in(client, password):
    return client.post(
        reverse("admin:login"), {"username": EMAIL, "password": password}, REMOTE_ADDR="10.0.0.1"
    )


def change_password(client, old, new=NEW_PASSWORD):
    return client.post(
        PASSWORD_CHANGE, {"old_password": old, "new_password1": new, "new_password2": new}
    )


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:enquiries_enquiry_changelist"),
        reverse("admin:auth_user_changelist"),
    ],
)
def test_every_admin_page_sends_a_new_account_to_the_password_change(client, printed_password, url):
    log_in(client, printed_password)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == PASSWORD_CHANGE
    assert client.get(PASSWORD_CHANGE).status_code == 200


def test_the_admin_opens_once_the_new_password_is_chosen(client, printed_password):
    log_in(client, printed_password)

    response = change_password(client, printed_password)

    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    assert not PasswordChangeRequired.objects.exists()


def test_the_next_login_with_the_new_password_goes_straight_in(printed_password):
    first = Client()
    log_in(first, printed_password)
    change_password(first, printed_password)

    again = Client()
    log_in(again, NEW_PASSWORD)

    assert again.get(reverse("admin:index")).status_code == 200


def test_the_printed_password_cannot_be_kept(client, printed_password):
    log_in(client, printed_password)

    response = change_password(client, printed_password, new=printed_password)

    assert response.status_code == 200
    assert "different from the one you were given" in response.content.decode()
    assert client.get(reverse("admin:index"))["Location"] == PASSWORD_CHANGE


def test_logging_out_is_still_possible_before_the_change(client, printed_password):
    log_in(client, printed_password)

    client.post(reverse("admin:logout"))

    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


def test_the_second_factor_comes_first_then_the_new_password(client, printed_password, settings):
    settings.STAFF_REQUIRE_2FA = True

    assert log_in(client, printed_password)["Location"] == reverse("admin:two_factor")
    # The password alone opens neither the admin nor its password change page.
    assert client.get(PASSWORD_CHANGE)["Location"].startswith(reverse("admin:login"))
    assert client.get(reverse("admin:two_factor")).status_code == 200

    device = TOTPDevice.objects.get(user__username=EMAIL, confirmed=False)
    client.post(reverse("admin:two_factor"), {"token": current_code(device)})
    assert client.get(reverse("admin:index"))["Location"] == PASSWORD_CHANGE

    change_password(client, printed_password)
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_not_made_by_the_command_are_not_asked(client, django_user_model):
    django_user_model.objects.create_user(
        username=EMAIL, password=NEW_PASSWORD, is_staff=True, is_superuser=True
    )

    log_in(client, NEW_PASSWORD)

    assert client.get(reverse("admin:index")).status_code == 200

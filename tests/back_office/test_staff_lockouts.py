"""Lead coordinators see the staff logins locked after failed attempts and lift them, audited;
nobody else can."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from enquiries.models import AuditEntry, StaffLockout
from tests.factories import STAFF_PASSWORD

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:enquiries_stafflockout_changelist")
ADDRESS = "198.51.100.10"
# Something typed by the attacker, which must never be shown.
TYPED = "typed-guess-8c1f0b7e3d5a4c2b9e6f"


LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"


def log_in(username, password, address=ADDRESS, browser=LAPTOP):
    return Client().post(
        reverse("admin:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT=browser,
    )


def lock_out(user, settings, address=ADDRESS):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(user.username, TYPED, address)
    assert log_in(user.username, STAFF_PASSWORD, address).status_code == 429


def unlock(client, lockouts):
    return client.post(
        LIST_URL,
        {"action": "unlock", "index": 0, "_selected_action": [lockout.pk for lockout in lockouts]},
    )


def test_a_lead_sees_each_locked_login_with_its_address_but_not_what_was_typed(
    login, lead, coordinator, settings
):
    lock_out(coordinator, settings)

    page = login(lead).get(LIST_URL).content.decode()

    assert coordinator.username in page
    assert ADDRESS in page
    assert TYPED not in page


def test_the_list_holds_only_logins_locked_right_now(
    login, lead, coordinator, settings, make_staff
):
    with time_machine.travel(dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC), tick=False):
        lock_out(make_staff("coordinator", username="locked-long-ago"), settings)
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        lock_out(coordinator, settings)
        log_in(lead.username, "one-wrong-password")

        listed = login(lead).get(LIST_URL).context["cl"].result_list

    assert [lockout.username for lockout in listed] == [coordinator.username]


def test_a_lead_unlocks_a_login_and_the_coordinator_gets_in_from_that_address(
    login, lead, coordinator, settings
):
    lock_out(coordinator, settings)

    response = unlock(login(lead), StaffLockout.objects.locked())

    assert response.status_code == 302
    assert log_in(coordinator.username, STAFF_PASSWORD).status_code == 302


def test_each_unlock_is_in_the_audit_log_without_the_address(login, lead, coordinator, settings):
    lock_out(coordinator, settings)

    unlock(login(lead), StaffLockout.objects.locked())

    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLOCKED_STAFF_ACCOUNT)
    assert entry.actor == lead
    assert entry.details == {"account": coordinator.username, "failures": 5}
    assert ADDRESS not in str(entry.details)


@pytest.mark.parametrize("role", ["coordinator", "content_editor"])
def test_other_staff_cannot_see_the_lockouts(login, make_staff, coordinator, settings, role):
    lock_out(coordinator, settings)
    someone = make_staff(role, username=f"another-{role}")

    assert login(someone).get(LIST_URL).status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "content_editor"])
def test_other_staff_cannot_unlock(login, make_staff, coordinator, settings, role):
    lock_out(coordinator, settings)
    someone = make_staff(role, username=f"another-{role}")

    response = unlock(login(someone), StaffLockout.objects.locked())

    assert response.status_code == 403
    assert StaffLockout.objects.locked().count() == 1
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNLOCKED_STAFF_ACCOUNT).exists()


def test_the_list_costs_the_same_few_queries_however_many_are_locked(
    login, lead, make_staff, settings, django_assert_max_num_queries
):
    for number in range(3):
        lock_out(make_staff("coordinator", username=f"coordinator-{number}"), settings)
    client = login(lead)

    with django_assert_max_num_queries(8):
        response = client.get(LIST_URL)

    assert len(response.context["cl"].result_list) == 3


class TestFailuresFromSeveralBrowsers:
    """axes keeps a row per browser but adds up all of an account-and-address pair's rows."""

    @pytest.fixture
    def locked_from_two_browsers(self, coordinator, settings):
        from_laptop = settings.AXES_FAILURE_LIMIT - 2
        for _ in range(from_laptop):
            log_in(coordinator.username, TYPED, browser=LAPTOP)
        for _ in range(settings.AXES_FAILURE_LIMIT - from_laptop):
            log_in(coordinator.username, TYPED, browser=PHONE)
        assert log_in(coordinator.username, STAFF_PASSWORD, browser=LAPTOP).status_code == 429

    def test_the_lead_sees_one_lockout_with_all_its_failures(
        self, locked_from_two_browsers, login, lead, coordinator, settings
    ):
        listed = login(lead).get(LIST_URL).context["cl"].result_list

        assert [(row.username, row.failures) for row in listed] == [
            (coordinator.username, settings.AXES_FAILURE_LIMIT)
        ]

    def test_unlocking_it_lets_the_coordinator_in_from_either_browser(
        self, locked_from_two_browsers, login, lead, coordinator
    ):
        unlock(login(lead), StaffLockout.objects.locked())

        assert log_in(coordinator.username, STAFF_PASSWORD, browser=PHONE).status_code == 302
        assert log_in(coordinator.username, STAFF_PASSWORD, browser=LAPTOP).status_code == 302

    def test_the_audit_entry_counts_every_failure(
        self, locked_from_two_browsers, login, lead, coordinator, settings
    ):
        unlock(login(lead), StaffLockout.objects.locked())

        entry = AuditEntry.objects.get(action=AuditEntry.Action.UNLOCKED_STAFF_ACCOUNT)
        assert entry.details == {
            "account": coordinator.username,
            "failures": settings.AXES_FAILURE_LIMIT,
        }

    def test_the_lock_ends_when_the_failure_that_reached_the_limit_is_past_the_cool_off(
        self, login, lead, coordinator, settings
    ):
        start = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False):
            log_in(coordinator.username, TYPED, browser=PHONE)
        with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
            for _ in range(settings.AXES_FAILURE_LIMIT - 1):
                log_in(coordinator.username, TYPED, browser=LAPTOP)
            listed = login(lead).get(LIST_URL).context["cl"].result_list

        assert [row.locked_until for row in listed] == [
            start + dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
        ]

    def test_after_unlocking_every_browser_starts_again_from_no_failures(
        self, locked_from_two_browsers, login, lead, coordinator, settings
    ):
        unlock(login(lead), StaffLockout.objects.locked())
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(coordinator.username, TYPED, browser=PHONE)

        assert log_in(coordinator.username, STAFF_PASSWORD, browser=PHONE).status_code == 302

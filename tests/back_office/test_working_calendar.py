"""The working calendar and public holidays in the admin: lead coordinators edit them, coordinators
look, content editors never see them; a change moves the deadlines still ahead of coordinators."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from enquiries.models import PublicHoliday, WorkingCalendar
from enquiries.working_calendar import WEEKDAY_FIELDS

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY_17_00 = datetime(2026, 12, 4, 17, 0, tzinfo=SHANGHAI)


def calendar_url():
    return reverse("admin:enquiries_workingcalendar_change", args=[WorkingCalendar.load().pk])


def calendar_form(**changes):
    calendar = WorkingCalendar.load()
    data = {
        "time_zone": calendar.time_zone,
        "opens_at": calendar.opens_at.strftime("%H:%M"),
        "closes_at": calendar.closes_at.strftime("%H:%M"),
    }
    data.update({day: "on" for day in WEEKDAY_FIELDS if getattr(calendar, day)})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def add_holiday(client, day="2026-12-07", name="Office closed"):
    return client.post(reverse("admin:enquiries_publicholiday_add"), {"date": day, "name": name})


def test_a_lead_changes_the_working_hours_and_waiting_deadlines_follow(login, lead, make):
    waiting = make(submitted_at=FRIDAY_17_00)

    response = login(lead).post(calendar_url(), calendar_form(opens_at="10:00"))

    assert response.status_code == 302
    assert WorkingCalendar.load().opens_at == time(10)
    waiting.refresh_from_db()
    assert waiting.first_reply_due_at == datetime(2026, 12, 7, 17, 0, tzinfo=SHANGHAI)


def test_a_lead_adds_a_public_holiday_and_waiting_deadlines_follow(login, lead, make):
    waiting = make(submitted_at=FRIDAY_17_00)

    response = add_holiday(login(lead))

    assert response.status_code == 302
    assert PublicHoliday.objects.get().date == date(2026, 12, 7)
    waiting.refresh_from_db()
    assert waiting.first_reply_due_at == datetime(2026, 12, 8, 16, 0, tzinfo=SHANGHAI)


def test_not_even_a_superuser_adds_a_second_calendar_or_deletes_the_one(admin_client):
    client = admin_client
    delete_url = reverse("admin:enquiries_workingcalendar_delete", args=[WorkingCalendar.load().pk])

    assert client.get(reverse("admin:enquiries_workingcalendar_add")).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert WorkingCalendar.objects.count() == 1


def test_a_coordinator_may_look_at_the_calendar_but_not_change_it(login, coordinator):
    client = login(coordinator)

    assert client.get(calendar_url()).status_code == 200
    assert client.post(calendar_url(), calendar_form(opens_at="10:00")).status_code == 403
    assert add_holiday(client).status_code == 403
    assert WorkingCalendar.load().opens_at == time(9)
    assert not PublicHoliday.objects.exists()


def test_a_content_editor_never_sees_the_calendar(login, content_editor):
    client = login(content_editor)

    assert client.get(calendar_url()).status_code == 403
    assert client.get(reverse("admin:enquiries_publicholiday_changelist")).status_code == 403


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opens_at": "18:00", "closes_at": "09:00"}, "closes_at", "close after it opens"),
        ({"time_zone": "Asia/Shanghai "}, "time_zone", "Select a valid choice"),
        ({day: None for day in WEEKDAY_FIELDS}, "monday", "at least one working day"),
    ],
)
def test_the_admin_refuses_a_calendar_that_cannot_work(login, lead, changes, field, message):
    response = login(lead).post(calendar_url(), calendar_form(**changes))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert WorkingCalendar.load().opens_at == time(9)

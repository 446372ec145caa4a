"""New enquiries go to a coordinator automatically: in turn, among those who take new enquiries,
are not away and speak the patient's language, falling back to all who take them and then to all
active coordinators; lead coordinators switch it off; coordinators keep their own profile."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from enquiries import assignment
from enquiries.models import AssignmentRule, CoordinatorProfile, Enquiry, EnquiryEvent
from tests.factories import valid_form_data

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 12, 7)


@pytest.fixture
def coordinator_speaking(make_staff):
    """coordinator_speaking(name, *languages, **profile): a coordinator with a profile."""

    def make(name, *languages, **profile):
        user = make_staff("coordinator", username=name.lower(), first_name=name, last_name="Test")
        CoordinatorProfile.objects.create(user=user, languages=list(languages), **profile)
        return user

    return make


def arrive(make, language="ru", at=None):
    """A new enquiry, unassigned, given out as intake gives it out."""
    enquiry = make(language=language)
    assignment.assign_new_enquiry(enquiry, now=at)
    enquiry.refresh_from_db()
    return enquiry


def timeline(enquiry):
    return [event.describe() for event in enquiry.events.all()]


def test_a_new_enquiry_goes_to_a_coordinator_who_speaks_its_language(make, coordinator_speaking):
    coordinator_speaking("Emma", "en")
    anna = coordinator_speaking("Anna", "en", "ru")
    coordinator_speaking("Li", "zh-hans")

    enquiry = arrive(make, "ru")

    assert enquiry.assigned_to == anna
    assert "Assigned automatically to Anna Test (speaks Russian)" in timeline(enquiry)


def test_coordinators_take_turns(make, coordinator_speaking):
    anna = coordinator_speaking("Anna", "ru")
    boris = coordinator_speaking("Boris", "ru")
    start = datetime(2026, 12, 7, 10, tzinfo=SHANGHAI)

    given = [arrive(make, "ru", at=start + timedelta(minutes=n)).assigned_to for n in range(4)]

    # Never given one: the older account first.
    assert given == [anna, boris, anna, boris]
    assert CoordinatorProfile.objects.get(user=boris).last_auto_assigned_at == start + timedelta(
        minutes=3
    )


def test_who_is_away_is_skipped_through_the_last_day_and_back_the_day_after(
    make, coordinator_speaking
):
    anna = coordinator_speaking("Anna", "ru", away_until=MONDAY)
    boris = coordinator_speaking("Boris", "ru")
    # Days are the working calendar's (Shanghai): 23:30 on Monday there is still Monday.
    late_monday = datetime.combine(MONDAY, datetime.min.time(), tzinfo=SHANGHAI) + timedelta(
        hours=23, minutes=30
    )

    assert arrive(make, "ru", at=late_monday).assigned_to == boris
    assert arrive(make, "ru", at=late_monday + timedelta(hours=1)).assigned_to == anna


def test_who_takes_no_new_enquiries_is_skipped(make, coordinator_speaking):
    coordinator_speaking("Anna", "ru", accepting_new_enquiries=False)
    boris = coordinator_speaking("Boris", "ru")

    assert {arrive(make, "ru").assigned_to for _n in range(3)} == {boris}


def test_switched_off_new_enquiries_stay_unassigned(make, coordinator_speaking):
    coordinator_speaking("Anna", "ru")
    AssignmentRule.objects.update(assign_new_enquiries_automatically=False)

    enquiry = arrive(make, "ru")

    assert enquiry.assigned_to is None
    assert not enquiry.events.filter(kind=EnquiryEvent.Kind.ASSIGNED_AUTOMATICALLY).exists()


def test_when_nobody_speaks_the_language_all_who_take_new_enquiries_take_turns(
    make, coordinator_speaking
):
    emma = coordinator_speaking("Emma", "en")
    li = coordinator_speaking("Li", "zh-hans")
    coordinator_speaking("Omar", "ar", away_until=MONDAY + timedelta(days=30))

    with time_machine.travel(datetime(2026, 12, 7, 10, tzinfo=SHANGHAI), tick=False):
        first, second = arrive(make, "ar"), arrive(make, "ar")

    assert [first.assigned_to, second.assigned_to] == [emma, li]
    assert (
        "Assigned automatically to Emma Test (no coordinator taking new enquiries speaks "
        "Arabic: round-robin among all who take them)"
    ) in timeline(first)


def test_when_nobody_takes_new_enquiries_all_active_coordinators_take_turns(
    make, coordinator_speaking
):
    anna = coordinator_speaking("Anna", "ru", accepting_new_enquiries=False)
    boris = coordinator_speaking("Boris", "ru", away_until=date(2099, 1, 1))

    first, second = arrive(make, "ru"), arrive(make, "ru")

    assert {first.assigned_to, second.assigned_to} == {anna, boris}
    assert (
        "Assigned automatically to Anna Test (no coordinator takes new enquiries now: "
        "round-robin among all active coordinators)"
    ) in timeline(first)


def test_inactive_staff_are_never_chosen(make, coordinator_speaking):
    anna = coordinator_speaking("Anna", "ru")
    anna.is_active = False
    anna.save()

    assert arrive(make, "ru").assigned_to is None
    boris = coordinator_speaking("Boris", "en", accepting_new_enquiries=False)
    # Even when the last fallback is all there is.
    assert {arrive(make, "ru").assigned_to for _n in range(2)} == {boris}


def test_content_editors_are_never_chosen(make, content_editor, lead):
    CoordinatorProfile.objects.create(user=content_editor, languages=["ru"])

    # A lead is a coordinator too: with no profile, English only, but the only one there is.
    assert {arrive(make, "ru").assigned_to for _n in range(2)} == {lead}


def test_a_coordinator_without_a_profile_speaks_english_only(make, coordinator, make_staff):
    anna = make_staff("coordinator", username="anna", first_name="Anna")
    CoordinatorProfile.objects.create(user=anna, languages=["ru"])

    assert arrive(make, "ru").assigned_to == anna
    assert arrive(make, "en").assigned_to == coordinator
    # The turn is kept on a profile made with the defaults.
    assert CoordinatorProfile.objects.get(user=coordinator).languages == ["en"]


def test_with_no_coordinator_at_all_the_enquiry_stays_unassigned(make, content_editor):
    enquiry = arrive(make, "en")
    assert enquiry.assigned_to is None
    assert not enquiry.events.filter(kind=EnquiryEvent.Kind.ASSIGNED_AUTOMATICALLY).exists()


def test_an_enquiry_sent_through_the_form_is_assigned(client, coordinator_speaking):
    coordinator_speaking("Emma", "en")
    anna = coordinator_speaking("Anna", "ru")

    response = client.post("/ru/start/", valid_form_data())

    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.language == "ru"
    assert enquiry.assigned_to == anna
    assert [event.kind for event in enquiry.events.all()] == [
        EnquiryEvent.Kind.RECEIVED,
        EnquiryEvent.Kind.ASSIGNED_AUTOMATICALLY,
    ]


# The profile.


def test_a_profile_gives_its_time_zone(coordinator):
    profile = CoordinatorProfile.for_user(coordinator)
    assert profile.zone() == SHANGHAI
    profile.time_zone = "Europe/Moscow"
    assert profile.zone() == ZoneInfo("Europe/Moscow")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("languages", ["ru", "xx"]),
        ("languages", ["ru", "ru"]),
        ("languages", "ru"),
        ("time_zone", "Mars/Olympus"),
    ],
)
def test_a_profile_takes_only_the_sites_languages_and_real_time_zones(coordinator, field, value):
    profile = CoordinatorProfile.for_user(coordinator)
    setattr(profile, field, value)
    with pytest.raises(ValidationError) as error:
        profile.full_clean()
    assert field in error.value.message_dict


# Who may change what.


def rule_url():
    return reverse("admin:enquiries_assignmentrule_change", args=[AssignmentRule.load().pk])


def profile_url(profile):
    return reverse("admin:enquiries_coordinatorprofile_change", args=[profile.pk])


def profile_form(**changes):
    data = {
        "languages": ["en"],
        "accepting_new_enquiries": "on",
        "away_until": "",
        "time_zone": "Asia/Shanghai",
    }
    data.update(changes)
    return data


def test_a_lead_switches_automatic_assignment_off(login, lead):
    response = login(lead).post(rule_url(), {})

    assert response.status_code == 302
    assert not AssignmentRule.load().assign_new_enquiries_automatically


@pytest.mark.parametrize("role", ["coordinator", "content_editor"])
def test_nobody_else_can_switch_it(login, request, role):
    client = login(request.getfixturevalue(role))

    response = client.post(rule_url(), {})

    assert response.status_code == 403
    assert AssignmentRule.load().assign_new_enquiries_automatically


def test_coordinators_may_look_at_the_switch_content_editors_may_not(
    login, coordinator, content_editor
):
    assert login(coordinator).get(rule_url()).status_code == 200
    assert login(content_editor).get(rule_url()).status_code == 403


def test_a_coordinator_edits_their_own_profile(login, coordinator):
    client = login(coordinator)

    # The list of profiles is theirs alone: it opens their own, made the first time.
    response = client.get(reverse("admin:enquiries_coordinatorprofile_changelist"))
    profile = CoordinatorProfile.objects.get(user=coordinator)
    assert response.status_code == 302
    assert response.url == profile_url(profile)

    response = client.post(
        profile_url(profile),
        profile_form(languages=["ru", "en"], away_until="2026-12-24", time_zone="Europe/Moscow"),
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.languages == ["en", "ru"]
    assert profile.away_until == date(2026, 12, 24)
    assert profile.time_zone == "Europe/Moscow"


def test_a_coordinator_cannot_see_or_change_a_colleagues_profile(
    login, coordinator, other_coordinator
):
    colleague = CoordinatorProfile.for_user(other_coordinator)
    client = login(coordinator)

    assert client.get(profile_url(colleague)).status_code != 200
    client.post(profile_url(colleague), profile_form(accepting_new_enquiries=""))
    colleague.refresh_from_db()
    assert colleague.accepting_new_enquiries
    # Nor make one for anybody.
    assert client.get(reverse("admin:enquiries_coordinatorprofile_add")).status_code == 403


def test_a_lead_edits_anyones_profile(login, lead, other_coordinator):
    colleague = CoordinatorProfile.for_user(other_coordinator)
    client = login(lead)

    listed = client.get(reverse("admin:enquiries_coordinatorprofile_changelist"))
    response = client.post(profile_url(colleague), profile_form(accepting_new_enquiries=""))

    assert listed.status_code == 200
    assert "Chen Li" in listed.content.decode()
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.accepting_new_enquiries


def test_content_editors_see_no_profiles(login, content_editor, coordinator):
    client = login(content_editor)
    profile = CoordinatorProfile.for_user(coordinator)
    assert client.get(reverse("admin:enquiries_coordinatorprofile_changelist")).status_code == 403
    assert client.get(profile_url(profile)).status_code == 403

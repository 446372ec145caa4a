"""The dashboard's outcome figures: referrals per programme (count, median time to answer,
acceptance rate) and the funnel from enquiry to treatment, overall, by week, by source page and
by campaign; drawn for those who may see enquiries, in a fixed number of queries."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from enquiries import dashboard
from enquiries.models import Enquiry, Referral, TreatmentPlan
from tests.factories import make_plan, make_programme, make_referral

NOW = datetime(2030, 5, 8, 12, 0, tzinfo=UTC)  # a Wednesday
# The weekly chart's twelve weeks start on this Monday (UTC, the tests' time zone).
PERIOD_START = datetime(2030, 2, 18, tzinfo=UTC)
IN_PERIOD = NOW - timedelta(days=10)
# The session, the user and their permissions; the queue's seven (counts, open by status, the
# overdue list, weekly volume, cities, countries, diagnoses; the first replies' median is one more
# once there is a reply); the outcomes' five (the funnel by week, page and campaign, the programmes
# and their answer times).
QUERIES = 15

Status = Referral.Status


@pytest.fixture
def figures():
    def compute():
        with time_machine.travel(NOW, tick=False):
            return dashboard.figures()

    return compute


def unique(name):
    return f"{name} {uuid.uuid4().hex[:8]}"


def answered(enquiry, programme, after, status=Status.PLAN_OFFERED, sent_at=IN_PERIOD):
    return make_referral(
        enquiry, programme, status=status, sent_at=sent_at, answered_at=sent_at + after
    )


def programme_row(figures, programme):
    rows = {row["name"]: row for row in figures["programmes"]}
    return rows[programme.name]


def funnel(figures):
    return [(row["label"], row["count"], row["share"]) for row in figures["funnel"]["rows"]]


def grouped(figures, chart_id):
    charts = {chart["id"]: chart for chart in figures["funnel_charts"]}
    return [(group["label"], group["counts"]) for group in charts[chart_id]["groups"]]


# Referrals per programme.


def test_the_median_time_to_answer_is_the_middle_answer_of_an_odd_count(make, figures):
    enquiry = make(submitted_at=IN_PERIOD)
    programme = make_programme(unique("Odd"))
    for hours in (50, 1, 5):
        answered(enquiry, programme, timedelta(hours=hours))
    make_referral(enquiry, programme, sent_at=IN_PERIOD)  # not answered: no time to count

    row = programme_row(figures(), programme)

    assert (row["referrals"], row["answered"]) == (4, 3)
    assert row["median_answer_time"] == "5 h 00 min"


def test_the_median_time_to_answer_of_an_even_count_is_the_mean_of_the_middle_two(make, figures):
    enquiry = make(submitted_at=IN_PERIOD)
    programme = make_programme(unique("Even"))
    for hours in (24, 48, 1, 100):
        answered(enquiry, programme, timedelta(hours=hours))

    assert programme_row(figures(), programme)["median_answer_time"] == "1 d 12 h"


def test_the_acceptance_rate_is_plans_among_the_answers_that_decided(make, figures):
    enquiry = make(submitted_at=IN_PERIOD)
    programme = make_programme(unique("Rate"))
    for status in (Status.PLAN_OFFERED, Status.PLAN_OFFERED, Status.DECLINED):
        answered(enquiry, programme, timedelta(days=2), status=status)
    answered(enquiry, programme, timedelta(days=1), status=Status.MORE_INFORMATION_NEEDED)
    make_referral(enquiry, programme, sent_at=IN_PERIOD)
    # Sent before the period: left out of every figure.
    answered(enquiry, programme, timedelta(days=1), sent_at=PERIOD_START - timedelta(minutes=1))

    row = programme_row(figures(), programme)

    assert (row["referrals"], row["answered"], row["plans_offered"], row["declined"]) == (
        5,
        4,
        2,
        1,
    )
    assert row["acceptance_rate"] == "67%"


def test_a_programme_without_a_decided_answer_shows_dashes_not_a_division_error(make, figures):
    enquiry = make(submitted_at=IN_PERIOD)
    waiting = make_programme(unique("Waiting"))
    make_referral(enquiry, waiting, sent_at=IN_PERIOD)
    asking = make_programme(unique("Asking"))
    answered(enquiry, asking, timedelta(days=2), status=Status.MORE_INFORMATION_NEEDED)

    computed = figures()

    assert programme_row(computed, waiting)["acceptance_rate"] == "—"
    assert programme_row(computed, waiting)["median_answer_time"] == "—"
    assert programme_row(computed, asking)["acceptance_rate"] == "—"
    assert programme_row(computed, asking)["median_answer_time"] == "2 d 0 h"


def test_the_programmes_with_most_referrals_come_first_and_those_without_are_left_out(
    make, figures
):
    enquiry = make(submitted_at=IN_PERIOD)
    one, two = make_programme(unique("One")), make_programme(unique("Two"))
    make_programme(unique("None"))
    make_referral(enquiry, one, sent_at=IN_PERIOD)
    make_referral(enquiry, two, sent_at=IN_PERIOD)
    make_referral(enquiry, two, sent_at=IN_PERIOD)

    computed = figures()

    assert [row["name"] for row in computed["programmes"]] == [two.name, one.name]
    assert [(r["label"], r["count"]) for r in computed["programme_chart"]["rows"]] == [
        (two.name, 2),
        (one.name, 1),
    ]


# The funnel.


def test_the_funnel_counts_each_enquiry_once_at_every_stage_it_reached(make, figures):
    first, second = make_programme(unique("First")), make_programme(unique("Second"))
    treated = make(submitted_at=IN_PERIOD, status=Enquiry.Status.CLOSED_TREATED)
    # Two referrals and two plans: still one enquiry referred, offered a plan and accepting one.
    make_plan(make_referral(treated, first, sent_at=IN_PERIOD))
    make_plan(
        make_referral(treated, second, sent_at=IN_PERIOD),
        decision=TreatmentPlan.Decision.ACCEPTED,
    )
    offered = make(submitted_at=IN_PERIOD, email="offered@example.org")
    make_plan(make_referral(offered, first, sent_at=IN_PERIOD))
    referred = make(submitted_at=IN_PERIOD, email="referred@example.org")
    make_referral(referred, first, sent_at=IN_PERIOD)
    make_referral(referred, second, sent_at=IN_PERIOD)
    make(submitted_at=IN_PERIOD, email="waiting@example.org")
    # Left out: spam, a duplicate, and an enquiry received before the period.
    make(submitted_at=IN_PERIOD, email="spam@example.org", status=Enquiry.Status.SPAM)
    make(submitted_at=IN_PERIOD, email="dup@example.org", status=Enquiry.Status.DUPLICATE)
    make_referral(
        make(submitted_at=PERIOD_START - timedelta(seconds=1), email="old@example.org"),
        first,
        sent_at=IN_PERIOD,
    )

    assert funnel(figures()) == [
        ("Enquiries", 4, "100%"),
        ("Referred", 3, "75%"),
        ("Plan offered", 2, "50%"),
        ("Plan accepted", 1, "25%"),
        ("Treated", 1, "25%"),
    ]


def test_an_empty_funnel_shows_dashes_for_its_shares(db, figures):
    assert funnel(figures()) == [
        ("Enquiries", 0, "—"),
        ("Referred", 0, "—"),
        ("Plan offered", 0, "—"),
        ("Plan accepted", 0, "—"),
        ("Treated", 0, "—"),
    ]


def test_a_week_runs_from_monday_to_sunday_in_the_portals_time_zone(settings, make, figures):
    settings.TIME_ZONE = "Asia/Shanghai"  # 8 hours ahead of UTC: Monday starts at 16:00 UTC
    programme = make_programme(unique("Weekly"))
    sunday_night = make(submitted_at=datetime(2030, 5, 5, 15, 59, 59, tzinfo=UTC))
    make_referral(sunday_night, programme, sent_at=IN_PERIOD)
    make(submitted_at=datetime(2030, 5, 5, 16, 0, tzinfo=UTC), email="monday@example.org")
    make(submitted_at=datetime(2030, 2, 17, 16, 0, tzinfo=UTC), email="first@example.org")
    make(submitted_at=datetime(2030, 2, 17, 15, 59, 59, tzinfo=UTC), email="early@example.org")

    weeks = grouped(figures(), "funnel-weekly")

    assert len(weeks) == 12
    assert weeks[0] == ("18 Feb 2030", [1, 0, 0, 0, 0])
    assert weeks[-2] == ("29 Apr 2030", [1, 1, 0, 0, 0])
    assert weeks[-1] == ("06 May 2030", [1, 0, 0, 0, 0])
    assert sum(counts[0] for _label, counts in weeks) == 3


def test_the_funnel_by_source_page_and_campaign_names_the_blanks(make, figures):
    programme = make_programme(unique("Sources"))
    campaign = f"spring-{uuid.uuid4().hex[:8]}"
    direct = make(submitted_at=IN_PERIOD, utm_campaign=campaign)
    make_referral(direct, programme, sent_at=IN_PERIOD)
    make(submitted_at=IN_PERIOD, email="b@example.org", utm_campaign=campaign)
    make(
        submitted_at=IN_PERIOD,
        email="c@example.org",
        source_page_slug="risks-and-side-effects",
    )

    computed = figures()

    assert grouped(computed, "funnel-pages") == [
        ("direct / unknown", [2, 1, 0, 0, 0]),
        ("risks-and-side-effects", [1, 0, 0, 0, 0]),
    ]
    assert grouped(computed, "funnel-campaigns") == [
        (campaign, [2, 1, 0, 0, 0]),
        ("none", [1, 0, 0, 0, 0]),
    ]


def test_beyond_ten_campaigns_the_rest_are_summed_in_one_row(make, figures):
    for number in range(2):
        make(submitted_at=IN_PERIOD, email=f"big{number}@example.org", utm_campaign="big")
    for number in range(12):
        make(submitted_at=IN_PERIOD, email=f"{number}@example.org", utm_campaign=f"c{number:02}")

    campaigns = grouped(figures(), "funnel-campaigns")

    assert [label for label, _counts in campaigns] == [
        "big",
        *[f"c{number:02}" for number in range(9)],
        "3 other campaigns",
    ]
    assert campaigns[-1][1] == [3, 0, 0, 0, 0]


# The page.


def test_a_lead_sees_the_outcomes_as_charts_with_their_tables(login, lead, make):
    programme = make_programme(unique("Shown"))
    with time_machine.travel(NOW, tick=False):
        enquiry = make(submitted_at=IN_PERIOD, cities=["Wuhan"])
        answered(enquiry, programme, timedelta(hours=30))
        html = login(lead).get(reverse("admin:enquiries_dashboard")).content.decode()

    assert "What became of the enquiries received since Monday 18 Feb 2030" in html
    row = re.search(rf"<th scope=\"row\">{programme.name}</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td>(.*?)</td>", row) == ["1", "1", "1 d 6 h", "1", "0", "100%"]
    for chart_id in ("funnel", "programmes", "funnel-weekly", "funnel-pages", "funnel-campaigns"):
        assert f'id="chart-{chart_id}"' in html
        assert f'<title id="chart-{chart_id}-svg-title">' in html
    charts = re.findall(r'<svg class="bo-chart-svg"[^>]*>', html)
    assert len(charts) == 10 and all('role="img"' in chart for chart in charts)
    assert "style=" not in html.split('id="content-main"', 1)[1]  # the CSP forbids inline styles


def test_staff_without_the_enquiries_permission_are_refused_the_dashboard(login, make_staff):
    somebody = make_staff(None, username="no-role")

    response = login(somebody).get(reverse("admin:enquiries_dashboard"))

    assert response.status_code == 403


@pytest.mark.parametrize("referrals", [1, 30])
def test_the_dashboard_costs_the_same_queries_for_1_or_30_referrals(
    login, lead, make, django_assert_num_queries, referrals
):
    programmes = [make_programme(unique("Counted")) for _ in range(3)]
    with time_machine.travel(NOW, tick=False):
        client = login(lead)
        for number in range(referrals):
            enquiry = make(
                submitted_at=IN_PERIOD,
                email=f"{number}@example.org",
                source_page_slug=f"page-{number % 4}",
                utm_campaign=f"campaign-{number % 12}",
            )
            referral = answered(enquiry, programmes[number % 3], timedelta(hours=number + 1))
            make_plan(referral, decision=TreatmentPlan.Decision.ACCEPTED)
        with django_assert_num_queries(QUERIES):
            response = client.get(reverse("admin:enquiries_dashboard"))
    assert response.status_code == 200

"""The coordinators' dashboard: the figures, a fixed number of queries, linked from the index."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries import dashboard
from enquiries.models import Enquiry

NOW = datetime(2030, 5, 8, 12, 0, tzinfo=UTC)  # a Wednesday


def test_the_figures(make, coordinator):
    with time_machine.travel(NOW, tick=False):
        make(submitted_at=NOW - timedelta(hours=2), cities=["Wuhan"])
        make(submitted_at=NOW - timedelta(days=3), email="b@example.org", country="DE")
        replied = make(submitted_at=NOW - timedelta(days=10), email="c@example.org")
        replied.record_first_reply(by=coordinator, at=replied.submitted_at + timedelta(hours=4))
        also = make(submitted_at=NOW - timedelta(days=11), email="d@example.org")
        also.record_first_reply(by=coordinator, at=also.submitted_at + timedelta(hours=6))
        make(submitted_at=NOW - timedelta(days=20), email="e@example.org", status="spam")
        figures = dashboard.figures()
    assert figures["counts"]["open"] == 4
    assert figures["counts"]["new_24h"] == 1
    assert figures["counts"]["new_7d"] == 2
    assert figures["counts"]["overdue"] == 1  # the 3-day-old one; the 2-hour-old one is in time
    assert str(figures["median_wait"]) == "5 h 00 min"
    charts = {chart["id"]: chart["rows"] for chart in figures["charts"]}
    assert [(r["label"], r["count"]) for r in charts["open-by-status"]] == [("New", 4)]
    assert [(r["label"], r["count"]) for r in charts["cities"]] == [("Wuhan", 1)]
    assert ("Germany", 1) in [(r["label"], r["count"]) for r in charts["countries"]]
    assert len(charts["weekly"]) == 12
    assert sum(r["count"] for r in charts["weekly"]) == 5
    assert (
        charts["weekly"][-1]["count"] == 1
    )  # Monday 6 May to now; Sunday 5 May is the week before
    assert charts["weekly"][-2]["count"] == 1


def test_the_dashboard_costs_a_fixed_number_of_queries(login, lead, make):
    client = login(lead)
    url = reverse("admin:enquiries_dashboard")
    make()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(30):
        make(email=f"{number}@example.org", cities=["Beijing"], status="in_review")
    with CaptureQueriesContext(connection) as more:
        response = client.get(url)
    assert response.status_code == 200
    assert len(more) == len(few), "dashboard: queries grow with the number of enquiries"


def test_the_dashboard_draws_charts_with_tables_and_is_never_cached(login, coordinator, make):
    make(status=Enquiry.Status.IN_REVIEW)
    response = login(coordinator).get(reverse("admin:enquiries_dashboard"))
    html = response.content.decode()
    assert "<svg" in html and "<table" in html
    assert "style=" not in html.split('id="content-main"', 1)[1]  # the CSP forbids inline styles
    assert "no-store" in response["Cache-Control"]


def test_the_admin_index_links_to_the_dashboard(login, coordinator):
    html = login(coordinator).get(reverse("admin:index")).content.decode()
    assert reverse("admin:enquiries_dashboard") in html

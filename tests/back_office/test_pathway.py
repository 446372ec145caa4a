"""The coordinators' view of where an enquiry's answers point: the Pathway panel of the enquiry page
(the approved labels its answers are consistent with, the possible trials, what is still needed to
decide, as an automatic starting point dated by the data's checks) and the list's filters "matches
an approved label" and "possible trial", which cost the list no query."""

import datetime
import re
import uuid

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enquiries.admin import EnquiryAdmin
from enquiries.admin.filters import ApprovedLabelFilter, PossibleTrialFilter
from enquiries.models import RecordFile
from enquiries.pathways import refresh_pathways
from tests.back_office.pages import change_url, changelist_url
from therapy_info.products import LabelRule
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

LBCL_AFTER_TWO_LINES = {
    "diagnosis": "large_b_cell_lymphoma",
    "disease_status": "relapsed",
    "prior_treatment_lines": "2",
    "birth_year": 1970,
}
TODAY = datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC)


def panel(html):
    """The Pathway panel's markup, its text with tags removed and spaces joined."""
    start = html.index('data-testid="pathway"')
    markup = html[start : html.index("</section>", start)]
    return markup, " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def part(markup, testid):
    start = markup.index(">", markup.index(f'data-testid="{testid}"')) + 1
    return " ".join(re.sub(r"<[^>]+>", " ", markup[start : markup.index("</ul>", start)]).split())


@pytest.fixture
def lbcl(make):
    return make(**LBCL_AFTER_TWO_LINES)


@time_machine.travel(TODAY, tick=False)
def test_the_panel_names_the_labels_the_answers_are_consistent_with_their_rules_and_sources(
    login, coordinator, lbcl
):
    markup, _text = panel(login(coordinator).get(change_url(lbcl)).content.decode())

    labels = part(markup, "pathway-labels")
    assert labels.count("Yikaida (axicabtagene ciloleucel)") == 2
    assert "Carteyva (relmacabtagene autoleucel)" in labels
    assert (
        "Rules met: diagnosis: Large B-cell lymphoma (e.g. DLBCL); disease status: Relapsed "
        "(came back after treatment); prior lines of treatment: 2 (at least 2); age: 55 or 56 "
        "(18 to any)"
    ) in labels
    assert (
        '<a href="https://www.reuters.com/business/healthcare-pharmaceuticals/chinese-regulator-'
        'approves-first-car-t-cell-therapy-country-2021-06-23/" rel="noopener noreferrer"'
    ) in markup


@time_machine.travel(TODAY, tick=False)
def test_the_panel_says_it_is_an_automatic_starting_point_dated_by_the_datas_checks(
    login, coordinator, lbcl
):
    _markup, text = panel(login(coordinator).get(change_url(lbcl)).content.decode())

    assert (
        "An automatic starting point for the medical team, based on the patient's own answers: "
        "not a medical decision."
    ) in text
    # The trial snapshot's check; the shipped labels cite the approved-in-China page.
    assert "The data it read was last checked on Nov. 28, 2026." in text
    assert "3 label rules cite an information page's reference" in text


@time_machine.travel(TODAY, tick=False)
def test_the_panel_dates_the_data_from_its_oldest_to_its_newest_check(login, coordinator, lbcl):
    rule = LabelRule.objects.get(key="lbcl-second-line")
    rule.source_reference = None
    rule.source_citation = "The regulator's notice."
    rule.source_url = "https://example.org/notice"
    rule.source_checked_on = datetime.date(2026, 9, 1)
    rule.save()

    _markup, text = panel(login(coordinator).get(change_url(lbcl)).content.decode())

    assert "The data it read was last checked between Sept. 1, 2026 and Nov. 28, 2026." in text
    assert "2 label rules cite an information page's reference" in text


@time_machine.travel(TODAY, tick=False)
def test_the_panel_lists_the_possible_trials_with_their_registry_link_and_why(
    login, coordinator, lbcl
):
    markup, _text = panel(login(coordinator).get(change_url(lbcl)).content.decode())

    trials = part(markup, "pathway-trials")
    assert '<a href="https://clinicaltrials.gov/study/NCT06911710"' in markup
    assert "NCT06911710" in trials
    assert "Why: takes Large B-cell lymphoma (e.g. DLBCL); recruiting" in trials
    assert "checked on Nov. 28, 2026" in trials
    assert "Stale" not in trials


def test_a_trial_not_checked_for_90_days_is_marked_stale(login, coordinator, lbcl):
    checked = datetime.date(2026, 8, 1)
    trial = ClinicalTrial.objects.get(registry_id="NCT06911710")
    trial.last_verified_on = checked
    trial.save()

    with time_machine.travel(TODAY, tick=False):
        markup, _text = panel(login(coordinator).get(change_url(lbcl)).content.decode())

    assert "Stale: last checked on Aug. 1, 2026" in part(markup, "pathway-trials")


def test_the_panel_lists_what_is_still_needed_questions_label_conditions_and_records(
    login, coordinator, make
):
    enquiry = make(
        diagnosis="large_b_cell_lymphoma", disease_status="not_sure", prior_treatment_lines="2"
    )

    markup, _text = panel(login(coordinator).get(change_url(enquiry)).content.decode())

    needed = part(markup, "pathway-still-needed")
    assert needed.startswith("An answer: disease status (not sure)")
    assert (
        "If the lymphoma came back: did it come back within 12 months of the first-line "
        "treatment? (Yikaida)"
    ) in needed
    assert "A record: Recent PET-CT scan report (needed)" in needed
    assert "A record: A recent letter from the treating doctor" in needed
    assert "(needed)" not in needed.split("A recent letter from the treating doctor")[1]
    assert part(markup, "pathway-possible-labels").count("Yikaida") == 2


def test_a_record_the_patient_sent_from_the_checklist_is_no_longer_needed(login, coordinator, lbcl):
    RecordFile.objects.create(
        enquiry=lbcl,
        file=f"records/{uuid.uuid4().hex}.pdf",
        original_name="scan.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        checklist_item="recent_scan",
    )

    markup, _text = panel(login(coordinator).get(change_url(lbcl)).content.decode())

    needed = part(markup, "pathway-still-needed")
    assert "PET-CT" not in needed
    assert "A record: Treatment history with dates and results (needed)" in needed


def test_a_rule_changed_in_the_admin_shows_on_the_next_page(login, coordinator, lbcl):
    client = login(coordinator)
    client.get(change_url(lbcl))
    for rule in LabelRule.objects.filter(key="lbcl-after-two-lines"):
        rule.minimum_prior_lines = 3
        rule.save()

    markup, _text = panel(client.get(change_url(lbcl)).content.decode())

    labels = part(markup, "pathway-labels")
    assert labels.count("Yikaida") == 1
    assert "Carteyva" not in labels


def test_what_the_rules_say_is_shown_as_text(login, coordinator, lbcl):
    typed = f'<b class="{uuid.uuid4().hex}">relapsed</b>'
    LabelRule.objects.filter(key="lbcl-second-line").update(indication=typed)
    rule = LabelRule.objects.get(key="lbcl-second-line")
    rule.save()

    html = login(coordinator).get(change_url(lbcl)).content.decode()

    assert typed not in html
    assert typed.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in html


def test_an_enquiry_without_a_diagnosis_is_asked_for_it_first(login, coordinator, make):
    enquiry = make()

    markup, text = panel(login(coordinator).get(change_url(enquiry)).content.decode())

    assert part(markup, "pathway-still-needed").startswith("An answer: diagnosis (not answered)")
    assert "No approved product's label" in text
    assert "No open trial in the catalogue takes these answers." in text


# ---- The list's filters -------------------------------------------------------------------------


@pytest.fixture
def three(make):
    """An enquiry pointing to labels and a trial, one to a trial only, one to neither."""
    enquiries = {
        "both": make(email="both@example.org", **LBCL_AFTER_TWO_LINES),
        "trial": make(
            email="trial@example.org",
            diagnosis="mantle_cell_lymphoma",
            disease_status="newly_diagnosed",
        ),
        "neither": make(email="neither@example.org", diagnosis="cll", disease_status="relapsed"),
    }
    refresh_pathways()
    return enquiries


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"label": "yes"}, {"both"}),
        ({"label": "no"}, {"trial", "neither"}),
        ({"trial": "yes"}, {"both", "trial"}),
        ({"trial": "no"}, {"neither"}),
        ({"label": "no", "trial": "yes"}, {"trial"}),
        ({}, {"both", "trial", "neither"}),
    ],
)
def test_the_list_filters_by_approved_label_and_possible_trial(
    login, coordinator, three, params, expected
):
    html = login(coordinator).get(changelist_url(**params)).content.decode()

    assert {name for name, enquiry in three.items() if enquiry.reference in html} == expected


def test_the_filters_are_offered_in_the_lists_sidebar(login, coordinator, three):
    html = login(coordinator).get(changelist_url()).content.decode()

    assert 'data-filter-title="matches an approved label"' in html
    assert 'data-filter-title="possible trial"' in html
    assert 'href="?label=yes"' in html
    assert 'href="?trial=no"' in html


def list_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(changelist_url(**params)).status_code == 200
    return len(queries)


def test_the_filters_cost_the_list_no_query(login, coordinator, three, monkeypatch):
    client = login(coordinator)
    list_queries(client)
    filtered = list_queries(client, label="yes", trial="yes")

    without_them = [
        list_filter
        for list_filter in EnquiryAdmin.list_filter
        if list_filter not in (ApprovedLabelFilter, PossibleTrialFilter)
    ]
    monkeypatch.setattr(EnquiryAdmin, "list_filter", without_them)

    assert filtered == list_queries(client)

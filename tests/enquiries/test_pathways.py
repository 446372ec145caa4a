"""Where an enquiry's answers point, stored for the list's filters: set when the enquiry arrives,
computed again for the open enquiries (by one task per change, once committed) when a product, a
rule or a trial changes, and daily by `manage.py refresh_pathways`; and the cached catalogue the
pages read, forgotten when what it holds changes."""

import datetime
import io

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from enquiries.matching import CATALOGUE_CACHE_KEY, Catalogue
from enquiries.models import Enquiry
from enquiries.pathways import refresh_pathways
from tests.factories import make_enquiry, valid_form_data
from tests.tasks import run_ready_tasks
from therapy_info.models import Reference
from therapy_info.products import LabelRule
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

REFRESH_TASK = "enquiries.tasks.refresh_open_pathways"
LBCL_AFTER_TWO_LINES = {
    "diagnosis": "large_b_cell_lymphoma",
    "disease_status": "relapsed",
    "prior_treatment_lines": "2",
}


def flags(enquiry):
    enquiry.refresh_from_db()
    return enquiry.matches_approved_label, enquiry.has_possible_trial


def refreshes_queued():
    return DBTaskResult.objects.filter(task_path=REFRESH_TASK).count()


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # Yikaida and Carteyva after two lines; the recruiting B-cell lymphoma trial.
        (LBCL_AFTER_TWO_LINES, (True, True)),
        # Not sure of the status: the labels are only possible, the trial states no status.
        ({**LBCL_AFTER_TWO_LINES, "disease_status": "not_sure"}, (False, True)),
        # Newly diagnosed mantle cell lymphoma: no label, the same trial.
        ({"diagnosis": "mantle_cell_lymphoma", "disease_status": "newly_diagnosed"}, (False, True)),
        # No label and no open trial names CLL.
        (
            {"diagnosis": "cll", "disease_status": "relapsed", "prior_treatment_lines": "3"},
            (False, False),
        ),
    ],
)
def test_an_enquiry_received_stores_where_its_answers_point(submit, answers, expected):
    submit(valid_form_data(birth_year="1970", **answers))

    enquiry = Enquiry.objects.get()
    assert (enquiry.matches_approved_label, enquiry.has_possible_trial) == expected
    assert enquiry.pathway_checked_at is not None


def test_intake_reads_the_catalogue_from_the_cache(submit, monkeypatch):
    submit(valid_form_data(email="first@example.org", **LBCL_AFTER_TWO_LINES))

    def no_reading(cls):
        raise AssertionError("the catalogue was read from the database again")

    monkeypatch.setattr(Catalogue, "load", classmethod(no_reading))
    submit(valid_form_data(email="second@example.org", **LBCL_AFTER_TWO_LINES))

    assert Enquiry.objects.filter(matches_approved_label=True).count() == 2


def lbcl_enquiry(**fields):
    enquiry = make_enquiry(**{**LBCL_AFTER_TWO_LINES, "birth_year": 1970, **fields})
    refresh_pathways(Enquiry.objects.filter(pk=enquiry.pk))
    return enquiry


def test_changed_rules_refresh_the_open_enquiries_by_one_task_once_committed(
    django_capture_on_commit_callbacks,
):
    open_enquiry = lbcl_enquiry()
    closed = lbcl_enquiry(status=Enquiry.Status.CLOSED_NOT_ELIGIBLE, email="c@example.org")
    assert flags(open_enquiry) == (True, True)

    with django_capture_on_commit_callbacks(execute=True):
        for rule in LabelRule.objects.filter(disease="large_b_cell_lymphoma"):
            rule.minimum_age = 80
            rule.save()
        # Nothing is queued before the change is committed.
        assert refreshes_queued() == 0

    assert refreshes_queued() == 1
    run_ready_tasks()
    assert flags(open_enquiry) == (False, True)
    # A closed enquiry keeps what it pointed to when it was worked.
    assert flags(closed) == (True, True)


def test_a_trial_that_stops_recruiting_takes_the_possible_trial_flag_away(
    django_capture_on_commit_callbacks,
):
    enquiry = lbcl_enquiry()

    with django_capture_on_commit_callbacks(execute=True):
        trial = ClinicalTrial.objects.get(registry_id="NCT06911710")
        trial.recruitment_status = "COMPLETED"
        trial.save()
    run_ready_tasks()

    assert flags(enquiry) == (True, False)


def test_nothing_is_queued_while_no_enquiry_is_open(django_capture_on_commit_callbacks):
    lbcl_enquiry(status=Enquiry.Status.SPAM)

    with django_capture_on_commit_callbacks(execute=True):
        LabelRule.objects.first().save()

    assert refreshes_queued() == 0


def test_the_refresh_counts_what_changed_and_records_when_it_checked_each_enquiry():
    unchanged = lbcl_enquiry()
    changed = lbcl_enquiry(email="b@example.org")
    Enquiry.objects.filter(pk=changed.pk).update(matches_approved_label=False)
    later = timezone.now() + datetime.timedelta(hours=1)

    with time_machine.travel(later, tick=False):
        assert refresh_pathways() == (2, 1)

    assert flags(changed) == (True, True)
    for enquiry in (unchanged, changed):
        enquiry.refresh_from_db()
        assert enquiry.pathway_checked_at == later


@pytest.mark.parametrize(
    ("today", "expected"),
    # B-ALL, refractory, born on 15 December 2008: the adults' label and the 18-65 trial take
    # the patient once 18.
    [(datetime.date(2026, 12, 14), (False, False)), (datetime.date(2026, 12, 15), (True, True))],
)
def test_the_daily_refresh_follows_the_patients_age(today, expected):
    enquiry = make_enquiry(
        diagnosis="b_all",
        disease_status="refractory",
        birth_year=2008,
        birth_date=datetime.date(2008, 12, 15),
    )

    with time_machine.travel(datetime.datetime(*today.timetuple()[:3], 12, tzinfo=datetime.UTC)):
        call_command("refresh_pathways", stdout=io.StringIO())

    assert flags(enquiry) == expected


def test_the_command_says_how_many_it_checked_and_with_all_takes_closed_enquiries_too():
    open_enquiry = make_enquiry(**LBCL_AFTER_TWO_LINES)
    closed = make_enquiry(**LBCL_AFTER_TWO_LINES, status=Enquiry.Status.CLOSED_TREATED)

    out = io.StringIO()
    call_command("refresh_pathways", stdout=out)
    assert out.getvalue() == "Checked 1 enquiries; 1 changed.\n"
    assert flags(open_enquiry) == (True, True)
    assert flags(closed) == (False, False)

    out = io.StringIO()
    call_command("refresh_pathways", "--all", stdout=out)
    assert out.getvalue() == "Checked 2 enquiries; 1 changed.\n"
    assert flags(closed) == (True, True)


# ---- The cached catalogue -----------------------------------------------------------------------


def test_the_catalogue_is_read_once_and_then_from_the_cache(django_assert_num_queries):
    with django_assert_num_queries(4):
        Catalogue.current()

    with django_assert_num_queries(0):
        catalogue = Catalogue.current()

    assert "large_b_cell_lymphoma" in catalogue.rules_by_disease


def rule_ages(catalogue):
    return {rule.key: rule.minimum_age for rule in catalogue.rules_by_disease["b_all"]}


def test_a_changed_rule_is_in_the_next_catalogue_read():
    Catalogue.current()
    rule = LabelRule.objects.get(disease="b_all")
    rule.minimum_age = 21
    rule.save()

    assert rule_ages(Catalogue.current()) == {rule.key: 21}


def test_a_changed_source_reference_is_in_the_next_catalogue_read():
    Catalogue.current()
    reference = Reference.objects.get(page__slug="approved-in-china", number=1)
    reference.citation = "A corrected citation."
    reference.save()

    sources = {
        rule.source for rules in Catalogue.current().rules_by_disease.values() for rule in rules
    }
    assert "CAR-T products approved in China [1]: A corrected citation." in sources


def test_a_catalogue_a_reader_stored_before_the_change_was_committed_is_forgotten_at_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        rule = LabelRule.objects.get(disease="b_all")
        rule.minimum_age = 30
        rule.save()
        # Another process, not seeing the change yet, stores the catalogue as it was.
        cache.set(CATALOGUE_CACHE_KEY, Catalogue({}, {}))

    assert rule_ages(Catalogue.current()) == {rule.key: 30}


def test_the_cached_catalogue_is_in_the_staffs_language_whoever_read_it_first():
    with translation.override("zh-hans"):
        Catalogue.current()

    sources = {
        rule.source for rules in Catalogue.current().rules_by_disease.values() for rule in rules
    }
    assert any(source.startswith("CAR-T products approved in China [1]") for source in sources)

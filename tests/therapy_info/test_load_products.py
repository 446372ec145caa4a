"""load_content and the shipped approved products and trial snapshot: every shipped rule cites a
reference of the approved-in-china page, an editor's change to a rule is never overwritten, a
product file with bad data is refused naming the file and the rule before anything is written,
and the trial snapshot never undoes a newer check of a trial."""

import datetime
import uuid

import pytest

from tests.therapy_info.shipped_content import rewrite
from therapy_info.content_files import ContentFileError, read_content
from therapy_info.content_loader import SKIPPED_CHANGED, UNCHANGED, load_content
from therapy_info.models import LoadedContent
from therapy_info.products import ApprovedProduct, LabelRule
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

AXI_CEL = "products/axicabtagene-ciloleucel/en.md"


def outcomes(report):
    return {item: outcome for outcome, item in report.lines}


def test_every_shipped_product_and_rule_cites_a_reference_of_the_approved_products_page():
    facts = [*ApprovedProduct.objects.all(), *LabelRule.objects.all()]

    assert len(facts) == 15
    for fact in facts:
        assert fact.source_reference.page.slug == "approved-in-china", fact
        assert fact.source_link().startswith("https://"), fact


def test_the_shipped_rules_leave_open_what_their_sources_do_not_say():
    rules = LabelRule.objects.all()

    assert {rule.maximum_age for rule in rules} == {None}
    assert {rule.prior_transplant for rule in rules} == {""}
    assert {rule.prior_car_t for rule in rules} == {""}
    assert {rule.target_required for rule in rules} == {""}
    assert {tuple(rule.fitness) for rule in rules} == {()}
    # The second use of axicabtagene ciloleucel: the report gives no age at all.
    assert LabelRule.objects.get(key="lbcl-second-line").minimum_age is None


def test_an_editors_change_to_a_rule_survives_the_next_load():
    rule = LabelRule.objects.get(product__slug="axicabtagene-ciloleucel", key="lbcl-second-line")
    marker = f"An editor's reading {uuid.uuid4()}"
    rule.notes = marker
    rule.save()

    report = load_content()

    assert outcomes(report)["label rule axicabtagene-ciloleucel/lbcl-second-line"] == (
        SKIPPED_CHANGED
    )
    assert outcomes(report)["approved product axicabtagene-ciloleucel"] == UNCHANGED
    assert LabelRule.objects.get(pk=rule.pk).notes == marker


def test_a_rule_an_editor_wrote_before_the_files_shipped_it_is_theirs():
    rule = LabelRule.objects.get(product__slug="axicabtagene-ciloleucel", key="lbcl-second-line")
    LoadedContent.objects.filter(key="label rule:axicabtagene-ciloleucel/lbcl-second-line").delete()
    LabelRule.objects.filter(pk=rule.pk).update(minimum_age=21)

    report = load_content()

    assert outcomes(report)["label rule axicabtagene-ciloleucel/lbcl-second-line"] == (
        SKIPPED_CHANGED
    )
    assert LabelRule.objects.get(pk=rule.pk).minimum_age == 21


def test_a_changed_product_file_updates_the_rule_no_editor_touched(content_copy):
    rewrite(content_copy / AXI_CEL, "minimum_prior_lines: 1\n", "minimum_prior_lines: 2\n")

    load_content(content=read_content(content_copy))

    assert LabelRule.objects.get(key="lbcl-second-line").minimum_prior_lines == 2


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "disease_statuses: [relapsed, refractory]\n  minimum_prior_lines: 1",
            "disease_statuses: [relapsed, comeback]\n  minimum_prior_lines: 1",
            "rule lbcl-second-line: disease_statuses: Not an answer of the form: comeback.",
        ),
        (
            "  minimum_prior_lines: 2\n  minimum_age: 18\n",
            "  minimum_prior_lines: 2\n  minimum_age: 18\n  maximum_age: 16\n",
            "rule lbcl-after-two-lines: maximum_age: The maximum age (16) is below the minimum",
        ),
        (
            "disease: large_b_cell_lymphoma\n  disease_statuses: [relapsed, refractory]\n"
            "  minimum_prior_lines: 1",
            "disease: lymphoma\n  disease_statuses: [relapsed, refractory]\n"
            "  minimum_prior_lines: 1",
            "rule lbcl-second-line: disease: Value 'lymphoma' is not a valid choice.",
        ),
        (
            "  source: approved-in-china [2]",
            "  source: approved-in-china [12]",
            "rule lbcl-second-line: the page 'approved-in-china' has no reference [12]",
        ),
        ("target: cd19", "target: cd20", "the product: target: Value 'cd20' is not a valid"),
    ],
)
def test_a_product_file_with_bad_data_is_refused_naming_the_file_and_the_rule(
    content_copy, old, new, message
):
    rewrite(content_copy / AXI_CEL, old, new)

    with pytest.raises(ContentFileError) as refused:
        read_content(content_copy)

    assert AXI_CEL in str(refused.value)
    assert message in str(refused.value)


def test_a_trial_snapshot_named_without_its_day_is_refused(content_copy):
    snapshot = next((content_copy / "trials").glob("*.json"))
    snapshot.rename(content_copy / "trials" / "china-car-t-trials.json")

    with pytest.raises(ContentFileError, match=r"<name>-<the day it was checked>\.json"):
        read_content(content_copy)


def test_the_shipped_snapshot_never_undoes_a_newer_check_of_a_trial():
    trial = ClinicalTrial.objects.get(registry_id="NCT06911710")
    trial.recruitment_status = "COMPLETED"
    trial.last_verified_on = datetime.date(2026, 11, 29)
    trial.save()

    report = load_content()

    assert outcomes(report)["clinical trial NCT06911710"].startswith("skipped")
    assert ClinicalTrial.objects.get(pk=trial.pk).recruitment_status == "COMPLETED"

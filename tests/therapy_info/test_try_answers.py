"""The approved product's "Try these answers" panel: the product's rules as typed on the page,
before saving, checked against answers a lead makes up, with whether each rule matches and why;
nothing is saved, and the page comes back with what was typed."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse

from tests.therapy_info.test_products_and_trials_admin import change_url, product_form
from therapy_info.admin.products import years_before
from therapy_info.products import ApprovedProduct, LabelRule

pytestmark = pytest.mark.django_db

RELAPSED_AFTER_TWO_LINES = {
    "try-diagnosis": "large_b_cell_lymphoma",
    "try-disease_status": "relapsed",
    "try-prior_treatment_lines": "2",
    "try-age": "45",
}


@pytest.fixture
def product():
    return ApprovedProduct.objects.get(slug="axicabtagene-ciloleucel")


def tried(client, product, answers, **rule_overrides):
    data = {**product_form(product, **rule_overrides), "_try": "Try these answers", **answers}
    return client.post(change_url(product), data)


def verdicts(response):
    """{rule key: (verdict, why)} as the panel's table shows them."""
    return {
        result.rule.key: (result.verdict, " ".join([*result.met, *result.excluded_by]))
        for result in response.context["try_panel"]["results"]
    }


def test_a_rule_as_typed_is_tried_before_saving_and_nothing_is_saved(login, lead, product):
    response = tried(login(lead), product, RELAPSED_AFTER_TWO_LINES, minimum_age=60)

    assert response.status_code == 200
    verdict, why = verdicts(response)["lbcl-after-two-lines"]
    assert verdict == "Does not match"
    assert "age: 45 (60 to any)" in why
    # The page comes back with what was typed; the stored rule is as it was.
    assert 'name="rules-0-minimum_age" value="60"' in response.content.decode()
    assert product.rules.get(key="lbcl-after-two-lines").minimum_age == 18


def test_answers_meeting_every_condition_are_consistent_with_the_label_and_say_which(
    login, lead, product
):
    response = tried(login(lead), product, RELAPSED_AFTER_TWO_LINES)

    verdict, why = verdicts(response)["lbcl-after-two-lines"]
    assert verdict == "Consistent with the label"
    assert why == (
        "diagnosis: Large B-cell lymphoma (e.g. DLBCL) "
        "disease status: Relapsed (came back after treatment) "
        "prior lines of treatment: 2 (at least 2) "
        "age: 45 (18 to any)"
    )
    html = response.content.decode()
    assert "Consistent with the label" in html
    assert "prior lines of treatment: 2 (at least 2)" in html


def test_not_sure_never_excludes_a_rule_it_becomes_a_question(login, lead, product):
    answers = {**RELAPSED_AFTER_TWO_LINES, "try-disease_status": "not_sure"}

    response = tried(login(lead), product, answers)

    assert {key: verdict for key, (verdict, _why) in verdicts(response).items()} == {
        "lbcl-after-two-lines": "Consistent once these are answered",
        "lbcl-second-line": "Consistent once these are answered",
    }
    assert "To ask: disease status (not sure)" in response.content.decode()


def test_another_diagnosis_matches_no_rule_and_says_so(login, lead, product):
    answers = {**RELAPSED_AFTER_TWO_LINES, "try-diagnosis": "multiple_myeloma"}

    response = tried(login(lead), product, answers)

    assert verdicts(response)["lbcl-second-line"] == (
        "Does not match",
        "diagnosis: not Large B-cell lymphoma (e.g. DLBCL)",
    )


def test_a_rule_added_on_the_page_is_tried_and_a_rule_marked_for_deletion_is_not(
    login, lead, product
):
    data = {
        **product_form(product),
        "_try": "Try these answers",
        **RELAPSED_AFTER_TWO_LINES,
        "rules-0-DELETE": "on",
    }
    new = product.rules.count()
    key = f"typed-{uuid.uuid4().hex[:8]}"
    data.update(
        {
            "rules-TOTAL_FORMS": new + 1,
            f"rules-{new}-key": key,
            f"rules-{new}-order": 100,
            f"rules-{new}-indication": "A rule typed but not saved.",
            f"rules-{new}-disease": "large_b_cell_lymphoma",
            f"rules-{new}-minimum_prior_lines": 3,
            f"rules-{new}-source_reference": product.source_reference_id,
        }
    )

    response = login(lead).post(change_url(product), data)

    results = verdicts(response)
    assert set(results) == {"lbcl-second-line", key}
    assert results[key] == (
        "Does not match",
        "diagnosis: Large B-cell lymphoma (e.g. DLBCL) "
        "prior lines of treatment: 2 (at least 3 needed)",
    )
    assert not LabelRule.objects.filter(key=key).exists()
    assert product.rules.filter(key="lbcl-after-two-lines").exists()


def test_a_rule_typed_wrong_is_shown_with_its_error_and_not_tried(login, lead, product):
    response = tried(login(lead), product, RELAPSED_AFTER_TWO_LINES, minimum_age=65, maximum_age=18)

    html = response.content.decode()
    assert "Correct the errors on the page to try the rules: nothing was saved." in html
    assert "The maximum age (18) is below the minimum age (65)." in html
    assert "results" not in response.context["try_panel"]
    assert product.rules.get(key="lbcl-after-two-lines").maximum_age is None


def test_saving_still_saves_the_rules(login, lead, product):
    response = login(lead).post(change_url(product), product_form(product, minimum_age=21))

    assert response.status_code == 302
    assert product.rules.get(key="lbcl-after-two-lines").minimum_age == 21


def test_a_new_product_with_its_rule_can_be_tried_before_it_exists(login, lead, product):
    slug = f"product-{uuid.uuid4().hex[:8]}"
    data = {
        "name": "A product being added",
        "slug": slug,
        "generic_name": "adding-cel",
        "target": "cd19",
        "maker": "A maker",
        "source_reference": product.source_reference_id,
        "rules-TOTAL_FORMS": 1,
        "rules-INITIAL_FORMS": 0,
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
        "rules-0-key": "adults",
        "rules-0-order": 100,
        "rules-0-indication": "Adults with large B-cell lymphoma.",
        "rules-0-disease": "large_b_cell_lymphoma",
        "rules-0-minimum_age": 18,
        "rules-0-source_reference": product.source_reference_id,
        "_try": "Try these answers",
        **RELAPSED_AFTER_TWO_LINES,
    }

    response = login(lead).post(reverse("admin:therapy_info_approvedproduct_add"), data)

    assert verdicts(response)["adults"][0] == "Consistent with the label"
    assert not ApprovedProduct.objects.filter(slug=slug).exists()


def test_someone_who_may_only_read_the_products_gets_no_try_panel(login, coordinator, product):
    html = login(coordinator).get(change_url(product)).content.decode()

    assert "Try these answers" not in html
    assert re.search(r'name="_try"', html) is None


def test_the_age_tried_is_exact_even_on_the_29th_of_february():
    assert years_before(datetime.date(2028, 2, 29), 18) == datetime.date(2010, 2, 28)
    assert years_before(datetime.date(2026, 11, 28), 45) == datetime.date(1981, 11, 28)

"""Approved products, their label rules and trials as leads and content editors keep them: the
rules speak the form's answers (the same keys as enquiries'), bad data is refused at the field
that holds it, in the models and in the admin, and the lists cost a fixed number of queries."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enquiries.matching import Catalogue
from enquiries.models import Enquiry
from therapy_info.criteria import ANSWER_FIELDS
from therapy_info.models import Reference
from therapy_info.prescreen import QUESTIONS, DailySelfCare, DiseaseStatus, Target
from therapy_info.products import ApprovedProduct, LabelRule
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

PRODUCT = "axicabtagene-ciloleucel"


def without_not_sure(choices):
    return [(value, str(label)) for value, label in choices.choices if value != "not_sure"]


@pytest.mark.parametrize(
    ("rules_answers", "form_answers"),
    [
        (DiseaseStatus, Enquiry.DiseaseStatus),
        (DailySelfCare, Enquiry.DailySelfCare),
        (Target, Enquiry.TargetTested),
    ],
)
def test_the_rules_answers_are_the_forms_without_not_sure(rules_answers, form_answers):
    assert [(value, str(label)) for value, label in rules_answers.choices] == without_not_sure(
        form_answers
    )


def test_the_questions_still_to_ask_are_named_as_the_enquiry_form_names_them():
    assert {name: str(label) for name, label in QUESTIONS.items()} == {
        name: str(Enquiry._meta.get_field(name).verbose_name) for name in ANSWER_FIELDS
    }


def a_rule(**fields):
    values = {
        "product": ApprovedProduct.objects.get(slug=PRODUCT),
        "key": f"rule-{uuid.uuid4().hex[:8]}",
        "indication": "Adults with relapsed large B-cell lymphoma.",
        "disease": "large_b_cell_lymphoma",
        "source_reference": Reference.objects.get(page__slug="approved-in-china", number=1),
    }
    values.update(fields)
    return LabelRule(**values)


def refusal(instance):
    with pytest.raises(ValidationError) as refused:
        instance.full_clean()
    return refused.value.message_dict


def test_a_rule_with_its_age_range_upside_down_is_refused_at_the_maximum_age():
    assert refusal(a_rule(minimum_age=40, maximum_age=18)) == {
        "maximum_age": ["The maximum age (18) is below the minimum age (40)."]
    }


def test_a_rule_naming_a_disease_status_the_form_does_not_have_is_refused():
    assert refusal(a_rule(disease_statuses=["relapsed", "smouldering"])) == {
        "disease_statuses": [
            "Not an answer of the form: smouldering. The form's answers are newly_diagnosed, "
            "in_remission, relapsed, refractory."
        ]
    }


def test_a_rule_naming_not_sure_is_refused_as_not_sure_never_decides():
    assert "fitness" in refusal(a_rule(fitness=["fully_active", "not_sure"]))


def test_a_rule_for_a_diagnosis_the_form_does_not_have_is_refused():
    assert "disease" in refusal(a_rule(disease="hodgkin_lymphoma"))


def test_a_rule_asking_for_more_prior_lines_than_the_form_counts_is_refused():
    assert "minimum_prior_lines" in refusal(a_rule(minimum_prior_lines=5))


def test_a_rule_without_a_source_is_refused_at_the_source_fields():
    assert set(refusal(a_rule(source_reference=None))) == {
        "source_citation",
        "source_url",
        "source_checked_on",
    }


def test_a_rule_with_a_citation_of_its_own_link_and_date_is_accepted():
    rule = a_rule(
        source_reference=None,
        source_citation="The regulator's announcement.",
        source_url="https://example.org/announcement",
        source_checked_on=datetime.date(2026, 11, 28),
    )

    rule.full_clean()


def test_a_trial_with_its_age_range_upside_down_or_an_unknown_diagnosis_is_refused():
    trial = ClinicalTrial(
        registry_id="NCT99999999",
        title="A trial",
        minimum_age=70,
        maximum_age=18,
        diseases=["lymphoma"],
        targets=["cd19 car"],
        last_verified_on=datetime.date(2026, 11, 28),
    )

    assert set(refusal(trial)) == {"maximum_age", "diseases", "targets"}


def test_a_registry_number_that_is_neither_nct_nor_chictr_is_refused():
    trial = ClinicalTrial(
        registry_id="12345", title="A trial", last_verified_on=datetime.date(2026, 11, 28)
    )

    assert "registry_id" in refusal(trial)


# ---- The admin ----------------------------------------------------------------------------------


def product_form(product, **rule_overrides):
    """What the product's change form posts: the product and its rules, the first one changed."""
    data = {
        "name": product.name,
        "slug": product.slug,
        "generic_name": product.generic_name,
        "target": product.target,
        "maker": product.maker,
        "approved_on": "",
        "approval_note": product.approval_note,
        "source_reference": product.source_reference_id,
        "source_citation": "",
        "source_url": "",
        "source_checked_on": "",
        "rules-TOTAL_FORMS": product.rules.count(),
        "rules-INITIAL_FORMS": product.rules.count(),
        "rules-MIN_NUM_FORMS": 0,
        "rules-MAX_NUM_FORMS": 1000,
    }
    for index, rule in enumerate(product.rules.order_by("order", "pk")):
        values = {
            "id": rule.pk,
            "product": product.pk,
            "key": rule.key,
            "order": rule.order,
            "indication": rule.indication,
            "disease": rule.disease,
            "disease_statuses": rule.disease_statuses,
            "minimum_prior_lines": rule.minimum_prior_lines or "",
            "prior_transplant": rule.prior_transplant,
            "prior_car_t": rule.prior_car_t,
            "target_required": rule.target_required,
            "minimum_age": rule.minimum_age or "",
            "maximum_age": rule.maximum_age or "",
            "fitness": rule.fitness,
            "conditions_not_asked": rule.conditions_not_asked,
            "notes": rule.notes,
            "source_reference": rule.source_reference_id,
            "source_citation": "",
            "source_url": "",
            "source_checked_on": "",
        }
        if index == 0:
            values.update(rule_overrides)
        data.update({f"rules-{index}-{name}": value for name, value in values.items()})
    return data


def rule_errors(response):
    return [
        (name, message)
        for form_errors in response.context["inline_admin_formsets"][0].formset.errors
        for name, messages in form_errors.items()
        for message in messages
    ]


@pytest.fixture
def product():
    return ApprovedProduct.objects.get(slug=PRODUCT)


def change_url(product):
    return reverse("admin:therapy_info_approvedproduct_change", args=[product.pk])


@pytest.mark.parametrize("role", ["lead", "content_editor"])
def test_leads_and_content_editors_change_a_rule_in_the_admin(login, make_staff, product, role):
    client = login(make_staff(role))

    response = client.post(change_url(product), product_form(product, minimum_age=21))

    assert response.status_code == 302
    assert product.rules.order_by("order", "pk").first().minimum_age == 21


def test_the_admin_refuses_an_upside_down_age_range_at_its_field_and_saves_nothing(
    login, lead, product
):
    before = list(product.rules.values_list("minimum_age", "maximum_age"))

    response = login(lead).post(
        change_url(product), product_form(product, minimum_age=65, maximum_age=18)
    )

    assert response.status_code == 200
    assert rule_errors(response) == [
        ("maximum_age", "The maximum age (18) is below the minimum age (65).")
    ]
    assert list(product.rules.values_list("minimum_age", "maximum_age")) == before


def test_the_admin_refuses_an_answer_the_form_does_not_have(login, lead, product):
    response = login(lead).post(
        change_url(product), product_form(product, disease_statuses=["relapsed", "smouldering"])
    )

    assert response.status_code == 200
    assert rule_errors(response)[0][0] == "disease_statuses"


def test_coordinators_read_the_products_and_trials_but_cannot_change_them(
    login, coordinator, product
):
    client = login(coordinator)

    assert client.get(change_url(product)).status_code == 200
    assert client.post(change_url(product), product_form(product)).status_code == 403
    assert client.get(reverse("admin:therapy_info_clinicaltrial_changelist")).status_code == 200


def more_rows():
    """Another product with two rules, and two more trials."""
    product = ApprovedProduct.objects.create(
        slug=f"product-{uuid.uuid4().hex[:8]}",
        name="Another product",
        generic_name="another",
        target="cd19",
        maker="A maker",
        source_reference=Reference.objects.get(page__slug="approved-in-china", number=3),
    )
    for key in ("first", "second"):
        a_rule(product=product, key=key).save()
    for number in (1, 2):
        ClinicalTrial.objects.create(
            registry_id=f"NCT9900990{number}",
            title="Another trial",
            diseases=["b_all"],
            last_verified_on=datetime.date(2026, 11, 28),
        ).sites.set([])


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("admin:therapy_info_approvedproduct_changelist", 6),
        ("admin:therapy_info_labelrule_changelist", 7),
        ("admin:therapy_info_clinicaltrial_changelist", 6),
    ],
)
def test_a_list_costs_the_same_queries_however_many_rows(
    login, lead, django_assert_num_queries, url, queries
):
    client = login(lead)
    client.get(reverse(url))
    with django_assert_num_queries(queries):
        client.get(reverse(url))
    more_rows()

    with django_assert_num_queries(queries):
        response = client.get(reverse(url))

    assert response.status_code == 200


def test_the_trial_list_marks_a_trial_not_checked_for_90_days_as_stale(login, lead):
    ClinicalTrial.objects.filter(registry_id="NCT06911710").update(
        last_verified_on=datetime.date.today() - datetime.timedelta(days=91)
    )

    response = login(lead).get(
        reverse("admin:therapy_info_clinicaltrial_changelist") + "?stale=yes"
    )

    assert [trial.registry_id for trial in response.context["cl"].result_list] == ["NCT06911710"]
    assert "(stale)" in response.content.decode()


def test_checking_trials_against_the_registry_today_refreshes_the_matching_catalogue(login, lead):
    long_ago = datetime.date.today() - datetime.timedelta(days=91)
    ClinicalTrial.objects.filter(registry_id="NCT06911710").update(last_verified_on=long_ago)
    trial = ClinicalTrial.objects.get(registry_id="NCT06911710")

    def checked_on():
        return {
            entry.last_verified_on
            for entries in Catalogue.current().trials_by_disease.values()
            for entry in entries
            if entry.registry_id == "NCT06911710"
        }

    assert checked_on() == {long_ago}

    response = login(lead).post(
        reverse("admin:therapy_info_clinicaltrial_changelist"),
        {"action": "mark_checked_today", "_selected_action": [trial.pk]},
    )

    assert response.status_code == 302
    assert checked_on() == {timezone.localdate()}

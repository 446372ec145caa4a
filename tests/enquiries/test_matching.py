"""Matching an enquiry's answers to the shipped approved products' labels and the shipped trials:
a table of answers per label (matches, near misses, "not sure"), "not sure" never excluding,
what is still needed to decide in the form's order, the trials that could take the patient and
why, and an enquiry's own pathway with the records it has not sent."""

import dataclasses
import datetime

import pytest

from enquiries.matching import Answers, Catalogue, match, pathway_for
from enquiries.models import RecordFile
from tests.factories import make_enquiry
from therapy_info.products import LabelRule
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)
YIKAIDA_3L = "Yikaida/lbcl-after-two-lines"
YIKAIDA_2L = "Yikaida/lbcl-second-line"
CARTEYVA_3L = "Carteyva/lbcl-after-two-lines"
CARTEYVA_FL = "Carteyva/fl-after-two-lines"
CARTEYVA_MCL = "Carteyva/mcl-relapsed-or-refractory"
CNCT19 = "CNCT19/b-all-relapsed-or-refractory"
MYELOMA = {
    "Cilta-cel/mm-after-three-lines",
    "Fucaso/mm-after-three-lines",
    "Zevor-cel/mm-after-three-lines",
}
# Answered the questions no shipped label asks too: they must never get in the way.
COMPLETE = {
    "prior_stem_cell_transplant": "no",
    "prior_car_t": "no",
    "target_tested": "cd19",
    "daily_self_care": "light_activity",
    "birth_year": 1970,
}


@pytest.fixture
def catalogue():
    return Catalogue.load()


def pathway(catalogue, **answers):
    return match(Answers(**{**COMPLETE, **answers}), catalogue, today=TODAY)


def names(labels):
    return {f"{label.rule.product_name}/{label.rule.key}" for label in labels}


def asked(result):
    return [question.key for question in result.still_needed if question.kind == "answer"]


# (answers, labels consistent, labels possible once these questions are answered)
LABEL_TABLE = [
    # Large B-cell lymphoma: the third-line labels of axi-cel and relma-cel, axi-cel's second line.
    (
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "2",
        },
        {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L},
        set(),
        [],
    ),
    (
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "refractory",
            "prior_treatment_lines": "4+",
        },
        {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L},
        set(),
        [],
    ),
    (  # one line: only the second-line label
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "1",
        },
        {YIKAIDA_2L},
        set(),
        [],
    ),
    (  # no treatment yet
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "0",
        },
        set(),
        set(),
        [],
    ),
    (  # newly diagnosed, or in remission: no label
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "newly_diagnosed",
            "prior_treatment_lines": "2",
        },
        set(),
        set(),
        [],
    ),
    (
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "in_remission",
            "prior_treatment_lines": "3",
        },
        set(),
        set(),
        [],
    ),
    (  # 15 or 16 years old: not an adult; the second-line report gives no age
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "2",
            "birth_year": 2010,
        },
        {YIKAIDA_2L},
        set(),
        [],
    ),
    (  # 17 or 18: the year alone cannot tell
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "2",
            "birth_year": 2008,
        },
        {YIKAIDA_2L},
        {YIKAIDA_3L, CARTEYVA_3L},
        ["birth_date"],
    ),
    (  # the date of birth tells: 18 since June
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "2",
            "birth_year": 2008,
            "birth_date": datetime.date(2008, 6, 1),
        },
        {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L},
        set(),
        [],
    ),
    (  # not sure of the disease status: asked, never excluded
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "not_sure",
            "prior_treatment_lines": "2",
        },
        set(),
        {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L},
        ["disease_status"],
    ),
    (
        {
            "diagnosis": "large_b_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "not_sure",
        },
        set(),
        {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L},
        ["prior_treatment_lines"],
    ),
    (  # skipped questions are asked the same way
        {"diagnosis": "large_b_cell_lymphoma"},
        set(),
        {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L},
        ["disease_status", "prior_treatment_lines"],
    ),
    # Follicular lymphoma: relma-cel after two lines.
    (
        {
            "diagnosis": "follicular_lymphoma",
            "disease_status": "refractory",
            "prior_treatment_lines": "2",
        },
        {CARTEYVA_FL},
        set(),
        [],
    ),
    (
        {
            "diagnosis": "follicular_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "1",
        },
        set(),
        set(),
        [],
    ),
    (
        {
            "diagnosis": "follicular_lymphoma",
            "disease_status": "not_sure",
            "prior_treatment_lines": "3",
        },
        set(),
        {CARTEYVA_FL},
        ["disease_status"],
    ),
    # Mantle cell lymphoma: relma-cel, relapsed or refractory, no number of lines stated.
    (
        {
            "diagnosis": "mantle_cell_lymphoma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "0",
        },
        {CARTEYVA_MCL},
        set(),
        [],
    ),
    (
        {"diagnosis": "mantle_cell_lymphoma", "disease_status": "newly_diagnosed"},
        set(),
        set(),
        [],
    ),
    # B-ALL: inaticabtagene autoleucel (CNCT19), adults.
    (
        {"diagnosis": "b_all", "disease_status": "refractory"},
        {CNCT19},
        set(),
        [],
    ),
    (
        {"diagnosis": "b_all", "disease_status": "refractory", "birth_year": 2012},
        set(),
        set(),
        [],
    ),
    (
        {"diagnosis": "b_all", "disease_status": "", "birth_year": None},
        set(),
        {CNCT19},
        ["disease_status", "birth_year"],
    ),
    # Multiple myeloma: eque-cel, zevor-cel, cilta-cel after three lines.
    (
        {
            "diagnosis": "multiple_myeloma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "4+",
        },
        MYELOMA,
        set(),
        [],
    ),
    (
        {
            "diagnosis": "multiple_myeloma",
            "disease_status": "refractory",
            "prior_treatment_lines": "3",
        },
        MYELOMA,
        set(),
        [],
    ),
    (
        {
            "diagnosis": "multiple_myeloma",
            "disease_status": "refractory",
            "prior_treatment_lines": "2",
        },
        set(),
        set(),
        [],
    ),
    (
        {
            "diagnosis": "multiple_myeloma",
            "disease_status": "relapsed",
            "prior_treatment_lines": "not_sure",
        },
        set(),
        MYELOMA,
        ["prior_treatment_lines"],
    ),
    # No shipped label: CLL; "something else"; a diagnosis not known is asked for first.
    (
        {"diagnosis": "cll", "disease_status": "relapsed", "prior_treatment_lines": "3"},
        set(),
        set(),
        [],
    ),
    ({"diagnosis": "other"}, set(), set(), []),
    ({"diagnosis": "not_sure"}, set(), set(), ["diagnosis"]),
]


@pytest.mark.parametrize(("answers", "consistent", "possible", "questions"), LABEL_TABLE)
def test_the_answers_point_to_the_labels_they_are_consistent_with(
    catalogue, answers, consistent, possible, questions
):
    result = pathway(catalogue, **answers)

    assert names(result.consistent_labels) == consistent
    assert names(result.possible_labels) == possible
    assert asked(result) == questions


@pytest.mark.parametrize(
    "question",
    [
        "disease_status",
        "prior_treatment_lines",
        "prior_stem_cell_transplant",
        "prior_car_t",
        "target_tested",
        "daily_self_care",
    ],
)
@pytest.mark.parametrize(
    "answers",
    [answers for answers, consistent, _possible, _questions in LABEL_TABLE if consistent],
)
def test_not_sure_never_excludes_a_label_the_other_answers_fit(catalogue, answers, question):
    fitting = names(pathway(catalogue, **answers).labels)

    unsure = pathway(catalogue, **{**answers, question: "not_sure"})

    assert fitting <= names(unsure.labels)


def test_a_consistent_label_lists_the_conditions_its_answers_met(catalogue):
    result = pathway(
        catalogue,
        diagnosis="large_b_cell_lymphoma",
        disease_status="relapsed",
        prior_treatment_lines="2",
    )

    yikaida = next(
        label
        for label in result.labels
        if (label.rule.product_name, label.rule.key) == ("Yikaida", "lbcl-after-two-lines")
    )
    assert yikaida.met == (
        "diagnosis: Large B-cell lymphoma (e.g. DLBCL)",
        "disease status: Relapsed (came back after treatment)",
        "prior lines of treatment: 2 (at least 2)",
        "age: 55 or 56 (18 to any)",
    )
    assert yikaida.rule.source_link.startswith("https://www.reuters.com/")


def test_still_needed_lists_the_questions_in_the_forms_order_then_each_label_condition_once(
    catalogue,
):
    result = pathway(
        catalogue,
        diagnosis="multiple_myeloma",
        disease_status="not_sure",
        prior_treatment_lines="",
        birth_year=2008,
    )

    assert [(question.kind, question.text, question.key) for question in result.still_needed] == [
        ("answer", "disease status (not sure)", "disease_status"),
        ("answer", "prior lines of treatment (not answered)", "prior_treatment_lines"),
        ("answer", "date of birth (not answered)", "birth_date"),
        (
            "label condition",
            "Did the treatments so far include a proteasome inhibitor and an immunomodulatory "
            "drug?",
            "Cilta-cel, Fucaso, Zevor-cel",
        ),
    ]


def test_a_label_condition_the_form_does_not_ask_is_still_needed_even_when_consistent(catalogue):
    result = pathway(
        catalogue,
        diagnosis="follicular_lymphoma",
        disease_status="refractory",
        prior_treatment_lines="3",
    )

    assert names(result.consistent_labels) == {CARTEYVA_FL}
    assert [question.text for question in result.still_needed] == [
        "If the lymphoma came back: did it come back within 24 months of the second-line (or a "
        "later) treatment?"
    ]


# ---- Trials ------------------------------------------------------------------------------------


def trial_ids(result):
    return {trial.trial.registry_id for trial in result.trials}


def test_a_relapsed_large_b_cell_lymphoma_points_to_the_recruiting_b_cell_lymphoma_trial(
    catalogue,
):
    result = pathway(
        catalogue,
        diagnosis="large_b_cell_lymphoma",
        disease_status="relapsed",
        prior_treatment_lines="2",
    )

    assert trial_ids(result) == {"NCT06911710"}
    assert result.trials[0].why == ("takes Large B-cell lymphoma (e.g. DLBCL)", "recruiting")
    assert result.trials_checked_on == datetime.date(2026, 11, 28)


def test_a_catalogue_keeps_only_the_trials_a_patient_could_still_join():
    closed = ClinicalTrial(
        registry_id="NCT99999998",
        title="A finished trial",
        recruitment_status="COMPLETED",
        diseases=["b_all"],
        last_verified_on=TODAY,
    )

    assert Catalogue.of([], [closed]).trials_by_disease == {}


def test_only_open_trials_are_possible(catalogue):
    result = pathway(catalogue, diagnosis="multiple_myeloma", disease_status="relapsed")

    # LUMMICAR STUDY 1 (active, not recruiting) and CARTIFAN-1 (terminated) are not listed.
    assert trial_ids(result) == {"NCT06464991", "NCT05181501"}


@pytest.mark.parametrize(
    ("birth_year", "listed", "questions"),
    # The trial takes 18 to 65: 66 or 67 is out; 65 or 66 is asked (the date of birth tells).
    [(1990, True, []), (1959, False, []), (1960, True, ["birth_date"])],
)
def test_a_trials_age_range_excludes_only_those_surely_outside_it(
    catalogue, birth_year, listed, questions
):
    result = pathway(catalogue, diagnosis="b_all", disease_status="relapsed", birth_year=birth_year)

    assert ("NCT04684147" in trial_ids(result)) is listed
    assert asked(result) == questions


def test_a_trials_structured_criteria_exclude_and_ask_like_a_label(catalogue):
    ClinicalTrial.objects.filter(registry_id="NCT06464991").update(
        minimum_prior_lines=1, prior_car_t="not_allowed"
    )
    catalogue = Catalogue.load()

    had_car_t = pathway(catalogue, diagnosis="multiple_myeloma", prior_car_t="yes")
    not_sure = pathway(catalogue, diagnosis="multiple_myeloma", prior_treatment_lines="not_sure")

    assert "NCT06464991" not in trial_ids(had_car_t)
    assert "NCT06464991" in trial_ids(not_sure)
    assert "prior_treatment_lines" in asked(not_sure)


def test_a_trial_targeting_the_tested_marker_says_so_and_a_stale_one_is_marked(catalogue):
    ClinicalTrial.objects.filter(registry_id="NCT06911710").update(
        targets=["CD19"], last_verified_on=TODAY - datetime.timedelta(days=91)
    )

    result = pathway(Catalogue.load(), diagnosis="large_b_cell_lymphoma", target_tested="cd19")

    (trial,) = result.trials
    assert "targets CD19, the marker tested" in trial.why
    assert trial.is_stale


# ---- An enquiry's pathway ----------------------------------------------------------------------


def test_an_enquirys_pathway_reads_its_answers_and_the_records_it_has_not_sent(
    django_assert_num_queries,
):
    enquiry = make_enquiry(
        diagnosis="large_b_cell_lymphoma",
        disease_status="relapsed",
        prior_treatment_lines="2",
        birth_year=1970,
    )
    RecordFile.objects.create(
        enquiry=enquiry,
        file="records/pathology.pdf",
        original_name="pathology.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        checklist_item="pathology_report",
    )

    # The files sent (1), the checklist (2), the products and rules (2), the open trials (2).
    with django_assert_num_queries(7):
        result = pathway_for(enquiry, today=TODAY)

    assert names(result.consistent_labels) == {YIKAIDA_3L, CARTEYVA_3L, YIKAIDA_2L}
    records = [question for question in result.still_needed if question.kind == "record"]
    assert [question.key for question in records] == [
        "recent_scan",
        "bone_marrow_report",
        "treatment_history",
        "transplant_and_car_t_history",
        "blood_tests",
        "doctor_letter",
    ]
    assert records[0].required


def test_an_enquirys_pathway_follows_a_changed_rule():
    enquiry = make_enquiry(
        diagnosis="multiple_myeloma", disease_status="relapsed", prior_treatment_lines="3"
    )
    assert len(pathway_for(enquiry, today=TODAY).consistent_labels) == 3

    LabelRule.objects.filter(product__slug="zevorcabtagene-autoleucel").update(
        minimum_prior_lines=4
    )

    assert names(pathway_for(enquiry, today=TODAY).consistent_labels) == MYELOMA - {
        "Zevor-cel/mm-after-three-lines"
    }


def test_answers_are_read_from_the_enquiry_as_the_form_stored_them():
    enquiry = make_enquiry(diagnosis="b_all", prior_car_t="not_sure", birth_year=1980)

    answers = Answers.of(enquiry)

    assert dataclasses.asdict(answers) == {
        "diagnosis": "b_all",
        "disease_status": "",
        "prior_treatment_lines": "",
        "prior_stem_cell_transplant": "",
        "prior_car_t": "not_sure",
        "target_tested": "",
        "daily_self_care": "",
        "birth_year": 1980,
        "birth_date": None,
    }

"""A programme's diseases are the form's diagnoses: the public filter and the form name each one
with the same key and the same words (therapy_info cannot import the form's choices)."""

from enquiries.models import Enquiry
from therapy_info.programmes import Disease


def test_each_disease_a_programme_treats_is_a_diagnosis_of_the_form_in_the_same_words():
    diagnoses = {value: str(label) for value, label in Enquiry.Diagnosis.choices}

    assert {value: str(label) for value, label in Disease.choices} == {
        value: diagnoses[value] for value in Disease.values
    }


def test_only_the_forms_catch_alls_are_not_diseases_a_programme_treats():
    assert set(Enquiry.Diagnosis.values) - set(Disease.values) == {"other", "not_sure"}

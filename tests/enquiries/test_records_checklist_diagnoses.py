"""The shipped records checklists meet the enquiry form: each is for a diagnosis the form stores (or
is the general one), and every diagnosis a patient can choose gets a checklist. therapy_info never
imports enquiries, so this check lives with the app that builds on both."""

import pytest

from enquiries.models import Enquiry
from therapy_info.content_files import read_content
from therapy_info.records_checklists import GENERAL, checklist_for


def test_every_shipped_checklist_is_for_a_diagnosis_the_form_stores_or_the_general_one():
    shipped = {checklist.key for checklist in read_content()["records_checklists"]}

    assert GENERAL in shipped
    assert shipped - {GENERAL} <= set(Enquiry.Diagnosis.values)


@pytest.mark.django_db
@pytest.mark.parametrize("diagnosis", Enquiry.Diagnosis.values)
def test_every_diagnosis_a_patient_can_choose_gets_a_checklist(diagnosis):
    checklist = checklist_for(diagnosis)

    assert checklist is not None
    assert checklist.diagnosis in (diagnosis, GENERAL)
    assert checklist.items.all()

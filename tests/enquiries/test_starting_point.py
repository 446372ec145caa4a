"""What the patient sees of where their answers point, on the thank-you page and the case page: the
answers the doctors will look at, in the patient's words and language, the records of the
checklist not sent yet, and that it is an automatic starting point based on their own answers;
never a product, a trial or a promise."""

import re
import uuid

import pytest

from enquiries import records
from enquiries.models import CaseLink, Enquiry
from tests.factories import make_enquiry, pdf_file, valid_form_data
from therapy_info.products import ApprovedProduct
from therapy_info.records_checklists import checklist_for
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

STARTING_POINT = (
    "This is an automatic starting point for the medical team, based on your own answers in the "
    "form. It is not a medical opinion: only the doctors can say whether a treatment may be "
    "possible."
)
LBCL_AFTER_TWO_LINES = {
    "diagnosis": "large_b_cell_lymphoma",
    "disease_status": "relapsed",
    "prior_treatment_lines": "2",
    "prior_stem_cell_transplant": "no",
    "prior_car_t": "not_sure",
}


def section(html):
    """The starting point's text, tags removed and spaces joined ("" when the page has none)."""
    if 'data-testid="starting-point"' not in html:
        return ""
    start = html.index('data-testid="starting-point"')
    markup = html[html.index(">", start) + 1 : html.index("</section>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def thank_you_page(client, language="en", **answers):
    response = client.post(f"/{language}/start/", valid_form_data(**answers), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def case_page(client, enquiry, language="en"):
    response = client.get(f"/{language}/case/{CaseLink.issue(enquiry)}/")
    assert response.status_code == 200
    return response.content.decode()


def record_labels(diagnosis):
    return [str(item.label) for item, _sent in checklist_for(diagnosis).ticked([])]


def test_the_thank_you_page_shows_what_the_doctors_will_look_at_from_the_patients_answers(
    client,
):
    text = section(thank_you_page(client, **LBCL_AFTER_TWO_LINES))

    assert text.startswith("What the doctors will look at " + STARTING_POINT)
    assert (
        "Diagnosis Large B-cell lymphoma (e.g. DLBCL) "
        "Disease status now Relapsed (came back after treatment) "
        "How many lines of treatment so far? 2 "
        "A stem-cell transplant before? No "
        "CAR-T therapy before? Not sure"
    ) in text


def test_the_thank_you_page_lists_the_records_that_help(client):
    text = section(thank_you_page(client, **LBCL_AFTER_TWO_LINES))

    assert "Which records help These records help the doctors, and you have not sent them yet:" in (
        text
    )
    for label in record_labels("large_b_cell_lymphoma"):
        assert label in text
    assert "Biopsy report (pathology), with immunohistochemistry Important" in text
    assert "You can send them from your private case page." in text


def test_a_question_the_patient_skipped_is_shown_as_not_answered(client):
    text = section(thank_you_page(client, diagnosis="multiple_myeloma", disease_status=""))

    assert "Disease status now Not answered" in text
    assert "How many lines of treatment so far? Not answered" in text


def test_the_patient_is_never_shown_a_product_a_trial_or_a_promise(client):
    pages = [thank_you_page(client, **LBCL_AFTER_TWO_LINES)]
    pages.append(case_page(client, Enquiry.objects.get()))
    names = [
        name
        for product in ApprovedProduct.objects.all()
        for name in (product.name, product.generic_name)
    ]
    names += [trial.registry_id for trial in ClinicalTrial.objects.all()]

    for html in pages:
        assert [name for name in names if name.lower() in html.lower()] == []
        for promise in ("eligible", "approved", "trial", "label"):
            assert promise not in section(html).lower()


def test_the_thank_you_page_speaks_the_patients_language(client):
    text = section(thank_you_page(client, language="zh-hans", **LBCL_AFTER_TWO_LINES))

    assert text.startswith("医生会关注的内容 这是根据您自己在表格中的回答自动生成的初步信息")
    assert "诊断 大B细胞淋巴瘤" in text


def test_the_case_page_shows_the_starting_point_without_the_records_already_sent(client):
    enquiry = make_enquiry(**LBCL_AFTER_TWO_LINES)
    records.store(enquiry, pdf_file(), checklist_item="pathology_report").save()

    text = section(case_page(client, enquiry))

    assert STARTING_POINT in text
    assert "Diagnosis Large B-cell lymphoma (e.g. DLBCL)" in text
    sent, *not_sent = record_labels("large_b_cell_lymphoma")
    assert sent not in text
    assert all(label in text for label in not_sent)
    assert "You can send them below, on this page." in text


def test_the_case_page_thanks_a_patient_who_sent_every_record(client):
    enquiry = make_enquiry(**LBCL_AFTER_TWO_LINES)
    for item, _sent in checklist_for(enquiry.diagnosis).ticked([]):
        records.store(enquiry, pdf_file(f"{uuid.uuid4().hex}.pdf"), checklist_item=item.key).save()

    text = section(case_page(client, enquiry))

    assert "You have sent a file for every record on the list. Thank you." in text
    assert "you have not sent them yet" not in text


def test_a_closed_enquiry_shows_no_starting_point(client):
    enquiry = make_enquiry(**LBCL_AFTER_TWO_LINES, status=Enquiry.Status.CLOSED_NOT_ELIGIBLE)

    assert section(case_page(client, enquiry)) == ""

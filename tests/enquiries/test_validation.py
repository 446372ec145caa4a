"""Bad input: every field gets a clear message and the patient never loses what they typed."""

import pytest
import time_machine
from django.urls import reverse

from enquiries.models import Enquiry
from tests.enquiries.conftest import valid_form_data

pytestmark = pytest.mark.django_db


def errors_of(response):
    return response.context["form"].errors


def test_it_names_each_missing_required_field(submit):
    response = submit(
        {
            "submission_token": valid_form_data()["submission_token"],
            "preferred_contact_channel": "email",
        }
    )
    assert set(errors_of(response)) == {
        "relationship",
        "patient_name",
        "birth_year",
        "country",
        "email",
        "consent_health_data",
    }
    assert not Enquiry.objects.exists()


def test_it_lists_the_problems_at_the_top_with_links_to_the_fields(submit):
    html = submit(valid_form_data(email="not-an-email")).content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    assert 'role="alert"' in html
    assert 'href="#id_email"' in summary
    assert "Enter an email address like name@example.com." in summary


def test_it_marks_an_invalid_field_for_screen_readers(submit):
    html = submit(valid_form_data(email="not-an-email")).content.decode()
    email_input = html[html.index('name="email"') - 20 : html.index('id="id_email"')]
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="id_email_error"' in email_input


def test_it_keeps_what_was_typed_when_something_is_wrong(submit):
    html = submit(
        valid_form_data(email="not-an-email", medical_summary="Relapsed twice after R-CHOP")
    ).content.decode()
    assert "Relapsed twice after R-CHOP" in html
    assert 'value="Anna Novak"' in html


def test_it_keeps_the_submission_token_when_something_is_wrong(submit):
    data = valid_form_data(email="not-an-email")
    form = submit(data).context["form"]
    assert str(form["submission_token"].value()) == data["submission_token"]


def test_it_rejects_an_invalid_email(submit):
    assert "email" in errors_of(submit(valid_form_data(email="anna@")))


def test_it_rejects_an_invalid_phone_number(submit):
    errors = errors_of(submit(valid_form_data(phone="+44 123")))
    assert errors["phone"] == ["Enter a phone number with its country code, like +44 20 7946 0958."]


def test_it_stores_a_valid_phone_number_in_international_format(submit):
    submit(valid_form_data(phone="+44 20 7946 0958"))
    assert Enquiry.objects.get().phone == "+442079460958"


def test_it_reads_a_phone_number_without_country_code_as_one_of_the_country(submit):
    submit(valid_form_data(country="GB", phone="020 7946 0958"))
    assert Enquiry.objects.get().phone == "+442079460958"


@time_machine.travel("2026-06-01 12:00Z", tick=False)
def test_it_rejects_a_birth_year_in_the_future(submit):
    errors = errors_of(submit(valid_form_data(birth_year="2027")))
    assert errors["birth_year"] == ["The year of birth cannot be in the future."]


@time_machine.travel("2026-06-01 12:00Z", tick=False)
def test_it_rejects_a_birth_date_in_the_future(submit):
    errors = errors_of(submit(valid_form_data(birth_year="", birth_date="2026-06-02")))
    assert errors["birth_date"] == ["The date of birth cannot be in the future."]


def test_it_takes_the_year_from_the_date_of_birth(submit):
    submit(valid_form_data(birth_year="", birth_date="1968-04-30"))
    enquiry = Enquiry.objects.get()
    assert (enquiry.birth_year, str(enquiry.birth_date)) == (1968, "1968-04-30")


def test_it_rejects_a_date_of_birth_that_contradicts_the_year(submit):
    errors = errors_of(submit(valid_form_data(birth_year="1970", birth_date="1968-04-30")))
    assert "birth_date" in errors


def test_it_asks_a_doctor_for_their_name_and_hospital(submit):
    errors = errors_of(submit(valid_form_data(relationship="doctor")))
    assert errors["enquirer_name"] == ["Enter your name, doctor."]
    assert errors["referring_hospital"] == ["Enter the name of your hospital."]


def test_it_rejects_over_long_text_with_a_clear_message(submit):
    errors = errors_of(submit(valid_form_data(medical_summary="x" * 4001)))
    assert errors["medical_summary"] == [
        "Ensure this value has at most 4000 characters (it has 4001)."
    ]


def test_it_rejects_a_tampered_source_page(submit):
    assert "source_page_slug" in errors_of(submit(valid_form_data(source_page_slug="<script>")))


def test_it_rejects_a_choice_that_was_never_offered(submit):
    assert "diagnosis" in errors_of(submit(valid_form_data(diagnosis="cured")))


@pytest.mark.parametrize(
    "name",
    [
        "王小明",
        "محمد عبد الله",
        "Дмитрий Иванов",
        "José Núñez-García",
        "Siobhán O'Brien",
        "Zoë 🌻 Smith",
    ],
)
def test_it_accepts_names_in_any_script(submit, name):
    response = submit(valid_form_data(patient_name=name))
    assert response.status_code == 302
    assert Enquiry.objects.get().patient_name == name


def test_it_accepts_every_medical_question_skipped(submit):
    skipped = {
        name: ""
        for name in [
            "diagnosis",
            "disease_status",
            "prior_treatment_lines",
            "prior_stem_cell_transplant",
            "prior_car_t",
            "target_tested",
            "daily_self_care",
            "medical_summary",
        ]
    }
    assert submit(valid_form_data(**skipped)).status_code == 302


def test_it_accepts_not_sure_for_every_medical_question(submit):
    not_sure = {
        name: "not_sure"
        for name in [
            "diagnosis",
            "disease_status",
            "prior_treatment_lines",
            "prior_stem_cell_transplant",
            "prior_car_t",
            "target_tested",
            "daily_self_care",
        ]
    }
    assert submit(valid_form_data(**not_sure)).status_code == 302


SCRIPT = '<script>alert("x")</script><b>bold</b>'
FREE_TEXT_FIELDS = [
    "patient_name",
    "enquirer_name",
    "referring_hospital",
    "preferred_language",
    "best_time_to_reach",
    "diagnosis_details",
    "medical_summary",
]


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_it_stores_html_exactly_as_typed(submit, field):
    submit(valid_form_data(**{field: SCRIPT}))
    assert getattr(Enquiry.objects.get(), field) == SCRIPT


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_it_escapes_html_when_showing_the_form_again(submit, field):
    html = submit(valid_form_data(email="bad", **{field: SCRIPT})).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_it_escapes_html_in_the_admin(submit, admin_client, field):
    submit(valid_form_data(**{field: SCRIPT}))
    enquiry = Enquiry.objects.get()
    url = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
    html = admin_client.get(url).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html

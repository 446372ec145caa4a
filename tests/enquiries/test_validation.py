"""Bad input: every field gets a clear message and the patient never loses what they typed."""

import pytest
import time_machine
from django import forms
from django.urls import reverse

from enquiries.case_forms import CaseFilesForm, FindEnquiryForm, PatientMessageForm
from enquiries.forms import EnquiryForm
from enquiries.models import Enquiry
from tests.factories import valid_form_data

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


def test_it_stores_the_date_of_birth_with_its_year(submit):
    submit(valid_form_data(birth_year="1968", birth_date="1968-04-30"))
    enquiry = Enquiry.objects.get()
    assert (enquiry.birth_year, str(enquiry.birth_date)) == (1968, "1968-04-30")


def test_a_date_of_birth_alone_still_asks_for_the_year(submit):
    errors = errors_of(submit(valid_form_data(birth_year="", birth_date="1968-04-30")))
    assert errors["birth_year"] == ["Enter the year the patient was born."]
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize("year", ["", "1800"])
def test_a_date_of_birth_before_1900_is_refused(submit, year):
    errors = errors_of(submit(valid_form_data(birth_year=year, birth_date="1800-01-01")))
    assert errors["birth_date"] == ["Enter a date of birth in 1900 or later."]
    assert not Enquiry.objects.exists()


def test_the_year_of_birth_is_one_required_question_with_its_star(client):
    html = client.get(reverse("enquiries:start")).content.decode()
    year_label = html[
        html.index('for="id_birth_year"') : html.index(
            "</label>", html.index('for="id_birth_year"')
        )
    ]
    date_label = html[
        html.index('for="id_birth_date"') : html.index(
            "</label>", html.index('for="id_birth_date"')
        )
    ]
    assert "Year of birth" in year_label and 'class="asteriskField"' in year_label
    assert "(optional)" in date_label and "asteriskField" not in date_label


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


NAME_FIELDS = ["patient_name", "enquirer_name", "referring_hospital"]
HIDDEN_CONTROLS = {
    "right-to-left override": "\u202e",
    "left-to-right override": "\u202d",
    "right-to-left embedding": "\u202b",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "left-to-right isolate": "\u2066",
    "right-to-left isolate": "\u2067",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "escape": "\x1b",
    "null": "\x00",
    "bell": "\x07",
    "line break": "\n",
    "delete": "\x7f",
    "C1 control": "\x85",
    "line separator": "\u2028",
}


@pytest.mark.parametrize("field", NAME_FIELDS)
@pytest.mark.parametrize("control", HIDDEN_CONTROLS.values(), ids=HIDDEN_CONTROLS.keys())
def test_a_name_with_a_hidden_control_character_is_refused(submit, field, control):
    errors = errors_of(submit(valid_form_data(**{field: f"Anna{control} Novak"})))
    # Django's own check names a NUL character first, in every language Django speaks.
    expected = (
        "Null characters are not allowed."
        if control == "\x00"
        else "This contains hidden control characters, perhaps copied with the text. "
        "Please type it again."
    )
    assert errors[field] == [expected]
    assert not Enquiry.objects.exists()


INVISIBLE = {
    "zero-width space": "\u200b",
    "byte-order mark": "\ufeff",
    "word joiner": "\u2060",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "zero-width joiner between Latin letters": "\u200d",
    "zero-width non-joiner between Latin letters": "\u200c",
}


@pytest.mark.parametrize("field", NAME_FIELDS)
@pytest.mark.parametrize("invisible", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_an_invisible_character_in_a_name_is_removed(submit, field, invisible):
    response = submit(
        valid_form_data(relationship="doctor", **{field: f"{invisible}An{invisible}na Novak"})
        | {name: "Dr Ivanova" for name in NAME_FIELDS if name != field}
    )
    assert response.status_code == 302
    assert getattr(Enquiry.objects.get(), field) == "Anna Novak"


def test_a_name_of_invisible_characters_only_is_missing(submit):
    errors = errors_of(submit(valid_form_data(patient_name="\u200b\ufeff\u200b")))
    assert errors["patient_name"] == ["Enter the patient's full name."]


@pytest.mark.parametrize("field", NAME_FIELDS)
@pytest.mark.parametrize(
    "name",
    [
        "王小明",
        "محمد عبد الله",
        "Дмитрий Иванов",
        "अनिल कुमार शर्मा",
        "José Núñez-García",
        "Siobhán O'Brien",
        "Mary-Jane D’Arcy",  # noqa: RUF001 (the typographic apostrophe is the point)
        # Persian writes some names with a zero-width non-joiner, Indic scripts use the
        # zero-width joiner to choose a letter form, and emoji sequences join with it too.
        "علی\u200cرضا محمدی",  # noqa: RUF001 (a Persian name, not a lookalike)
        "क्\u200dष त्रिपाठी",
        "Zoë 👩\u200d⚕️ Smith",
    ],
)
def test_it_keeps_names_in_every_script_exactly(submit, field, name):
    response = submit(
        valid_form_data(relationship="doctor", **{field: name})
        | {other: "Dr Ivanova" for other in NAME_FIELDS if other != field}
    )
    assert response.status_code == 302
    assert getattr(Enquiry.objects.get(), field) == name


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ("phone", "Enter the phone number we should call."),
        ("whatsapp", "Enter the phone number you use on WhatsApp."),
    ],
)
def test_a_phone_call_or_whatsapp_needs_a_phone_number(submit, channel, message):
    errors = errors_of(submit(valid_form_data(preferred_contact_channel=channel, phone="")))
    assert errors["phone"] == [message]
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize(
    ("channel", "message"),
    [("wechat", "Enter your WeChat ID."), ("telegram", "Enter your Telegram username.")],
)
def test_wechat_or_telegram_needs_the_account(submit, channel, message):
    errors = errors_of(submit(valid_form_data(preferred_contact_channel=channel)))
    assert errors["messenger_id"] == [message]
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize(
    ("channel", "messenger_id"),
    [
        ("wechat", "wxid_anna1970"),
        ("wechat", "+420 601 123 456"),
        ("telegram", "@anna_novak"),
        ("telegram", "anna-novak.cz"),
    ],
)
def test_it_stores_the_wechat_or_telegram_account(submit, channel, messenger_id):
    response = submit(
        valid_form_data(preferred_contact_channel=channel, messenger_id=f"  {messenger_id} ")
    )
    assert response.status_code == 302
    assert Enquiry.objects.get().messenger_id == messenger_id


def test_a_whatsapp_choice_with_a_phone_number_is_stored(submit):
    submit(valid_form_data(preferred_contact_channel="whatsapp", phone="+44 20 7946 0958"))
    enquiry = Enquiry.objects.get()
    assert (enquiry.preferred_contact_channel, enquiry.phone) == ("whatsapp", "+442079460958")


@pytest.mark.parametrize(
    "messenger_id", ["a", "<script>", "anna novak", "x" * 65, "@@anna", "anna\u202e"]
)
def test_an_impossible_messenger_account_is_refused(submit, messenger_id):
    errors = errors_of(
        submit(valid_form_data(preferred_contact_channel="telegram", messenger_id=messenger_id))
    )
    assert "messenger_id" in errors
    assert not Enquiry.objects.exists()


@pytest.mark.parametrize(
    "form_class",
    [EnquiryForm, PatientMessageForm, FindEnquiryForm, CaseFilesForm],
    ids=lambda form_class: form_class.__name__,
)
def test_every_required_field_of_a_patients_form_says_in_our_words_what_to_do(form_class):
    """Django's "This field is required." names no field and says nothing about what to do."""
    djangos_own = str(forms.Field.default_error_messages["required"])

    generic = [
        name
        for name, field in form_class().fields.items()
        if field.required and str(field.error_messages["required"]) == djangos_own
    ]

    assert generic == []

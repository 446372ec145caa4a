"""The enquiry form in a real browser: a patient on a phone fills in everything and sends it."""

import re

import pytest

from enquiries.models import City, Consent, Enquiry

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def in_group(page, field):
    return page.locator(f"#div_id_{field}")


def test_a_patient_on_a_phone_sends_the_whole_form(phone_page, live_server, screenshot):
    # Transactional tests before this one may have flushed the seeded cities.
    for order, name in enumerate(["Beijing", "Shanghai"]):
        City.objects.get_or_create(name=name, defaults={"order": order})
    page = phone_page
    page.goto(f"{live_server.url}/en/start/?from=what-is-car-t&utm_source=newsletter")

    page.get_by_label("I am the patient").check()
    page.get_by_label("Patient's full name").fill("Анна Новак")
    in_group(page, "gender").get_by_label("Female").check()
    page.get_by_label("Year of birth").fill("1970")
    page.get_by_label("Country where the patient lives").select_option("CZ")
    page.get_by_label("Email address").fill("anna@example.org")
    page.get_by_label("Phone number with country code (optional)").fill("+420 601 123 456")
    in_group(page, "preferred_contact_channel").get_by_label("WhatsApp").check()
    page.get_by_label("Which language do you prefer?").fill("Czech")
    page.get_by_label("Best time to reach you").fill("Weekdays after 6 pm")
    page.get_by_label("Your time zone").select_option("UTC+01:00")

    page.get_by_label("Diagnosis", exact=True).select_option("large_b_cell_lymphoma")
    page.get_by_label("Diagnosis in your words (optional)").fill("DLBCL, stage IV")
    in_group(page, "disease_status").get_by_label("Relapsed").check()
    page.get_by_label("How many lines of treatment so far?").select_option("2")
    in_group(page, "prior_stem_cell_transplant").get_by_label("No", exact=True).check()
    in_group(page, "prior_car_t").get_by_label("No", exact=True).check()
    in_group(page, "target_tested").get_by_label("CD19").check()
    page.get_by_label("How does the patient manage day to day?").select_option("light_activity")
    page.get_by_label("Anything else we should know? (optional)").fill("R-CHOP, then R-GemOx.")

    in_group(page, "preferred_cities").get_by_label("Beijing").check()
    in_group(page, "preferred_cities").get_by_label("Shanghai").check()
    in_group(page, "travel_timeframe").get_by_label("Within 1 month").check()
    in_group(page, "companion_travelling").get_by_label("Yes", exact=True).check()

    page.get_by_label("Medical records (optional)").set_input_files(
        [{"name": "pathology.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_label("I agree that the health information").check()
    page.get_by_label("I agree that my case is shared").check()
    screenshot(page, "enquiry-form-filled-phone")

    page.get_by_role("button", name="Send my enquiry").click()

    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"CT-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert reference not in page.url
    screenshot(page, "enquiry-thank-you-phone")

    enquiry = Enquiry.objects.get(reference=reference)
    assert enquiry.patient_name == "Анна Новак"
    assert enquiry.phone == "+420601123456"
    assert enquiry.source_page_slug == "what-is-car-t"
    assert enquiry.utm_source == "newsletter"
    assert set(enquiry.preferred_cities.values_list("name", flat=True)) == {"Beijing", "Shanghai"}
    given = dict(enquiry.consents.values_list("kind", "given"))
    assert given == {
        Consent.Kind.HEALTH_DATA_PROCESSING: True,
        Consent.Kind.HOSPITAL_SHARING: True,
        Consent.Kind.MARKETING_EMAIL: False,
    }
    (record,) = enquiry.record_files.all()
    assert (record.original_name, record.content_type) == ("pathology.pdf", "application/pdf")
    record.file.storage.delete(record.file.name)


def test_a_patient_who_forgets_the_consent_sees_why_and_keeps_their_answers(
    phone_page, live_server
):
    page = phone_page
    page.goto(f"{live_server.url}/en/start/")
    page.get_by_label("I am the patient").check()
    page.get_by_label("Patient's full name").fill("Anna Novak")
    page.get_by_label("Year of birth").fill("1970")
    page.get_by_label("Country where the patient lives").select_option("CZ")
    page.get_by_label("Email address").fill("anna@example.org")
    page.get_by_role("button", name="Send my enquiry").click()

    summary = page.get_by_role("alert")
    assert "We can only answer your enquiry if you agree to this." in summary.inner_text()
    assert page.get_by_label("Patient's full name").input_value() == "Anna Novak"
    assert not Enquiry.objects.exists()

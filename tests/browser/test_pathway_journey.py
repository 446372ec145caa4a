"""From pre-screen to pathway in Debian's Chromium: a patient with large B-cell lymphoma relapsed
after two lines sends the form on a phone and reads what the doctors will look at and which records
help; the coordinator finds the enquiry with the list's "matches an approved label" filter and sees,
on its page, the approved labels it is consistent with (Yikaida and Carteyva, as the shipped rules
say) and the records still missing; the patient's case page shows the records checklist. The
enquiry page and the case page have no WCAG A/AA violation; each screen is photographed."""

import pytest

from enquiries.models import Enquiry
from tests.browser import helpers

pytestmark = pytest.mark.browser


def in_group(page, field):
    return page.locator(f"#div_id_{field}")


def send_the_form(page, live_server):
    page.goto(f"{live_server.url}/en/start/")
    page.get_by_label("I am the patient").check()
    page.get_by_label("Patient's full name").fill("Milan Horák")
    page.get_by_label("Year of birth").fill("1968")
    page.get_by_label("Country where the patient lives").select_option("CZ")
    page.get_by_label("Email address").fill("milan@example.org")
    page.get_by_label("Diagnosis", exact=True).select_option("large_b_cell_lymphoma")
    in_group(page, "disease_status").get_by_label("Relapsed").check()
    page.get_by_label("How many lines of treatment so far?").select_option("2")
    in_group(page, "prior_stem_cell_transplant").get_by_label("No", exact=True).check()
    in_group(page, "prior_car_t").get_by_label("No", exact=True).check()
    page.get_by_label("I agree that the health information").check()
    page.get_by_role("button", name="Send my enquiry").click()
    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    return Enquiry.objects.get(reference=page.get_by_test_id("reference").inner_text())


def test_a_relapsed_lymphoma_after_two_lines_points_to_the_approved_labels_and_the_records(
    phone_page, desktop_page, live_server, django_user_model, screenshot
):
    helpers.load_shipped_content()
    helpers.load_cities()
    helpers.staff_user(django_user_model, "cora", "coordinator", first_name="Cora")

    # The patient sends the form and reads, in their own words, what the doctors will look at.
    patient = phone_page
    enquiry = send_the_form(patient, live_server)
    starting_point = patient.get_by_test_id("starting-point")
    assert "automatic starting point for the medical team" in starting_point.inner_text()
    assert "Relapsed (came back after treatment)" in starting_point.inner_text()
    to_send = patient.get_by_test_id("records-to-send").locator("li")
    assert "Recent PET-CT scan report Important" in to_send.all_inner_texts()
    assert "Yikaida" not in patient.content()
    screenshot(patient, "pathway-thank-you-phone")

    # The coordinator filters the list by "matches an approved label" and opens the enquiry.
    coordinator = desktop_page
    helpers.log_in(coordinator, live_server, "cora")
    coordinator.goto(f"{live_server.url}/admin/enquiries/enquiry/")
    coordinator.locator('[data-filter-title="matches an approved label"]').get_by_role(
        "link", name="Yes"
    ).click()
    coordinator.wait_for_url("**/admin/enquiries/enquiry/?label=yes")
    coordinator.get_by_role("link", name=enquiry.reference).click()
    panel = coordinator.get_by_test_id("pathway")
    panel.wait_for()
    labels = panel.get_by_test_id("pathway-labels").locator(":scope > li")
    assert [text.split(":")[0] for text in labels.all_inner_texts()] == [
        "Carteyva (relmacabtagene autoleucel)",
        "Yikaida (axicabtagene ciloleucel)",
        "Yikaida (axicabtagene ciloleucel)",
    ]
    assert "prior lines of treatment: 2 (at least 2)" in labels.nth(0).inner_text()
    assert panel.get_by_test_id("pathway-trials").get_by_role("link", name="NCT06911710").count()
    needed = panel.get_by_test_id("pathway-still-needed").inner_text()
    assert "A record: Recent PET-CT scan report (needed)" in needed
    assert "A record: Treatment history with dates and results (needed)" in needed
    panel.scroll_into_view_if_needed()
    screenshot(coordinator, "pathway-enquiry-page")
    violations = helpers.axe_violations(coordinator)
    assert violations == {}, helpers.describe(violations)

    # The patient's case page lists the records checklist, none of it sent yet.
    patient.get_by_test_id("case-link").click()
    patient.get_by_test_id("checklist").wait_for()
    checklist = patient.get_by_test_id("checklist").locator("li")
    assert checklist.count() == to_send.count()
    assert "Recent PET-CT scan report" in checklist.nth(1).inner_text()
    assert "Relapsed (came back after treatment)" in (
        patient.get_by_test_id("starting-point").inner_text()
    )
    screenshot(patient, "pathway-case-page-phone")
    violations = helpers.axe_violations(patient)
    assert violations == {}, helpers.describe(violations)

"""The four journeys the portal exists for, end to end in Debian's Chromium: a patient on a phone,
a keyboard-only patient, a coordinator in the back office, a content editor publishing a page.
Every page fixture fails its test on a console error, failed request or CSP violation."""

import re

import pytest
from playwright.sync_api import expect

from enquiries.models import Consent, Enquiry
from tests.browser import helpers
from tests.factories import make_enquiry
from therapy_info.models import Page

pytestmark = pytest.mark.browser


def in_group(page, field):
    return page.locator(f"#div_id_{field}")


def test_a_patient_on_a_phone_reads_follows_a_citation_and_sends_an_enquiry(
    phone_page, live_server, screenshot
):
    helpers.load_shipped_content()
    helpers.load_cities()
    page = phone_page

    page.goto(f"{live_server.url}/en/")
    screenshot(page, "home-phone")
    page.get_by_role("link", name="CAR-T cell therapy", exact=True).click()
    page.get_by_role("heading", level=1, name="CAR-T cell therapy").wait_for()

    page.locator(".page-body a.citation", has_text="[1]").first.click()
    page.wait_for_url("**#ref-1")
    assert page.locator("#ref-1").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "therapy-page-reference-phone")

    page.locator(".page-cta").get_by_role("link", name="Start My Medical Treatment").click()
    page.wait_for_url("**/start/?from=car-t-cell-therapy")

    # Every question answered, two of them wrongly: an email without a domain, a future year.
    page.get_by_label("I am the patient").check()
    page.get_by_label("Patient's full name").fill("Анна Новак")
    in_group(page, "gender").get_by_label("Female").check()
    page.get_by_label("Year of birth").fill("2090")
    page.get_by_label("Country where the patient lives").select_option("CZ")
    page.get_by_label("Email address").fill("anna@example")
    page.get_by_label("Phone number with country code").fill("+420 601 123 456")
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
    page.get_by_label("I agree that the health information").check()
    page.get_by_label("I agree that my case is shared").check()
    page.get_by_role("button", name="Send my enquiry").click()

    summary = page.get_by_role("alert")
    summary.wait_for()
    assert summary.get_by_role("link").all_inner_texts() == [
        "Year of birth — The year of birth cannot be in the future.",
        "Email address — Enter an email address like name@example.com.",
    ]
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    screenshot(page, "enquiry-form-errors-phone")
    # Nothing else was lost.
    assert page.get_by_label("Patient's full name").input_value() == "Анна Новак"
    assert in_group(page, "gender").get_by_label("Female").is_checked()
    assert page.get_by_label("Country where the patient lives").input_value() == "CZ"
    assert page.get_by_label("Your time zone").input_value() == "UTC+01:00"
    assert in_group(page, "disease_status").get_by_label("Relapsed").is_checked()
    assert in_group(page, "preferred_cities").get_by_label("Shanghai").is_checked()
    assert page.get_by_label("Anything else we should know? (optional)").input_value() == (
        "R-CHOP, then R-GemOx."
    )
    assert page.get_by_label("I agree that my case is shared").is_checked()

    # Each summary link leads to its field.
    summary.get_by_role("link", name=re.compile("^Year of birth")).click()
    assert page.evaluate("document.activeElement.id") == "id_birth_year"
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("1970")
    summary.get_by_role("link", name=re.compile("^Email address")).click()
    page.get_by_label("Email address").fill("anna@example.org")
    page.get_by_label("Medical records (optional)").set_input_files(
        [{"name": "pathology.pdf", "mimeType": "application/pdf", "buffer": helpers.PDF}]
    )
    page.get_by_role("button", name="Send my enquiry").click()

    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    reference = page.get_by_test_id("reference").inner_text()
    assert re.fullmatch(r"CT-[A-Z2-9]{4}-[A-Z2-9]{4}", reference)
    assert reference not in page.url
    screenshot(page, "enquiry-thank-you-phone")

    enquiry = Enquiry.objects.get(reference=reference)
    assert (enquiry.birth_year, enquiry.email) == (1970, "anna@example.org")
    assert (enquiry.patient_name, enquiry.phone) == ("Анна Новак", "+420601123456")
    assert enquiry.source_page_slug == "car-t-cell-therapy"
    assert set(enquiry.preferred_cities.values_list("name", flat=True)) == {"Beijing", "Shanghai"}
    assert dict(enquiry.consents.values_list("kind", "given")) == {
        Consent.Kind.HEALTH_DATA_PROCESSING: True,
        Consent.Kind.HOSPITAL_SHARING: True,
        Consent.Kind.MARKETING_EMAIL: False,
    }
    (record,) = enquiry.record_files.all()
    assert (record.original_name, record.content_type) == ("pathology.pdf", "application/pdf")
    record.file.storage.delete(record.file.name)


def test_a_keyboard_only_patient_sends_the_form_and_sees_every_focus(
    desktop_page, live_server, screenshot
):
    helpers.load_shipped_content()
    helpers.load_cities()
    page = desktop_page
    page.goto(f"{live_server.url}/en/")
    screenshot(page, "home-desktop")
    keys = helpers.KeyboardUser(page)

    keys.tab_to(".skip-link")
    assert page.locator(".skip-link").is_visible()
    keys.tab_to(".hero a.btn-cta")
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/start/")

    keys.tab_to("#id_relationship_0")
    page.keyboard.press("Space")
    keys.tab_to("#id_patient_name")
    keys.type("Anna Novak")
    keys.tab_to("#id_birth_year")
    keys.type("1970")
    keys.tab_to("#id_country")
    keys.type("Czechia")
    keys.tab_to("#id_email")
    keys.type("anna@example.org")
    # Back one field and forward again: Shift+Tab reaches the previous control.
    keys.tab_to("#id_country", backwards=True)
    assert page.locator("#id_country").input_value() == "CZ"
    keys.tab_to("#id_preferred_contact_channel_0")
    page.keyboard.press("Space")
    # The consent is forgotten on purpose; the form is sent with Enter on its button.
    keys.tab_to("[type=submit]")
    page.keyboard.press("Enter")

    page.locator("#error-summary").wait_for()
    # The server's new page puts the focus on the error summary, with no JavaScript.
    expect(page.locator("#error-summary")).to_be_focused()
    screenshot(page, "enquiry-form-error-summary-focused-desktop")
    keys.tab_to("#error-summary a")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_consent_health_data"
    page.keyboard.press("Space")
    assert page.locator("#id_consent_health_data").is_checked()
    # From the consent to the end of the form, through every control on the way.
    keys.tab_to("[type=submit]")
    assert keys.controls_without_a_visible_focus() == []

    keys.tab_to("[type=submit]", backwards=True)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    enquiry = Enquiry.objects.get()
    assert (enquiry.patient_name, enquiry.country, enquiry.birth_year) == ("Anna Novak", "CZ", 1970)


def test_every_control_on_the_empty_form_shows_a_visible_focus(desktop_page, live_server):
    helpers.load_cities()
    page = desktop_page
    page.goto(f"{live_server.url}/en/start/")
    keys = helpers.KeyboardUser(page)

    keys.tab_to("[type=submit]", limit=200)

    assert keys.visited > 40
    assert keys.controls_without_a_visible_focus() == []


def test_a_coordinator_takes_assigns_and_notes_an_enquiry_on_a_desktop(
    desktop_page, live_server, screenshot, django_user_model
):
    cora = helpers.staff_user(
        django_user_model, "cora", "coordinator", first_name="Cora", last_name="Ortiz"
    )
    colleague = helpers.staff_user(django_user_model, "chen", "coordinator", first_name="Chen")
    make_enquiry(email="older@example.org")
    newest = make_enquiry(patient_name="Maria Garcia")
    taken = make_enquiry(assigned_to=colleague)
    page = desktop_page

    helpers.log_in(page, live_server, "cora")
    page.get_by_role("link", name="New and unassigned enquiries").wait_for()
    page.goto(f"{live_server.url}/admin/enquiries/enquiry/")
    page.locator("#changelist-filter").get_by_role("link", name="Unassigned", exact=True).click()
    page.wait_for_url("**/?assigned=none")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert taken.reference not in page.locator("#result_list").inner_text()
    screenshot(page, "back-office-enquiry-list")

    page.get_by_role("link", name=newest.reference).click()
    page.get_by_role("heading", name="Timeline").wait_for()
    page.get_by_label("Assigned coordinator").select_option(label="Cora Ortiz")
    page.get_by_label("Status").select_option(label="In review")
    page.get_by_role("textbox", name="Add a note").fill("Called the patient; asking for records.")
    page.get_by_role("button", name="Save and continue editing").click()

    page.locator(".messagelist").wait_for()
    timeline = page.locator(".bo-timeline-list").inner_text()
    assert "Assigned to Cora Ortiz" in timeline
    assert "Status: New → In review" in timeline
    assert "Note added" in timeline
    assert "Called the patient; asking for records." in page.content()
    screenshot(page, "back-office-enquiry-page")
    newest.refresh_from_db()
    assert (newest.assigned_to, newest.status) == (cora, Enquiry.Status.IN_REVIEW)

    page.goto(f"{live_server.url}/admin/enquiries/enquiry/dashboard/")
    page.get_by_role("heading", name="Enquiries dashboard").wait_for()
    screenshot(page, "back-office-dashboard")


def test_a_content_editor_previews_a_draft_publishes_it_and_readers_see_it_at_once(
    desktop_page, phone_page, live_server, screenshot, django_user_model
):
    helpers.load_shipped_content()
    draft = Page.objects.create(
        title="Travelling to China for treatment",
        slug="travelling-to-china",
        summary="Visas, flights and where families stay.",
        body="Most patients stay about three months.",
    )
    helpers.staff_user(django_user_model, "erin", "content_editor")
    reader = phone_page
    # The reader's list of pages is now in the page cache, without the draft.
    reader.goto(f"{live_server.url}/en/car-t/")
    assert reader.get_by_role("link", name="Travelling to China for treatment").count() == 0

    editor = desktop_page
    helpers.log_in(editor, live_server, "erin")
    editor.goto(f"{live_server.url}/admin/therapy_info/page/{draft.pk}/change/")
    editor.locator("#id_body_en").fill("Most patients stay about three months, with one carer.")
    editor.get_by_role("button", name="Save and continue editing").first.click()
    editor.locator(".messagelist").wait_for()

    with editor.expect_popup() as opened:
        editor.locator(".field-public_link").get_by_role("link", name="Preview").click()
    preview = opened.value
    preview.get_by_text("Draft preview").wait_for()
    assert "with one carer" in preview.locator(".page-body").inner_text()
    screenshot(preview, "content-editor-draft-preview")
    preview.close()

    editor.goto(f"{live_server.url}/admin/therapy_info/page/")
    editor.get_by_role("checkbox", name="Select this object for an action - Travelling").check()
    editor.locator("select[name=action]").select_option(
        label="Publish the selected pages and their pending revisions"
    )
    editor.get_by_role("button", name="Run").click()
    editor.get_by_text("1 page published.").wait_for()

    reader.reload()
    reader.get_by_role("link", name="Travelling to China for treatment").click()
    assert "with one carer" in reader.locator(".page-body").inner_text()
    assert reader.get_by_text("Draft preview").count() == 0

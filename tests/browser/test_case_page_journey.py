"""The patient's case page end to end in Debian's Chromium: a patient on a phone follows the link
in their acknowledgement email, sends a record and a message, and a coordinator (logged in with
their second factor) sees them; an expired link is replaced by email. Plus the case page on a
phone in English and Arabic, photographed for reviewers."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from enquiries import case
from enquiries.models import CaseLink, CaseMessage, Enquiry
from tests.browser import helpers
from tests.factories import make_enquiry, pdf_file
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.browser

PROTEIN_TESTS = "Blood and urine protein tests"
MESSAGE = "The latest protein tests are from last week. Should we also send the bone marrow report?"


def case_links_in(email, live_server):
    return re.findall(rf"{re.escape(live_server.url)}/[a-z-]+/case/[A-Za-z0-9_-]+/", email.body)


def emails_to(address):
    return [email for email in mail.outbox if email.to == [address]]


def send_a_myeloma_enquiry(page, live_server):
    """The smallest valid form, by field ids, with multiple myeloma as the diagnosis."""
    page.goto(f"{live_server.url}/en/start/")
    page.locator("#id_relationship_0").check()
    page.locator("#id_patient_name").fill("Anna Novak")
    page.locator("#id_birth_year").fill("1958")
    page.locator("#id_country").select_option("CZ")
    page.locator("#id_email").fill("anna@example.org")
    page.locator("#id_preferred_contact_channel_0").check()
    page.locator("#id_diagnosis").select_option("multiple_myeloma")
    page.locator("#id_consent_health_data").check()
    page.locator("form.enquiry [type=submit]").click()
    return page.get_by_test_id("reference").inner_text()


def test_a_patient_follows_their_case_on_a_phone_and_a_coordinator_sees_what_they_sent(
    phone_page, desktop_page, live_server, settings, django_user_model, private_media, tmp_path
):
    helpers.load_shipped_content()
    settings.SITE_URL = live_server.url
    settings.STAFF_REQUIRE_2FA = True
    cora = helpers.staff_user(django_user_model, "cora", "coordinator", first_name="Cora")
    patient = phone_page

    reference = send_a_myeloma_enquiry(patient, live_server)
    run_ready_tasks()
    (acknowledgement,) = emails_to("anna@example.org")
    assert reference in acknowledgement.subject + acknowledgement.body
    (case_url,) = case_links_in(acknowledgement, live_server)

    # The link from the email, on the phone.
    patient.goto(case_url)
    assert patient.get_by_test_id("reference").inner_text() == reference
    assert patient.get_by_test_id("status").inner_text() == "Received"
    checklist = patient.get_by_test_id("checklist")
    assert PROTEIN_TESTS in checklist.inner_text()
    assert checklist.locator("li.is-sent").count() == 0

    record = tmp_path / "protein-tests.pdf"
    record.write_bytes(helpers.PDF)
    patient.locator("#id_checklist_item").select_option(label=PROTEIN_TESTS)
    patient.locator("#id_files").set_input_files(record)
    patient.locator("form:has(#id_files) [type=submit]").click()
    # The upload goes through the progress script: its answer replaces the page in place.
    expect(checklist.locator("li.is-sent")).to_have_count(1, timeout=20_000)
    (ticked,) = checklist.locator("li.is-sent").all()
    assert PROTEIN_TESTS in ticked.inner_text()
    assert "protein-tests.pdf" in patient.locator(".case-files").inner_text()

    patient.locator("#id_text").fill(MESSAGE)
    patient.locator("form:has(#id_text) [type=submit]").click()
    patient.wait_for_url(case_url)
    (sent,) = patient.locator(".case-conversation .case-message-patient").all()
    assert sent.locator(".case-message-text").inner_text() == MESSAGE

    # The coordinator sees the flag on the list, then the file and the message on the enquiry.
    coordinator = desktop_page
    helpers.log_in_with_the_second_factor(coordinator, live_server, cora)
    coordinator.goto(f"{live_server.url}/admin/enquiries/enquiry/")
    coordinator.locator("#changelist-filter").get_by_role(
        "link", name="New from the patient"
    ).click()
    coordinator.wait_for_url("**/?news=yes")
    (row,) = coordinator.locator("#result_list tbody tr").all()
    assert row.locator(".bo-flag-news").inner_text() == "New from the patient"
    row.get_by_role("link", name=reference).click()
    coordinator.get_by_role("heading", name="Timeline").wait_for()
    assert "protein-tests.pdf" in coordinator.locator("#record_files-group").inner_text()
    assert MESSAGE in coordinator.locator("#messages-group").inner_text()

    # Weeks later the link has gone unused for too long: the patient asks for a fresh one.
    enquiry = Enquiry.objects.get(reference=reference)
    idle = timedelta(days=settings.CASE_LINK_IDLE_DAYS + 1)
    CaseLink.objects.filter(enquiry=enquiry).update(last_used_at=timezone.now() - idle)
    patient.problems.expected_statuses = (410,)
    assert patient.goto(case_url).status == 410
    assert patient.get_by_test_id("reference").count() == 0
    patient.locator("#id_email").fill("anna@example.org")
    patient.locator("#id_reference").fill(reference.lower())
    patient.locator("form:has(#id_reference) [type=submit]").click()
    patient.wait_for_url("**/en/case/link-sent/")

    mail.outbox.clear()
    run_ready_tasks()
    (fresh_email,) = emails_to("anna@example.org")
    (fresh_url,) = case_links_in(fresh_email, live_server)
    assert fresh_url != case_url
    assert patient.goto(fresh_url).status == 200
    assert patient.get_by_test_id("reference").inner_text() == reference
    assert MESSAGE in patient.locator(".case-conversation").inner_text()


# What a patient writes and sends, in the language of the page (a phone's file name stays Latin).
CASE_IN = {
    "en": {
        "message": "Here are the protein tests from May. The bone marrow report follows next week.",
        "reply": "Thank you, Anna. The protein tests are here; we wait for the bone marrow report.",
    },
    "ar": {
        "message": "أرسلت تحاليل البروتين من شهر مايو. سأرسل تقرير نخاع العظم الأسبوع القادم.",
        "reply": "شكرًا لك. وصلتنا تحاليل البروتين، وسننتظر تقرير نخاع العظم.",
    },
}
LONG_FILE_NAME = "Serum_protein_electrophoresis_SPEP_UPEP_immunofixation_2026-05-12.pdf"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_case_page_fits_a_phone_in_english_and_arabic_without_sideways_scrolling(
    phone_page, live_server, django_user_model, private_media, screenshot, language
):
    helpers.load_shipped_content()
    cora = helpers.staff_user(django_user_model, "cora", "coordinator", first_name="Cora")
    enquiry = make_enquiry(
        language=language,
        diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA,
        status=Enquiry.Status.IN_REVIEW,
        assigned_to=cora,
    )
    case.receive_files_from_patient(
        enquiry, [pdf_file(LONG_FILE_NAME)], checklist_item="protein_tests"
    )
    case.send_message_from_patient(enquiry, CASE_IN[language]["message"], form_token=uuid.uuid4())
    CaseMessage.objects.create(
        enquiry=enquiry,
        sender=CaseMessage.Sender.COORDINATOR,
        author=cora,
        text=CASE_IN[language]["reply"],
    )
    page = phone_page

    page.goto(f"{live_server.url}/{language}/case/{CaseLink.issue(enquiry)}/")

    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.get_by_test_id("checklist").locator("li.is-sent").count() == 1
    assert page.locator(".case-conversation > li").count() == 2
    screenshot(page, f"case-page-{language}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # WCAG 1.4.10: no sideways scrolling at 320 CSS pixels either (a 1280-pixel window at 400 %).
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

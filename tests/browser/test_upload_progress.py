"""Files sent on a slow phone connection show their progress (static/js/upload-progress.js): each
file's bar fills, the megabytes sent and the time left are told, and the page the server answers
with, thank-you or the form with its errors, takes the form's place as a plain post would."""

import re

import pytest
from playwright.sync_api import expect

from enquiries.models import Enquiry
from tests.browser import helpers
from therapy_info.programmes import City

pytestmark = pytest.mark.browser

# A PDF as the form checks it (by its first bytes), padded to a size that takes a while to send.
THREE_MB_PDF = helpers.PDF + b"%" + b"0" * (3 * 1024 * 1024 - len(helpers.PDF) - 1)
# A slow mobile upload: 3 MB take about 15 seconds.
SLOW_UPLOAD = 200 * 1024


def slow_connection(page, upload_bytes_per_second=SLOW_UPLOAD):
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 40,
            "downloadThroughput": -1,
            "uploadThroughput": upload_bytes_per_second,
        },
    )


def fill_the_smallest_valid_form(page, *, consent=True):
    """By field ids, so the same steps work in every language."""
    page.locator("#id_relationship_0").check()
    page.locator("#id_patient_name").fill("Anna Novak")
    page.locator("#id_birth_year").fill("1970")
    page.locator("#id_country").select_option("CZ")
    page.locator("#id_email").fill("anna@example.org")
    page.locator("#id_preferred_contact_channel_0").check()
    if consent:
        page.locator("#id_consent_health_data").check()


def choose(page, name, content):
    page.locator("#id_record_files").set_input_files(
        [{"name": name, "mimeType": "application/pdf", "buffer": content}]
    )


def progress_value(page):
    return page.locator(".upload-progress progress").first.evaluate("bar => bar.value")


def stays_on_this_document(page):
    """Marks the page, so that the test can tell the script showed the server's answer in it
    rather than the browser loading the answer as a new page."""
    page.evaluate("window.uploadProgressTest = 'same document'")


def still_the_same_document(page):
    return page.evaluate("window.uploadProgressTest") == "same document"


def screenshot_of_the_region(page, name):
    """What a phone's screen shows at the send button, for reviewers (not the whole long form)."""
    page.locator(".upload-progress").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 200)")
    helpers.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=helpers.SCREENSHOTS / f"{name}.png")


def forget_stored_files():
    for enquiry in Enquiry.objects.all():
        for record in enquiry.record_files.all():
            record.file.storage.delete(record.file.name)


def test_a_slow_upload_shows_the_file_its_growing_bar_and_the_time_left_then_thanks(
    phone_page, live_server
):
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = phone_page
    page.goto(f"{live_server.url}/en/start/")
    fill_the_smallest_valid_form(page)
    choose(page, "pathology report.pdf", THREE_MB_PDF)
    stays_on_this_document(page)
    slow_connection(page)

    page.get_by_role("button", name="Send my enquiry").click()

    region = page.locator(".upload-progress")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region.locator("label")).to_have_text(re.compile(r"^pathology report\.pdf\s+3 MB$"))
    expect(
        region.get_by_role("progressbar", name=re.compile("pathology report.pdf"))
    ).to_be_visible()
    page.wait_for_function("() => document.querySelector('.upload-progress progress').value > 0")
    first = progress_value(page)
    page.wait_for_function(
        "(v) => document.querySelector('.upload-progress progress').value > v", arg=first
    )
    assert progress_value(page) > first
    expect(region.locator(".upload-progress-status")).to_have_text(
        re.compile(r"^[\d.]+ MB of 3 MB sent\.$")
    )
    # Against a second click while the files go up.
    expect(page.get_by_role("button", name="Send my enquiry")).to_have_attribute(
        "aria-disabled", "true"
    )
    # A rate-based estimate once a few seconds have gone by.
    expect(region.locator(".upload-progress-status")).to_have_text(
        re.compile(r"^[\d.]+ MB of 3 MB sent, (about \d+ minutes?|less than a minute) left\.$"),
        timeout=15000,
    )
    screenshot_of_the_region(page, "upload-progress-phone")
    violations = helpers.axe_violations(page)
    assert not violations, helpers.describe(violations)

    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for(timeout=30000)
    assert page.url == f"{live_server.url}/en/start/thank-you/"
    assert page.title().startswith("Thank you: we have your enquiry")
    assert still_the_same_document(page)
    # Read from the top, as a new page is.
    expect(page.locator("main")).to_be_focused()
    assert page.evaluate("window.scrollY") == 0
    enquiry = Enquiry.objects.get(reference=page.get_by_test_id("reference").inner_text())
    (record,) = enquiry.record_files.all()
    assert (record.original_name, record.size) == ("pathology report.pdf", len(THREE_MB_PDF))
    forget_stored_files()

    # Back leads to the form, as from a thank-you page the browser loaded.
    page.go_back()
    page.get_by_role("heading", level=1, name="Start my medical treatment").wait_for()
    assert page.url == f"{live_server.url}/en/start/"


def test_a_form_error_after_an_upload_shows_the_errors_keeps_the_answers_and_sends_again(
    desktop_page, live_server
):
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = desktop_page
    page.goto(f"{live_server.url}/en/start/")
    fill_the_smallest_valid_form(page, consent=False)
    page.locator("#id_medical_summary").fill("R-CHOP, then R-GemOx.")
    choose(page, "scan.pdf", helpers.PDF)
    stays_on_this_document(page)

    page.get_by_role("button", name="Send my enquiry").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary.get_by_role("link")).to_have_text(
        [re.compile(r"^I agree that the health information .* if you agree to this\.$")]
    )
    expect(summary).to_contain_text("Please choose your files again")
    assert page.title().startswith("Start my medical treatment")
    assert still_the_same_document(page)
    # What was typed came back from the server, as after a plain post.
    assert page.locator("#id_patient_name").input_value() == "Anna Novak"
    assert page.locator("#id_email").input_value() == "anna@example.org"
    assert page.locator("#id_medical_summary").input_value() == "R-CHOP, then R-GemOx."
    assert page.locator("#id_relationship_0").is_checked()
    assert Enquiry.objects.count() == 0

    # A second error: the browser moves the focus to an autofocus field once per document only,
    # so this time the script alone puts it on the summary.
    page.locator("#id_consent_health_data").check()
    page.locator("#id_email").fill("anna@example")
    choose(page, "scan.pdf", helpers.PDF)
    page.get_by_role("button", name="Send my enquiry").click()
    expect(summary.get_by_role("link")).to_have_text([re.compile(r"^Email address — ")])
    expect(summary).to_be_focused()
    assert page.locator("#id_consent_health_data").is_checked()

    # The new form is watched too: its files go up with progress, and the thanks follow.
    page.locator("#id_email").fill("anna@example.org")
    choose(page, "scan.pdf", THREE_MB_PDF)
    slow_connection(page, upload_bytes_per_second=1024 * 1024)
    page.get_by_role("button", name="Send my enquiry").click()
    expect(page.locator(".upload-progress label")).to_have_text(re.compile(r"^scan\.pdf"))

    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for(timeout=30000)
    assert still_the_same_document(page)
    enquiry = Enquiry.objects.get()
    assert enquiry.medical_summary == "R-CHOP, then R-GemOx."
    assert [record.original_name for record in enquiry.record_files.all()] == ["scan.pdf"]
    forget_stored_files()


def test_without_files_the_form_posts_as_it_always_did(phone_page, live_server):
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = phone_page
    page.goto(f"{live_server.url}/en/start/")
    fill_the_smallest_valid_form(page)
    stays_on_this_document(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Send my enquiry").click()

    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    assert not still_the_same_document(page)
    assert Enquiry.objects.count() == 1


def test_on_the_arabic_form_the_progress_reads_right_to_left_in_arabic(phone_page, live_server):
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = phone_page
    page.goto(f"{live_server.url}/ar/start/")
    fill_the_smallest_valid_form(page)
    choose(page, "scan.pdf", THREE_MB_PDF)
    slow_connection(page)

    page.get_by_role("button", name="إرسال استفساري").click()

    region = page.locator(".upload-progress")
    status = region.locator(".upload-progress-status")
    expect(status).to_have_text(re.compile(r"^تم إرسال [\d.]+ ميغابايت من 3 ميغابايت\.$"))
    expect(region.locator(".upload-progress-intro")).to_have_text(
        "جارٍ إرسال ملفاتك. يُرجى إبقاء هذه الصفحة مفتوحة."
    )
    assert region.evaluate("e => getComputedStyle(e).direction") == "rtl"
    # The bar fills from the right, and the file's name starts at the right edge, its Latin
    # letters still in their own order.
    bar = region.locator("progress")
    assert bar.evaluate("e => getComputedStyle(e).direction") == "rtl"
    name = region.locator(".upload-progress-name")
    assert name.inner_text() == "scan.pdf"
    name_box, region_box = name.bounding_box(), region.bounding_box()
    assert abs((name_box["x"] + name_box["width"]) - (region_box["x"] + region_box["width"])) <= 2
    assert name_box["x"] > region_box["x"] + region_box["width"] / 2
    expect(status).to_have_text(re.compile(r"والوقت المتبقي"), timeout=15000)
    screenshot_of_the_region(page, "upload-progress-arabic-phone")
    violations = helpers.axe_violations(page)
    assert not violations, helpers.describe(violations)

    page.get_by_role("heading", name="شكرًا لك: وصلنا استفسارك").wait_for(timeout=30000)
    assert page.url == f"{live_server.url}/ar/start/thank-you/"
    forget_stored_files()


def cut_connection_problems(page, expected):
    """The browser reports a request cut on purpose; that is the test's point, not a fault of the
    page: taken out of the page's problems at the end of the test (the reports come late), once
    the test has seen they are there."""
    cut = [item for item in page.problems.items if expected in item]
    assert cut, page.problems.items
    page.problems.items = [item for item in page.problems.items if item not in cut]


def test_a_connection_cut_while_sending_says_the_files_were_not_sent_and_keeps_everything(
    phone_page, live_server
):
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = phone_page
    page.goto(f"{live_server.url}/en/start/")
    fill_the_smallest_valid_form(page)
    choose(page, "scan.pdf", helpers.PDF)
    page.route("**/en/start/", lambda route: route.abort("internetdisconnected"))
    send = page.get_by_role("button", name="Send my enquiry")

    send.click()

    expect(page.locator(".upload-progress")).to_have_text(
        "Your files were not sent: the connection was interrupted. Everything you typed is still "
        "here; please check your connection and send again."
    )
    expect(send).not_to_have_attribute("aria-disabled", "true")
    assert page.locator("#id_patient_name").input_value() == "Anna Novak"
    assert page.locator("#id_consent_health_data").is_checked()
    assert page.locator("#id_record_files").evaluate("input => input.files[0].name") == "scan.pdf"
    assert Enquiry.objects.count() == 0
    violations = helpers.axe_violations(page)
    assert not violations, helpers.describe(violations)

    page.unroute("**/en/start/")
    send.click()
    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    (record,) = Enquiry.objects.get().record_files.all()
    assert record.original_name == "scan.pdf"
    forget_stored_files()
    cut_connection_problems(page, "ERR_INTERNET_DISCONNECTED")


def test_a_connection_cut_after_the_files_went_up_says_they_may_not_have_arrived(
    phone_page, live_server
):
    City.objects.get_or_create(name="Beijing", defaults={"order": 0})
    page = phone_page
    page.goto(f"{live_server.url}/en/start/")
    fill_the_smallest_valid_form(page)
    choose(page, "scan.pdf", helpers.PDF)
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    # Every answer takes two seconds to come back: time to lose the connection in between.
    conditions = {"latency": 2000, "downloadThroughput": -1, "uploadThroughput": -1}
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": False})
    send = page.get_by_role("button", name="Send my enquiry")

    send.click()
    expect(page.locator(".upload-progress-status")).to_have_text(
        "All files sent. One moment, please…"
    )
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": True})

    expect(page.locator(".upload-progress")).to_have_text(
        "The connection was interrupted before our answer came, so your files may not have "
        "arrived. Everything you typed is still here; please check your connection and send again.",
        timeout=10000,
    )
    expect(send).not_to_have_attribute("aria-disabled", "true")

    # Sent again, the server knows the form and keeps one enquiry with its one file.
    network.send("Network.emulateNetworkConditions", {**conditions, "offline": False, "latency": 0})
    send.click()
    page.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    (record,) = Enquiry.objects.get().record_files.all()
    assert record.original_name == "scan.pdf"
    forget_stored_files()
    cut_connection_problems(page, "ERR_INTERNET_DISCONNECTED")

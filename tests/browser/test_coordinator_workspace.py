"""The coordinator's workspace in Debian's Chromium: a day's work from "Waiting for me" (reply
with the Russian template, the patient answers on their case page, "Next" from the list), and
the list and the enquiry page photographed at 1366 x 768 and 1920 x 1080, with axe-core and no
sideways scrolling at 1366."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from enquiries import case
from enquiries.models import CaseLink, Enquiry, ReplyTemplate
from tests.browser import helpers
from tests.factories import make_enquiry

pytestmark = pytest.mark.browser

RUSSIAN_TEMPLATE = "Здравствуйте, {first_name}! Мы получили ваш запрос {reference}."
ANSWER = f"Спасибо! Пришлю выписку из больницы завтра. {uuid.uuid4()}"
WIDE = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1366, "height": 768}

NO_SIDEWAYS_SCROLL = """() => {
  const results = document.querySelector("#changelist .results");
  return {
    page: document.documentElement.scrollWidth - window.innerWidth,
    list: results ? results.scrollWidth - results.clientWidth : 0,
  };
}"""


def waiting_for_me(page, live_server):
    page.goto(f"{live_server.url}/admin/enquiries/enquiry/")
    page.locator(".bo-views").get_by_role("link", name="Waiting for me").click()
    page.wait_for_url("**/admin/enquiries/enquiry/?news=yes&assigned=me_or_none")
    return page.locator("#result_list tbody tr")


def check_the_screen(page, name, screenshot):
    """At 1366 x 768: a photograph, axe-core's WCAG A/AA rules, and no sideways scrolling of
    the page or of the list; then a photograph at 1920 x 1080."""
    page.set_viewport_size(LAPTOP)
    screenshot(page, f"{name}-1366x768")
    violations = helpers.axe_violations(page)
    assert violations == {}, f"{name}:\n{helpers.describe(violations)}"
    assert page.evaluate(NO_SIDEWAYS_SCROLL) == {"page": 0, "list": 0}
    page.set_viewport_size(WIDE)
    screenshot(page, f"{name}-1920x1080")
    page.set_viewport_size(LAPTOP)


def test_a_coordinator_replies_from_waiting_for_me_and_opens_the_answer_with_next(
    desktop_page, phone_page, live_server, django_user_model, private_media, screenshot
):
    cora = helpers.staff_user(django_user_model, "cora", "coordinator", first_name="Cora")
    # Coordinators read the reply templates (migration 0016; helpers.staff_user knows 0004's).
    cora.groups.get().permissions.add(Permission.objects.get(codename="view_replytemplate"))
    ReplyTemplate.objects.create(
        name="Records received", text_en="Hello {first_name}.", text_ru=RUSSIAN_TEMPLATE
    )
    now = timezone.now()
    olga = make_enquiry(
        patient_name="Olga Ivanova",
        email="olga@example.org",
        language="ru",
        country="RU",
        time_zone="UTC+03:00",
        preferred_contact_channel=Enquiry.ContactChannel.TELEGRAM,
        messenger_id="@olga_ivanova",
        submitted_at=now - timedelta(hours=5),
    )
    case.send_message_from_patient(olga, "Какие анализы нужны?", form_token=uuid.uuid4())
    other = make_enquiry(
        patient_name="Jan Svoboda",
        email="jan@example.org",
        diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA,
        submitted_at=now - timedelta(hours=1),
    )
    case.send_message_from_patient(other, "Is a PET-CT enough?", form_token=uuid.uuid4())
    coordinator = desktop_page
    coordinator.set_viewport_size(LAPTOP)
    helpers.log_in(coordinator, live_server, "cora")

    # "Waiting for me": both, newest first, flagged; the list passes the keyboard test too.
    rows = waiting_for_me(coordinator, live_server)
    assert rows.count() == 2
    assert rows.nth(1).locator(".bo-flag-news").inner_text() == "New from the patient"
    check_the_screen(coordinator, "workspace-list", screenshot)

    # Olga's enquiry: reply with the Russian template (her language is chosen for her).
    rows.nth(1).get_by_role("link", name=olga.reference).click()
    coordinator.get_by_role("heading", name="Conversation with the patient").wait_for()
    assert "Какие анализы нужны?" in coordinator.locator("#messages-group").inner_text()
    coordinator.get_by_role("button", name="Use a template…").click()
    coordinator.locator("#id_template").select_option(label="Records received")
    assert coordinator.locator("#id_language").input_value() == "ru"
    coordinator.get_by_role("button", name="Fill in the message").click()
    greeting = f"Здравствуйте, Olga! Мы получили ваш запрос {olga.reference}."
    assert coordinator.locator("#id_reply-text").input_value() == greeting
    coordinator.get_by_role("button", name="Send to the patient").click()
    coordinator.wait_for_url(f"**/admin/enquiries/enquiry/{olga.pk}/change/**")
    assert greeting in coordinator.locator("#messages-group").inner_text()
    check_the_screen(coordinator, "workspace-enquiry", screenshot)

    # The page works with Tab alone, in the order it reads, and every control shows its focus:
    # "Assign to me", the workflow, saving, then the reply form.
    coordinator.goto(f"{live_server.url}/admin/enquiries/enquiry/{olga.pk}/change/")
    keys = helpers.KeyboardUser(coordinator)
    keys.tab_to(".bo-assign-to-me button")
    keys.tab_to("#id_status")
    keys.tab_to("[name=_continue]")
    keys.tab_to("#id_reply-text")
    assert keys.controls_without_a_visible_focus() == []

    # Olga reads it on her case page and answers.
    patient = phone_page
    patient.goto(f"{live_server.url}/ru/case/{CaseLink.issue(olga)}/")
    assert greeting in patient.locator(".case-conversation").inner_text()
    patient.locator("#id_text").fill(ANSWER)
    patient.locator("form:has(#id_text) [type=submit]").click()
    patient.wait_for_url("**/ru/case/**")
    assert ANSWER in patient.locator(".case-conversation").inner_text()

    # Back on "Waiting for me": Olga's answer is flagged. The coordinator opens the first
    # enquiry, then Olga's with "Next".
    rows = waiting_for_me(coordinator, live_server)
    olgas_row = coordinator.locator("#result_list tbody tr", has_text=olga.reference)
    assert olgas_row.locator(".bo-flag-news").inner_text() == "New from the patient"
    rows.nth(0).get_by_role("link", name=other.reference).click()
    coordinator.get_by_role("heading", name="Conversation with the patient").wait_for()
    coordinator.get_by_role("link", name="Next →").click()
    coordinator.wait_for_url(f"**/admin/enquiries/enquiry/{olga.pk}/change/**")
    assert ANSWER in coordinator.locator("#messages-group").inner_text()

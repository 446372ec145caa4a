"""axe-core's WCAG 2.0/2.1/2.2 A and AA rules on every public page in every language, on the form
empty, with errors and after sending, on the patient's case page and "find my enquiry" (empty and
with errors), and on the back-office pages coordinators use; plus what axe cannot see: reflow at
320 CSS pixels and English text marked as English on translated pages."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from enquiries import case, consents, records, referrals
from enquiries.models import CaseLink, CaseMessage, Consent, Enquiry, Referral
from tests.browser import helpers
from tests.factories import make_enquiry, make_plan, make_programme, make_referral, pdf_file
from therapy_info.models import Page

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "",
    "contact/",
    "privacy/",
    "car-t/",
    "car-t/car-t-cell-therapy/",
    "car-t/advantages-and-challenges/",
    "car-t/treatment-journey/",
    "car-t/who-may-be-eligible/",
    "car-t/preparing-medical-records/",
    "car-t/risks-and-side-effects/",
    "car-t/approved-in-china/",
    "car-t/costs/",
    "car-t/questions/",
    "start/",
]
# Rules that fire on Django's own admin markup, which we do not template: {rule id: why}. Empty
# at a desktop width today; on a phone-width admin Django's scrolling inline tables add
# "scrollable-region-focusable" (the consents and records tables have nothing focusable inside).
DJANGO_ADMIN_OWN = {}


def send_the_smallest_valid_form(page):
    """By field ids, so the same steps work in every language."""
    page.locator("#id_relationship_0").check()
    page.locator("#id_patient_name").fill("Anna Novak")
    page.locator("#id_birth_year").fill("1970")
    page.locator("#id_country").select_option("CZ")
    page.locator("#id_email").fill("anna@example.org")
    page.locator("#id_preferred_contact_channel_0").check()
    page.locator("#id_consent_health_data").check()
    page.locator("[type=submit]").click()


@pytest.mark.parametrize("language", helpers.LANGUAGES)
def test_public_pages_have_no_wcag_a_or_aa_violations(phone_page, live_server, language):
    helpers.load_shipped_content()
    page = phone_page
    found = {}

    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}/{language}/{path}")
        found[path or "home"] = helpers.axe_violations(page)
    page.locator("[type=submit]").click()
    page.locator("#error-summary").wait_for()
    found["form with errors"] = helpers.axe_violations(page)
    send_the_smallest_valid_form(page)
    page.get_by_test_id("reference").wait_for()
    found["thank you"] = helpers.axe_violations(page)

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())


def a_case_link(live_server, language, **fields):
    enquiry = make_enquiry(
        language=language, diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA, **fields
    )
    return enquiry, f"{live_server.url}/{language}/case/{CaseLink.issue(enquiry)}/"


def a_case_with_a_file_and_messages(live_server, language):
    enquiry, url = a_case_link(live_server, language)
    case.receive_files_from_patient(enquiry, [pdf_file()], checklist_item="protein_tests")
    case.send_message_from_patient(enquiry, "Here are my protein tests.", form_token=uuid.uuid4())
    CaseMessage.objects.create(
        enquiry=enquiry, sender=CaseMessage.Sender.COORDINATOR, text="Thank you, they are here."
    )
    return url


@pytest.mark.parametrize("language", helpers.LANGUAGES)
def test_the_case_page_and_find_my_enquiry_have_no_wcag_a_or_aa_violations(
    phone_page, live_server, private_media, language
):
    """Each page empty and with its errors: by ids and structure, whatever the translations."""
    helpers.load_shipped_content()
    page = phone_page
    # A form with errors answers 400; an expired link 410.
    page.problems.expected_statuses = (400, 410)
    found = {}

    _enquiry, empty_case = a_case_link(live_server, language)
    page.goto(empty_case)
    found["case page, empty"] = helpers.axe_violations(page)
    page.locator("form:has(#id_text) [type=submit]").click()
    page.locator("#error-summary a[href='#id_text']").wait_for()
    found["case page, message with an error"] = helpers.axe_violations(page)
    page.locator("form:has(#id_files) [type=submit]").click()
    page.wait_for_url("**/files/")
    page.locator("#error-summary a[href='#id_files']").wait_for()
    found["case page, upload with an error"] = helpers.axe_violations(page)

    page.goto(a_case_with_a_file_and_messages(live_server, language))
    found["case page, a file and messages"] = helpers.axe_violations(page)
    _enquiry, closed_case = a_case_link(
        live_server, language, status=Enquiry.Status.CLOSED_WITHDREW
    )
    page.goto(closed_case)
    found["case page, closed"] = helpers.axe_violations(page)

    page.goto(f"{live_server.url}/{language}/case/")
    found["find my enquiry, empty"] = helpers.axe_violations(page)
    page.locator("form:has(#id_reference) [type=submit]").click()
    page.locator("#error-summary a[href='#id_reference']").wait_for()
    found["find my enquiry, fields missing"] = helpers.axe_violations(page)
    page.locator("#id_email").fill("anna@example")
    page.locator("#id_reference").fill("CT-1234")
    page.locator("form:has(#id_reference) [type=submit]").click()
    page.locator("#error-summary a[href='#id_email']").wait_for()
    found["find my enquiry, fields wrong"] = helpers.axe_violations(page)
    page.locator("#id_email").fill("anna@example.org")
    page.locator("#id_reference").fill("CT-7KQ4-M2XP")
    page.locator("form:has(#id_reference) [type=submit]").click()
    page.wait_for_url("**/case/link-sent/")
    found["link sent"] = helpers.axe_violations(page)

    enquiry, old_link = a_case_link(live_server, language)
    idle = timedelta(days=settings.CASE_LINK_IDLE_DAYS + 1)
    CaseLink.objects.filter(enquiry=enquiry).update(last_used_at=timezone.now() - idle)
    assert page.goto(old_link).status == 410
    found["link expired"] = helpers.axe_violations(page)

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())


def test_back_office_pages_coordinators_use_have_no_wcag_a_or_aa_violations(
    desktop_page, live_server, django_user_model
):
    helpers.staff_user(django_user_model, "cora", "coordinator", first_name="Cora")
    enquiry = make_enquiry()
    # A referral with a plan: the dashboard draws its programme table and every funnel stage.
    make_plan(
        make_referral(
            enquiry,
            make_programme(),
            status=Referral.Status.PLAN_OFFERED,
            answered_at=timezone.now(),
        )
    )
    page = desktop_page
    helpers.log_in(page, live_server, "cora")
    found = {}

    for path in [
        "",
        "enquiries/enquiry/",
        "enquiries/enquiry/?assigned=none",
        f"enquiries/enquiry/{enquiry.pk}/change/",
        "enquiries/enquiry/dashboard/",
    ]:
        page.goto(f"{live_server.url}/admin/{path}")
        rules = helpers.axe_violations(page)
        found[path or "index"] = {k: v for k, v in rules.items() if k not in DJANGO_ADMIN_OWN}

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())


def test_the_referral_pages_have_no_wcag_a_or_aa_violations(
    desktop_page, live_server, django_user_model, private_media, screenshot
):
    cora = helpers.staff_user(django_user_model, "cora", "coordinator", first_name="Cora")
    programme = make_programme(name="Alpha Hospital", international_office_email="io@a.example")
    referred = make_enquiry()
    consents.record_consent(referred, Consent.Kind.HOSPITAL_SHARING, given=True, language="en")
    records.store(referred, pdf_file()).save()
    [referral] = referrals.refer(
        referred,
        programmes=[programme],
        record_files=referred.record_files.all(),
        share_answers=True,
        method="email",
        by=cora,
    )
    plan = make_plan(referral)
    referrals.add_document(referred, pdf_file("letter.pdf"), title="Letter", plan=plan, by=cora)
    not_consented = make_enquiry(email="someone@example.org")
    page = desktop_page
    helpers.log_in(page, live_server, "cora")
    found = {}

    for path in [
        f"enquiries/enquiry/{referred.pk}/change/",
        f"enquiries/enquiry/{referred.pk}/refer/",
        f"enquiries/enquiry/{not_consented.pk}/refer/",
        f"enquiries/enquiry/{referred.pk}/referrals/{referral.pk}/answer/",
        f"enquiries/enquiry/{referred.pk}/documents/add/",
    ]:
        page.goto(f"{live_server.url}/admin/{path}")
        found[path] = helpers.axe_violations(page)
        screenshot(page, "referrals-" + path.strip("/").replace("/", "-"))
    page.goto(
        f"{live_server.url}/admin/enquiries/enquiry/{referred.pk}/referrals/{referral.pk}/answer/"
    )
    page.locator("[type=submit].default").click()
    page.locator(".errorlist").first.wait_for()
    found["answer page with errors"] = helpers.axe_violations(page)

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pages_reflow_at_320_css_pixels_without_sideways_scrolling(browser, live_server, language):
    """WCAG 1.4.10: 320 CSS pixels is a 1280-pixel-wide window zoomed to 400 %."""
    helpers.load_shipped_content()
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    too_wide = {}

    for path in [*PUBLIC_PAGES, "start/ with errors"]:
        if path.endswith("with errors"):
            page.locator("[type=submit]").click()
            page.locator("#error-summary").wait_for()
        else:
            page.goto(f"{live_server.url}/{language}/{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path or "home"] = width
    context.close()

    assert too_wide == {}


def test_an_english_only_page_is_marked_as_english_on_the_arabic_site(phone_page, live_server):
    Page.objects.create(
        title="Travelling to China",
        slug="travelling-to-china",
        summary="Visas and flights.",
        body="Most patients stay about three months.",
        status=Page.Status.PUBLISHED,
    )
    page = phone_page

    page.goto(f"{live_server.url}/ar/car-t/")
    listed = page.locator("li", has=page.get_by_role("link", name="Travelling to China"))
    assert (listed.get_attribute("lang"), listed.get_attribute("dir")) == ("en", "ltr")

    page.goto(f"{live_server.url}/ar/car-t/travelling-to-china/")
    assert page.locator("h1").evaluate("e => e.closest('[lang]').lang") == "en"
    assert page.locator(".page-body").get_attribute("lang") == "en"

"""The hospital half of the case page in Debian's Chromium: on a phone a patient agrees to sharing
with hospitals when asked, reads two hospitals' plans, chooses one after its confirmation and
downloads the invitation letter; every page of it has no WCAG A/AA violation and fits a phone in
each language, photographed for reviewers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enquiries.models import CaseLink, Consent, Enquiry, TreatmentPlan
from tests.browser import helpers
from tests.factories import make_case_document, make_enquiry, make_plan_for, make_programme

pytestmark = pytest.mark.browser


def a_case_with_two_plans(live_server, language):
    """A case with hospitals: sharing asked for, one valid plan with its letter, one expired."""
    enquiry = make_enquiry(
        language=language,
        status=Enquiry.Status.WITH_HOSPITAL,
        hospital_sharing_requested_at=timezone.now(),
    )
    chosen = make_plan_for(
        enquiry,
        make_programme(
            name="Ruijin Hospital",
            name_zh_hans="瑞金医院",
            name_ru="Больница Жуйцзинь",
            name_ar="مستشفى روجين",
        ),
    )
    make_plan_for(
        enquiry,
        make_programme(name="Hebei Yanda Ludaopei Hospital", city="Beijing"),
        valid_until=timezone.localdate() - timedelta(days=3),
        excludes="",
    )
    make_case_document(enquiry, plan=chosen, title="Invitation letter for the visa")
    make_case_document(enquiry, title="Travel information", original_name="travel.pdf")
    return enquiry, chosen, f"{live_server.url}/{language}/case/{CaseLink.issue(enquiry)}/"


def test_a_patient_agrees_to_sharing_chooses_a_plan_and_downloads_the_letter(
    phone_page, live_server, private_media
):
    enquiry, chosen, url = a_case_with_two_plans(live_server, "en")
    page = phone_page

    page.goto(url)
    page.get_by_label("I agree that my case is shared with partner hospitals").check()
    page.get_by_role("button", name="Send my agreement").click()
    page.wait_for_url(url + "#hospital-sharing-title")
    assert page.get_by_test_id("hospital-sharing-given").count() == 1
    assert enquiry.consents.get(kind=Consent.Kind.HOSPITAL_SHARING).given

    plans = page.get_by_test_id("plan")
    assert plans.count() == 2
    assert plans.nth(1).get_by_test_id("plan-expired").count() == 1
    assert plans.nth(1).get_by_role("link", name="Choose this plan").count() == 0
    plans.nth(0).get_by_role("link", name="Choose this plan").click()
    page.get_by_role("heading", name="Choose this plan?").wait_for()
    page.get_by_test_id("confirm").click()
    page.wait_for_url(url + "#plans-title")

    assert (
        "You have chosen the plan from Ruijin Hospital"
        in page.get_by_test_id("accepted-plan").inner_text()
    )
    assert page.get_by_test_id("status").inner_text() == "Treatment being planned"
    chosen.refresh_from_db()
    enquiry.refresh_from_db()
    assert chosen.decision == TreatmentPlan.Decision.ACCEPTED
    assert enquiry.status == Enquiry.Status.TREATMENT_PLANNED

    with page.expect_download() as download:
        plans.nth(0).get_by_role("link", name="Invitation letter for the visa").click()
    assert download.value.suggested_filename == "invitation.pdf"
    assert download.value.path().read_bytes() == helpers.PDF


@pytest.mark.parametrize("language", helpers.LANGUAGES)
def test_the_plan_pages_have_no_wcag_a_or_aa_violations_and_fit_a_phone(
    phone_page, live_server, private_media, screenshot, language
):
    _enquiry, chosen, url = a_case_with_two_plans(live_server, language)
    page = phone_page
    # The forms with errors answer 400.
    page.problems.expected_statuses = (400,)
    found = {}
    fits = {}

    def check(name):
        found[name] = helpers.axe_violations(page)
        fits[name] = page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(url)
    check("case page, sharing asked, plans and documents")
    screenshot(page, f"case-page-plans-{language}")
    page.locator("form:has(#id_agree) [type=submit]").click()
    page.locator("#error-summary a[href='#id_agree']").wait_for()
    check("case page, sharing not ticked")
    page.goto(url.removesuffix("/") + f"/plans/{chosen.pk}/accept/")
    check("choose a plan")
    page.goto(url.removesuffix("/") + f"/plans/{chosen.pk}/decline/")
    check("decline a plan")
    page.goto(url.removesuffix("/") + f"/plans/{chosen.pk}/question/")
    check("ask about a plan")
    page.locator("form:has(#id_text) [type=submit]").click()
    page.locator("#error-summary a[href='#id_text']").wait_for()
    check("ask about a plan, empty")
    page.goto(url.removesuffix("/") + f"/plans/{chosen.pk}/accept/")
    page.get_by_test_id("confirm").click()
    page.wait_for_url(url + "#plans-title")
    check("case page, a plan chosen")
    screenshot(page, f"case-page-plan-chosen-{language}")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())
    assert all(fits.values()), fits

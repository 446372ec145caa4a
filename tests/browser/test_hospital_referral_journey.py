"""Issue #16's journey in Debian's Chromium, from a hospital's page to a plan the patient chose:
a patient on a phone reads a programme's page and starts the form from it with that hospital
preselected; a coordinator (password and second factor) sees the preferred hospital, refers the
case to two programmes (one by email to its international office, one by other means) and records
the first programme's plan; the patient reads the plan on their case page and chooses it; the
enquiry moves to "Treatment planned", its timeline says so, and the dashboard counts it. The
programme page and the back office's referral pages have no WCAG A/AA violation."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from enquiries.models import Consent, Enquiry, Referral, TreatmentPlan
from tests.browser import helpers
from tests.factories import make_published_programme
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.browser

MARKER = uuid.uuid4().hex[:8]
PREFERRED = f"Peking Example Hospital {MARKER}"
OTHER = f"Shanghai Example Hospital {MARKER}"
PREFERRED_OFFICE = f"international-{MARKER}@peking-example.org"
OTHER_OFFICE = f"international-{MARKER}@shanghai-example.org"
BY_OTHER_MEANS = f"Uploaded to the hospital's referral portal {MARKER}"
PROPOSAL = f"An approved CD19 CAR-T product {MARKER}"
INCLUDES = f"Cell collection, manufacturing, infusion and 28 days in hospital {MARKER}"
EXCLUDES = f"Flights, accommodation and the interpreter {MARKER}"
CORA = f"cora-{MARKER}@example.org"


def case_links_in(email, live_server):
    return re.findall(rf"{re.escape(live_server.url)}/[a-z-]+/case/[A-Za-z0-9_-]+/", email.body)


def emails_to(address):
    return [email for email in mail.outbox if email.to == [address]]


def in_group(page, field):
    return page.locator(f"#div_id_{field}")


def referral_of(page, programme_name):
    return page.locator("article.bo-referral", has_text=programme_name)


def option_columns(page, group):
    """The distinct left edges of a group's radio buttons or checkboxes: one when they line up
    in a column under the group's name."""
    return page.get_by_role("group", name=group, exact=True).evaluate(
        """fieldset => [...new Set([...fieldset.querySelectorAll("input")].map(
             input => Math.round(input.getBoundingClientRect().left)))]"""
    )


def test_a_patient_starts_from_a_hospital_page_and_chooses_the_plan_a_coordinator_recorded(
    phone_page,
    desktop_page,
    live_server,
    settings,
    django_user_model,
    private_media,
    screenshot,
):
    helpers.load_cities()
    settings.SITE_URL = live_server.url
    settings.STAFF_REQUIRE_2FA = True
    preferred = make_published_programme(
        PREFERRED, city="Beijing", international_office_email=PREFERRED_OFFICE
    )
    make_published_programme(OTHER, city="Shanghai", international_office_email=OTHER_OFFICE)
    cora = helpers.staff_user(
        django_user_model, "cora", "coordinator", first_name="Cora", email=CORA
    )
    found = {}

    # 1. The patient, on a phone: the list, the hospital's page, the form started from it.
    patient = phone_page
    patient.goto(f"{live_server.url}/en/")
    patient.get_by_role("navigation", name="Main").get_by_role("link", name="Hospitals").click()
    patient.get_by_role("heading", name="Hospitals with CAR-T programmes in China").wait_for()
    assert patient.get_by_role("link", name=OTHER).is_visible()
    patient.get_by_role("link", name=PREFERRED).click()
    patient.get_by_role("heading", level=1, name=PREFERRED).wait_for()
    assert patient.url == f"{live_server.url}/en/hospitals/{preferred.slug}/"
    page_text = patient.locator("article.programme-page").inner_text()
    assert "Not yet verified by our team." in page_text
    assert preferred.offers.get().name in page_text
    found["programme page"] = helpers.axe_violations(patient)
    screenshot(patient, "referral-journey-01-programme-page-phone")

    patient.get_by_role("link", name="Start my treatment here").click()
    patient.wait_for_url(f"**/en/start/?programme={preferred.slug}&from={preferred.slug}")
    hospital = patient.get_by_label("Preferred hospital (optional)")
    assert hospital.input_value() == preferred.slug
    assert hospital.locator("option:checked").inner_text() == PREFERRED
    screenshot(patient, "referral-journey-02-form-with-the-hospital-phone")

    patient.get_by_label("I am the patient").check()
    patient.get_by_label("Patient's full name").fill("Anna Novak")
    in_group(patient, "gender").get_by_label("Female").check()
    patient.get_by_label("Year of birth").fill("1968")
    patient.get_by_label("Country where the patient lives").select_option("CZ")
    patient.get_by_label("Email address").fill(f"anna-{MARKER}@example.org")
    in_group(patient, "preferred_contact_channel").get_by_label("Email").check()
    patient.get_by_label("Diagnosis", exact=True).select_option("large_b_cell_lymphoma")
    in_group(patient, "disease_status").get_by_label("Relapsed").check()
    in_group(patient, "target_tested").get_by_label("CD19").check()
    patient.get_by_label("I agree that the health information").check()
    patient.get_by_label("I agree that my case is shared").check()
    patient.get_by_role("button", name="Send my enquiry").click()
    patient.get_by_role("heading", name="Thank you: we have your enquiry").wait_for()
    reference = patient.get_by_test_id("reference").inner_text()
    screenshot(patient, "referral-journey-03-thank-you-phone")

    enquiry = Enquiry.objects.get(reference=reference)
    assert enquiry.preferred_programme == preferred
    assert enquiry.source_page_slug == preferred.slug
    assert enquiry.consents.get(kind=Consent.Kind.HOSPITAL_SHARING).given
    run_ready_tasks()
    (acknowledgement,) = emails_to(f"anna-{MARKER}@example.org")
    (case_url,) = case_links_in(acknowledgement, live_server)

    # 2. The coordinator, on a desktop: the enquiry with the patient's hospital, two referrals.
    coordinator = desktop_page
    helpers.log_in_with_the_second_factor(coordinator, live_server, cora)
    coordinator.locator("#content-main .model-enquiry").get_by_role(
        "link", name="Enquiries", exact=True
    ).click()
    coordinator.get_by_role("link", name=reference).click()
    coordinator.get_by_role("heading", name="Referrals").wait_for()
    preferred_row = coordinator.locator(".field-preferred_programme_in_words")
    assert f"{PREFERRED} (Beijing)" in preferred_row.inner_text()
    assert "Not referred to any programme yet." in coordinator.locator("#referrals").inner_text()
    assert "The patient agreed to sharing their case with hospitals." in (
        coordinator.locator("#referrals").inner_text()
    )

    # The patient's hospital comes chosen, by email to its international office.
    coordinator.locator("#referrals").get_by_role("link", name="Refer to programmes").click()
    coordinator.get_by_role("heading", name="What goes, and how").wait_for()
    assert coordinator.get_by_role("checkbox", name=PREFERRED).is_checked()
    assert not coordinator.get_by_role("checkbox", name=OTHER).is_checked()
    assert coordinator.get_by_label("By email to the international office").is_checked()
    # Each choice on a line of its own, in one column under its question.
    assert len(option_columns(coordinator, "Refer to")) == 1
    assert len(option_columns(coordinator, "How it is sent")) == 1
    found["refer page"] = helpers.axe_violations(coordinator)
    screenshot(coordinator, "referral-journey-04-refer-page-desktop")
    coordinator.get_by_role("button", name="Refer", exact=True).click()
    coordinator.wait_for_url("**/change/#referrals")
    coordinator.locator(".messagelist", has_text=f"Referred to {PREFERRED}.").wait_for()

    # The package goes out through the task queue: one email to the international office.
    run_ready_tasks()
    (referral_email,) = emails_to(PREFERRED_OFFICE)
    assert reference in referral_email.subject
    assert [name for name, _content, _type in referral_email.attachments] == [
        f"{reference}-case-summary.html"
    ]
    assert "Anna Novak" not in referral_email.body

    # The second programme by other means, and how it went written down. The patient's hospital
    # has had its package: it is no longer chosen for another.
    coordinator.locator("#referrals").get_by_role("link", name="Refer to programmes").click()
    coordinator.get_by_role("heading", name="What goes, and how").wait_for()
    assert (
        coordinator.get_by_role("group", name="Refer to")
        .get_by_role("checkbox")
        .evaluate_all("boxes => boxes.filter(box => box.checked).length")
        == 0
    )
    coordinator.get_by_role("checkbox", name=OTHER).check()
    coordinator.get_by_label("By other means", exact=True).check()
    coordinator.get_by_label("How and to whom, if by other means").fill(BY_OTHER_MEANS)
    coordinator.get_by_role("button", name="Refer", exact=True).click()
    coordinator.wait_for_url("**/change/#referrals")
    coordinator.locator(".messagelist", has_text=f"Referred to {OTHER}.").wait_for()
    assert emails_to(OTHER_OFFICE) == []

    coordinator.reload()
    first, second = referral_of(coordinator, PREFERRED), referral_of(coordinator, OTHER)
    assert "By email to the international office: " + PREFERRED_OFFICE in first.inner_text()
    assert "(email: Sent)" in first.inner_text()
    assert f"By other means: {BY_OTHER_MEANS}" in second.inner_text()
    for referral in (first, second):
        assert "Sent, waiting for the answer" in referral.inner_text()
    assert coordinator.get_by_label("Status").locator("option:checked").inner_text() == (
        "With hospital"
    )
    timeline = coordinator.locator(".bo-timeline-list").inner_text()
    assert f"Referred to {PREFERRED} by email to its international office" in timeline
    assert f"Referred to {OTHER}, sent by other means" in timeline
    screenshot(coordinator, "referral-journey-05-two-referrals-desktop")

    # The patient's hospital accepts, with a plan.
    first.get_by_role("link", name="Record the programme's answer").click()
    coordinator.get_by_role("heading", name=f"Record the answer of {PREFERRED}").wait_for()
    coordinator.get_by_label("Accepted with a plan").check()
    coordinator.get_by_label("Product or trial").fill(PROPOSAL)
    start = timezone.localdate() + timedelta(days=40)
    coordinator.get_by_label("Proposed start").fill(start.isoformat())
    coordinator.get_by_label("Proposed end").fill((start + timedelta(days=48)).isoformat())
    coordinator.get_by_label("Estimated cost").fill("1250000.00")
    coordinator.get_by_label("Currency").select_option("CNY")
    coordinator.get_by_label("What the cost includes").fill(INCLUDES)
    coordinator.get_by_label("What it does not include").fill(EXCLUDES)
    valid_until = timezone.localdate() + timedelta(days=30)
    coordinator.get_by_label("Valid until").fill(valid_until.isoformat())
    assert len(option_columns(coordinator, "The programme's answer")) == 1
    found["answer page"] = helpers.axe_violations(coordinator)
    screenshot(coordinator, "referral-journey-06-answer-with-a-plan-desktop")
    coordinator.get_by_role("button", name="Record the answer").click()
    coordinator.wait_for_url("**/change/#referrals")
    coordinator.locator(
        ".messagelist", has_text=f"The answer of {PREFERRED} is recorded."
    ).wait_for()
    first = referral_of(coordinator, PREFERRED)
    assert "Accepted with a plan" in first.inner_text()
    assert f"{PROPOSAL}: CN¥1,250,000.00" in first.inner_text()
    assert "Not decided yet" in first.inner_text()

    # 3. The patient reads the plan on their case page, in their language's format, and chooses it.
    patient.goto(case_url)
    assert patient.get_by_test_id("reference").inner_text() == reference
    (plan,) = patient.get_by_test_id("plan").all()
    assert plan.get_by_role("heading", name=PREFERRED).is_visible()
    assert PROPOSAL in plan.inner_text()
    assert plan.get_by_test_id("plan-cost").inner_text() == "CN¥1,250,000.00"
    assert INCLUDES in plan.inner_text()
    assert EXCLUDES in plan.inner_text()
    screenshot(patient, "referral-journey-07-case-page-plan-phone")
    plan.get_by_role("link", name="Choose this plan").click()
    patient.get_by_role("heading", name="Choose this plan?").wait_for()
    patient.get_by_role("button", name="Yes, I choose this plan").click()
    patient.wait_for_url(case_url + "#plans-title")
    assert (
        f"You have chosen the plan from {PREFERRED}: {PROPOSAL}."
        in patient.get_by_test_id("accepted-plan").inner_text()
    )
    assert patient.get_by_test_id("status").inner_text() == "Treatment being planned"
    screenshot(patient, "referral-journey-08-plan-chosen-phone")

    # 4. The coordinator hears that something is new (not what), sees the status move and the
    # patient's choice on the timeline...
    run_ready_tasks()
    (news,) = emails_to(CORA)
    assert reference in news.subject
    assert "chosen or declined a treatment plan" in news.body
    assert PREFERRED not in news.body and PROPOSAL not in news.body
    coordinator.reload()
    assert coordinator.get_by_label("Status").locator("option:checked").inner_text() == (
        "Treatment planned"
    )
    timeline = coordinator.locator(".bo-timeline-list").inner_text()
    assert f"The patient accepted the treatment plan of {PREFERRED}" in timeline
    assert "Status: With hospital → Treatment planned" in timeline
    assert "Accepted by the patient" in referral_of(coordinator, PREFERRED).inner_text()
    assert "All sent" in coordinator.locator(".field-emails_status").inner_text()
    screenshot(coordinator, "referral-journey-09-treatment-planned-desktop")
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.TREATMENT_PLANNED
    assert set(enquiry.referrals.values_list("programme__name", "method", "status")) == {
        (PREFERRED, Referral.Method.EMAIL, Referral.Status.PLAN_OFFERED),
        (OTHER, Referral.Method.OTHER_MEANS, Referral.Status.SENT),
    }
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.ACCEPTED

    # ... and the dashboard counts it: two referrals, one answered with a plan, one accepted.
    coordinator.locator(".breadcrumbs").get_by_role("link", name="Home").click()
    coordinator.get_by_role("link", name="Enquiries dashboard").click()
    coordinator.get_by_role("heading", name="Enquiries dashboard").wait_for()
    programmes = coordinator.get_by_role("table", name="Referrals per programme")
    rows = {
        row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").all_inner_texts()
        for row in programmes.locator("tbody tr").all()
    }
    # Referrals, answered, median time to answer, plans offered, declined, acceptance rate.
    assert set(rows) == {PREFERRED, OTHER}
    assert rows[PREFERRED][:2] == ["1", "1"]
    assert rows[PREFERRED][3:] == ["1", "0", "100%"]
    assert rows[OTHER] == ["1", "0", "—", "0", "0", "—"]
    funnel = coordinator.get_by_role("table", name="From enquiry to treatment")
    stages = {
        row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").all_inner_texts()
        for row in funnel.locator("tbody tr").all()
    }
    assert stages == {
        "Enquiries": ["1", "100%"],
        "Referred": ["1", "100%"],
        "Plan offered": ["1", "100%"],
        "Plan accepted": ["1", "100%"],
        "Treated": ["0", "0%"],
    }
    screenshot(coordinator, "referral-journey-10-dashboard-desktop")

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())

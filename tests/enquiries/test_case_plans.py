"""Treatment plans on the patient's case page: what each shows (and never shows), choosing one after
a confirmation, declining one, and asking a question about one in the case's conversation."""

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from enquiries.models import (
    CaseLink,
    CaseMessage,
    Enquiry,
    EnquiryEvent,
    OutgoingEmail,
    Referral,
    ReferralFile,
    TreatmentPlan,
)
from tests.factories import make_case_document, make_enquiry, make_plan_for, make_programme
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db

# New for each run: no page can hold it by chance.
RUN = uuid.uuid4().hex


def case_url(token, language="en"):
    return f"/{language}/case/{token}/"


def plan_url(token, plan, action, language="en"):
    return f"/{language}/case/{token}/plans/{plan.pk}/{action}/"


def with_hospital(**fields):
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL, **fields)
    return enquiry, CaseLink.issue(enquiry)


def page_of(client, token, language="en"):
    response = client.get(case_url(token, language))
    assert response.status_code == 200
    return response.content.decode()


def plan_texts(page):
    return re.findall(r'<article class="card[^"]*case-plan.*?</article>', page, flags=re.S)


# What a plan shows.


def test_a_plan_shows_the_hospital_what_it_proposes_dates_cost_and_validity(client):
    enquiry, token = with_hospital()
    make_plan_for(
        enquiry,
        make_programme(name=f"Hospital {RUN}"),
        proposal=f"Proposal {RUN}",
        includes=f"Includes {RUN}",
        excludes=f"Excludes {RUN}",
        proposed_start=date(2031, 3, 2),
        proposed_end=date(2031, 4, 20),
        valid_until=date(2031, 1, 31),
    )

    (plan,) = plan_texts(page_of(client, token))

    assert f"Hospital {RUN}" in plan and "Shanghai" in plan
    assert f"Proposal {RUN}" in plan
    assert "From March 2, 2031 to April 20, 2031" in plan
    assert 'data-testid="plan-cost">CN¥1,200,000.50<' in plan
    assert f"Includes {RUN}" in plan and f"Excludes {RUN}" in plan
    assert "Jan. 31, 2031" in plan


@pytest.mark.parametrize(
    ("language", "hospital", "city", "cost", "valid_until"),
    [
        ("zh-hans", "瑞金医院", "上海", "¥1,200,000.50", "2031年1月31日"),
        ("ru", "Жуйцзинь", "Шанхай", "1\xa0200\xa0000,50\xa0CN¥", "31 января 2031"),
        ("ar", "مستشفى روجين", "شنغهاي", "\u200f1,200,000.50\xa0CN¥", "31 يناير، 2031"),
    ],
)
def test_a_plan_reads_in_the_patients_language(client, language, hospital, city, cost, valid_until):
    enquiry, token = with_hospital()
    programme = make_programme(
        name="Ruijin Hospital",
        name_zh_hans="瑞金医院",
        name_ru="Жуйцзинь",
        name_ar="مستشفى روجين",
    )
    make_plan_for(enquiry, programme, valid_until=date(2031, 1, 31))

    (plan,) = plan_texts(page_of(client, token, language))

    assert hospital in plan and city in plan
    assert f'data-testid="plan-cost">{cost}<' in plan
    assert valid_until in plan
    assert "Ruijin Hospital" not in plan
    assert "Estimated cost" not in plan


def test_the_page_shows_only_the_plans_of_its_own_enquiry(client):
    enquiry, token = with_hospital()
    make_plan_for(enquiry, proposal=f"Ours {RUN}")
    make_plan_for(make_enquiry(), proposal=f"Theirs {RUN}")

    page = page_of(client, token)

    assert f"Ours {RUN}" in page
    assert f"Theirs {RUN}" not in page


def test_the_page_never_shows_the_referrals_behind_the_plans(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    referral = plan.referral
    Referral.objects.filter(pk=referral.pk).update(
        sent_to=f"office-{RUN}@hospital.example", summary_sha256=f"{RUN}{RUN}"
    )
    ReferralFile.objects.create(referral=referral, name="scan.pdf", size=1, sha256=RUN * 2)
    declined = Referral.objects.create(
        enquiry=enquiry,
        programme=make_programme(name=f"Declining {RUN}"),
        method=Referral.Method.OTHER_MEANS,
        sent_to="the office",
        status=Referral.Status.DECLINED,
        answer_note=f"Not eligible {RUN}",
    )

    page = page_of(client, token)

    assert RUN not in page
    assert declined.programme.name not in page


def test_no_plan_section_before_a_plan(client):
    _enquiry, token = with_hospital()

    assert 'id="plans-title"' not in page_of(client, token)


def test_an_expired_plan_says_so_and_offers_no_choice(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, valid_until=timezone.localdate() - timedelta(days=1))

    (shown,) = plan_texts(page_of(client, token))

    assert 'data-testid="plan-expired"' in shown
    assert "No longer valid" in shown
    assert plan_url(token, plan, "accept") not in shown
    assert plan_url(token, plan, "question") in shown


def test_a_plan_the_hospital_withdrew_says_so_and_offers_no_choice(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    plan.referral.record_answer(Referral.Status.DECLINED, by=None, note="No bed until 2032.")

    (shown,) = plan_texts(page_of(client, token))

    assert 'data-testid="plan-withdrawn"' in shown
    assert "No longer offered by the hospital" in shown
    assert plan_url(token, plan, "accept") not in shown
    assert plan_url(token, plan, "decline") not in shown
    assert plan_url(token, plan, "question") in shown


def test_only_the_newest_plan_of_a_referral_can_be_chosen(client):
    enquiry, token = with_hospital()
    first = make_plan_for(enquiry)
    newer = TreatmentPlan.objects.create(
        referral=first.referral,
        proposal=f"Revised {RUN}",
        estimated_cost=Decimal("900000.00"),
        currency="CNY",
        includes="Manufacturing and infusion.",
        valid_until=first.valid_until,
        recorded_at=first.recorded_at + timedelta(hours=1),
    )

    old_text, new_text = plan_texts(page_of(client, token))

    assert plan_url(token, first, "accept") not in old_text
    assert 'data-testid="plan-withdrawn"' in old_text
    assert plan_url(token, newer, "accept") in new_text
    assert 'data-testid="plan-withdrawn"' not in new_text


def test_a_withdrawn_plan_is_refused_with_a_clear_message(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    plan.referral.record_answer(
        Referral.Status.MORE_INFORMATION_NEEDED, by=None, note="A PET-CT from this month."
    )

    response = client.post(plan_url(token, plan, "accept"))

    assert response.status_code == 400
    assert "The hospital no longer offers this plan, so it cannot be chosen." in (
        response.content.decode()
    )
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.WITH_HOSPITAL
    assert not enquiry.events.filter(kind=EnquiryEvent.Kind.PLAN_ACCEPTED).exists()


def test_a_plan_lists_its_documents(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    document = make_case_document(enquiry, plan=plan, title=f"Plan letter {RUN}")

    (shown,) = plan_texts(page_of(client, token))

    assert f"Plan letter {RUN}" in shown
    assert f"/en/case/{token}/documents/{document.pk}/" in shown


def test_the_status_with_a_hospital_reads_in_plain_words(client):
    _enquiry, token = with_hospital()

    page = page_of(client, token)

    assert 'data-testid="status">With a hospital<' in page
    assert "we have sent your case to one or more hospitals" in page


# Choosing a plan.


def test_choosing_a_plan_asks_for_confirmation_with_its_summary(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, proposal=f"Proposal {RUN}")

    response = client.get(plan_url(token, plan, "accept"))

    assert response.status_code == 200
    page = response.content.decode()
    assert f"Proposal {RUN}" in page and "CN¥1,200,000.50" in page
    assert "Yes, I choose this plan" in page
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED
    assert "no-store" in response["Cache-Control"]


def test_confirming_accepts_the_plan_and_moves_the_status(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, make_programme(name=f"Hospital {RUN}"), proposal="Product X")

    response = client.post(plan_url(token, plan, "accept"))

    assert response.status_code == 302
    assert response["Location"] == case_url(token) + "#plans-title"
    plan.refresh_from_db()
    enquiry.refresh_from_db()
    assert plan.decision == TreatmentPlan.Decision.ACCEPTED
    assert enquiry.status == Enquiry.Status.TREATMENT_PLANNED
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.PLAN_ACCEPTED).count() == 1
    assert enquiry.news_from_patient_at is not None
    assert enquiry.emails.filter(kind=OutgoingEmail.Kind.NEWS_FROM_PATIENT).count() == 1


def test_the_coordinator_hears_a_plan_was_chosen_without_which(client, django_user_model):
    cora = django_user_model.objects.create_user(
        "cora", email="cora@example.org", password="x" * 20, is_staff=True
    )
    enquiry, token = with_hospital(assigned_to=cora)
    plan = make_plan_for(
        enquiry, make_programme(name=f"Hospital {RUN}"), proposal=f"Proposal {RUN}"
    )

    client.post(plan_url(token, plan, "accept"))
    run_ready_tasks()

    (news,) = [email for email in mail.outbox if email.to == ["cora@example.org"]]
    assert enquiry.reference in news.subject
    assert "chosen or declined a treatment plan" in news.body
    assert RUN not in news.body


def test_after_choosing_the_page_says_which_plan_and_what_comes_next(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, make_programme(name=f"Hospital {RUN}"), proposal="Product X")
    client.post(plan_url(token, plan, "accept"))

    page = page_of(client, token)

    assert f"You have chosen the plan from Hospital {RUN}: Product X." in page
    assert "What happens next: your coordinator confirms your choice with the hospital" in page
    assert 'data-testid="status">Treatment being planned<' in page
    assert "You have chosen a hospital&#x27;s plan." in page


def test_a_double_click_is_one_choice(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)

    first = client.post(plan_url(token, plan, "accept"))
    second = client.post(plan_url(token, plan, "accept"))

    assert (first.status_code, second.status_code) == (302, 302)
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.PLAN_ACCEPTED).count() == 1
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.STATUS_CHANGED).count() == 1


def test_a_second_plan_is_refused_with_a_clear_message(client):
    enquiry, token = with_hospital()
    first, second = make_plan_for(enquiry), make_plan_for(enquiry)
    client.post(plan_url(token, first, "accept"))

    response = client.post(plan_url(token, second, "accept"))

    assert response.status_code == 400
    assert "You have already chosen another plan" in response.content.decode()
    second.refresh_from_db()
    assert second.decision == TreatmentPlan.Decision.UNDECIDED
    (other,) = [p for p in plan_texts(page_of(client, token)) if f"/plans/{second.pk}/" in p]
    assert plan_url(token, second, "accept") not in other


def test_an_expired_plan_is_refused_with_a_clear_message(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, valid_until=timezone.localdate() - timedelta(days=1))

    response = client.post(plan_url(token, plan, "accept"))

    assert response.status_code == 400
    assert "This plan is no longer valid, so it cannot be chosen." in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.WITH_HOSPITAL
    assert not enquiry.events.filter(kind=EnquiryEvent.Kind.PLAN_ACCEPTED).exists()


def test_choosing_needs_a_post_with_the_csrf_token():
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)

    response = Client(enforce_csrf_checks=True).post(plan_url(token, plan, "accept"))

    assert response.status_code == 403
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED


def test_another_enquirys_plan_cannot_be_chosen_with_this_link(client):
    _enquiry, token = with_hospital()
    foreign = make_plan_for(make_enquiry(status=Enquiry.Status.WITH_HOSPITAL))

    assert client.get(plan_url(token, foreign, "accept")).status_code == 404
    assert client.post(plan_url(token, foreign, "accept")).status_code == 404
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED


def test_a_wrong_link_cannot_choose(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.post(plan_url(tampered, plan, "accept")).status_code == 404
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED


# Declining a plan.


def test_declining_a_plan_after_confirmation(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    confirmation = client.get(plan_url(token, plan, "decline")).content.decode()
    assert "Yes, decline this plan" in confirmation

    response = client.post(plan_url(token, plan, "decline"))

    assert response.status_code == 302
    plan.refresh_from_db()
    enquiry.refresh_from_db()
    assert plan.decision == TreatmentPlan.Decision.DECLINED
    assert enquiry.status == Enquiry.Status.WITH_HOSPITAL
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.PLAN_DECLINED).count() == 1
    assert enquiry.news_from_patient_at is not None
    (shown,) = plan_texts(page_of(client, token))
    assert "You declined this plan on" in shown
    assert plan_url(token, plan, "decline") not in shown
    assert plan_url(token, plan, "accept") in shown


def test_an_accepted_plan_is_not_declined_from_the_page(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    client.post(plan_url(token, plan, "accept"))

    response = client.post(plan_url(token, plan, "decline"))

    assert response.status_code == 400
    assert "You have chosen this plan. If you have changed your mind" in response.content.decode()
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.ACCEPTED


# Asking about a plan.


def test_a_question_about_a_plan_lands_in_the_conversation_naming_the_plan(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, make_programme(name=f"Hospital {RUN}"), proposal="Product X")
    form = client.get(plan_url(token, plan, "question")).content.decode()
    assert 'name="text"' in form

    response = client.post(
        plan_url(token, plan, "question"),
        {"text": f"Question {RUN}", "form_token": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    assert response["Location"] == case_url(token) + "#conversation-title"
    message = CaseMessage.objects.get()
    assert (message.enquiry, message.sender) == (enquiry, CaseMessage.Sender.PATIENT)
    assert message.text == f"About the plan from Hospital {RUN} (Product X):\n\nQuestion {RUN}"
    enquiry.refresh_from_db()
    assert enquiry.news_from_patient_at is not None
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.MESSAGE_FROM_PATIENT).count() == 1
    assert f"Question {RUN}" in page_of(client, token)


def test_a_question_names_the_plan_in_the_patients_language(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, make_programme(name="Ruijin", name_ru="Жуйцзинь"))

    client.post(
        plan_url(token, plan, "question", "ru"),
        {"text": "Вопрос", "form_token": str(uuid.uuid4())},
    )

    russian = "\u041e плане, который предлагает Жуйцзинь"  # the first letter a Cyrillic O
    assert CaseMessage.objects.get().text.startswith(russian)


def test_the_same_question_sent_twice_is_one_message(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)
    data = {"text": f"Question {RUN}", "form_token": str(uuid.uuid4())}

    client.post(plan_url(token, plan, "question"), data)
    client.post(plan_url(token, plan, "question"), data)

    assert CaseMessage.objects.count() == 1


def test_an_empty_question_gets_a_field_error_and_nothing_is_sent(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry)

    response = client.post(
        plan_url(token, plan, "question"), {"text": " ", "form_token": str(uuid.uuid4())}
    )

    assert response.status_code == 400
    assert "Please write your message." in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_no_question_about_another_enquirys_plan(client):
    _enquiry, token = with_hospital()
    foreign = make_plan_for(make_enquiry())

    response = client.post(
        plan_url(token, foreign, "question"), {"text": "Hi", "form_token": str(uuid.uuid4())}
    )

    assert response.status_code == 404
    assert not CaseMessage.objects.exists()


def test_a_closed_enquiry_shows_its_plans_but_takes_no_decision(client):
    enquiry, token = with_hospital()
    plan = make_plan_for(enquiry, estimated_cost=Decimal("1000"))
    Enquiry.objects.filter(pk=enquiry.pk).update(status=Enquiry.Status.CLOSED_WITHDREW)

    (shown,) = plan_texts(page_of(client, token))
    confirmation = client.get(plan_url(token, plan, "accept")).content.decode()
    response = client.post(plan_url(token, plan, "accept"))

    assert "CN¥1,000.00" in shown
    assert "/plans/" not in shown
    assert 'data-testid="confirm"' not in confirmation
    assert "This enquiry is closed: it takes no decision on a plan." in confirmation
    assert response.status_code == 400
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED


# What the page costs.


def test_the_page_costs_as_many_queries_with_several_plans_and_documents_as_with_none(
    client, django_assert_num_queries
):
    bare = make_enquiry(hospital_sharing_requested_at=timezone.now())
    busy = make_enquiry(hospital_sharing_requested_at=timezone.now())
    for index in range(4):
        plan = make_plan_for(busy, make_programme(name=f"Hospital {index}", city="Beijing"))
        make_case_document(busy, plan=plan)
        make_case_document(busy)
    bare_token, busy_token = CaseLink.issue(bare), CaseLink.issue(busy)

    # The link with its enquiry, the audit entry, the records checklist and its items, the
    # messages, the files, the consent asked for, the documents, the plans with their hospitals
    # and cities.
    with django_assert_num_queries(9):
        assert client.get(case_url(bare_token)).status_code == 200
    with django_assert_num_queries(9):
        busy_page = client.get(case_url(busy_token))

    assert len(plan_texts(busy_page.content.decode())) == 4

"""The patient's decision on a treatment plan (TreatmentPlan.accept and decline): one plan
accepted at most, none once expired, each decision once on the timeline, and the enquiry moving
to Treatment planned when a plan is accepted."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enquiries.models import Enquiry, EnquiryEvent, Referral, TreatmentPlan
from tests.factories import make_enquiry, make_plan, make_plan_for, make_programme

pytestmark = pytest.mark.django_db


def events(enquiry, kind):
    return list(enquiry.events.filter(kind=kind))


def test_accepting_a_plan_records_it_and_moves_the_enquiry_to_treatment_planned():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    plan = make_plan_for(enquiry, make_programme(name="Ruijin", name_ru="Жуйцзинь"))

    assert plan.accept("ru") is True

    plan.refresh_from_db()
    enquiry.refresh_from_db()
    assert plan.decision == TreatmentPlan.Decision.ACCEPTED
    assert plan.decided_at is not None
    assert enquiry.status == Enquiry.Status.TREATMENT_PLANNED
    (accepted,) = events(enquiry, EnquiryEvent.Kind.PLAN_ACCEPTED)
    assert accepted.details == {"plan": plan.pk, "programme": "Жуйцзинь"}
    (moved,) = events(enquiry, EnquiryEvent.Kind.STATUS_CHANGED)
    assert moved.details == {"old": "with_hospital", "new": "treatment_planned"}


def test_accepting_the_same_plan_twice_is_one_decision():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    plan = make_plan_for(enquiry)
    plan.accept("en")
    first_decided_at = TreatmentPlan.objects.get().decided_at

    assert TreatmentPlan.objects.get().accept("en") is False

    assert TreatmentPlan.objects.get().decided_at == first_decided_at
    assert len(events(enquiry, EnquiryEvent.Kind.PLAN_ACCEPTED)) == 1
    assert len(events(enquiry, EnquiryEvent.Kind.STATUS_CHANGED)) == 1


def test_a_second_plan_cannot_be_accepted_once_one_is():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    first, second = make_plan_for(enquiry), make_plan_for(enquiry)
    first.accept("en")

    with pytest.raises(ValidationError) as refused:
        second.accept("en")

    assert refused.value.code == "another_plan_accepted"
    second.refresh_from_db()
    assert second.decision == TreatmentPlan.Decision.UNDECIDED
    assert len(events(enquiry, EnquiryEvent.Kind.PLAN_ACCEPTED)) == 1


def test_another_enquirys_accepted_plan_does_not_stop_this_one():
    make_plan_for(make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)).accept("en")
    plan = make_plan_for(make_enquiry(status=Enquiry.Status.WITH_HOSPITAL))

    assert plan.accept("en") is True


def test_an_expired_plan_cannot_be_accepted_but_its_last_day_can():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    today = timezone.localdate()
    expired = make_plan_for(enquiry, valid_until=today - timedelta(days=1))
    last_day = make_plan_for(enquiry, valid_until=today)

    with pytest.raises(ValidationError) as refused:
        expired.accept("en")

    assert refused.value.code == "expired"
    assert not events(enquiry, EnquiryEvent.Kind.PLAN_ACCEPTED)
    assert last_day.accept("en") is True


def test_a_closed_enquiry_takes_no_decision_and_stays_closed():
    enquiry = make_enquiry(status=Enquiry.Status.CLOSED_WITHDREW)
    plan = make_plan_for(enquiry)

    with pytest.raises(ValidationError):
        plan.accept("en")
    with pytest.raises(ValidationError):
        plan.decline()

    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.CLOSED_WITHDREW
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED


def test_declining_a_plan_records_it_once_and_leaves_the_status():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    plan = make_plan_for(enquiry, make_programme(name="Ruijin"))

    assert plan.decline("en") is True
    assert TreatmentPlan.objects.get().decline("en") is False

    plan.refresh_from_db()
    enquiry.refresh_from_db()
    assert plan.decision == TreatmentPlan.Decision.DECLINED
    assert enquiry.status == Enquiry.Status.WITH_HOSPITAL
    (declined,) = events(enquiry, EnquiryEvent.Kind.PLAN_DECLINED)
    assert declined.details == {"plan": plan.pk, "programme": "Ruijin"}


def test_an_accepted_plan_is_not_declined():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    plan = make_plan_for(enquiry)
    plan.accept("en")

    with pytest.raises(ValidationError) as refused:
        plan.decline()

    assert refused.value.code == "accepted"
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.ACCEPTED


def test_a_declined_plan_can_still_be_accepted_while_valid():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    plan = make_plan_for(enquiry)
    plan.decline()

    assert plan.accept("en") is True
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.ACCEPTED


# A plan the hospital has withdrawn.


@pytest.mark.parametrize(
    "answer", [Referral.Status.DECLINED, Referral.Status.MORE_INFORMATION_NEEDED]
)
def test_a_plan_is_not_accepted_once_the_programme_answered_otherwise(answer):
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    plan = make_plan_for(enquiry)
    plan.referral.record_answer(answer, by=None, note="The bed is no longer available.")

    with pytest.raises(ValidationError) as refused:
        TreatmentPlan.objects.get().accept("en")

    assert refused.value.code == "withdrawn"
    assert refused.value.messages == [
        "The hospital no longer offers this plan, so it cannot be chosen. Please ask your "
        "coordinator what the hospital proposes now."
    ]
    enquiry.refresh_from_db()
    assert TreatmentPlan.objects.get().decision == TreatmentPlan.Decision.UNDECIDED
    assert enquiry.status == Enquiry.Status.WITH_HOSPITAL


def test_a_plan_replaced_by_a_newer_one_is_not_accepted_but_the_newer_one_is():
    enquiry = make_enquiry(status=Enquiry.Status.WITH_HOSPITAL)
    first = make_plan_for(enquiry)
    newer = make_plan(first.referral, recorded_at=first.recorded_at + timedelta(days=1))

    with pytest.raises(ValidationError) as refused:
        first.accept("en")

    assert refused.value.code == "withdrawn"
    assert newer.accept("en") is True

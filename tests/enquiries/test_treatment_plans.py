"""A programme's answer and its treatment plan, and the patient's choice between plans: the rules
the back office and the patient's case page both go through (Referral.record_answer,
TreatmentPlan.accept and decline are tested in test_treatment_plan_decisions.py)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enquiries.models import Enquiry, EnquiryEvent, Referral, TreatmentPlan
from tests.factories import make_enquiry, make_plan, make_programme, make_referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def enquiry():
    enquiry = make_enquiry()
    Enquiry.objects.filter(pk=enquiry.pk).update(status=Enquiry.Status.WITH_HOSPITAL)
    enquiry.refresh_from_db()
    return enquiry


@pytest.fixture
def referral(enquiry):
    return make_referral(enquiry, make_programme(name="Alpha Hospital"))


@pytest.fixture
def plan(referral):
    return make_plan(referral)


def kinds(enquiry):
    return list(enquiry.events.values_list("kind", flat=True))


def new_plan(**fields):
    values = {
        "proposal": "A CD19 CAR-T trial (NCT00000000)",
        "proposed_start": date(2031, 3, 1),
        "proposed_end": date(2031, 4, 15),
        "estimated_cost": Decimal("120000.00"),
        "currency": "USD",
        "includes": "Manufacturing, infusion, 6 weeks in hospital.",
        "valid_until": timezone.localdate() + timedelta(days=60),
        **fields,
    }
    return TreatmentPlan(**values)


class TestTheProgrammesAnswer:
    def test_an_acceptance_stores_the_plan_and_the_referral_says_plan_offered(
        self, referral, coordinator
    ):
        plan = referral.record_answer(Referral.Status.PLAN_OFFERED, by=coordinator, plan=new_plan())

        referral.refresh_from_db()
        assert referral.status == Referral.Status.PLAN_OFFERED
        assert referral.answered_at is not None
        stored = TreatmentPlan.objects.get()
        assert stored == plan
        assert stored.estimated_cost == Decimal("120000.00")
        assert stored.recorded_by == coordinator

    def test_the_timeline_names_the_programme_and_the_plan(self, referral, coordinator):
        referral.record_answer(Referral.Status.PLAN_OFFERED, by=coordinator, plan=new_plan())

        lines = [str(event.describe()) for event in referral.enquiry.events.all()]
        assert "Alpha Hospital answered: Accepted with a plan" in lines
        valid_until = (timezone.localdate() + timedelta(days=60)).isoformat()
        assert f"Treatment plan from Alpha Hospital recorded (valid until {valid_until})" in lines

    def test_a_decline_keeps_its_reason_on_the_referral_not_on_the_timeline(
        self, referral, coordinator
    ):
        reason = "Marker 5b1e0c: the disease is too advanced for this trial."
        referral.record_answer(Referral.Status.DECLINED, by=coordinator, note=reason)

        referral.refresh_from_db()
        assert (referral.status, referral.answer_note) == (Referral.Status.DECLINED, reason)
        assert "5b1e0c" not in str(list(referral.enquiry.events.values_list("details")))

    @pytest.mark.parametrize(
        "status", [Referral.Status.DECLINED, Referral.Status.MORE_INFORMATION_NEEDED]
    )
    def test_a_decline_or_a_request_without_words_is_refused(self, referral, coordinator, status):
        with pytest.raises(ValidationError) as refused:
            referral.record_answer(status, by=coordinator, note="  ")

        assert "note" in refused.value.message_dict
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SENT
        assert EnquiryEvent.Kind.REFERRAL_ANSWERED not in kinds(referral.enquiry)

    def test_an_acceptance_without_a_plan_is_refused(self, referral, coordinator):
        with pytest.raises(ValidationError) as refused:
            referral.record_answer(Referral.Status.PLAN_OFFERED, by=coordinator)

        assert "plan" in refused.value.message_dict

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"currency": ""}, "currency"),
            ({"estimated_cost": Decimal("0")}, "estimated_cost"),
            ({"proposed_end": date(2031, 2, 1)}, "proposed_end"),
            ({"valid_until": None}, "valid_until"),
            ({"proposal": ""}, "proposal"),
        ],
    )
    def test_a_plan_with_a_gap_or_a_contradiction_stores_nothing(
        self, referral, coordinator, fields, field
    ):
        with pytest.raises(ValidationError) as refused:
            referral.record_answer(
                Referral.Status.PLAN_OFFERED, by=coordinator, plan=new_plan(**fields)
            )

        assert field in refused.value.message_dict
        assert not TreatmentPlan.objects.exists()
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SENT

    def test_a_plan_needs_its_referral(self):
        with pytest.raises(ValidationError) as refused:
            new_plan().full_clean()

        assert "referral" in refused.value.message_dict

"""Referrals, plans and the documents given to the patient are health data: a subject-access
export holds them with their files, erasure leaves nothing of them (rows or files), retention
removes their files and texts and keeps the facts the figures need."""

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from enquiries import consents, records, referrals, retention
from enquiries.models import (
    CaseDocument,
    Consent,
    Enquiry,
    Referral,
    ReferralFile,
    TreatmentPlan,
)
from tests.back_office.pages import action, confirm_erasure
from tests.factories import PDF_BYTES, make_enquiry, make_programme
from tests.security.database_search import find_anywhere
from tests.security.markers import ALL_MARKERS, FILE_CONTENT, FILE_NAME, RUN, marker_file

pytestmark = pytest.mark.django_db

ANSWER_TEXT = f"Answermark {RUN}: a PET-CT from the last four weeks, please."
INCLUDES_TEXT = f"Includesmark {RUN}: manufacturing, infusion, 28 days."
LETTER = PDF_BYTES + f"%Lettermark {RUN}\n".encode()
NOW = datetime(2031, 6, 15, 3, 0, tzinfo=UTC)


@pytest.fixture
def referred(coordinator):
    """An enquiry (markers in its file) referred to a programme that answered with a plan the
    patient accepted, with a visa letter for the patient."""
    enquiry = make_enquiry(patient_name=f"Patientmark {RUN}")
    consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="en")
    records.store(enquiry, marker_file()).save()
    [referral] = referrals.refer(
        enquiry,
        programmes=[make_programme(name="Alpha Hospital")],
        record_files=enquiry.record_files.all(),
        share_answers=True,
        method="other_means",
        sent_by_other_means="Handed to the international office",
        by=coordinator,
    )
    # The programme offered a plan, the patient accepted it, then the programme asked for more.
    plan = referral.record_answer(
        Referral.Status.PLAN_OFFERED,
        by=coordinator,
        plan=TreatmentPlan(
            proposal="An approved CD19 CAR-T product",
            includes=INCLUDES_TEXT,
            estimated_cost=Decimal("850000.00"),
            currency="CNY",
            valid_until=date(2099, 1, 1),
        ),
    )
    plan.accept("en")
    referral.record_answer(
        Referral.Status.MORE_INFORMATION_NEEDED, by=coordinator, note=ANSWER_TEXT
    )
    referrals.add_document(
        enquiry,
        SimpleUploadedFile(f"Lettermark-{RUN}.pdf", LETTER),
        title="Visa invitation letter",
        plan=plan,
        by=coordinator,
    )
    return enquiry


def exported(client, enquiry):
    response = action(client, "export_patient_data", [enquiry])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive, json.loads(archive.read(f"{enquiry.reference}/enquiry.json"))


class TestTheExport:
    def test_it_holds_each_referral_what_went_and_the_answer(self, login, lead, referred):
        _archive, data = exported(login(lead), referred)

        [referral] = data["referrals"]
        stored = Referral.objects.get()
        assert referral["programme"] == "Alpha Hospital"
        assert referral["sent"] == "By other means"
        assert referral["answers_to_the_form_shared"] is True
        assert referral["summary_sha256"] == stored.summary_sha256
        assert referral["files_sent"] == [
            {
                "name": f"1-{FILE_NAME}",
                "size_in_bytes": len(FILE_CONTENT),
                "sha256": (ReferralFile.objects.get().sha256),
            }
        ]
        assert (referral["status"], referral["answer"]) == (
            "More information needed",
            ANSWER_TEXT,
        )

    def test_it_holds_the_plans_with_the_cost_as_a_decimal_and_the_decision(
        self, login, lead, referred
    ):
        _archive, data = exported(login(lead), referred)

        [plan] = data["referrals"][0]["treatment_plans"]
        assert (plan["estimated_cost"], plan["currency"]) == ("850000.00", "CNY")
        assert plan["includes"] == INCLUDES_TEXT
        assert plan["your_decision"] == "Accepted by the patient"

    def test_it_names_the_hospital_the_patient_preferred_and_when_they_were_asked(
        self, login, lead, referred
    ):
        Enquiry.objects.filter(pk=referred.pk).update(
            preferred_programme=Referral.objects.get().programme,
            hospital_sharing_requested_at=NOW,
        )

        _archive, data = exported(login(lead), referred)

        assert data["enquiry"]["preferred hospital"] == "Alpha Hospital (Shanghai)"
        assert data["enquiry"]["asked to agree to sharing with hospitals"].startswith("2031-06-15")

    def test_it_holds_the_summary_and_the_documents_files(self, login, lead, referred):
        archive, data = exported(login(lead), referred)

        folder = referred.reference
        summary = archive.read(f"{folder}/{data['referrals'][0]['summary_in_this_archive']}")
        assert referred.reference.encode() in summary
        [document] = data["documents_for_the_patient"]
        assert document["title"] == "Visa invitation letter"
        assert archive.read(f"{folder}/{document['file_in_this_archive']}") == LETTER


class TestErasure:
    def test_the_confirmation_page_counts_referrals_plans_and_documents(
        self, login, lead, referred
    ):
        page = action(login(lead), "erase_enquiries", [referred])

        assert page.context["totals"]["referrals"] == 1
        assert page.context["totals"]["treatment_plans"] == 1
        assert page.context["totals"]["case_documents"] == 1
        html = page.content.decode()
        for heading in ["Referrals", "Treatment plans", "Documents for the patient"]:
            assert f'<th scope="col">{heading}</th>' in html

    def test_it_leaves_no_row_no_file_and_no_marker(
        self, login, lead, referred, stored_files, django_capture_on_commit_callbacks
    ):
        assert len(stored_files()) == 3  # the record, the summary, the letter
        client = login(lead)
        with django_capture_on_commit_callbacks(execute=True):
            confirm_erasure(client, action(client, "erase_enquiries", [referred]))

        assert not Enquiry.objects.exists()
        for model in (Referral, ReferralFile, TreatmentPlan, CaseDocument):
            assert not model.objects.exists(), model
        assert stored_files() == []
        assert find_anywhere([*ALL_MARKERS, ANSWER_TEXT, INCLUDES_TEXT]) == []


class TestRetention:
    @pytest.fixture
    def closed_long_ago(self, referred):
        Enquiry.objects.filter(pk=referred.pk).update(
            status=Enquiry.Status.CLOSED_TREATED, closed_at=NOW - timedelta(days=800)
        )
        return referred

    def test_anonymising_removes_the_package_the_documents_and_the_texts(
        self, closed_long_ago, stored_files, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
            retention.apply()

        assert stored_files() == []
        assert not CaseDocument.objects.exists()
        assert not ReferralFile.objects.exists()
        assert find_anywhere([ANSWER_TEXT, INCLUDES_TEXT, FILE_NAME, RUN]) == []

    def test_anonymising_keeps_the_facts_the_figures_count(
        self, closed_long_ago, django_capture_on_commit_callbacks
    ):
        with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
            retention.apply()

        referral = Referral.objects.get()
        plan = TreatmentPlan.objects.get()
        assert (referral.programme.name, referral.status, referral.method) == (
            "Alpha Hospital",
            Referral.Status.MORE_INFORMATION_NEEDED,
            Referral.Method.OTHER_MEANS,
        )
        assert referral.answered_at is not None
        assert (referral.summary_document.name, referral.sent_to, referral.answer_note) == (
            "",
            "",
            "",
        )
        assert (plan.decision, plan.currency, str(plan.estimated_cost)) == (
            TreatmentPlan.Decision.ACCEPTED,
            "CNY",
            "850000.00",
        )
        assert (plan.proposal, plan.includes, plan.excludes) == ("", "", "")

    def test_spam_goes_with_its_referrals_files(
        self, referred, stored_files, django_capture_on_commit_callbacks
    ):
        Enquiry.objects.filter(pk=referred.pk).update(
            status=Enquiry.Status.SPAM, closed_at=NOW - timedelta(days=40)
        )

        with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
            retention.apply()

        assert not Referral.objects.exists()
        assert stored_files() == []


def test_an_anonymised_enquiry_takes_no_more_answers_or_documents(coordinator, referred):
    referred.anonymise()
    referral = Referral.objects.get()

    with pytest.raises(Exception, match="anonymised"):
        referral.record_answer(Referral.Status.DECLINED, by=coordinator, note="Too late.")
    with pytest.raises(Exception, match="no case page"):
        referrals.add_document(
            referred, SimpleUploadedFile("x.pdf", PDF_BYTES), title="Letter", by=coordinator
        )

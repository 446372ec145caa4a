"""After a referral: recording the programme's answer and its plan from the enquiry page, the
documents a coordinator gives the patient, the downloads of both (permission-checked, audited),
and the Referrals panel that shows it all."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from enquiries import consents, referrals
from enquiries.models import (
    AuditEntry,
    CaseDocument,
    Consent,
    EnquiryEvent,
    Referral,
    TreatmentPlan,
)
from tests.back_office.pages import change_url
from tests.factories import JPEG_BYTES, PDF_BYTES, make_plan, make_programme, make_referral


def answer_url(referral):
    return reverse("admin:enquiries_referral_answer", args=[referral.enquiry_id, referral.pk])


def add_document_url(enquiry):
    return reverse("admin:enquiries_casedocument_add", args=[enquiry.pk])


def summary_url(referral):
    return reverse("admin:enquiries_referral_summary", args=[referral.enquiry_id, referral.pk])


def document_url(document):
    return reverse("admin:enquiries_casedocument_download", args=[document.enquiry_id, document.pk])


def valid_until():
    return timezone.localdate() + timedelta(days=90)


def plan_data(**changes):
    return {
        "status": "plan_offered",
        "note": "",
        "plan-proposal": "Relmacabtagene autoleucel",
        "plan-proposed_start": "2031-03-01",
        "plan-proposed_end": "2031-04-15",
        "plan-estimated_cost": "1200000.00",
        "plan-currency": "CNY",
        "plan-includes": "Cell manufacturing, infusion, 28 days in hospital.",
        "plan-excludes": "Flights and the stay before admission.",
        "plan-valid_until": valid_until().isoformat(),
        **changes,
    }


@pytest.fixture
def alpha():
    return make_programme(name="Alpha Hospital", international_office_email="io@alpha.example.cn")


@pytest.fixture
def referral(enquiry, alpha):
    return make_referral(enquiry, alpha)


@pytest.fixture
def sent(enquiry, alpha, coordinator):
    """A referral made the real way: its summary is in storage."""
    consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="en")
    [made] = referrals.refer(
        enquiry,
        programmes=[alpha],
        record_files=[],
        share_answers=True,
        method="email",
        by=coordinator,
    )
    return made


def document_upload(name="invitation.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class TestRecordingTheAnswer:
    def test_a_coordinator_records_a_plan(self, login, coordinator, referral, enquiry):
        response = login(coordinator).post(answer_url(referral), plan_data())

        assert response.status_code == 302
        assert response["Location"] == change_url(enquiry) + "#referrals"
        referral.refresh_from_db()
        plan = TreatmentPlan.objects.get()
        assert referral.status == Referral.Status.PLAN_OFFERED
        assert (plan.referral, plan.estimated_cost, plan.currency) == (
            referral,
            plan.estimated_cost.__class__("1200000.00"),
            "CNY",
        )
        assert (plan.proposed_start, plan.proposed_end) == (date(2031, 3, 1), date(2031, 4, 15))
        assert plan.recorded_by == coordinator
        assert [e.kind for e in enquiry.events.order_by("pk")][-2:] == [
            EnquiryEvent.Kind.REFERRAL_ANSWERED,
            EnquiryEvent.Kind.PLAN_RECORDED,
        ]

    def test_a_cost_without_a_currency_is_a_field_error_and_nothing_is_stored(
        self, login, coordinator, referral
    ):
        page = login(coordinator).post(answer_url(referral), plan_data(**{"plan-currency": ""}))

        assert page.status_code == 200
        assert page.context["plan_form"].errors["currency"] == [
            "An estimated cost needs its currency."
        ]
        assert not TreatmentPlan.objects.exists()
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SENT

    def test_an_end_before_the_start_is_a_field_error(self, login, coordinator, referral):
        page = login(coordinator).post(
            answer_url(referral), plan_data(**{"plan-proposed_end": "2031-02-01"})
        )

        assert page.context["plan_form"].errors["proposed_end"] == [
            "The proposed end is before the proposed start."
        ]
        assert not TreatmentPlan.objects.exists()

    def test_a_decline_needs_its_reason(self, login, coordinator, referral):
        page = login(coordinator).post(answer_url(referral), {"status": "declined", "note": ""})

        assert page.context["answer"].errors["note"] == ["Write why the programme declined."]
        referral.refresh_from_db()
        assert referral.status == Referral.Status.SENT

    def test_a_decline_is_recorded_without_the_plans_fields(self, login, coordinator, referral):
        login(coordinator).post(
            answer_url(referral),
            {"status": "declined", "note": "Not eligible: CD19 negative after the last relapse."},
        )

        referral.refresh_from_db()
        assert referral.status == Referral.Status.DECLINED
        assert not TreatmentPlan.objects.exists()

    def test_more_information_needed_says_what(self, login, coordinator, referral):
        login(coordinator).post(
            answer_url(referral),
            {"status": "more_information_needed", "note": "A PET-CT from the last 4 weeks."},
        )

        referral.refresh_from_db()
        assert referral.status == Referral.Status.MORE_INFORMATION_NEEDED
        assert referral.answer_note == "A PET-CT from the last 4 weeks."

    def test_another_enquirys_referral_is_404(self, login, coordinator, referral, make):
        other = make(email="other@example.org")
        url = reverse("admin:enquiries_referral_answer", args=[other.pk, referral.pk])

        assert login(coordinator).get(url).status_code == 404

    def test_a_content_editor_gets_403(self, login, content_editor, referral):
        client = login(content_editor)

        assert client.get(answer_url(referral)).status_code == 403
        assert client.post(answer_url(referral), plan_data()).status_code == 403
        assert not TreatmentPlan.objects.exists()


class TestTheSameAnswerFormPostedTwice:
    def test_a_plan_posted_twice_is_stored_once(self, login, coordinator, referral, enquiry):
        client = login(coordinator)
        token = client.get(answer_url(referral)).context["answer"]["form_token"].value()
        data = plan_data(form_token=str(token))

        first = client.post(answer_url(referral), data)
        second = client.post(answer_url(referral), data)

        assert TreatmentPlan.objects.count() == 1
        assert enquiry.events.filter(kind=EnquiryEvent.Kind.PLAN_RECORDED).count() == 1
        assert enquiry.events.filter(kind=EnquiryEvent.Kind.REFERRAL_ANSWERED).count() == 1
        assert second.status_code == first.status_code == 302
        assert second["Location"] == first["Location"]

    def test_a_revised_plan_on_a_new_form_is_stored_as_the_second(
        self, login, coordinator, referral
    ):
        client = login(coordinator)
        for proposal in ("First proposal", "Revised proposal"):
            token = client.get(answer_url(referral)).context["answer"]["form_token"].value()
            client.post(
                answer_url(referral),
                plan_data(form_token=str(token), **{"plan-proposal": proposal}),
            )

        assert list(TreatmentPlan.objects.values_list("proposal", flat=True)) == [
            "First proposal",
            "Revised proposal",
        ]

    def test_a_decline_posted_twice_is_one_answer_on_the_timeline(
        self, login, coordinator, referral, enquiry
    ):
        client = login(coordinator)
        token = client.get(answer_url(referral)).context["answer"]["form_token"].value()
        data = {"status": "declined", "note": "Not eligible.", "form_token": str(token)}

        client.post(answer_url(referral), data)
        client.post(answer_url(referral), data)

        assert enquiry.events.filter(kind=EnquiryEvent.Kind.REFERRAL_ANSWERED).count() == 1


class TestDocumentsForThePatient:
    def test_the_same_document_form_posted_twice_stores_one_document(
        self, login, coordinator, enquiry, stored_files
    ):
        client = login(coordinator)
        token = client.get(add_document_url(enquiry)).context["form"]["form_token"].value()

        for _ in range(2):
            response = client.post(
                add_document_url(enquiry),
                {"title": "Visa invitation letter", "file": document_upload(), "form_token": token},
            )
            assert response.status_code == 302

        assert CaseDocument.objects.count() == 1
        assert len(stored_files()) == 1
        audited = AuditEntry.objects.filter(action=AuditEntry.Action.ADDED_PATIENT_DOCUMENT)
        assert audited.count() == 1

    def test_a_coordinator_gives_the_patient_a_visa_letter_with_a_plan(
        self, login, coordinator, referral, enquiry, stored_files
    ):
        plan = make_plan(referral)

        response = login(coordinator).post(
            add_document_url(enquiry),
            {"title": "Visa invitation letter", "file": document_upload(), "plan": plan.pk},
        )

        assert response.status_code == 302
        document = CaseDocument.objects.get()
        assert (document.enquiry, document.plan, document.title) == (
            enquiry,
            plan,
            "Visa invitation letter",
        )
        assert (document.content_type, document.size) == ("application/pdf", len(PDF_BYTES))
        assert document.added_by == coordinator
        assert [path.read_bytes() for path in stored_files()] == [PDF_BYTES]
        event = enquiry.events.get(kind=EnquiryEvent.Kind.DOCUMENT_ADDED)
        assert str(event.describe()) == (
            "Document added for the patient: PDF document, 0.1 KB, with the plan of Alpha Hospital"
        )
        assert AuditEntry.objects.get(action=AuditEntry.Action.ADDED_PATIENT_DOCUMENT).details[
            "document"
        ] == (document.pk)

    def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_with_nothing_stored(
        self, login, coordinator, enquiry, stored_files
    ):
        page = login(coordinator).post(
            add_document_url(enquiry),
            {"title": "Letter", "file": document_upload("letter.pdf", b"<html>not a pdf</html>")},
        )

        assert page.context["form"].errors["file"] == [
            "“letter.pdf” is not a PDF, JPEG or PNG file."
        ]
        assert not CaseDocument.objects.exists()
        assert stored_files() == []

    def test_a_jpeg_is_kept_as_what_its_content_says(self, login, coordinator, enquiry):
        login(coordinator).post(
            add_document_url(enquiry),
            {"title": "Hotel map", "file": document_upload("map.pdf", JPEG_BYTES)},
        )

        assert CaseDocument.objects.get().content_type == "image/jpeg"

    def test_another_enquirys_plan_is_refused(self, login, coordinator, enquiry, make, alpha):
        elsewhere = make_plan(make_referral(make(email="else@example.org"), alpha))

        page = login(coordinator).post(
            add_document_url(enquiry),
            {"title": "Letter", "file": document_upload(), "plan": elsewhere.pk},
        )

        assert "plan" in page.context["form"].errors
        assert not CaseDocument.objects.exists()

    def test_the_rule_on_plans_holds_below_the_page_too(self, coordinator, enquiry, make, alpha):
        elsewhere = make_plan(make_referral(make(email="else@example.org"), alpha))

        with pytest.raises(ValidationError) as refused:
            referrals.add_document(
                enquiry, document_upload(), title="Letter", plan=elsewhere, by=coordinator
            )

        assert refused.value.message_dict == {"plan": ["Choose a plan of this enquiry."]}
        assert not CaseDocument.objects.exists()

    def test_a_content_editor_gets_403(self, login, content_editor, enquiry):
        page = login(content_editor).post(
            add_document_url(enquiry), {"title": "Letter", "file": document_upload()}
        )

        assert page.status_code == 403
        assert not CaseDocument.objects.exists()


class TestDownloads:
    def test_the_summary_downloads_as_an_attachment_and_is_audited(
        self, login, coordinator, sent, enquiry
    ):
        response = login(coordinator).get(summary_url(sent))

        content = b"".join(response.streaming_content)
        assert response["Content-Disposition"] == (
            f'attachment; filename="{enquiry.reference}-case-summary.html"'
        )
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert enquiry.reference.encode() in content
        entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOADED_REFERRAL_SUMMARY)
        assert (entry.actor, entry.enquiry_reference, entry.details) == (
            coordinator,
            enquiry.reference,
            {"referral": sent.pk},
        )

    def test_a_document_downloads_under_a_safe_name_and_is_audited(
        self, login, coordinator, enquiry
    ):
        document = referrals.add_document(
            enquiry,
            document_upload('..\\evil"\r\nX-Injected: 1.pdf'),
            title="Letter",
            by=coordinator,
        )

        response = login(coordinator).get(document_url(document))

        assert b"".join(response.streaming_content) == PDF_BYTES
        assert "\r" not in response["Content-Disposition"]
        assert "X-Injected" not in response.headers
        assert response["Content-Disposition"].startswith("attachment;")
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.DOWNLOADED_PATIENT_DOCUMENT, actor=coordinator
        ).exists()

    def test_staff_without_the_download_permission_get_403_and_nothing_is_audited(
        self, login, make_staff, sent, enquiry, coordinator
    ):
        document = referrals.add_document(
            enquiry, document_upload(), title="Letter", by=coordinator
        )
        viewer = make_staff(None, username="viewer")
        viewer.user_permissions.add(
            Permission.objects.get(codename="view_enquiry"),
            Permission.objects.get(codename="view_referral"),
        )
        client = login(viewer)

        assert client.get(summary_url(sent)).status_code == 403
        assert client.get(document_url(document)).status_code == 403
        assert not AuditEntry.objects.filter(
            action__in=[
                AuditEntry.Action.DOWNLOADED_REFERRAL_SUMMARY,
                AuditEntry.Action.DOWNLOADED_PATIENT_DOCUMENT,
            ]
        ).exists()

    def test_a_content_editor_gets_403(self, login, content_editor, sent):
        assert login(content_editor).get(summary_url(sent)).status_code == 403


class TestThePanel:
    def test_it_shows_what_went_the_answer_the_plan_and_the_documents(
        self, login, coordinator, sent, enquiry
    ):
        sent.record_answer(
            Referral.Status.PLAN_OFFERED,
            by=coordinator,
            plan=TreatmentPlan(
                proposal="Relmacabtagene autoleucel",
                estimated_cost="1200000.00",
                currency="CNY",
                includes="Manufacturing and infusion.",
                valid_until=valid_until(),
            ),
        )
        plan = TreatmentPlan.objects.get()
        plan.accept("en")
        referrals.add_document(
            enquiry, document_upload(), title="Visa invitation letter", plan=plan, by=coordinator
        )

        html = login(coordinator).get(change_url(enquiry)).content.decode()

        panel = html[html.index('id="referrals"') :]
        for text in [
            "Alpha Hospital",
            "By email to the international office: io@alpha.example.cn",
            "Accepted with a plan",
            "Relmacabtagene autoleucel",
            "CN¥1,200,000.00",
            "Accepted by the patient",
            "Visa invitation letter",
            "with the plan of Alpha Hospital",
            sent.summary_sha256[:12],
            summary_url(sent),
        ]:
            assert text in panel, text

    def test_without_the_download_permission_the_summary_is_named_not_linked(
        self, login, make_staff, sent, enquiry
    ):
        viewer = make_staff(None, username="viewer")
        viewer.user_permissions.add(
            Permission.objects.get(codename="view_enquiry"),
            Permission.objects.get(codename="view_referral"),
        )

        html = login(viewer).get(change_url(enquiry)).content.decode()

        assert "the summary" in html
        assert summary_url(sent) not in html
        assert reverse("admin:enquiries_enquiry_refer", args=[enquiry.pk]) not in html

    def test_the_panel_rows_are_the_stored_rows_field_by_field(
        self, login, coordinator, sent, enquiry
    ):
        """The panel reads its rows from JSON in the enquiry's query (panel_rows): each value
        must come back as the ORM loads it, dates, decimals and booleans included."""
        # The programme answered with the plan, so the patient can accept it.
        Referral.objects.filter(pk=sent.pk).update(status=Referral.Status.PLAN_OFFERED)
        plan = make_plan(sent, proposed_start=date(2031, 3, 1), estimated_cost="1234.56")
        plan.accept("en")
        referrals.add_document(
            enquiry, document_upload(), title="Letter", plan=plan, by=coordinator
        )
        page = login(coordinator).get(change_url(enquiry))

        panel = page.context["referrals_panel"]
        [shown] = panel["referrals"]
        [shown_plan] = shown.plans_offered
        [shown_document] = panel["documents"]
        for instance, stored in [
            (shown, Referral.objects.get()),
            (shown_plan, TreatmentPlan.objects.get()),
            (shown_document, CaseDocument.objects.get()),
        ]:
            loaded = instance.get_deferred_fields()
            for field in type(stored)._meta.concrete_fields:
                if field.attname not in loaded:
                    assert getattr(instance, field.attname) == getattr(stored, field.attname), (
                        field.attname
                    )
        assert shown.programme_name == "Alpha Hospital"
        assert shown.sent_by_name == "Cora Ortiz"

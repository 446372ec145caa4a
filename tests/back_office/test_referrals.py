"""Referring a case to programmes from the enquiry page: only with the patient's consent (or asking
for it on their case page), what goes and how it is recorded, all or nothing, the email to the
international office with its package, and who may do it."""

import hashlib
import re
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from enquiries import consents, records, referrals
from enquiries.models import (
    AuditEntry,
    Consent,
    Enquiry,
    EnquiryEvent,
    OutgoingEmail,
    Referral,
    ReferralFile,
)
from tests.back_office.pages import change_url
from tests.factories import PDF_BYTES, make_programme, pdf_file
from tests.tasks import run_ready_tasks

# In the patient's name, contact details and own words: markers nothing else may hold by chance.
MARK = uuid.uuid4().hex
NAME = f"Namemark {MARK}"
EMAIL = f"mail.{MARK}@example.org"
PHONE = "+442079460958"
OWN_WORDS = f"Wordsmark {MARK}: two lines of R-CHOP, relapsed in May."


def refer_url(enquiry):
    return reverse("admin:enquiries_enquiry_refer", args=[enquiry.pk])


def ask_url(enquiry):
    return reverse("admin:enquiries_enquiry_ask_for_hospital_sharing", args=[enquiry.pk])


@pytest.fixture
def alpha():
    return make_programme(
        name="Alpha Hospital", city="Beijing", international_office_email="io@alpha.example.cn"
    )


@pytest.fixture
def beta():
    return make_programme(
        name="Beta Hospital", city="Shanghai", international_office_email="intl@beta.example.cn"
    )


@pytest.fixture
def without_address():
    return make_programme(name="Gamma Hospital", city="Wuhan")


@pytest.fixture
def patient(make):
    """An enquiry with two record files, whose patient agreed to sharing with hospitals."""
    enquiry = make(
        patient_name=NAME,
        email=EMAIL,
        phone=PHONE,
        diagnosis="large_b_cell_lymphoma",
        disease_status="relapsed",
        birth_year=1968,
        gender="female",
        medical_summary=OWN_WORDS,
        status=Enquiry.Status.IN_REVIEW,
    )
    consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="en")
    for number in (1, 2):
        records.store(
            enquiry, pdf_file(f"scan {number}.pdf", PDF_BYTES + f"%{number}\n".encode())
        ).save()
    return enquiry


def refer_data(enquiry, *programmes, **changes):
    return {
        "programmes": [programme.pk for programme in programmes],
        "share_answers": "on",
        "record_files": list(enquiry.record_files.values_list("pk", flat=True)),
        "method": "email",
        "sent_by_other_means": "",
        **changes,
    }


def summary_of(referral):
    with referral.summary_document.open("rb") as handle:
        return handle.read().decode()


class TestReferring:
    def test_a_coordinator_refers_the_case_to_two_programmes_at_once(
        self, login, coordinator, patient, alpha, beta
    ):
        response = login(coordinator).post(refer_url(patient), refer_data(patient, alpha, beta))

        assert response.status_code == 302
        assert response["Location"] == change_url(patient) + "#referrals"
        made = Referral.objects.order_by("programme__name")
        assert [(r.programme, r.method, r.sent_to, r.sent_by) for r in made] == [
            (alpha, "email", "io@alpha.example.cn", coordinator),
            (beta, "email", "intl@beta.example.cn", coordinator),
        ]
        assert all(referral.status == Referral.Status.SENT for referral in made)

    def test_what_went_is_recorded_with_the_hash_of_each_file_as_it_was(
        self, login, coordinator, patient, alpha
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        referral = Referral.objects.get()
        sent = list(referral.files.order_by("pk"))
        stored = list(patient.record_files.order_by("pk"))
        assert [(f.record_file, f.name, f.size) for f in sent] == [
            (stored[0], "1-scan 1.pdf", stored[0].size),
            (stored[1], "2-scan 2.pdf", stored[1].size),
        ]
        for each, record in zip(sent, stored, strict=True):
            with record.file.open("rb") as handle:
                assert each.sha256 == hashlib.sha256(handle.read()).hexdigest()
        summary = summary_of(referral).encode()
        assert referral.summary_sha256 == hashlib.sha256(summary).hexdigest()
        assert referral.package_size == len(summary) + sum(record.size for record in stored)

    def test_each_referral_is_on_the_timeline_and_in_the_audit_log(
        self, login, coordinator, patient, alpha, beta
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha, beta))

        lines = [str(event.describe()) for event in patient.events.all()]
        assert "Referred to Alpha Hospital by email to its international office" in lines
        assert "Referred to Beta Hospital by email to its international office" in lines
        audited = AuditEntry.objects.filter(action=AuditEntry.Action.REFERRED_CASE)
        assert sorted(entry.details["programme"] for entry in audited) == [
            "Alpha Hospital",
            "Beta Hospital",
        ]
        assert {entry.enquiry_reference for entry in audited} == {patient.reference}

    def test_the_first_referral_moves_the_enquiry_to_with_hospital(
        self, login, coordinator, patient, alpha
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        patient.refresh_from_db()
        assert patient.status == Enquiry.Status.WITH_HOSPITAL
        assert patient.events.filter(kind=EnquiryEvent.Kind.STATUS_CHANGED).get().actor == (
            coordinator
        )

    def test_an_enquiry_further_along_keeps_its_status(self, coordinator, patient, alpha, beta):
        Enquiry.objects.filter(pk=patient.pk).update(status=Enquiry.Status.TREATMENT_PLANNED)
        patient.refresh_from_db()

        referrals.refer(
            patient,
            programmes=[beta],
            record_files=[],
            share_answers=True,
            method="email",
            by=coordinator,
        )

        patient.refresh_from_db()
        assert patient.status == Enquiry.Status.TREATMENT_PLANNED

    def test_by_other_means_records_how_and_sends_no_email(
        self, login, coordinator, patient, without_address
    ):
        how = "Uploaded to Gamma's referral portal for Dr Wang's team"

        login(coordinator).post(
            refer_url(patient),
            refer_data(patient, without_address, method="other_means", sent_by_other_means=how),
        )

        referral = Referral.objects.get()
        assert (referral.method, referral.sent_to, referral.email) == ("other_means", how, None)
        assert not OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.REFERRAL).exists()
        assert str(patient.events.get(kind=EnquiryEvent.Kind.REFERRED).describe()) == (
            "Referred to Gamma Hospital, sent by other means"
        )


class TestReferringTwiceWithOneForm:
    def test_the_same_form_posted_twice_refers_once_and_queues_one_email_each(
        self, login, coordinator, patient, alpha, beta
    ):
        client = login(coordinator)
        token = client.get(refer_url(patient)).context["form"]["form_token"].value()
        data = refer_data(patient, alpha, beta, form_token=str(token))

        first = client.post(refer_url(patient), data)
        second = client.post(refer_url(patient), data)

        assert Referral.objects.count() == 2
        assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.REFERRAL).count() == 2
        assert AuditEntry.objects.filter(action=AuditEntry.Action.REFERRED_CASE).count() == 2
        assert second.status_code == first.status_code == 302
        assert second["Location"] == first["Location"] == change_url(patient) + "#referrals"

    def test_the_page_shows_a_new_token_each_time_so_a_new_form_refers_again(
        self, login, coordinator, patient, alpha
    ):
        client = login(coordinator)
        for _ in range(2):
            token = client.get(refer_url(patient)).context["form"]["form_token"].value()
            client.post(refer_url(patient), refer_data(patient, alpha, form_token=str(token)))

        assert Referral.objects.filter(programme=alpha).count() == 2

    def test_the_token_is_a_hidden_field_of_the_page(self, login, coordinator, patient, alpha):
        page = login(coordinator).get(refer_url(patient))

        token = page.context["form"]["form_token"].value()
        assert f'type="hidden" name="form_token" value="{token}"' in page.content.decode()


class TestTheReferPage:
    def test_it_offers_published_programmes_with_the_preferred_one_and_every_file_chosen(
        self, login, coordinator, patient, alpha, beta
    ):
        make_programme(name="Draft Hospital", status="draft")
        Enquiry.objects.filter(pk=patient.pk).update(preferred_programme=beta)

        page = login(coordinator).get(refer_url(patient))

        form = page.context["form"]
        offered = [str(programme.name) for programme in form.fields["programmes"].queryset]
        assert "Draft Hospital" not in offered
        assert {"Alpha Hospital", "Beta Hospital"} <= set(offered)
        assert form.initial["programmes"] == [beta.pk]
        assert sorted(form.initial["record_files"]) == sorted(
            patient.record_files.values_list("pk", flat=True)
        )
        assert form.initial["method"] == "email"
        assert "intl@beta.example.cn" in page.content.decode()

    def test_without_files_it_says_the_package_holds_the_summary_only(
        self, login, coordinator, patient, alpha
    ):
        patient.record_files.all().delete()

        page = login(coordinator).get(refer_url(patient)).content.decode()

        assert "The patient has sent no files yet: the package holds the summary only." in page

    def test_with_files_it_does_not_say_there_are_none(self, login, coordinator, patient, alpha):
        assert patient.record_files.exists()

        page = login(coordinator).get(refer_url(patient)).content.decode()

        assert "The patient has sent no files yet" not in page

    def test_a_preferred_programme_without_an_address_suggests_other_means(
        self, login, coordinator, patient, without_address
    ):
        Enquiry.objects.filter(pk=patient.pk).update(preferred_programme=without_address)

        page = login(coordinator).get(refer_url(patient))

        assert page.context["form"].initial["method"] == "other_means"

    def test_once_referred_to_the_preferred_programme_it_is_no_longer_chosen(
        self, login, coordinator, patient, alpha, beta
    ):
        Enquiry.objects.filter(pk=patient.pk).update(preferred_programme=beta)
        client = login(coordinator)
        client.post(refer_url(patient), refer_data(patient, beta))

        page = client.get(refer_url(patient))

        assert Referral.objects.get().programme == beta
        assert page.context["form"].initial["programmes"] == []
        assert page.context["form"].initial["method"] == "email"

    def test_the_enquiry_page_has_the_button(self, login, coordinator, patient):
        html = login(coordinator).get(change_url(patient)).content.decode()

        assert f'href="{refer_url(patient)}"' in html


class TestWithoutConsent:
    @pytest.fixture
    def unconsented(self, make):
        enquiry = make(status=Enquiry.Status.IN_REVIEW)
        consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=False, language="ru")
        return enquiry

    def test_the_page_says_so_and_offers_to_ask_the_patient(self, login, coordinator, unconsented):
        page = login(coordinator).get(refer_url(unconsented))

        html = page.content.decode()
        assert page.context["form"] is None
        assert "did not agree to sharing their case with partner hospitals" in html
        assert f'action="{ask_url(unconsented)}"' in html
        assert "Ask the patient on their case page" in html

    def test_a_posted_referral_is_refused_and_nothing_is_stored(
        self, login, coordinator, unconsented, alpha, stored_files
    ):
        before = stored_files()

        login(coordinator).post(refer_url(unconsented), refer_data(unconsented, alpha))

        assert not Referral.objects.exists()
        assert stored_files() == before

    def test_the_rule_holds_below_the_page_too(self, coordinator, unconsented, alpha):
        with pytest.raises(Exception, match="has not agreed"):
            referrals.refer(
                unconsented,
                programmes=[alpha],
                record_files=[],
                share_answers=True,
                method="email",
                by=coordinator,
            )

        assert not Referral.objects.exists()

    def test_a_consent_withdrawn_after_the_form_counts(self, coordinator, patient, alpha):
        consents.record_consent(patient, Consent.Kind.HOSPITAL_SHARING, given=False, language="en")

        with pytest.raises(Exception, match="has not agreed"):
            referrals.refer(
                patient,
                programmes=[alpha],
                record_files=[],
                share_answers=True,
                method="email",
                by=coordinator,
            )

    def test_asking_records_when_and_emails_the_patient_a_link_and_nothing_else(
        self, login, coordinator, make, settings
    ):
        settings.SITE_URL = "https://cart.example.org"
        enquiry = make(patient_name=NAME, email=EMAIL, medical_summary=OWN_WORDS, language="ru")

        response = login(coordinator).post(ask_url(enquiry))
        run_ready_tasks()

        assert response.status_code == 302
        enquiry.refresh_from_db()
        assert enquiry.hospital_sharing_requested_at is not None
        asked = enquiry.events.get(kind=EnquiryEvent.Kind.HOSPITAL_SHARING_REQUESTED)
        assert asked.actor == coordinator
        [email] = mail.outbox
        assert email.to == [EMAIL]
        assert email.subject == (f"Нужно ваше согласие на странице обращения ({enquiry.reference})")
        assert "Пока вы не дадите согласие, никакой больнице ничего не передаётся." in (email.body)
        assert re.search(r"https://cart\.example\.org/ru/case/[\w-]{43}/", email.body)
        assert MARK not in f"{email.subject}{email.body}"

    def test_asking_twice_while_the_first_email_waits_sends_one(self, login, coordinator, make):
        enquiry = make()
        client = login(coordinator)

        client.post(ask_url(enquiry))
        client.post(ask_url(enquiry))

        assert enquiry.emails.filter(kind=OutgoingEmail.Kind.HOSPITAL_SHARING_REQUEST).count() == 1
        assert enquiry.events.filter(kind=EnquiryEvent.Kind.HOSPITAL_SHARING_REQUESTED).count() == 2

    def test_a_patient_who_agreed_already_is_not_asked(self, login, coordinator, patient):
        login(coordinator).post(ask_url(patient))

        patient.refresh_from_db()
        assert patient.hospital_sharing_requested_at is None
        assert not patient.emails.exists()

    def test_an_agreement_given_after_asking_opens_the_form(self, login, coordinator, make):
        enquiry = make(status=Enquiry.Status.IN_REVIEW)
        client = login(coordinator)
        client.post(ask_url(enquiry))

        consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="ar")

        assert client.get(refer_url(enquiry)).context["form"] is not None

    def test_asking_needs_a_post(self, login, coordinator, make):
        assert login(coordinator).get(ask_url(make())).status_code == 405


class TestRefusedReferrals:
    def test_by_email_needs_the_programmes_address(
        self, login, coordinator, patient, alpha, without_address
    ):
        page = login(coordinator).post(
            refer_url(patient), refer_data(patient, alpha, without_address)
        )

        assert page.status_code == 200
        assert page.context["form"].errors["method"] == [
            "Gamma Hospital has no international office email: send it by other means and "
            "write how."
        ]
        assert not Referral.objects.exists()

    def test_by_other_means_needs_how_and_to_whom(self, login, coordinator, patient, alpha):
        page = login(coordinator).post(
            refer_url(patient), refer_data(patient, alpha, method="other_means")
        )

        assert page.context["form"].errors["sent_by_other_means"] == [
            "Write how the case was sent, and to whom."
        ]

    def test_a_package_over_the_limit_is_refused_with_nothing_stored(
        self, login, coordinator, patient, alpha, settings, stored_files
    ):
        settings.REFERRAL_PACKAGE_MAX_BYTES = 2000
        before = stored_files()

        page = login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        [error] = page.context["form"].errors["record_files"]
        assert error.startswith("The package would be ")
        assert "the limit is 0.0 MB" in error
        assert not Referral.objects.exists()
        assert not ReferralFile.objects.exists()
        assert not OutgoingEmail.objects.exists()
        assert stored_files() == before
        patient.refresh_from_db()
        assert patient.status == Enquiry.Status.IN_REVIEW

    def test_a_failure_after_the_summaries_were_written_leaves_no_file_and_no_row(
        self, coordinator, patient, alpha, beta, stored_files, monkeypatch
    ):
        before = stored_files()

        def fail(*args, **kwargs):
            raise OSError("the database went away")

        monkeypatch.setattr(ReferralFile.objects, "bulk_create", fail)
        with pytest.raises(OSError):
            referrals.refer(
                patient,
                programmes=[alpha, beta],
                record_files=patient.record_files.all(),
                share_answers=True,
                method="email",
                by=coordinator,
            )

        assert stored_files() == before
        assert not Referral.objects.exists()
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.REFERRED_CASE).exists()

    def test_a_record_missing_from_storage_is_named_and_nothing_is_stored(
        self, login, coordinator, patient, alpha
    ):
        record = patient.record_files.first()
        record.file.storage.delete(record.file.name)

        page = login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        assert page.context["form"].errors["record_files"] == [
            "“scan 1.pdf” is missing from storage: leave it out, or ask the patient to send it "
            "again."
        ]
        assert not Referral.objects.exists()

    def test_a_draft_programme_is_refused_below_the_page_too(self, coordinator, patient):
        draft = make_programme(
            name="Draft Hospital", status="draft", international_office_email="io@d.example.cn"
        )

        with pytest.raises(ValidationError) as refused:
            referrals.refer(
                patient,
                programmes=[draft],
                record_files=[],
                share_answers=True,
                method="email",
                by=coordinator,
            )

        assert refused.value.message_dict["programmes"] == [
            "Draft Hospital is not published: refer to published programmes."
        ]
        assert not Referral.objects.exists()

    def test_a_closed_enquiry_is_not_referred(self, login, coordinator, patient, alpha):
        Enquiry.objects.filter(pk=patient.pk).update(status=Enquiry.Status.CLOSED_WITHDREW)

        page = login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        assert page.context["form"] is None
        assert "This enquiry is closed" in page.content.decode()
        assert not Referral.objects.exists()


class TestTheSummary:
    def test_it_holds_the_answers_in_english_and_chinese(self, coordinator, patient, alpha):
        [referral] = referrals.refer(
            patient,
            programmes=[alpha],
            record_files=[],
            share_answers=True,
            method="email",
            by=coordinator,
        )

        html = summary_of(referral)
        assert html.startswith("<!doctype html>")
        assert '<meta charset="utf-8">' in html
        assert patient.reference in html
        for text in [
            "Year of birth",
            "出生年份",
            "1968",
            "Large B-cell lymphoma (e.g. DLBCL)",
            "Relapsed (came back after treatment)",
            "Alpha Hospital",
        ]:
            assert text in html, text
        assert OWN_WORDS.split(":")[0] in html

    def test_it_names_the_answer_in_chinese_as_the_form_does(self, coordinator, patient, alpha):
        [referral] = referrals.refer(
            patient,
            programmes=[alpha],
            record_files=[],
            share_answers=True,
            method="email",
            by=coordinator,
        )

        with translation.override("zh-hans"):
            chinese = str(Enquiry.DiseaseStatus.RELAPSED.label)
        assert chinese != "Relapsed (came back after treatment)"
        assert chinese in summary_of(referral)

    def test_it_never_holds_the_patients_name_or_contact_details(self, coordinator, patient, alpha):
        [referral] = referrals.refer(
            patient,
            programmes=[alpha],
            record_files=patient.record_files.all(),
            share_answers=True,
            method="email",
            by=coordinator,
        )

        html = summary_of(referral)
        for value in [NAME, EMAIL, PHONE, "Novak"]:
            assert value not in html

    def test_without_the_answers_it_holds_the_reference_and_the_files_only(
        self, coordinator, patient, alpha
    ):
        [referral] = referrals.refer(
            patient,
            programmes=[alpha],
            record_files=patient.record_files.all(),
            share_answers=False,
            method="email",
            by=coordinator,
        )

        html = summary_of(referral)
        assert referral.shared_answers is False
        assert patient.reference in html
        assert "1-scan 1.pdf" in html
        assert referral.files.first().sha256 in html
        for answer in ["1968", "Large B-cell lymphoma", OWN_WORDS.split(":")[0]]:
            assert answer not in html


class TestTheEmail:
    def test_the_worker_sends_the_package_to_the_international_office(
        self, login, coordinator, patient, alpha
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))
        referral = Referral.objects.get()

        run_ready_tasks()

        [email] = mail.outbox
        assert email.to == ["io@alpha.example.cn"]
        assert patient.reference in email.subject
        attached = {name: content for name, content, _type in email.attachments}
        assert list(attached) == [
            f"{patient.reference}-case-summary.html",
            "1-scan 1.pdf",
            "2-scan 2.pdf",
        ]
        assert hashlib.sha256(attached["1-scan 1.pdf"]).hexdigest() == (
            referral.files.get(name="1-scan 1.pdf").sha256
        )
        # Django keeps a text attachment as text, and sends it encoded in UTF-8.
        summary = attached[f"{patient.reference}-case-summary.html"].encode()
        assert hashlib.sha256(summary).hexdigest() == referral.summary_sha256
        referral.email.refresh_from_db()
        assert referral.email.status == OutgoingEmail.Status.SENT

    def test_its_subject_and_text_hold_nothing_of_the_patient(
        self, login, coordinator, patient, alpha
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        run_ready_tasks()

        [email] = mail.outbox
        text = f"{email.subject}\n{email.body}"
        for value in [MARK, PHONE, "scan 1", "lymphoma", "1968"]:
            assert value not in text, value

    def test_it_is_written_in_english_and_in_chinese(self, login, coordinator, patient, alpha):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))

        run_ready_tasks()

        [email] = mail.outbox
        assert email.subject == (
            f"Case referral {patient.reference} from CAR-T Care China / "
            f"CAR-T Care China 病例转介 {patient.reference}"
        )
        assert email.body.startswith(
            "Dear colleagues of the international office of Alpha Hospital,"
        )
        assert "Alpha Hospital 国际医疗部的同事" in email.body
        assert email.reply_to == ["care@example.org"]

    def test_a_file_changed_since_the_referral_does_not_go(
        self, login, coordinator, patient, alpha
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))
        record = patient.record_files.order_by("pk").first()
        with record.file.storage.open(record.file.name, "wb") as handle:
            handle.write(PDF_BYTES + b"%something else\n")

        run_ready_tasks()

        assert mail.outbox == []
        email = Referral.objects.get().email
        email.refresh_from_db()
        assert (email.status, email.last_error) == (OutgoingEmail.Status.RETRYING, "PackageChanged")


class TestAPackageNoLongerAllowedWhenItsEmailGoes:
    def given_up(self, referral):
        email = referral.email
        email.refresh_from_db()
        return email.status, email.last_error

    def test_a_consent_withdrawn_meanwhile_sends_nothing_and_gives_up_at_once(
        self, login, coordinator, patient, alpha, caplog
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))
        consents.record_consent(patient, Consent.Kind.HOSPITAL_SHARING, given=False, language="en")

        run_ready_tasks()
        run_ready_tasks()

        assert mail.outbox == []
        referral = Referral.objects.get()
        assert self.given_up(referral) == (OutgoingEmail.Status.FAILED, "ReferralNoLongerAllowed")
        referral.email.refresh_from_db()
        assert referral.email.attempts == 1
        failed = patient.events.get(kind=EnquiryEvent.Kind.NOTIFICATION_FAILED)
        assert failed.details["gave_up"] is True
        for value in [MARK, EMAIL, PHONE, "io@alpha.example.cn"]:
            assert value not in caplog.text, value

    @pytest.mark.parametrize(
        "status", [Enquiry.Status.CLOSED_WITHDREW, Enquiry.Status.SPAM], ids=["closed", "spam"]
    )
    def test_an_enquiry_closed_or_spam_meanwhile_sends_nothing(
        self, login, coordinator, patient, alpha, status
    ):
        login(coordinator).post(refer_url(patient), refer_data(patient, alpha))
        Enquiry.objects.filter(pk=patient.pk).update(status=status)

        run_ready_tasks()

        assert mail.outbox == []
        assert self.given_up(Referral.objects.get()) == (
            OutgoingEmail.Status.FAILED,
            "ReferralNoLongerAllowed",
        )


class TestWhoMayRefer:
    def test_a_lead_refers_too(self, login, lead, patient, alpha):
        login(lead).post(refer_url(patient), refer_data(patient, alpha))

        assert Referral.objects.get().sent_by == lead

    def test_a_content_editor_gets_403_and_nothing_is_sent(
        self, login, content_editor, patient, alpha
    ):
        client = login(content_editor)

        assert client.get(refer_url(patient)).status_code == 403
        assert client.post(refer_url(patient), refer_data(patient, alpha)).status_code == 403
        assert client.post(ask_url(patient)).status_code == 403
        assert not Referral.objects.exists()

    def test_coordinators_and_leads_hold_the_referral_permissions_editors_do_not(
        self, coordinator, lead, content_editor, make_staff
    ):
        wanted = [
            "enquiries.view_referral",
            "enquiries.add_referral",
            "enquiries.change_referral",
            "enquiries.view_treatmentplan",
            "enquiries.view_casedocument",
            "enquiries.add_casedocument",
        ]
        reviewer = make_staff("medical_reviewer")
        for user in (coordinator, lead):
            assert all(user.has_perm(name) for name in wanted), user
        for user in (content_editor, reviewer):
            assert not any(user.has_perm(name) for name in wanted), user

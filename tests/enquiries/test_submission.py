"""Sending the form: one enquiry stored with everything that belongs to it, then a thank-you."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client
from django_tasks_db.models import DBTaskResult

from enquiries.models import Consent, Enquiry, EnquiryEvent, OutgoingEmail, RecordFile
from tests.factories import pdf_file, valid_form_data

pytestmark = pytest.mark.django_db


def test_it_stores_the_enquiry_and_redirects_to_the_thank_you_page(submit):
    response = submit()
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302
    assert response.url == "/en/start/thank-you/"
    assert enquiry.patient_name == "Anna Novak"
    assert enquiry.status == Enquiry.Status.NEW


def test_the_thank_you_page_shows_the_reference_kept_in_the_session(submit):
    response = submit(follow=True)
    reference = Enquiry.objects.get().reference
    assert reference in response.content.decode()
    assert all(reference not in url for url, _status in response.redirect_chain)


def test_the_thank_you_page_without_a_submission_sends_to_the_form(client):
    response = client.get("/en/start/thank-you/")
    assert response.status_code == 302
    assert response.url == "/en/start/"


def test_the_reference_is_human_friendly(submit):
    submit()
    assert re.fullmatch(
        r"CT-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", Enquiry.objects.get().reference
    )


def test_it_records_the_chosen_cities(submit, cities):
    submit(valid_form_data(preferred_cities=[cities["Beijing"].pk, cities["Wuhan"].pk]))
    assert set(Enquiry.objects.get().preferred_cities.values_list("name", flat=True)) == {
        "Beijing",
        "Wuhan",
    }


def test_it_records_no_city_preference(submit):
    submit(valid_form_data(no_city_preference="on"))
    enquiry = Enquiry.objects.get()
    assert enquiry.no_city_preference
    assert not enquiry.preferred_cities.exists()


def test_it_records_each_consent_with_its_text_version_and_language(submit):
    submit(valid_form_data(consent_marketing="on"))
    consents = {c.kind: c for c in Consent.objects.all()}
    assert consents[Consent.Kind.HEALTH_DATA_PROCESSING].given
    assert not consents[Consent.Kind.HOSPITAL_SHARING].given
    assert consents[Consent.Kind.MARKETING_EMAIL].given
    health = consents[Consent.Kind.HEALTH_DATA_PROCESSING]
    assert health.text_version == "2026-11"
    assert health.text.startswith("I agree that the health information")
    assert health.language == "en"


def test_it_records_the_language_of_the_form(submit):
    submit()
    assert Enquiry.objects.get().language == "en"


def test_it_records_the_page_and_campaign_that_sent_the_patient(client):
    page = client.get(
        "/en/start/?from=what-is-car-t&utm_source=newsletter&utm_medium=email"
        "&utm_campaign=spring&utm_term=cart&utm_content=button"
    )
    form = page.context["form"]
    data = valid_form_data(
        **{name: form[name].value() for name in form.fields if name.startswith(("utm_", "source_"))}
    )
    client.post("/en/start/", data)
    enquiry = Enquiry.objects.get()
    assert enquiry.source_page_slug == "what-is-car-t"
    assert (enquiry.utm_source, enquiry.utm_medium, enquiry.utm_campaign) == (
        "newsletter",
        "email",
        "spring",
    )
    assert (enquiry.utm_term, enquiry.utm_content) == ("cart", "button")


def test_it_sets_the_first_reply_due_time_from_the_promise(submit, settings):
    settings.FIRST_REPLY_PROMISE_WORKING_HOURS = 4
    # A Monday, 10:00 in Shanghai: four working hours later is 14:00 the same day.
    with time_machine.travel(datetime(2026, 3, 2, 2, 0, tzinfo=UTC), tick=False):
        submit()
    assert Enquiry.objects.get().first_reply_due_at == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_it_records_a_received_event(submit):
    submit()
    event = EnquiryEvent.objects.get()
    assert event.kind == EnquiryEvent.Kind.RECEIVED
    assert event.details == {"files": 0}


def test_it_enqueues_one_task_per_email_in_the_database(submit):
    submit()
    emails = OutgoingEmail.objects.filter(enquiry=Enquiry.objects.get())
    tasks = DBTaskResult.objects.all()
    assert {task.task_path for task in tasks} == {"enquiries.tasks.send_email"}
    assert sorted(task.args_kwargs["args"] for task in tasks) == sorted(
        [email.pk] for email in emails
    )


def test_it_stores_uploaded_records_privately_under_random_names(submit, stored_files):
    submit(valid_form_data(record_files=[pdf_file("Anna Novak pathology.pdf")]))
    record = RecordFile.objects.get()
    (path,) = stored_files()
    assert record.original_name == "Anna Novak pathology.pdf"
    assert record.content_type == "application/pdf"
    assert "Anna" not in record.file.name and "pathology" not in record.file.name
    assert re.fullmatch(r"records/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", record.file.name)
    assert path.name == record.file.name.rsplit("/", 1)[1]
    assert len(record.sha256) == 64 and record.size == path.stat().st_size


def test_a_double_click_stores_one_enquiry_and_shows_the_same_reference(client, start_url):
    data = valid_form_data()
    first = client.post(start_url, data, follow=True)
    second = client.post(start_url, data, follow=True)
    reference = Enquiry.objects.get().reference
    assert reference in first.content.decode()
    assert reference in second.content.decode()


def test_a_resubmission_from_another_session_shows_the_same_reference(client, start_url):
    data = valid_form_data()
    client.post(start_url, data)
    again = Client().post(start_url, data, follow=True)
    assert Enquiry.objects.count() == 1
    assert Enquiry.objects.get().reference in again.content.decode()


def test_a_simultaneous_duplicate_post_shows_the_enquiry_stored_first(submit, monkeypatch):
    """The other request committed between our check and our insert: the unique token wins."""
    from enquiries import intake

    data = valid_form_data()
    submit(data)
    original = intake.already_received
    calls = []

    def not_yet_visible_the_first_time(submission_token):
        calls.append(1)
        return None if len(calls) == 1 else original(submission_token)

    monkeypatch.setattr(intake, "already_received", not_yet_visible_the_first_time)
    response = submit(data, follow=True)
    assert Enquiry.objects.count() == 1
    assert Enquiry.objects.get().reference in response.content.decode()


def test_a_fresh_form_gets_a_fresh_submission_token(client, start_url):
    first = client.get(start_url).context["form"]["submission_token"].value()
    second = client.get(start_url).context["form"]["submission_token"].value()
    assert first != second


class TestWhenTheDatabaseFails:
    @pytest.fixture
    def failing_event_insert(self):
        """The last write of the transaction fails, after the enquiry, consents and files."""

        def fail(*args, **kwargs):
            raise DatabaseError("disk full")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Enquiry, "record_event", fail)
            yield patch

    def test_it_shows_a_calm_page_with_what_was_typed(self, submit, failing_event_insert):
        response = submit(valid_form_data(medical_summary="Relapsed after R-CHOP"))
        html = response.content.decode()
        assert response.status_code == 503
        assert "We could not save your enquiry just now" in html
        assert "Relapsed after R-CHOP" in html

    def test_it_stores_nothing_half(self, submit, cities, failing_event_insert):
        submit(valid_form_data(preferred_cities=[cities["Beijing"].pk]))
        assert not Enquiry.objects.exists()
        assert not Consent.objects.exists()
        assert not DBTaskResult.objects.exists()
        assert not Enquiry.preferred_cities.through.objects.exists()

    def test_it_leaves_no_orphan_files(self, submit, stored_files, failing_event_insert):
        submit(valid_form_data(record_files=[pdf_file(), pdf_file("scan.pdf")]))
        assert not RecordFile.objects.exists()
        assert stored_files() == []

    def test_the_same_form_can_then_be_sent_again(self, submit, failing_event_insert):
        data = valid_form_data()
        submit(data)
        failing_event_insert.undo()
        response = submit(data)
        assert response.status_code == 302
        assert Enquiry.objects.count() == 1


def test_the_deadline_is_not_moved_by_later_saves(submit):
    submit()
    enquiry = Enquiry.objects.get()
    due = enquiry.first_reply_due_at
    enquiry.status = Enquiry.Status.IN_REVIEW
    enquiry.submitted_at += timedelta(days=1)
    enquiry.save()
    enquiry.refresh_from_db()
    assert enquiry.first_reply_due_at == due

"""A patient's rights, run by lead coordinators in the admin: a copy of everything we hold
(access) and erasure. Both are audited; after erasure nothing personal is left anywhere."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from enquiries.models import AuditEntry, CaseLink, CaseMessage, Enquiry, EnquiryEvent, OutgoingEmail
from enquiries.models.case import hash_token
from tests.back_office.pages import action, change_url, confirm_erasure, page_form_data
from tests.security.database_search import find_anywhere
from tests.security.markers import (
    ALL_MARKERS,
    FILE_CONTENT,
    FILE_NAME,
    NOTE_TEXT,
    PHONE_STORED,
    RUN,
    TEXT_MARKERS,
    marker_form_data,
)
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db

MESSAGE_TEXT = f"Messagemark {RUN}: can my father travel in March?"
REPLY_TEXT = f"Replymark {RUN}: yes, once the hospital has seen his PET-CT."


@pytest.fixture
def worked_enquiry(submit, login, coordinator):
    """An enquiry sent through the form with markers everywhere, its emails sent, then opened,
    noted, closed and its file downloaded by a coordinator in the admin."""
    assert submit(marker_form_data()).status_code == 302
    run_ready_tasks()
    enquiry = Enquiry.objects.get()
    client = login(coordinator)
    page = client.get(change_url(enquiry))
    response = client.post(
        change_url(enquiry),
        page_form_data(page, status="closed_withdrew", **{"notes-0-text": NOTE_TEXT}),
    )
    assert response.status_code == 302
    record = enquiry.record_files.get()
    url = reverse("admin:enquiries_recordfile_download", args=[enquiry.pk, record.pk])
    b"".join(client.get(url).streaming_content)
    return enquiry


def exported_archive(client, enquiry):
    response = client.post(
        reverse("admin:enquiries_enquiry_changelist"),
        {"action": "export_patient_data", "index": 0, "_selected_action": [enquiry.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def erase(client, enquiry):
    """Erases the enquiry's person from the list, confirming on the page that lists them."""
    return confirm_erasure(client, action(client, "erase_enquiries", [enquiry]))


class TestTheExport:
    def test_it_holds_every_value_the_patient_sent(self, login, lead, worked_enquiry):
        archive = exported_archive(login(lead), worked_enquiry)

        data = archive.read(f"{worked_enquiry.reference}/enquiry.json").decode()
        for value in [*TEXT_MARKERS.values(), PHONE_STORED, FILE_NAME, NOTE_TEXT, "1970-03-04"]:
            assert value in data, value

    def test_it_holds_consents_cities_notes_timeline_and_files(self, login, lead, worked_enquiry):
        archive = exported_archive(login(lead), worked_enquiry)

        data = json.loads(archive.read(f"{worked_enquiry.reference}/enquiry.json"))
        assert {c["consent_to"] for c in data["consents"]} == {
            "Processing of health data",
            "Sharing with partner hospitals in China",
            "News by email",
        }
        assert data["internal_notes"][0]["text"] == NOTE_TEXT
        assert any("Status" in event["what"] for event in data["timeline"])
        assert data["enquiry"]["privacy notice version"] == "2"
        [listed] = data["files"]
        assert listed["sent_as"] is None  # sent with the form, not as a checklist record
        path = f"{worked_enquiry.reference}/{listed['file_in_this_archive']}"
        assert archive.read(path) == FILE_CONTENT

    def test_it_holds_where_their_answers_pointed(self, login, lead, worked_enquiry):
        archive = exported_archive(login(lead), worked_enquiry)

        data = json.loads(archive.read(f"{worked_enquiry.reference}/enquiry.json"))["enquiry"]
        worked_enquiry.refresh_from_db()
        assert data["matches an approved label"] == worked_enquiry.matches_approved_label
        assert data["possible trial"] == worked_enquiry.has_possible_trial
        assert data["pathway checked"] is not None

    def test_it_lists_each_email_we_sent_them_without_any_address(
        self, login, lead, worked_enquiry
    ):
        archive = exported_archive(login(lead), worked_enquiry)

        data = json.loads(archive.read(f"{worked_enquiry.reference}/enquiry.json"))
        rows = {email.message_id: email for email in worked_enquiry.emails.all()}
        assert {email["message_id"] for email in data["emails"]} == set(rows)
        assert {(email["email"], email["to"], email["status"]) for email in data["emails"]} == {
            ("Acknowledgement", "Patient", "Sent"),
            ("Coordinators' notification", "Coordinators", "Sent"),
        }
        assert "@example.org" not in json.dumps(data["emails"])

    def test_it_holds_the_case_page_conversation_and_when_links_were_made(
        self, login, lead, worked_enquiry
    ):
        CaseMessage.objects.create(enquiry=worked_enquiry, sender="patient", text=MESSAGE_TEXT)
        token = CaseLink.issue(worked_enquiry)
        worked_enquiry.record_files.update(checklist_item="pathology_report")

        archive = exported_archive(login(lead), worked_enquiry)

        raw = archive.read(f"{worked_enquiry.reference}/enquiry.json").decode()
        data = json.loads(raw)
        assert [(m["from"], m["text"]) for m in data["messages"]] == [("Patient", MESSAGE_TEXT)]
        # The acknowledgement email's link and this one: when each was made and last used.
        assert len(data["case_page_links"]) == worked_enquiry.case_links.count() == 2
        assert token not in raw and hash_token(token) not in raw
        assert [listed["sent_as"] for listed in data["files"]] == ["pathology_report"]

    def test_it_holds_the_coordinators_messages_and_who_wrote_them(
        self, login, lead, coordinator, worked_enquiry
    ):
        CaseMessage.objects.create(enquiry=worked_enquiry, sender="patient", text=MESSAGE_TEXT)
        CaseMessage.objects.create(
            enquiry=worked_enquiry, sender="coordinator", author=coordinator, text=REPLY_TEXT
        )

        archive = exported_archive(login(lead), worked_enquiry)

        data = json.loads(archive.read(f"{worked_enquiry.reference}/enquiry.json"))
        assert [(m["from"], m["written_by"], m["text"]) for m in data["messages"]] == [
            ("Patient", None, MESSAGE_TEXT),
            ("Coordinator", "Cora Ortiz", REPLY_TEXT),
        ]

    def test_it_is_audited_and_on_the_timeline(self, login, lead, worked_enquiry):
        exported_archive(login(lead), worked_enquiry)

        entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED_PATIENT_DATA)
        assert (entry.actor, entry.enquiry_reference) == (lead, worked_enquiry.reference)
        assert worked_enquiry.events.filter(
            kind=EnquiryEvent.Kind.PATIENT_DATA_EXPORTED, actor=lead
        ).exists()

    def test_it_is_never_cached(self, login, lead, worked_enquiry):
        response = login(lead).post(
            reverse("admin:enquiries_enquiry_changelist"),
            {"action": "export_patient_data", "index": 0, "_selected_action": [worked_enquiry.pk]},
        )

        assert "no-store" in response["Cache-Control"]

    def test_a_coordinator_cannot_export(self, login, coordinator, worked_enquiry):
        response = action(login(coordinator), "export_patient_data", [worked_enquiry])

        assert response.get("Content-Type") != "application/zip"
        assert not AuditEntry.objects.filter(
            action=AuditEntry.Action.EXPORTED_PATIENT_DATA
        ).exists()


class TestErasure:
    def test_it_asks_for_confirmation_first(self, login, lead, worked_enquiry):
        response = action(login(lead), "erase_enquiries", [worked_enquiry])

        assert response.status_code == 200
        assert "Erase these people" in response.content.decode()
        assert Enquiry.objects.filter(pk=worked_enquiry.pk).exists()

    def test_after_erasure_no_table_holds_any_marker(
        self, login, lead, worked_enquiry, django_capture_on_commit_callbacks
    ):
        # The search does find them while the enquiry exists.
        patient_name = TEXT_MARKERS["patient_name"].casefold()
        assert ("enquiries_enquiry", "patient_name", patient_name) in find_anywhere(ALL_MARKERS)
        with django_capture_on_commit_callbacks(execute=True):
            response = erase(login(lead), worked_enquiry)
        assert response.status_code == 302

        assert find_anywhere(ALL_MARKERS) == []

    def test_after_erasure_no_message_or_case_link_remains(
        self, login, lead, worked_enquiry, django_capture_on_commit_callbacks
    ):
        CaseMessage.objects.create(enquiry=worked_enquiry, sender="patient", text=MESSAGE_TEXT)
        token = CaseLink.issue(worked_enquiry)
        assert find_anywhere([MESSAGE_TEXT]) != []

        with django_capture_on_commit_callbacks(execute=True):
            erase(login(lead), worked_enquiry)

        assert find_anywhere([MESSAGE_TEXT]) == []
        assert CaseLink.find(token) == (CaseLink.Found.UNKNOWN, None)
        assert not CaseLink.objects.exists()

    def test_after_erasure_no_coordinators_message_remains(
        self, login, lead, coordinator, worked_enquiry, django_capture_on_commit_callbacks
    ):
        CaseMessage.objects.create(
            enquiry=worked_enquiry, sender="coordinator", author=coordinator, text=REPLY_TEXT
        )
        assert find_anywhere([REPLY_TEXT]) != []

        with django_capture_on_commit_callbacks(execute=True):
            erase(login(lead), worked_enquiry)

        assert find_anywhere([REPLY_TEXT]) == []

    def test_after_erasure_its_email_rows_are_gone(
        self, login, lead, worked_enquiry, django_capture_on_commit_callbacks
    ):
        assert OutgoingEmail.objects.filter(enquiry=worked_enquiry).count() == 2
        with django_capture_on_commit_callbacks(execute=True):
            erase(login(lead), worked_enquiry)

        assert not OutgoingEmail.objects.exists()

    def test_after_erasure_the_files_are_gone_from_storage(
        self, login, lead, worked_enquiry, stored_files, django_capture_on_commit_callbacks
    ):
        assert len(stored_files()) == 1
        with django_capture_on_commit_callbacks(execute=True):
            erase(login(lead), worked_enquiry)

        assert stored_files() == []

    def test_only_the_audit_entry_remains_saying_who_and_when(
        self, login, lead, worked_enquiry, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            erase(login(lead), worked_enquiry)

        assert not Enquiry.objects.exists()
        entry = AuditEntry.objects.get(action=AuditEntry.Action.ERASED_ENQUIRY)
        assert (entry.actor_name, entry.enquiry_reference) == ("lead", worked_enquiry.reference)
        assert entry.details == {"files": 1, "person_of": worked_enquiry.reference}

    def test_a_coordinator_cannot_erase(self, login, coordinator, worked_enquiry):
        client = login(coordinator)
        action(client, "erase_enquiries", [worked_enquiry])
        client.post(
            reverse("admin:enquiries_enquiry_erase_people"),
            {"enquiry": worked_enquiry.pk, "confirm": "on", "apply": "1"},
        )

        assert Enquiry.objects.filter(pk=worked_enquiry.pk).exists()

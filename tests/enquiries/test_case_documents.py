"""Documents a coordinator gives the patient, on the case page: listed in words, downloaded only
with the case's own link, as an attachment with safe headers, each download audited."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from enquiries.models import AuditEntry, CaseLink, Enquiry
from tests.factories import PDF_BYTES, PNG_BYTES, make_case_document, make_enquiry, make_plan_for

pytestmark = pytest.mark.django_db

# New for each run: no page or header can hold it by chance.
RUN = uuid.uuid4().hex


def case_url(token, language="en"):
    return f"/{language}/case/{token}/"


def document_url(token, document, language="en"):
    return f"/{language}/case/{token}/documents/{document.pk}/"


def opened_case(**fields):
    enquiry = make_enquiry(**fields)
    return enquiry, CaseLink.issue(enquiry)


def downloads():
    return AuditEntry.objects.filter(action=AuditEntry.Action.PATIENT_DOWNLOADED_DOCUMENT)


def test_the_page_lists_each_document_with_its_title_kind_and_size(client):
    enquiry, token = opened_case()
    make_case_document(enquiry, title=f"Invitation {RUN}")
    make_case_document(
        enquiry,
        content=PNG_BYTES * 100,
        title=f"Map {RUN}",
        original_name="map.png",
        content_type="image/png",
        plan=make_plan_for(enquiry),
    )

    page = client.get(case_url(token)).content.decode()

    section = page[page.index('id="documents-title"') :]
    assert f"Invitation {RUN}" in section and f"Map {RUN}" in section
    assert "PDF document · 45\xa0bytes" in section
    assert "Image (PNG) · 3.9\xa0KB" in section


def test_no_document_section_without_documents(client):
    _enquiry, token = opened_case()

    assert 'id="documents-title"' not in client.get(case_url(token)).content.decode()


def test_the_holder_of_the_link_downloads_the_document_as_an_attachment(client):
    enquiry, token = opened_case()
    document = make_case_document(enquiry, original_name="Einladung für Anna.pdf")

    response = client.get(document_url(token, document))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Einladung%20f%C3%BCr%20Anna.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"


def test_a_document_of_a_type_we_do_not_know_is_only_ever_saved(client):
    enquiry, token = opened_case()
    document = make_case_document(
        enquiry,
        content=b"<html><script>alert(1)</script>",
        content_type="text/html",
        original_name="letter.html",
    )

    response = client.get(document_url(token, document))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="letter.html"'


def test_a_download_is_audited_as_the_patients_without_personal_data(client):
    enquiry, token = opened_case()
    document = make_case_document(enquiry, original_name=f"{RUN}.pdf", title=f"Title {RUN}")

    client.get(document_url(token, document))

    (entry,) = downloads()
    assert (entry.enquiry_reference, entry.actor, entry.actor_name) == (
        enquiry.reference,
        None,
        "patient",
    )
    assert entry.details == {"document": document.pk}


def test_another_cases_document_is_not_found_with_this_link(client):
    _enquiry, token = opened_case()
    foreign = make_case_document(make_enquiry(), title=f"Foreign {RUN}")

    response = client.get(document_url(token, foreign))

    assert response.status_code == 404
    assert RUN not in response.content.decode()
    assert not downloads().exists()


def test_a_document_id_that_does_not_exist_is_not_found(client):
    enquiry, token = opened_case()
    document = make_case_document(enquiry)

    response = client.get(f"/en/case/{token}/documents/{document.pk + 1000}/")

    assert response.status_code == 404


def test_without_the_link_nobody_downloads_the_document():
    enquiry, token = opened_case()
    document = make_case_document(enquiry)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    stranger = Client()

    assert stranger.get(document_url(tampered, document)).status_code == 404
    assert stranger.get(f"/en/case/documents/{document.pk}/").status_code == 404
    assert not downloads().exists()


def test_an_expired_link_downloads_nothing(client, settings):
    settings.CASE_LINK_IDLE_DAYS = 30
    enquiry, token = opened_case()
    document = make_case_document(enquiry)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client.get(document_url(token, document))

    assert response.status_code == 410
    assert "Content-Disposition" not in response
    assert not downloads().exists()


def test_an_anonymised_or_spam_enquirys_documents_are_gone_from_the_link(client):
    enquiry, token = opened_case()
    document = make_case_document(enquiry)
    Enquiry.objects.filter(pk=enquiry.pk).update(status=Enquiry.Status.SPAM)

    assert client.get(document_url(token, document)).status_code == 404


def test_downloading_takes_a_get(client):
    enquiry, token = opened_case()
    document = make_case_document(enquiry)

    assert client.post(document_url(token, document)).status_code == 405


def test_a_file_missing_from_storage_is_not_found(client, private_media):
    enquiry, token = opened_case()
    document = make_case_document(enquiry)
    (private_media / document.file.name).unlink()

    assert client.get(document_url(token, document)).status_code == 404
    assert not downloads().exists()

"""Medical records download only through the permission-checked view, as attachments, audited."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from enquiries import records
from enquiries.models import AuditEntry
from tests.back_office.pages import change_url
from tests.factories import PDF_BYTES, pdf_file


@pytest.fixture
def record(enquiry):
    stored = records.store(enquiry, pdf_file('..\\..\\evil"\r\nX-Injected: 1.pdf'))
    stored.save()
    return stored


def download_url(record):
    return reverse("admin:enquiries_recordfile_download", args=[record.enquiry_id, record.pk])


def body(response):
    return b"".join(response.streaming_content)


def test_a_coordinator_downloads_the_file_as_an_attachment(login, coordinator, record):
    response = login(coordinator).get(download_url(record))
    assert response.status_code == 200
    assert body(response) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_the_patients_file_name_is_sanitised_in_the_header(login, coordinator, record):
    disposition = login(coordinator).get(download_url(record))["Content-Disposition"]
    # No path, no quote to break out of, no line break to start a header of its own.
    assert disposition == 'attachment; filename="evil_X-Injected_ 1.pdf"'


def test_each_download_is_on_the_timeline_and_in_the_audit_log(login, coordinator, record):
    login(coordinator).get(download_url(record))
    event = record.enquiry.events.get(kind="record_downloaded")
    assert event.actor == coordinator
    assert event.details == {"file": record.pk}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DOWNLOADED_RECORD)
    assert (entry.actor, entry.enquiry_reference) == (coordinator, record.enquiry.reference)


def test_a_file_of_another_enquiry_is_not_found(login, coordinator, record, make):
    other = make(email="other@example.org")
    url = reverse("admin:enquiries_recordfile_download", args=[other.pk, record.pk])
    assert login(coordinator).get(url).status_code == 404


def test_a_logged_out_visitor_is_sent_to_the_login_page(client, record):
    response = client.get(download_url(record))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not AuditEntry.objects.exists()


def test_the_enquiry_page_links_to_the_download(login, coordinator, record):
    html = login(coordinator).get(change_url(record.enquiry)).content.decode()
    assert download_url(record) in html


def test_staff_who_may_view_enquiries_but_not_download_records_get_403(login, make_staff, record):
    viewer = make_staff(None, username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_enquiry"))
    client = login(viewer)
    # They do see the enquiry, without a link: only the download permission stands in the way.
    page = client.get(reverse("admin:enquiries_enquiry_change", args=[record.enquiry_id]))
    assert page.status_code == 200
    assert download_url(record) not in page.content.decode()

    response = client.get(download_url(record))

    assert response.status_code == 403
    assert not record.enquiry.events.filter(kind="record_downloaded").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED_RECORD).exists()


def test_staff_who_may_not_download_records_are_told_why_in_the_files_list(
    login, make_staff, coordinator, record
):
    viewer = make_staff(None, username="viewer")
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_enquiry", "view_recordfile"])
    )
    refusal = "Not allowed for your role"
    html = login(viewer).get(change_url(record.enquiry)).content.decode()
    assert refusal in html
    assert refusal not in login(coordinator).get(change_url(record.enquiry)).content.decode()

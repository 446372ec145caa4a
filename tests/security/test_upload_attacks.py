"""Upload attacks: what a hostile file can and cannot do.

We accept a file by its first bytes (PDF, JPEG, PNG). A polyglot (a valid PDF or PNG header with
HTML or script behind it) passes that check on purpose: parsing every format deeply is a larger
attack surface than the file. It is harmless because it is never rendered by us: stored under a
random name outside any served folder, and only ever sent as an attachment with the type we
detected and nosniff, so no browser runs it as a page. File names are data, never paths."""

import io
import json
import zipfile
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enquiries import records
from enquiries.models import Enquiry, RecordFile
from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, valid_form_data

pytestmark = pytest.mark.django_db

PDF_WITH_HTML = PDF_BYTES + b"<html><body><script>alert(document.cookie)</script></body></html>"
PNG_WITH_SCRIPT = PNG_BYTES + b"<script>fetch('/admin/').then(r=>r.text())</script>"


def send(submit, name, content):
    return submit(valid_form_data(record_files=SimpleUploadedFile(name, content)))


def download(login, coordinator, record):
    url = reverse("admin:enquiries_recordfile_download", args=[record.enquiry_id, record.pk])
    return login(coordinator).get(url)


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("report.pdf", PDF_WITH_HTML, "application/pdf"),
        ("scan.png", PNG_WITH_SCRIPT, "image/png"),
        ("report.html", PDF_WITH_HTML, "application/pdf"),
    ],
)
def test_a_polyglot_is_only_ever_served_as_an_attachment_of_its_detected_type(
    submit, login, coordinator, name, content, content_type
):
    assert send(submit, name, content).status_code == 302
    record = RecordFile.objects.get()

    response = download(login, coordinator, record)

    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_polyglot_is_stored_under_a_random_name_with_the_detected_extension(submit):
    send(submit, "report.html", PDF_WITH_HTML)

    stored = RecordFile.objects.get().file.name
    assert stored.startswith("records/")
    assert stored.endswith(".pdf")
    assert "report" not in stored


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<!DOCTYPE html><script>alert(1)</script>%PDF-1.4",
        b"GIF89a<script>alert(1)</script>",
    ],
)
def test_a_script_or_svg_renamed_pdf_is_refused(submit, stored_files, content):
    response = send(submit, "scan.pdf", content)

    assert response.status_code == 200
    assert "is not a PDF, JPEG or PNG file" in response.content.decode()
    assert not Enquiry.objects.exists()
    assert stored_files() == []


def test_a_path_in_the_file_name_never_reaches_the_file_system(
    submit, private_media, stored_files, login, coordinator
):
    send(submit, "../../etc/passwd.pdf", PDF_BYTES)

    [path] = stored_files()
    assert path.is_relative_to(private_media / "records")
    assert "passwd" not in str(path)
    disposition = download(login, coordinator, RecordFile.objects.get())["Content-Disposition"]
    assert disposition == 'attachment; filename="passwd.pdf"'


def test_control_characters_in_the_name_never_reach_a_header(submit, login, coordinator):
    send(submit, "scan\x00\r\nX-Injected: 1\x07.pdf", PDF_BYTES)

    response = download(login, coordinator, RecordFile.objects.get())

    disposition = response["Content-Disposition"]
    assert not any(ch in disposition for ch in "\x00\r\n\x07")
    assert "X-Injected" not in response.headers


def test_a_very_long_name_is_kept_short_as_data_and_in_the_header(submit, login, coordinator):
    send(submit, "a" * 5000 + ".pdf", PDF_BYTES)

    record = RecordFile.objects.get()
    assert len(record.original_name) <= 255
    assert len(record.file.name) < 60
    disposition = download(login, coordinator, record)["Content-Disposition"]
    assert len(disposition) < 140


@pytest.mark.parametrize(
    ("name", "content", "downloaded_as"),
    [
        ("report.html", PDF_BYTES, "report.html.pdf"),
        ("scan.bat", PDF_BYTES, "scan.bat.pdf"),
        ("photo.png", JPEG_BYTES, "photo.png.jpg"),
        ("blood test", PNG_BYTES, "blood test.png"),
        ("Scan.JPEG", JPEG_BYTES, "Scan.JPEG"),
        ("Report.PDF", PDF_BYTES, "Report.PDF"),
        ("scan\u202efdp.exe", PDF_BYTES, "scanfdp.exe.pdf"),
    ],
)
def test_a_download_is_named_with_the_extension_of_its_detected_type(
    submit, login, coordinator, name, content, downloaded_as
):
    send(submit, name, content)
    record = RecordFile.objects.get()

    response = download(login, coordinator, record)

    assert response["Content-Disposition"] == f'attachment; filename="{downloaded_as}"'


@pytest.mark.parametrize(
    ("name", "content", "archived_as"),
    [
        ("report.html", PDF_BYTES, "1-report.html.pdf"),
        ("scan.bat", PNG_BYTES, "1-scan.bat.png"),
        ("результаты.pdf", PDF_BYTES, "1-результаты.pdf"),
    ],
)
def test_a_file_in_the_subject_access_archive_ends_in_its_detected_extension(
    submit, login, lead, name, content, archived_as
):
    send(submit, name, content)
    enquiry = Enquiry.objects.get()

    response = login(lead).post(
        reverse("admin:enquiries_enquiry_changelist"),
        {"action": "export_patient_data", "index": 0, "_selected_action": [enquiry.pk]},
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    path = f"{enquiry.reference}/files/{archived_as}"
    assert archive.read(path) == content
    assert (
        json.loads(archive.read(f"{enquiry.reference}/enquiry.json"))["files"][0]["original_name"]
        == name
    )


def downloaded_name(response):
    disposition = response["Content-Disposition"]
    if "filename*=utf-8''" in disposition:
        return unquote(disposition.split("filename*=utf-8''", 1)[1])
    return disposition.split('filename="', 1)[1].removesuffix('"')


@pytest.mark.parametrize(
    "name",
    [
        "scan\x00\r\nX-Injected: 1\x07.pdf",
        'a<b>c:d"e|f?g*h.pdf',
        "report.html",
        "scan\u202efdp.exe",
        "Dr. Li  scan .PDF",
        "a" * 300 + ".pdf",
        "результаты анализов.pdf",
    ],
)
def test_a_record_has_the_same_name_in_a_download_and_in_the_subject_access_archive(
    submit, login, coordinator, lead, name
):
    send(submit, name, PDF_BYTES)
    enquiry = Enquiry.objects.get()

    downloaded = downloaded_name(download(login, coordinator, RecordFile.objects.get()))
    response = login(lead).post(
        reverse("admin:enquiries_enquiry_changelist"),
        {"action": "export_patient_data", "index": 0, "_selected_action": [enquiry.pk]},
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))

    assert archive.read(f"{enquiry.reference}/files/1-{downloaded}") == PDF_BYTES


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("..\\..\\Windows\\evil.pdf", "evil.pdf"),
        ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
        ("  ..  ", "record.pdf"),
        ("\x00\x1b[31m.pdf", "[31m.pdf"),
        ("a" * 300 + ".html", "a" * 96 + ".pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
    ],
)
def test_the_file_name_sanitiser_keeps_only_a_short_plain_name(name, safe):
    assert records.safe_file_name(name, "application/pdf") == safe

"""Medical record uploads: checked by content, limited in size and number, stored privately."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enquiries import records
from enquiries.models import Enquiry, RecordFile
from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, pdf_file, valid_form_data

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024


def errors_of(response):
    return response.context["form"].errors


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF_BYTES, "application/pdf"), (JPEG_BYTES, "image/jpeg"), (PNG_BYTES, "image/png")],
)
def test_it_recognises_accepted_files_by_their_first_bytes(content, content_type):
    assert records.detect_content_type(SimpleUploadedFile("x", content)) == content_type


@pytest.mark.parametrize(
    "content",
    [b"MZ\x90\x00 windows program", b"<html><script>", b"GIF89a", b"", b" %PDF-1.4 shifted"],
)
def test_it_recognises_nothing_else(content):
    assert records.detect_content_type(SimpleUploadedFile("x.pdf", content)) is None


def near_misses():
    """For each signature and each length of a matching start (from its first byte only to all
    but its last byte), the signature with the next byte changed, then ordinary content."""
    for signature, content_type, _extension in records.SIGNATURES:
        for matching in range(1, len(signature)):
            wrong = bytes([signature[matching] ^ 0xFF])
            yield pytest.param(
                signature[:matching] + wrong + b"0" * 32, id=f"{content_type}-{matching}-bytes"
            )


@pytest.mark.parametrize("content", list(near_misses()))
def test_it_compares_every_byte_of_each_signature(content):
    assert records.detect_content_type(SimpleUploadedFile("x.pdf", content)) is None


@pytest.mark.parametrize(
    "content",
    [b"%!PS-Adobe-3.0\n", b"%PDF", b"\xff\xd8", b"\x89PNG\r\n\x1a"],
    ids=["postscript", "pdf-cut-short", "jpeg-cut-short", "png-cut-short"],
)
def test_a_file_shorter_than_a_signature_or_only_starting_like_one_is_refused(content):
    assert records.detect_content_type(SimpleUploadedFile("x.pdf", content)) is None


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", b"%PDX-1.4" + b"0" * 32),
        ("scan.jpg", b"\xff\xd8\x00\xe0" + b"0" * 32),
        ("scan.png", b"\x89PNG\r\n\x1a\x00" + b"0" * 32),
    ],
    ids=["pdf", "jpeg", "png"],
)
def test_the_form_refuses_a_file_that_only_starts_like_an_accepted_type(
    submit, stored_files, name, content
):
    errors = errors_of(submit(valid_form_data(record_files=[SimpleUploadedFile(name, content)])))
    assert errors["record_files"] == [f"“{name}” is not a PDF, JPEG or PNG file."]
    assert not Enquiry.objects.exists()
    assert stored_files() == []


def test_it_accepts_pdf_jpeg_and_png_files(submit):
    files = [
        pdf_file(),
        SimpleUploadedFile("scan.jpg", JPEG_BYTES),
        SimpleUploadedFile("blood.png", PNG_BYTES),
    ]
    submit(valid_form_data(record_files=files))
    assert sorted(RecordFile.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]


def test_it_rejects_another_file_type_renamed_pdf(submit):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 a program", content_type="application/pdf")
    errors = errors_of(submit(valid_form_data(record_files=[fake])))
    assert errors["record_files"] == ["“report.pdf” is not a PDF, JPEG or PNG file."]
    assert not Enquiry.objects.exists()


def test_it_rejects_a_file_over_10_mb(submit, stored_files):
    big = pdf_file("big.pdf", PDF_BYTES + b"0" * TEN_MB)
    errors = errors_of(submit(valid_form_data(record_files=[big])))
    assert errors["record_files"] == ["One file is larger than 10 MB."]
    assert stored_files() == []


def test_it_accepts_a_file_of_exactly_10_mb(submit):
    exact = pdf_file("exact.pdf", PDF_BYTES + b"0" * (TEN_MB - len(PDF_BYTES)))
    assert submit(valid_form_data(record_files=[exact])).status_code == 302
    assert RecordFile.objects.get().size == TEN_MB


def test_it_accepts_five_files_of_10_mb(submit):
    content = PDF_BYTES + b"0" * (TEN_MB - len(PDF_BYTES))
    files = [pdf_file(f"part{n}.pdf", content) for n in range(5)]
    assert submit(valid_form_data(record_files=files)).status_code == 302
    assert RecordFile.objects.count() == 5


def test_it_rejects_more_than_five_files(submit, stored_files):
    files = [pdf_file(f"part{n}.pdf") for n in range(6)]
    errors = errors_of(submit(valid_form_data(record_files=files)))
    assert errors["record_files"] == ["You can attach up to 5 files."]
    assert stored_files() == []


def test_the_form_itself_rejects_more_than_five_files():
    """Defence in depth: the form checks the count even without the upload handler."""
    from enquiries.forms import RecordFilesField

    with pytest.raises(Exception, match="up to 5 files; you chose 6"):
        RecordFilesField(required=False).clean([pdf_file() for _ in range(6)])


def test_it_asks_to_choose_the_files_again_after_an_error(submit):
    html = submit(valid_form_data(email="bad", record_files=[pdf_file()])).content.decode()
    assert "Please choose your files again" in html


def test_an_oversized_upload_gets_a_friendly_page_not_an_error(submit):
    huge = [pdf_file(f"big{n}.pdf", PDF_BYTES + b"0" * TEN_MB) for n in range(7)]
    response = submit(valid_form_data(record_files=huge))
    assert response.status_code == 200
    assert "record_files" in errors_of(response)

"""A connection dropped while the form is being sent: nothing half-stored, a clear message; and
the same form sent again with files the stored enquiry lacks: the files are added, never lost."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from enquiries import records
from enquiries.models import Consent, Enquiry, EnquiryEvent, RecordFile
from tests.factories import JPEG_BYTES, PDF_BYTES, PNG_BYTES, pdf_file, valid_form_data

pytestmark = pytest.mark.django_db

FIRST_FILE = PDF_BYTES + b"first-file-" + b"1" * 5000
SECOND_FILE = PDF_BYTES + b"second-file-" + b"2" * 5000


def full_body(data):
    return encode_multipart(BOUNDARY, data)


def with_two_files(**overrides):
    return valid_form_data(
        record_files=[pdf_file("first.pdf", FIRST_FILE), pdf_file("second.pdf", SECOND_FILE)],
        medical_summary="Relapsed after R-CHOP",
        **overrides,
    )


# Where the connection drops, as a function of the whole body.
CUTS = {
    "in the first file": lambda body: body.index(b"first-file-") + 2000,
    "in the second file": lambda body: body.index(b"second-file-") + 2000,
    "in a text answer": lambda body: body.index(b"Relapsed after") + 8,
    "after the consent, before the end": lambda body: body.rindex(b"--" + BOUNDARY.encode()) + 4,
}


def post_cut(client, start_url, body, cut, *, announced_length):
    """Post the body cut at `cut`: announcing only what is sent (a proxy that buffered the cut
    body), or the whole length with fewer bytes arriving (the server reading a dropped socket)."""
    sent = body[:cut]
    extra = {}
    if announced_length == "whole":
        extra = {"CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(sent)}
    return client.generic("POST", start_url, sent, content_type=MULTIPART_CONTENT, **extra)


@pytest.mark.parametrize("announced_length", ["sent", "whole"])
@pytest.mark.parametrize("cut_at", CUTS.values(), ids=CUTS.keys())
def test_a_body_cut_short_stores_nothing_and_says_what_happened(
    client, start_url, stored_files, cut_at, announced_length
):
    body = full_body(with_two_files())

    response = post_cut(client, start_url, body, cut_at(body), announced_length=announced_length)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Your enquiry did not arrive completely" in html
    assert "choose your files again" in html
    assert not Enquiry.objects.exists()
    assert not Consent.objects.exists()
    assert not RecordFile.objects.exists()
    assert stored_files() == []


def test_what_arrived_before_the_cut_is_shown_again(client, start_url):
    body = full_body(with_two_files())

    response = post_cut(
        client, start_url, body, CUTS["in the first file"](body), announced_length="whole"
    )

    assert 'value="Anna Novak"' in response.content.decode()


def test_the_message_is_translated(client):
    body = full_body(with_two_files())

    response = client.generic(
        "POST", "/ru/start/", body[: CUTS["in the first file"](body)], MULTIPART_CONTENT
    )

    assert "Your enquiry did not arrive completely" not in response.content.decode()
    assert response.status_code == 400


def test_a_complete_body_is_stored_with_its_files(client, start_url):
    body = full_body(with_two_files())

    response = client.generic("POST", start_url, body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 302
    assert Enquiry.objects.get().record_files.count() == 2


def test_the_form_sent_again_after_a_cut_is_stored_whole(client, start_url):
    body = full_body(with_two_files())
    post_cut(client, start_url, body, CUTS["in the second file"](body), announced_length="whole")

    response = client.generic("POST", start_url, body, content_type=MULTIPART_CONTENT)

    assert response.status_code == 302
    assert sorted(RecordFile.objects.values_list("original_name", flat=True)) == [
        "first.pdf",
        "second.pdf",
    ]


class TestTheSameFormSentAgainWithFiles:
    """The enquiry of this form is stored already (its submission token matches)."""

    @pytest.fixture
    def sent(self, submit):
        data = valid_form_data(record_files=[pdf_file("first.pdf", FIRST_FILE)])
        assert submit(data).status_code == 302
        return data

    def test_files_the_enquiry_lacks_are_added_with_an_event(self, submit, sent, stored_files):
        again = {
            **sent,
            "record_files": [
                pdf_file("first.pdf", FIRST_FILE),
                SimpleUploadedFile("scan.png", PNG_BYTES),
            ],
        }

        response = submit(again, follow=True)

        enquiry = Enquiry.objects.get()
        assert sorted(enquiry.record_files.values_list("original_name", flat=True)) == [
            "first.pdf",
            "scan.png",
        ]
        assert len(stored_files()) == 2
        event = enquiry.events.get(kind=EnquiryEvent.Kind.FILES_ADDED)
        assert event.details == {"files": 1}
        assert enquiry.reference in response.content.decode()
        assert "The files you sent again have been added to your enquiry." in (
            response.content.decode()
        )

    def test_a_file_already_there_is_not_stored_twice(self, submit, sent, stored_files):
        response = submit({**sent, "record_files": [pdf_file("renamed.pdf", FIRST_FILE)]})

        assert response.status_code == 302
        assert RecordFile.objects.count() == 1
        assert len(stored_files()) == 1
        assert not EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.FILES_ADDED).exists()

    def test_files_beyond_the_limit_are_not_added_and_the_patient_is_told(
        self, submit, sent, stored_files
    ):
        more = [pdf_file(f"part{n}.pdf", PDF_BYTES + bytes([n]) * 10) for n in range(5)]

        response = submit({**sent, "record_files": more}, follow=True)

        assert RecordFile.objects.count() == records.MAX_FILES
        assert len(stored_files()) == records.MAX_FILES
        assert "Some of the files you sent again could not be added" in (response.content.decode())

    def test_the_limit_told_is_the_limit_applied_and_records_are_never_invited_by_email(
        self, submit, sent, monkeypatch
    ):
        monkeypatch.setattr(records, "MAX_FILES", 2)
        more = [pdf_file(f"part{n}.pdf", PDF_BYTES + bytes([n]) * 10) for n in range(2)]

        html = submit({**sent, "record_files": more}, follow=True).content.decode()

        assert RecordFile.objects.count() == 2
        assert "an enquiry holds at most 2 files" in html
        assert "a coordinator will tell you how to send them securely" in html
        assert "replying to our email" not in html

    def test_a_file_of_the_wrong_type_is_refused_plainly(self, submit, sent):
        bad = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 a program")

        response = submit({**sent, "record_files": [bad]})

        html = response.content.decode()
        assert response.status_code == 200
        assert "We already have your enquiry" in html
        assert "a coordinator will tell you how to send them securely" in html
        assert "replying to our email" not in html
        assert "“virus.pdf” is not a PDF, JPEG or PNG file." in html
        assert RecordFile.objects.count() == 1

    @pytest.mark.parametrize(
        "close",
        [
            lambda enquiry: enquiry.anonymise(),
            lambda enquiry: enquiry.change_status(Enquiry.Status.CLOSED_NOT_ELIGIBLE, by=None),
            lambda enquiry: enquiry.change_status(Enquiry.Status.SPAM, by=None),
        ],
        ids=["anonymised", "closed", "marked as spam"],
    )
    def test_a_closed_enquiry_takes_no_files_and_the_patient_is_told(
        self, submit, sent, stored_files, close
    ):
        enquiry = Enquiry.objects.get()
        close(enquiry)
        files_before = stored_files()
        rows_before = RecordFile.objects.count()

        response = submit(
            {**sent, "record_files": [SimpleUploadedFile("scan.png", PNG_BYTES)]}, follow=True
        )

        html = response.content.decode()
        assert RecordFile.objects.count() == rows_before
        assert stored_files() == files_before
        assert not enquiry.events.filter(kind=EnquiryEvent.Kind.FILES_ADDED).exists()
        assert "The files you sent again have not been stored: this enquiry is closed." in html
        assert "fill in the form again from the start" in html
        assert "have been added" not in html
        assert "What happens next" not in html

    def test_an_enquiry_in_progress_still_takes_files(self, submit, sent):
        Enquiry.objects.get().change_status(Enquiry.Status.AWAITING_RECORDS, by=None)

        submit({**sent, "record_files": [SimpleUploadedFile("scan.png", PNG_BYTES)]})

        assert RecordFile.objects.count() == 2

    def test_a_resend_without_files_just_shows_the_reference(self, submit, sent):
        response = submit({**sent, "record_files": []}, follow=True)

        assert Enquiry.objects.get().reference in response.content.decode()
        assert "have been added" not in response.content.decode()
        assert RecordFile.objects.count() == 1

    def test_nothing_is_added_when_the_storage_fails(self, submit, sent, stored_files, monkeypatch):
        storage = RecordFile._meta.get_field("file").storage
        save, writes = storage._save, []

        def fail_on_the_second_write(name, content):
            writes.append(name)
            if len(writes) == 2:
                raise OSError(28, "No space left on device")
            return save(name, content)

        monkeypatch.setattr(storage, "_save", fail_on_the_second_write)
        again = {
            **sent,
            "record_files": [
                SimpleUploadedFile("scan.jpg", JPEG_BYTES),
                SimpleUploadedFile("scan.png", PNG_BYTES),
            ],
        }

        response = submit(again)

        assert response.status_code == 503
        assert RecordFile.objects.count() == 1
        assert len(stored_files()) == 1
        assert not EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.FILES_ADDED).exists()

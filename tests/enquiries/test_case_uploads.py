"""Records sent later, from the case page: the enquiry form's checks, all or none within the
enquiry's totals, flagged for the coordinators, and nothing stored half."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enquiries import records
from enquiries.models import AuditEntry, CaseLink, Enquiry, EnquiryEvent, OutgoingEmail, RecordFile
from tests.factories import JPEG_BYTES, PDF_BYTES, make_enquiry, pdf_file

pytestmark = pytest.mark.django_db

RUN = uuid.uuid4().hex.translate(str.maketrans("0123456789abcdef", "ghijklmnopqrstuv"))
# What an iPhone photo starts with: an ISO media "ftyp" box of the HEIC brand.
HEIC_BYTES = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32


@pytest.fixture
def case(client, stored_files, settings):
    settings.CASE_MAX_FILES_PER_ENQUIRY = 4
    settings.CASE_MAX_MEGABYTES_PER_ENQUIRY = 1
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)
    client.get(f"/en/case/{token}/")  # the CSRF cookie, as a browser would have it
    return enquiry, token


def send(client, token, *files):
    return client.post(f"/en/case/{token}/files/", {"files": list(files)})


def pdf(number):
    return pdf_file(f"report-{number}.pdf", PDF_BYTES + f"% {number} {RUN}\n".encode())


def test_files_sent_from_the_case_page_join_the_enquiry(client, case):
    enquiry, token = case

    response = send(client, token, pdf(1), pdf(2))

    assert response.status_code == 302
    assert response["Location"] == f"/en/case/{token}/"
    assert enquiry.record_files.count() == 2
    page = client.get(f"/en/case/{token}/").content.decode()
    assert "report-1.pdf" in page and "report-2.pdf" in page
    assert "Your files have been added to your enquiry." in page


def test_an_upload_is_flagged_audited_and_on_the_timeline_without_file_names(client, case):
    enquiry, token = case

    send(client, token, pdf_file(f"Filemark-{RUN}.pdf"))

    enquiry.refresh_from_db()
    assert enquiry.news_from_patient_at is not None
    event = enquiry.events.get(kind=EnquiryEvent.Kind.FILES_UPLOADED)
    assert event.details == {"files": 1}
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PATIENT_UPLOADED_FILES)
    assert (entry.actor_name, entry.details) == ("patient", {"files": 1})
    assert RUN not in str(event.details) + str(entry.details)
    assert enquiry.emails.filter(kind=OutgoingEmail.Kind.NEWS_FROM_PATIENT).count() == 1


def test_a_file_of_another_type_is_refused_with_its_name_and_nothing_is_stored(client, case):
    enquiry, token = case
    fake = SimpleUploadedFile("notes.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = send(client, token, pdf(1), fake)

    assert response.status_code == 400
    assert "“notes.pdf” is not a PDF, JPEG or PNG file." in response.content.decode()
    assert not enquiry.record_files.exists()


def test_an_iphone_photo_in_heic_is_refused_with_how_to_send_a_jpeg(client, case):
    enquiry, token = case
    photo = SimpleUploadedFile("IMG_0042.HEIC", HEIC_BYTES, content_type="image/heic")

    response = send(client, token, photo)

    assert response.status_code == 400
    page = response.content.decode()
    assert "“IMG_0042.HEIC” is an iPhone photo in the HEIC format" in page
    assert "Most Compatible" in page
    assert not enquiry.record_files.exists()


def test_no_file_chosen_is_a_field_error(client, case):
    _enquiry, token = case

    response = client.post(f"/en/case/{token}/files/", {})

    assert response.status_code == 400
    assert "Please choose at least one file." in response.content.decode()


def test_beyond_the_enquirys_total_number_of_files_nothing_is_added(client, case):
    enquiry, token = case
    send(client, token, pdf(1), pdf(2), pdf(3))

    response = send(client, token, pdf(4), pdf(5))

    assert response.status_code == 400
    assert "Your enquiry can hold up to 4 files and 1 MB in all" in response.content.decode()
    assert enquiry.record_files.count() == 3


def test_beyond_the_enquirys_total_size_nothing_is_added(client, case):
    enquiry, token = case
    big = pdf_file("big.pdf", PDF_BYTES + b"0" * (700 * 1024))
    send(client, token, big)

    response = send(client, token, pdf_file("bigger.pdf", PDF_BYTES + b"1" * (400 * 1024)))

    assert response.status_code == 400
    assert enquiry.record_files.count() == 1


def test_a_file_already_sent_is_not_stored_twice(client, case):
    enquiry, token = case
    send(client, token, pdf(1))

    response = send(client, token, pdf(1), pdf(2))

    assert response.status_code == 302
    assert enquiry.record_files.count() == 2
    follow = client.get(response["Location"]).content.decode()
    assert "those we already had were not added twice" in follow


def test_a_closed_enquiry_takes_no_files(client, case):
    enquiry, token = case
    Enquiry.objects.filter(pk=enquiry.pk).update(status=Enquiry.Status.CLOSED_TREATED)

    response = send(client, token, pdf(1))

    assert response.status_code == 400
    assert not enquiry.record_files.exists()


def test_a_storage_failure_stores_nothing_and_says_so(client, case, monkeypatch):
    enquiry, token = case
    storage = RecordFile._meta.get_field("file").storage
    written = []
    real_save = storage._save

    def fail_on_the_second_write(name, content):
        if written:
            raise OSError("disk full")
        written.append(name)
        return real_save(name, content)

    monkeypatch.setattr(storage, "_save", fail_on_the_second_write)

    response = send(client, token, pdf(1), pdf(2))

    assert response.status_code == 503
    assert "We could not save your files just now" in response.content.decode()
    assert not enquiry.record_files.exists()
    assert not storage.exists(written[0])


def test_an_upload_with_a_tampered_link_is_404(client, case):
    enquiry, token = case
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert send(client, tampered, pdf(1)).status_code == 404
    assert not enquiry.record_files.exists()


def test_more_than_five_files_at_once_are_refused(client, case, settings):
    settings.CASE_MAX_FILES_PER_ENQUIRY = 30
    enquiry, token = case

    response = send(client, token, *(pdf(number) for number in range(records.MAX_FILES + 1)))

    assert response.status_code == 400
    assert not enquiry.record_files.exists()


def test_the_upload_form_says_how_much_room_is_left(client, case):
    _enquiry, token = case
    send(client, token, pdf_file("photo.jpg", JPEG_BYTES))

    page = client.get(f"/en/case/{token}/").content.decode()

    assert "Your enquiry can take 3 more files (1 MB in all)." in page
    assert "data-upload-progress" in page


def checklist_rows(page):
    """(label, sent) of each checklist item, as the page lists them."""
    return [
        (label.strip(), mark == "✓")
        for mark, label in re.findall(
            r'case-checklist-mark" aria-hidden="true">(.)</span>\s*<strong>([^<]+)</strong>', page
        )
    ]


def test_the_case_page_shows_the_checklist_of_the_diagnosis(client, stored_files):
    enquiry = make_enquiry(diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA)
    token = CaseLink.issue(enquiry)

    page = client.get(f"/en/case/{token}/").content.decode()

    rows = checklist_rows(page)
    assert ("Blood and urine protein tests", False) in rows
    assert ("BCMA test, if done", False) in rows


def test_a_diagnosis_without_its_own_checklist_gets_the_general_one(client, stored_files):
    myeloma = CaseLink.issue(make_enquiry(diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA))
    not_sure = CaseLink.issue(make_enquiry(diagnosis=Enquiry.Diagnosis.NOT_SURE))

    general = checklist_rows(client.get(f"/en/case/{not_sure}/").content.decode())

    assert general
    assert general != checklist_rows(client.get(f"/en/case/{myeloma}/").content.decode())
    assert ("BCMA test, if done", False) not in general


def test_a_file_sent_as_a_checklist_record_ticks_it_off(client, stored_files):
    enquiry = make_enquiry(diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA)
    token = CaseLink.issue(enquiry)
    client.get(f"/en/case/{token}/")

    response = client.post(
        f"/en/case/{token}/files/", {"files": [pdf(1)], "checklist_item": "protein_tests"}
    )

    assert response.status_code == 302
    assert enquiry.record_files.get().checklist_item == "protein_tests"
    rows = checklist_rows(client.get(f"/en/case/{token}/").content.decode())
    assert ("Blood and urine protein tests", True) in rows
    assert ("Bone marrow biopsy report", False) in rows


def test_a_record_the_checklist_does_not_name_is_refused(client, stored_files):
    enquiry = make_enquiry(diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA)
    token = CaseLink.issue(enquiry)
    client.get(f"/en/case/{token}/")

    response = client.post(
        f"/en/case/{token}/files/", {"files": [pdf(1)], "checklist_item": "no_such_record"}
    )

    assert response.status_code == 400
    assert not enquiry.record_files.exists()


def test_the_checklist_is_in_the_patients_language(client, stored_files):
    token = CaseLink.issue(make_enquiry(diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA))

    rows = checklist_rows(client.get(f"/ru/case/{token}/").content.decode())

    assert rows
    assert ("Blood and urine protein tests", False) not in rows


def test_the_case_page_loads_the_upload_progress_script_under_its_nonce(client, case):
    _enquiry, token = case

    response = client.get(f"/en/case/{token}/")

    html = response.content.decode()
    (nonce,) = re.findall(r'<script src="[^"]*upload-progress[^"]*" nonce="([^"]+)"', html)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_a_closed_case_page_loads_no_script(client, case):
    enquiry, token = case
    Enquiry.objects.filter(pk=enquiry.pk).update(status=Enquiry.Status.CLOSED_TREATED)

    assert b"<script" not in client.get(f"/en/case/{token}/").content

"""Marker values in every free-text field of the enquiry form, and a marker file name: tests
search logs, exports and the database for them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.enquiries.conftest import PDF_BYTES, valid_form_data

TEXT_MARKERS = {
    "enquirer_name": "Enquirermark Zqx",
    "referring_hospital": "Hospitalmark Zqx",
    "patient_name": "Patientmark Zqx",
    "email": "emailmark.zqx@example.org",
    "messenger_id": "messengermark_zqx",
    "preferred_language": "Languagemark Zqx",
    "best_time_to_reach": "Timemark Zqx",
    "diagnosis_details": "Diagnosismark Zqx",
    "medical_summary": "Summarymark Zqx",
    "source_page_slug": "slugmark-zqx",
    "utm_source": "sourcemark-zqx",
    "utm_medium": "mediummark-zqx",
    "utm_campaign": "campaignmark-zqx",
    "utm_term": "termmark-zqx",
    "utm_content": "contentmark-zqx",
}
PHONE = "+44 20 7946 0958"
PHONE_STORED = "+442079460958"
FILE_NAME = "Filemark-Zqx.pdf"
NOTE_TEXT = "Notemark Zqx: patient called back"
FILE_CONTENT = PDF_BYTES + b"%Filecontentmark Zqx\n"

# What must never leave the places it belongs in.
ALL_MARKERS = [*TEXT_MARKERS.values(), PHONE, PHONE_STORED, FILE_NAME, NOTE_TEXT, "Zqx"]


def marker_file():
    return SimpleUploadedFile(FILE_NAME, FILE_CONTENT, content_type="application/pdf")


def marker_form_data(**overrides):
    fields = {
        "relationship": "family_or_friend",
        "phone": PHONE,
        "birth_date": "1970-03-04",
        "record_files": marker_file(),
        **TEXT_MARKERS,
        **overrides,
    }
    return valid_form_data(**fields)

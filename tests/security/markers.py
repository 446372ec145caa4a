"""Marker values in every free-text field of the enquiry form, and a marker file name: tests
search logs, exports and the database for them."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import PDF_BYTES, valid_form_data

# New for each run, so no session key, token or reference can hold it by chance (a three-letter
# marker once did, one run in twenty). A uuid4's 128 bits, spelled in the letters g to v: every
# field takes it (names, the email's local part, slugs and campaign values), and no hex or
# base64 string written by the code is made of those letters alone for 32 characters.
RUN = uuid.uuid4().hex.translate(str.maketrans("0123456789abcdef", "ghijklmnopqrstuv"))

TEXT_MARKERS = {
    "enquirer_name": f"Enquirermark {RUN}",
    "referring_hospital": f"Hospitalmark {RUN}",
    "patient_name": f"Patientmark {RUN}",
    "email": f"emailmark.{RUN}@example.org",
    "messenger_id": f"messengermark_{RUN}",
    "preferred_language": f"Languagemark {RUN}",
    "best_time_to_reach": f"Timemark {RUN}",
    "diagnosis_details": f"Diagnosismark {RUN}",
    "medical_summary": f"Summarymark {RUN}",
    "source_page_slug": f"slugmark-{RUN}",
    "utm_source": f"sourcemark-{RUN}",
    "utm_medium": f"mediummark-{RUN}",
    "utm_campaign": f"campaignmark-{RUN}",
    "utm_term": f"termmark-{RUN}",
    "utm_content": f"contentmark-{RUN}",
}
# A number the form accepts cannot carry the run's letters; thirteen fixed digits with a "+" are
# still nothing a random token or a reference (letters and digits, no "+") spells.
PHONE = "+44 20 7946 0958"
PHONE_STORED = "+442079460958"
FILE_NAME = f"Filemark-{RUN}.pdf"
NOTE_TEXT = f"Notemark {RUN}: patient called back"
FILE_CONTENT = PDF_BYTES + f"%Filecontentmark {RUN}\n".encode()

# What must never leave the places it belongs in.
ALL_MARKERS = [*TEXT_MARKERS.values(), PHONE, PHONE_STORED, FILE_NAME, NOTE_TEXT, RUN]


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

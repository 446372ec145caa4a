"""Prints a fresh case page token for a new enquiry, for the benchmark's upload to the case page.

    python scripts/bench_case_link.py

Runs with whatever settings the environment gives (DJANGO_SETTINGS_MODULE, DATABASE_URL)."""

import os
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from enquiries.models import CaseLink, Enquiry  # noqa: E402

enquiry = Enquiry(
    submission_token=uuid.uuid4(),
    language="en",
    relationship=Enquiry.Relationship.PATIENT,
    patient_name="Bench Patient",
    birth_year=1970,
    country="CZ",
    email="bench@example.org",
    diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA,
)
enquiry.insert_with_unique_reference()
print(enquiry.pk, CaseLink.issue(enquiry))

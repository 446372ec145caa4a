"""Small factories any test imports: what a patient's form posts, uploaded files, enquiries stored
directly, and the password of the staff accounts the `make_staff` fixture creates."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from enquiries.models import Enquiry

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32

STAFF_PASSWORD = "a long test password 42"


def pdf_file(name="pathology.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def valid_form_data(**overrides):
    """What a patient who fills in the required fields (and a few more) posts."""
    data = {
        "submission_token": str(uuid.uuid4()),
        "relationship": "patient",
        "patient_name": "Anna Novak",
        "gender": "female",
        "birth_year": "1970",
        "country": "CZ",
        "email": "anna@example.org",
        "phone": "",
        "preferred_contact_channel": "email",
        "diagnosis": "large_b_cell_lymphoma",
        "disease_status": "relapsed",
        "medical_summary": "Two lines of chemotherapy.",
        "travel_timeframe": "within_1_month",
        "consent_health_data": "on",
        "source_page_slug": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def make_enquiry(**overrides):
    """An enquiry stored directly, for tests that do not care how it was submitted."""
    fields = {
        "submission_token": uuid.uuid4(),
        "language": "en",
        "relationship": Enquiry.Relationship.PATIENT,
        "patient_name": "Anna Novak",
        "birth_year": 1970,
        "country": "CZ",
        "email": "anna@example.org",
    }
    fields.update(overrides)
    enquiry = Enquiry(**fields)
    enquiry.insert_with_unique_reference()
    return enquiry


def make_programme(name="Demo Hospital CAR-T Programme", city="Beijing", **fields):
    """A published programme of a seeded city (no facts: referrals need only its name and
    international office)."""
    from therapy_info.programmes import City, Programme

    slug = fields.pop("slug", None) or f"programme-{uuid.uuid4().hex[:12]}"
    return Programme.objects.create(
        name=name,
        slug=slug,
        city=City.objects.get_or_create(name=city)[0],
        status=fields.pop("status", Programme.Status.PUBLISHED),
        **fields,
    )


def make_referral(enquiry, programme, **fields):
    """A referral stored directly (sent by other means), for tests of what comes after it."""
    from enquiries.models import Referral

    fields.setdefault("method", Referral.Method.OTHER_MEANS)
    fields.setdefault("sent_to", "Handed to the international office")
    return Referral.objects.create(enquiry=enquiry, programme=programme, **fields)


def make_plan(referral, **fields):
    """A treatment plan stored directly, valid for a year."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from enquiries.models import TreatmentPlan

    values = {
        "proposal": "An approved CD19 CAR-T product",
        "estimated_cost": Decimal("850000.00"),
        "currency": "CNY",
        "includes": "Cell manufacturing, infusion, 30 days in hospital.",
        "valid_until": timezone.localdate() + timedelta(days=365),
        **fields,
    }
    return TreatmentPlan.objects.create(referral=referral, **values)

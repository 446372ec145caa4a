"""Small factories any test imports: what a patient's form posts, uploaded files, enquiries stored
directly, hospitals' programmes with referrals, plans and documents, and the password of the staff
accounts the `make_staff` fixture creates."""

import hashlib
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enquiries.models import CaseDocument, Enquiry, Referral, TreatmentPlan
from therapy_info.programmes import City, Programme, ProgrammeOffer, ProgrammeSource

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


def make_programme(name="Hospital of the test", city="Shanghai", **overrides):
    """A published programme in a city (one the migrations seed, or a new one where they did not
    run: a live server's database is emptied after each test), without facts; `name_zh_hans` etc.
    give its other names."""
    fields = {
        "slug": f"programme-{uuid.uuid4().hex[:12]}",
        "name": name,
        "city": City.objects.filter(name_en=city).first() or City.objects.create(name=city),
        "status": Programme.Status.PUBLISHED,
    }
    fields.update(overrides)
    return Programme.objects.create(**fields)


def make_referral(enquiry, programme, **overrides):
    """A referral recorded as sent by other means (no package, no email)."""
    fields = {
        "enquiry": enquiry,
        "programme": programme,
        "method": Referral.Method.OTHER_MEANS,
        "sent_to": "International patient office",
    }
    fields.update(overrides)
    return Referral.objects.create(**fields)


def make_plan(referral, **overrides):
    """A treatment plan the programme proposed, not decided by the patient unless told."""
    fields = {
        "referral": referral,
        "proposal": "An approved CD19 CAR-T product",
        "estimated_cost": Decimal("1000000.00"),
        "currency": "CNY",
        "includes": "Cell collection, manufacturing, infusion and 28 days in hospital.",
        "valid_until": date(2099, 1, 1),
    }
    fields.update(overrides)
    return TreatmentPlan.objects.create(**fields)


def make_plan_for(enquiry, programme=None, **overrides):
    """A plan as the patient sees it: dated, costed, valid for 30 days, on a new referral of
    `enquiry` to `programme` answered with it."""
    referral = make_referral(
        enquiry, programme or make_programme(), status=Referral.Status.PLAN_OFFERED
    )
    fields = {
        "proposal": "Axicabtagene ciloleucel",
        "proposed_start": date(2031, 3, 2),
        "proposed_end": date(2031, 4, 20),
        "estimated_cost": Decimal("1200000.50"),
        "currency": "CNY",
        "includes": "Cell collection, manufacturing, infusion and 28 days in hospital.",
        "excludes": "Flights and accommodation.",
        "valid_until": timezone.localdate() + timedelta(days=30),
    }
    fields.update(overrides)
    return make_plan(referral, **fields)


def make_case_document(enquiry, content=PDF_BYTES, **overrides):
    """A document for the patient, stored in the (test's) private storage."""
    fields = {
        "enquiry": enquiry,
        "title": "Visa invitation letter",
        "original_name": "invitation.pdf",
        "content_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    fields.update(overrides)
    document = CaseDocument(**fields)
    document.file.save(f"documents/{uuid.uuid4().hex}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def make_published_programme(
    name=None, *, city="Beijing", status=Programme.Status.PUBLISHED, offers=None, **fields
):
    """A programme with source [1] (verified today) and, unless told otherwise, one trial (CD19,
    B-ALL) citing it; its slug and name are unique (a uuid), so never a shipped programme's."""
    marker = uuid.uuid4().hex[:12]
    programme = Programme.objects.create(
        slug=fields.pop("slug", f"programme-{marker}"),
        name=name or f"Test Hospital {marker}",
        city=City.objects.get(name_en=city),
        status=status,
        **fields,
    )
    source = ProgrammeSource.objects.create(
        programme=programme,
        number=1,
        citation=f"Source of {programme.name}",
        url=f"https://example.org/{marker}",
        last_verified_on=timezone.localdate(),
    )
    for offer in [{}] if offers is None else offers:
        ProgrammeOffer.objects.create(
            programme=programme,
            source=source,
            **{
                "kind": ProgrammeOffer.Kind.TRIAL,
                "name": f"Trial {marker}",
                "target": "CD19",
                "diseases": ["b_all"],
                **offer,
            },
        )
    return programme

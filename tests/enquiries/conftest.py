"""Fixtures and small factories for the enquiry form's tests."""

import uuid

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from enquiries.models import City, Enquiry, RecordFile

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres_only are skipped on any other database, with the reason shown."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run it")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Medical records go to a temporary folder, which tests can inspect for orphans.

    The FileField resolved its storage when the model was defined, so it is swapped directly."""
    location = tmp_path / "private_media"
    options = settings.STORAGES["medical_records"]["OPTIONS"]
    storage = FileSystemStorage(**{**options, "location": location})
    monkeypatch.setattr(RecordFile._meta.get_field("file"), "storage", storage)
    return location


@pytest.fixture
def stored_files(private_media):
    """Lists the files currently in private storage."""

    def list_files():
        return sorted(p for p in private_media.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def start_url():
    return reverse("enquiries:start")


@pytest.fixture
def cities(db):
    return {city.name: city for city in City.objects.all()}


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


def run_ready_tasks():
    """Run every task that is due, the way `manage.py task_worker` (django-tasks-db's db_worker)
    does, and say how many ran.

    The worker's loop itself closes "old" connections, which would end a test's transaction."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while (task_result := DBTaskResult.objects.ready().get_locked()) is not None:
        task_result.claim(worker.worker_id)
        worker.run_task(task_result)
        ran += 1
    return ran


@pytest.fixture
def submit(client, start_url):
    """Posts the form like a browser (multipart) and returns the response."""

    def post(data=None, *, follow=False, **extra):
        return client.post(start_url, data or valid_form_data(), follow=follow, **extra)

    return post

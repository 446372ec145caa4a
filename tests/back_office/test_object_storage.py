"""Medical records in an S3-compatible object store (django-storages), as with several app servers:
a patient's upload lands in the bucket under a random name, never with a public address, and a
coordinator downloads it through the permission-checked view."""

import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from django.urls import reverse
from moto import mock_aws

from enquiries.models import RecordFile
from tests.factories import PDF_BYTES, pdf_file, valid_form_data

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUCKET = "portal-medical-records"


def records_storage_settings(**environment):
    """STORAGES["medical_records"] as the settings module builds it from this environment."""
    code = (
        "import json; from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['medical_records'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "ENV_FILE": "",
            "DEBUG": "true",
            **environment,
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def s3_settings():
    return records_storage_settings(
        MEDICAL_RECORDS_S3_BUCKET=BUCKET,
        MEDICAL_RECORDS_S3_REGION="us-east-1",
        MEDICAL_RECORDS_S3_ACCESS_KEY_ID="test-key",
        MEDICAL_RECORDS_S3_SECRET_ACCESS_KEY="test-secret",
    )


@pytest.fixture
def bucket(s3_settings, monkeypatch):
    """An in-process S3 (moto) holding the bucket; the record field stores there."""
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        storage = storages.create_storage(s3_settings)
        monkeypatch.setattr(RecordFile._meta.get_field("file"), "storage", storage)
        yield client


def test_without_a_bucket_records_stay_in_a_private_folder():
    config = records_storage_settings()

    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["base_url"] is None


def test_a_bucket_setting_moves_records_to_object_storage_without_public_addresses(s3_settings):
    assert s3_settings["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3_settings["OPTIONS"]
    assert options["bucket_name"] == BUCKET
    assert options["querystring_auth"] is True
    assert options["custom_domain"] is None
    assert options["file_overwrite"] is False


@pytest.mark.django_db
def test_a_patients_upload_lands_in_the_bucket_and_a_coordinator_downloads_it(
    bucket, client, login, coordinator
):
    response = client.post(
        reverse("enquiries:start"), {**valid_form_data(), "record_files": [pdf_file("scan.pdf")]}
    )
    assert response.status_code == 302

    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert len(keys) == 1
    assert keys[0].startswith("medical-records/records/")
    assert "scan" not in keys[0]
    record = RecordFile.objects.get()
    # The only address the storage can give is signed and short-lived.
    assert "Signature=" in record.file.url

    url = reverse("admin:enquiries_recordfile_download", args=[record.enquiry_id, record.pk])
    download = login(coordinator).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES

"""Medical record files a patient sent: private storage under random names, removed with
the enquiry or when a write fails."""

import logging
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import storages
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enquiries import uploads

# What the records storage raises when it fails: the file system's errors, and the S3 client's
# (django-storages passes botocore's exceptions through).
STORAGE_ERRORS = (OSError, BotoCoreError, ClientError)

logger = logging.getLogger(__name__)


def medical_records_storage():
    return storages["medical_records"]


def delete_stored_files(files):
    """Remove files from storage; one already gone is not an error (a retried run)."""
    for file in files:
        file.storage.delete(file.name)


def discard_stored_files(storage, names):
    """Remove the files of a write that failed. Never raises: the failure being handled matters
    more, and a storage that cannot delete now leaves a file only its random name describes."""
    for name in names:
        try:
            storage.delete(name)
        except STORAGE_ERRORS as error:
            logger.warning(
                "A record file of a failed write could not be removed (%s): %s",
                type(error).__name__,
                name,
            )


class RecordFile(models.Model):
    """A medical record a patient uploaded, stored privately under a random name."""

    enquiry = models.ForeignKey(
        "enquiries.Enquiry", on_delete=models.CASCADE, related_name="record_files"
    )
    file = models.FileField(_("file"), storage=medical_records_storage, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["enquiry_id", "uploaded_at", "pk"]
        verbose_name = _("medical record file")
        verbose_name_plural = _("medical record files")

    def __str__(self):
        return f"{self.content_type}, {self.size} bytes"

    @classmethod
    @contextmanager
    def atomic_with_files(cls):
        """A transaction that may store record files, with the `store_all(enquiry, uploaded_files)`
        to do it: it writes each file to storage, inserts their rows and returns them. If the
        transaction fails, its commit included, every file it wrote is removed from storage."""
        written = []

        def store_all(enquiry, uploaded_files):
            records = []
            for uploaded in uploaded_files:
                records.append(cls.store(enquiry, uploaded))
                written.append(records[-1].file.name)
            cls.objects.bulk_create(records)
            return records

        try:
            with transaction.atomic():
                yield store_all
        except BaseException:
            discard_stored_files(cls._meta.get_field("file").storage, written)
            raise

    @classmethod
    def store(cls, enquiry, uploaded_file):
        """Write the upload to private storage under a random name; return the unsaved record.

        Its `file.name` is what to delete if the transaction fails."""
        content_type = uploads.detect_content_type(uploaded_file)
        if content_type is None:
            raise ValueError("Only files the form accepted may be stored.")
        record = cls(
            enquiry=enquiry,
            original_name=uploaded_file.name[:255],
            content_type=content_type,
            size=uploaded_file.size,
            sha256=uploads.sha256_of(uploaded_file),
        )
        name = uploads.random_storage_name(content_type)
        try:
            record.file.save(name, uploaded_file, save=False)
        except BaseException:
            # A write cut short (a full disk, a dropped connection to S3) can leave part of it.
            discard_stored_files(record.file.storage, [name])
            raise
        return record

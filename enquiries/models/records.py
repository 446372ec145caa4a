"""Medical record files a patient sent: one row per file, the file in private storage under a
random name (enquiries.records writes and removes the files)."""

from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

FILE_KINDS = {
    "application/pdf": _("PDF document"),
    "image/jpeg": _("JPEG image"),
    "image/png": _("PNG image"),
}


def medical_records_storage():
    return storages["medical_records"]


def file_size(size):
    """A size as a person reads it: "0.8 KB", "9.1 MB"."""
    if size < 100 * 1024:
        return _("%(size)s KB") % {"size": number_format(max(round(size / 1024, 1), 0.1), 1)}
    return _("%(size)s MB") % {"size": number_format(round(size / (1024 * 1024), 1), 1)}


def kind_and_size(content_type, size):
    """A file as a person names it: "PDF document, 0.8 MB", not "application/pdf, 790 bytes"."""
    kind = FILE_KINDS.get(content_type, _("File"))
    return f"{kind}, {file_size(size)}"


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
    # Which record of the diagnosis's checklist the patient said this is (a ChecklistItem key of
    # therapy_info's records checklists), or blank: sent with the form, or "something else".
    checklist_item = models.CharField(_("what the patient said it is"), max_length=50, blank=True)

    class Meta:
        ordering = ["enquiry_id", "uploaded_at", "pk"]
        verbose_name = _("medical record file")
        verbose_name_plural = _("medical record files")

    def __str__(self):
        return self.kind_and_size()

    def kind_and_size(self):
        return kind_and_size(self.content_type, self.size)

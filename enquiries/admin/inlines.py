"""What the enquiry page shows under the answers: consents, files, emails and notes."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enquiries.admin.read_only import ReadOnlyPermissions
from enquiries.models import (
    CaseMessage,
    Consent,
    Note,
    OutgoingEmail,
    RecordFile,
)


class ReadOnlyInline(ReadOnlyPermissions, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ["kind", "given", "text_version", "language", "given_at", "text"]


class RecordFileInline(ReadOnlyInline):
    model = RecordFile
    fields = ["original_name", "content_type", "size", "uploaded_at", "download"]
    readonly_fields = ["download", "download_not_allowed"]

    def get_fields(self, request, obj=None):
        # The same column for everyone: a link for whoever may download, else the reason why not.
        if request.user.has_perm("enquiries.download_record_files"):
            return self.fields
        return ["download_not_allowed" if name == "download" else name for name in self.fields]

    @admin.display(description=_("download"))
    def download(self, record):
        url = reverse("admin:enquiries_recordfile_download", args=[record.enquiry_id, record.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    @admin.display(description=_("download"))
    def download_not_allowed(self, record):
        return _("Not allowed for your role")


class OutgoingEmailInline(ReadOnlyInline):
    model = OutgoingEmail
    fields = [
        "kind",
        "recipient_role",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "sent_at",
        "last_error",
        "message_id",
    ]

    def has_view_permission(self, request, obj=None):
        # Whoever sees the enquiry sees whether its emails went out (no role needs more).
        return request.user.has_perm("enquiries.view_enquiry")


class CaseMessageInline(ReadOnlyInline):
    """The conversation on the patient's case page, oldest first."""

    model = CaseMessage
    fields = ["sent_at", "sender", "author", "text", "read_at"]
    verbose_name_plural = _("messages with the patient")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_view_permission(self, request, obj=None):
        # Whoever works the enquiry reads what the patient wrote: no role has a permission of
        # its own for messages, and opening the page clears the "new from the patient" flag.
        return request.user.has_perm("enquiries.view_enquiry")


class NoteInline(admin.TabularInline):
    """Notes are add-only for everyone: nobody edits or deletes what was written, a correction
    is a new note. Author and time are filled in by the code."""

    model = Note
    extra = 1
    can_delete = False
    fields = ["created_at", "author", "text"]
    readonly_fields = ["created_at", "author"]
    formfield_overrides = {
        # A tabular inline has column headings, not labels: the textarea names itself.
        Note._meta.get_field("text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 3, "aria-label": _("New note")})
        }
    }

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

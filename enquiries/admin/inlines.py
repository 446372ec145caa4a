"""What the enquiry page shows beside the answers: consents, files, emails and notes."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from enquiries.admin.read_only import ReadOnlyPermissions
from enquiries.models import (
    Consent,
    Note,
    OutgoingEmail,
    RecordFile,
)


class PrefetchedFormSet(BaseInlineFormSet):
    """An inline's rows from the enquiry's prefetch_related (EnquiryAdmin.get_object), when it
    has them, instead of a query of their own."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            queryset = super().get_queryset()
            prefetched = getattr(self.instance, "_prefetched_objects_cache", {})
            name = self.fk.remote_field.get_accessor_name()
            if name in prefetched:
                queryset._result_cache = list(prefetched[name])
                queryset._prefetch_done = True
            self._queryset = queryset
        return self._queryset


class ReadOnlyInline(ReadOnlyPermissions, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ConsentInline(ReadOnlyInline):
    model = Consent
    classes = ["collapse"]
    fields = ["kind", "given_in_words", "text_version", "language", "given_at", "text"]
    readonly_fields = ["given_in_words"]

    @admin.display(description=_("given"))
    def given_in_words(self, consent):
        return _("Yes") if consent.given else _("No")


class RecordFileInline(ReadOnlyInline):
    model = RecordFile
    fields = ["original_name", "kind_and_size", "uploaded_at", "download"]
    readonly_fields = ["kind_and_size", "download", "download_not_allowed"]

    def get_fields(self, request, obj=None):
        # The same column for everyone: a link for whoever may download, else the reason why not.
        if request.user.has_perm("enquiries.download_record_files"):
            return self.fields
        return ["download_not_allowed" if name == "download" else name for name in self.fields]

    @admin.display(description=_("file"))
    def kind_and_size(self, record):
        return record.kind_and_size()

    @admin.display(description=_("download"))
    def download(self, record):
        url = reverse("admin:enquiries_recordfile_download", args=[record.enquiry_id, record.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    @admin.display(description=_("download"))
    def download_not_allowed(self, record):
        return _("Not allowed for your role")


class OutgoingEmailInline(ReadOnlyInline):
    model = OutgoingEmail
    classes = ["collapse"]
    # The page's email summary reads the same rows (EnquiryAdmin.get_object prefetches them).
    formset = PrefetchedFormSet
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


class NoteInline(admin.TabularInline):
    """Notes are add-only for everyone: nobody edits or deletes what was written, a correction
    is a new note. The page has one "Add a note" box (templates/enquiries/admin/notes_inline.html)
    and shows the notes written on the timeline, with who wrote them and when (in the timeline's
    query): not a table row with an empty time and author."""

    model = Note
    extra = 1
    can_delete = False
    template = "enquiries/admin/notes_inline.html"
    fields = ["text"]
    formfield_overrides = {
        Note._meta.get_field("text").__class__: {"widget": forms.Textarea(attrs={"rows": 3})}
    }

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

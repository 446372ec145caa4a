"""The audit log and staff login lockouts, for lead coordinators."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enquiries.admin.read_only import ReadOnlyPermissions
from enquiries.models import (
    AuditEntry,
    StaffLockout,
)


def _exported_enquiries(details):
    return _("%(count)s enquiries: %(references)s") % {
        "count": details.get("count", 0),
        "references": ", ".join(details.get("references", [])),
    }


def _downloaded_record(details):
    return _("File #%(file)s") % {"file": details.get("file")}


def _patient_uploaded_files(details):
    return _("%(count)s file(s)") % {"count": details.get("files", 0)}


def _message(details):
    return _("Message #%(message)s") % {"message": details.get("message")}


def _referred_case(details):
    return _("%(programme)s, referral #%(referral)s") % {
        "programme": details.get("programme", "—"),
        "referral": details.get("referral"),
    }


def _referral(details):
    return _("Referral #%(referral)s") % {"referral": details.get("referral")}


def _document(details):
    return _("Document #%(document)s") % {"document": details.get("document")}


def _applied_retention(details):
    return _("Anonymised: %(anonymised)s. Deleted spam: %(deleted)s.") % {
        "anonymised": ", ".join(details.get("anonymised", [])) or "—",
        "deleted": ", ".join(details.get("deleted", [])) or "—",
    }


def _unlocked_staff_account(details):
    return _("Login %(account)s, after %(failures)s failures") % {
        "account": details.get("account", ""),
        "failures": details.get("failures", 0),
    }


def _patient_rights(details):
    """An export or erasure: says when it was a person's (enquiries.person), chosen as which."""
    if details.get("person_of"):
        return _("Person of %(reference)s") % {"reference": details["person_of"]}
    return ""


# What the audit log says about an entry's details, by action; an action not listed adds nothing
# to its own name and the reference beside it.
AUDIT_LINES = {
    AuditEntry.Action.EXPORTED_ENQUIRIES: _exported_enquiries,
    AuditEntry.Action.DOWNLOADED_RECORD: _downloaded_record,
    AuditEntry.Action.APPLIED_RETENTION: _applied_retention,
    AuditEntry.Action.UNLOCKED_STAFF_ACCOUNT: _unlocked_staff_account,
    AuditEntry.Action.PATIENT_UPLOADED_FILES: _patient_uploaded_files,
    AuditEntry.Action.PATIENT_SENT_MESSAGE: _message,
    AuditEntry.Action.SENT_MESSAGE_TO_PATIENT: _message,
    AuditEntry.Action.PATIENT_DOWNLOADED_DOCUMENT: _document,
    AuditEntry.Action.EXPORTED_PATIENT_DATA: _patient_rights,
    AuditEntry.Action.ERASED_ENQUIRY: _patient_rights,
    AuditEntry.Action.REFERRED_CASE: _referred_case,
    AuditEntry.Action.DOWNLOADED_REFERRAL_SUMMARY: _referral,
    AuditEntry.Action.ADDED_PATIENT_DOCUMENT: _document,
    AuditEntry.Action.DOWNLOADED_PATIENT_DOCUMENT: _document,
}


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    """Read-only for everyone, superusers included: entries are written by the code alone."""

    list_display = ["created_at", "actor_name", "action", "enquiry_reference", "summary"]
    list_filter = ["action", "created_at"]
    search_fields = ["=enquiry_reference", "actor_name"]
    search_help_text = _("An enquiry reference (exact) or a staff login.")
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = ["created_at", "actor_name", "action", "enquiry_reference", "summary"]
    readonly_fields = fields

    @admin.display(description=_("details"))
    def summary(self, entry):
        line = AUDIT_LINES.get(entry.action)
        return line(entry.details) if line else ""


@admin.register(StaffLockout)
class StaffLockoutAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    """The staff logins django-axes refuses right now, for lead coordinators to lift.

    The address is shown: a lead needs it to tell a coordinator's own mistyping (an address they
    recognise) from someone else's guessing before lifting the lock; axes keeps it only until
    the cool-off ends. What was typed is never shown."""

    list_display = ["username", "ip_address", "failures", "last_failure", "until"]
    list_display_links = None
    fields = list_display
    readonly_fields = fields
    actions = ["unlock"]
    list_per_page = 100
    show_full_result_count = False

    def get_queryset(self, request):
        # One row per account and address, whatever the browsers the failures came from. Not
        # super()'s, which orders before locked() has annotated what the list is ordered by.
        return self.model._default_manager.locked()

    def get_ordering(self, request):
        # An annotation of locked(), unknown to the check of the `ordering` attribute.
        return ["-last_failure_at"]

    @admin.display(description=_("failures"), ordering="failures")
    def failures(self, lockout):
        return lockout.failures

    @admin.display(description=_("last failure"), ordering="last_failure_at")
    def last_failure(self, lockout):
        return lockout.last_failure_at

    @admin.display(description=_("locked until"))
    def until(self, lockout):
        return lockout.locked_until

    @admin.action(description=_("Unlock the selected logins"), permissions=["unlock"])
    def unlock(self, request, queryset):
        lockouts = list(queryset)
        for lockout in lockouts:
            lockout.unlock(by=request.user)
        self.message_user(
            request,
            ngettext("Unlocked %(count)d login.", "Unlocked %(count)d logins.", len(lockouts))
            % {"count": len(lockouts)},
            messages.SUCCESS,
        )

    def has_unlock_permission(self, request):
        return request.user.has_perm("enquiries.unlock_staff_accounts")

    def has_view_permission(self, request, obj=None):
        return self.has_unlock_permission(request)

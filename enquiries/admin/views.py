"""The enquiry admin's own pages: the dashboard, record downloads and "Assign to me"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from enquiries import dashboard, records
from enquiries.models import (
    AuditEntry,
    Enquiry,
    RecordFile,
)


def download_name(record):
    """The patient's file name, made safe for a Content-Disposition header, ending in the
    extension of the type we detected (never the one the patient's name claims)."""
    return records.safe_file_name(
        record.original_name, record.content_type, fallback=f"record-{record.pk}"
    )


class EnquiryAdminViews:
    """Extra pages of EnquiryAdmin (mixed into it)."""

    # Extra pages.

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        urls = [
            path("dashboard/", admin_view(self.dashboard_view), name="enquiries_dashboard"),
            path(
                "<int:enquiry_id>/assign-to-me/",
                admin_view(self.assign_to_me_view),
                name="enquiries_enquiry_assign_to_me",
            ),
            path(
                "<int:enquiry_id>/records/<int:record_id>/download/",
                admin_view(self.download_record_view),
                name="enquiries_recordfile_download",
            ),
        ]
        # Before the defaults: "<path:object_id>/" would otherwise take "dashboard/".
        return urls + super().get_urls()

    def download_record_view(self, request, enquiry_id, record_id):
        """A medical record, only ever as an attachment, each download on the timeline and in
        the audit log. (admin_view adds Cache-Control: no-store.)"""
        user = request.user
        if not (
            user.has_perm("enquiries.view_enquiry")
            and user.has_perm("enquiries.download_record_files")
        ):
            raise PermissionDenied
        record = get_object_or_404(
            RecordFile.objects.select_related("enquiry"), pk=record_id, enquiry_id=enquiry_id
        )
        try:
            handle = record.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=download_name(record),
            content_type=record.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        add_never_cache_headers(response)
        AuditEntry.record(
            user, AuditEntry.Action.DOWNLOADED_RECORD, enquiry=record.enquiry, file=record.pk
        )
        return response

    def assign_to_me_view(self, request, enquiry_id):
        """ "Assign to me" on the enquiry page: the coordinator takes the enquiry, by the same rule
        as the workflow form (Enquiry.can_be_assigned), and is back on its page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        with transaction.atomic():
            enquiry = get_object_or_404(
                Enquiry.objects.select_for_update(of=("self",)).select_related("assigned_to"),
                pk=enquiry_id,
            )
            user = request.user
            if not self.has_change_permission(request, enquiry):
                raise PermissionDenied
            if enquiry.can_be_assigned(user, by=user):
                enquiry.assign(user, by=user)
                self.message_user(request, _("The enquiry is assigned to you."), messages.SUCCESS)
            else:
                self.message_user(
                    request,
                    _("A colleague has this enquiry; a lead coordinator can reassign it."),
                    messages.WARNING,
                )
        page = reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
        preserved = request.GET.get("_changelist_filters", "")
        if preserved:
            page += "?" + urlencode({"_changelist_filters": preserved})
        return redirect(page)

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Enquiries dashboard"),
            "opts": self.opts,
            **dashboard.figures(),
        }
        return TemplateResponse(request, "enquiries/admin/dashboard.html", context)

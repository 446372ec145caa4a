"""The enquiry admin's own pages: the dashboard, record downloads, "Assign to me", and what acts
on the person behind an enquiry (enquiries.person): closing as a duplicate, export and erasure."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enquiries import dashboard, patient_rights, records
from enquiries.models import (
    AuditEntry,
    Enquiry,
    RecordFile,
)
from enquiries.person import enquiries_of_people

# A lead exports or erases a few people at a time (a request names one person, their family
# perhaps); each person brings up to enquiries.person.MAX_ENQUIRIES.
MAX_PEOPLE_PER_REQUEST = 20


class ErasureConfirmationForm(forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "The patient asked us to erase their data. Delete these enquiries, their messages, "
            "notes, referrals, history and files for good; only the audit log keeps the "
            "references."
        ),
        required=True,
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
            path(
                "<int:enquiry_id>/close-as-duplicate/",
                admin_view(self.close_as_duplicate_view),
                name="enquiries_enquiry_close_as_duplicate",
            ),
            path(
                "<int:enquiry_id>/export-person/",
                admin_view(self.export_person_view),
                name="enquiries_enquiry_export_person",
            ),
            path(
                "erase-people/",
                admin_view(self.erase_people_view),
                name="enquiries_enquiry_erase_people",
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

    # The person behind the enquiry.

    def close_as_duplicate_view(self, request, enquiry_id):
        """Closes the enquiry as a duplicate of another of the person's (the POST of a button in
        the person panel), then back to the enquiry with what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        enquiry = get_object_or_404(Enquiry, pk=enquiry_id)
        if not self.has_change_permission(request, enquiry):
            raise PermissionDenied
        other = get_object_or_404(Enquiry, pk=request.POST.get("of") or 0)
        try:
            enquiry.close_as_duplicate_of(other, by=request.user)
        except ValidationError as error:
            for text in error.messages:
                self.message_user(request, text, messages.ERROR)
        else:
            self.message_user(
                request,
                _("%(this)s was closed as a duplicate of %(other)s.")
                % {"this": enquiry.reference, "other": other.reference},
                messages.SUCCESS,
            )
        return redirect("admin:enquiries_enquiry_change", enquiry.pk)

    def export_person_view(self, request, enquiry_id):
        """The "Export this person's data" button of the enquiry page (a POST: it is audited)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (
            self.has_view_permission(request) and self.has_export_patient_data_permission(request)
        ):
            raise PermissionDenied
        response = self.export_people(request, Enquiry.objects.filter(pk=enquiry_id))
        return response or redirect("admin:enquiries_enquiry_change", enquiry_id)

    def export_people(self, request, selected):
        """One ZIP of every enquiry of every selected person (a folder per reference), each
        audited as a person's; None (and a message) when the selection is too big."""
        chosen_reference, complete = self._people(request, selected)
        if chosen_reference is None:
            return None
        enquiries = (
            Enquiry.objects.filter(pk__in=list(chosen_reference))
            .select_related("assigned_to", "duplicate_of", "preferred_programme__city")
            .prefetch_related(
                "preferred_cities",
                "consents",
                "record_files",
                "notes__author",
                "events__actor",
                "messages__author",
                "case_links",
                "referrals__programme__city",
                "referrals__sent_by",
                "referrals__files",
                "referrals__plans",
                "case_documents__plan",
            )
            .order_by("-submitted_at")
        )
        archive = patient_rights.export(enquiries, by=request.user, person_of=chosen_reference)
        if not complete:
            self.message_user(request, INCOMPLETE_PERSON, messages.WARNING)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = FileResponse(
            archive,
            as_attachment=True,
            filename=f"patient-data-{stamp}.zip",
            content_type="application/zip",
        )
        add_never_cache_headers(response)
        return response

    def erase_people_page(self, request, selected):
        """The confirmation page of an erasure: every enquiry of every selected person, with
        what goes with each; its form posts to erase_people_view."""
        chosen_reference, complete = self._people(request, selected)
        if chosen_reference is None:
            return None
        return self._erasure_page(request, chosen_reference, complete, ErasureConfirmationForm())

    def erase_people_view(self, request):
        """GET ?selected=<pk>: the confirmation page for that enquiry's person (the button of
        the enquiry page). POST: erase exactly the enquiries the page listed, once confirmed."""
        if not (self.has_view_permission(request) and self.has_erase_permission(request)):
            raise PermissionDenied
        if request.method == "GET":
            selected = Enquiry.objects.filter(pk__in=_pks(request.GET.getlist("selected")))
            return self.erase_people_page(request, selected) or redirect(
                "admin:enquiries_enquiry_changelist"
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        listed = Enquiry.objects.filter(pk__in=_pks(request.POST.getlist("enquiry")))
        references = dict(listed.values_list("pk", "reference"))
        # Which chosen enquiry each was found through, as the page said; only references of
        # the enquiries erased together are taken.
        chosen_reference = {}
        for pk, reference in references.items():
            chosen = request.POST.get(f"person_of_{pk}")
            chosen_reference[pk] = chosen if chosen in references.values() else reference
        form = ErasureConfirmationForm(request.POST)
        if not chosen_reference:
            return redirect("admin:enquiries_enquiry_changelist")
        if not form.is_valid():
            return self._erasure_page(request, chosen_reference, True, form)
        erased = patient_rights.erase(listed, by=request.user, person_of=chosen_reference)
        self.message_user(
            request,
            ngettext("%(count)d enquiry erased.", "%(count)d enquiries erased.", len(erased))
            % {"count": len(erased)},
            messages.SUCCESS,
        )
        return redirect("admin:enquiries_enquiry_changelist")

    def _people(self, request, selected):
        """The person of each selected enquiry (enquiries.person.enquiries_of_people), or
        (None, False) with a message when the selection is more than a lead can check."""
        selected = list(
            selected.select_related(None).prefetch_related(None)[: MAX_PEOPLE_PER_REQUEST + 1]
        )
        if len(selected) > MAX_PEOPLE_PER_REQUEST:
            self.message_user(
                request,
                ngettext(
                    "Choose at most %(count)d enquiry: each brings every enquiry of its person.",
                    "Choose at most %(count)d enquiries: each brings every enquiry of its person.",
                    MAX_PEOPLE_PER_REQUEST,
                )
                % {"count": MAX_PEOPLE_PER_REQUEST},
                messages.WARNING,
            )
            return None, False
        if not selected:
            return None, False
        return enquiries_of_people(selected)

    def _erasure_page(self, request, chosen_reference, complete, form):
        enquiries = list(
            patient_rights.what_erasure_removes(
                Enquiry.objects.filter(pk__in=list(chosen_reference))
            )
            .only("pk", "reference", "submitted_at", "status", "patient_name")
            .order_by("-submitted_at")
        )
        totals = {
            name: sum(getattr(each, f"{name}_count") for each in enquiries)
            for name in patient_rights.ERASED_WITH_THE_ENQUIRY
        }
        for each in enquiries:
            each.person_of = chosen_reference[each.pk]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Erase these people's data at their request"),
            "opts": self.opts,
            "enquiries": enquiries,
            "totals": totals,
            "complete": complete,
            "incomplete_warning": INCOMPLETE_PERSON,
            "form": form,
            "form_url": reverse("admin:enquiries_enquiry_erase_people"),
        }
        return TemplateResponse(request, "enquiries/admin/erase_people.html", context)


INCOMPLETE_PERSON = _(
    "More enquiries may be this person's than those listed: the search follows shared details "
    "three steps deep and stops at 50 enquiries (a shared address is not one person). Search "
    "the list for the others."
)


def _pks(values):
    return [int(value) for value in values if value.isdigit()]

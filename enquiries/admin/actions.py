"""The workflow actions of the enquiry list: assign, status, spam, first reply, exports and
erasure, with the intermediate page that asks for one more choice."""

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from enquiries import exports, patient_rights
from enquiries.models import (
    AuditEntry,
    Enquiry,
    staff_name,
)
from enquiries.roles import assignable_staff

# Workflow actions that show an intermediate page list every enquiry they touch; more than this
# is a job for a lead with a filter, not a form with thousands of hidden fields.
MAX_ENQUIRIES_PER_ACTION = 500
# One patient rarely writes more often than this; a bigger selection is a mistake.
MAX_ENQUIRIES_PER_PATIENT = 20


class ActionChoiceForm(forms.Form):
    """The choice an intermediate action page asks for (a coordinator or a status)."""

    def __init__(self, *args, field, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"] = field


class EnquiryActions:
    """The actions of EnquiryAdmin (mixed into it)."""

    # Actions.

    def action_page(self, request, queryset, *, action, title, field, submit_label, apply):
        """The intermediate page of an action that needs one more choice: shows the page, and
        once it is posted with a valid choice, calls `apply(choice)`."""
        form = ActionChoiceForm(request.POST if "apply" in request.POST else None, field=field)
        if form.is_bound and form.is_valid():
            apply(form.cleaned_data["choice"])
            return None
        enquiries = list(
            queryset.select_related(None)
            .prefetch_related(None)
            .only("pk", "reference")[: MAX_ENQUIRIES_PER_ACTION + 1]
        )
        if len(enquiries) > MAX_ENQUIRIES_PER_ACTION:
            self.message_user(
                request,
                _("Choose at most %(count)d enquiries for this action.")
                % {"count": MAX_ENQUIRIES_PER_ACTION},
                messages.WARNING,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "enquiries": enquiries,
            "form": form,
            "action": action,
            "submit_label": submit_label,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "enquiries/admin/action_page.html", context)

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = skipped = 0
        for enquiry in queryset.select_related("assigned_to"):
            if not enquiry.can_be_assigned(request.user, by=request.user):
                skipped += 1
                continue
            changed += enquiry.assign(request.user, by=request.user)
        self.message_user(request, _("%(count)d enquiries assigned to you.") % {"count": changed})
        if skipped:
            self.message_user(
                request,
                _("%(count)d already belong to a colleague; a lead coordinator can reassign them.")
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Assign to…"), permissions=["reassign"])
    def assign_to(self, request, queryset):
        field = forms.ModelChoiceField(
            label=_("Coordinator"),
            queryset=assignable_staff(),
            required=False,
            empty_label=_("Nobody (unassigned)"),
        )
        field.label_from_instance = staff_name

        def apply(coordinator):
            changed = sum(
                enquiry.assign(coordinator, by=request.user)
                for enquiry in queryset.select_related("assigned_to")
            )
            self.message_user(request, _("%(count)d enquiries reassigned.") % {"count": changed})

        return self.action_page(
            request,
            queryset,
            action="assign_to",
            title=_("Assign enquiries to a coordinator"),
            field=field,
            submit_label=_("Assign"),
            apply=apply,
        )

    @admin.action(description=_("Change status…"), permissions=["change"])
    def change_status(self, request, queryset):
        field = forms.ChoiceField(label=_("New status"), choices=Enquiry.Status.choices)

        def apply(status):
            changed = sum(enquiry.change_status(status, by=request.user) for enquiry in queryset)
            self.message_user(request, _("%(count)d enquiries changed.") % {"count": changed})

        return self.action_page(
            request,
            queryset,
            action="change_status",
            title=_("Change the status of enquiries"),
            field=field,
            submit_label=_("Change status"),
            apply=apply,
        )

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_as_spam(self, request, queryset):
        changed = sum(
            enquiry.change_status(Enquiry.Status.SPAM, by=request.user) for enquiry in queryset
        )
        self.message_user(request, _("%(count)d enquiries marked as spam.") % {"count": changed})

    @admin.action(
        description=_("Record first reply made by phone or another way (now)"),
        permissions=["change"],
    )
    def mark_first_reply_sent(self, request, queryset):
        changed = sum(enquiry.record_first_reply(by=request.user) for enquiry in queryset)
        self.message_user(
            request, _("First reply recorded on %(count)d enquiries.") % {"count": changed}
        )

    @admin.action(description=_("Export selected to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        enquiries = list(
            queryset.select_related("assigned_to")
            .prefetch_related("preferred_cities")
            .order_by("-submitted_at")
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="enquiries-{stamp}.csv"'
        add_never_cache_headers(response)
        exports.write_csv(enquiries, response)
        AuditEntry.record(request.user, AuditEntry.Action.EXPORTED_ENQUIRIES, enquiries=enquiries)
        return response

    @admin.action(
        description=_("Export everything about the patient (access request, ZIP)"),
        permissions=["export_patient_data"],
    )
    def export_patient_data(self, request, queryset):
        # Several enquiries may come from one person: select them all, get one archive.
        if queryset.count() > MAX_ENQUIRIES_PER_PATIENT:
            self.message_user(
                request,
                _("Choose at most %(count)d enquiries of one patient.")
                % {"count": MAX_ENQUIRIES_PER_PATIENT},
                messages.WARNING,
            )
            return None
        enquiries = queryset.prefetch_related(
            "preferred_cities",
            "consents",
            "record_files",
            "notes__author",
            "events__actor",
            "messages__author",
            "case_links",
        ).select_related("assigned_to")
        archive = patient_rights.export(enquiries, by=request.user)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = FileResponse(
            archive,
            as_attachment=True,
            filename=f"patient-data-{stamp}.zip",
            content_type="application/zip",
        )
        add_never_cache_headers(response)
        return response

    @admin.action(
        description=_("Erase at the patient's request (deletes everything)…"),
        permissions=["erase"],
    )
    def erase_enquiries(self, request, queryset):
        field = forms.BooleanField(
            label=_(
                "The patient asked us to erase their data. Delete these enquiries, their notes, "
                "history and files for good; only the audit log keeps the reference."
            ),
            required=True,
        )

        def apply(_confirmed):
            # The box is required: the form is valid only once it is ticked.
            erased = patient_rights.erase(queryset, by=request.user)
            self.message_user(request, _("%(count)d enquiries erased.") % {"count": len(erased)})

        return self.action_page(
            request,
            queryset,
            action="erase_enquiries",
            title=_("Erase enquiries at the patient's request"),
            field=field,
            submit_label=_("Erase for good"),
            apply=apply,
        )

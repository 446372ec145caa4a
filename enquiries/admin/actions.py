"""The workflow actions of the enquiry list: assign, status, spam, first reply, exports and
erasure, with the intermediate page that asks for one more choice."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enquiries import exports
from enquiries.models import (
    AuditEntry,
    Enquiry,
    staff_name,
)
from enquiries.roles import assignable_staff

# Workflow actions that show an intermediate page list every enquiry they touch; more than this
# is a job for a lead with a filter, not a form with thousands of hidden fields.
MAX_ENQUIRIES_PER_ACTION = 500


def settable_statuses():
    """The statuses a coordinator can choose directly: "duplicate" needs the enquiry it
    duplicates, so it is set from the person panel (Enquiry.close_as_duplicate_of)."""
    return [
        (value, label)
        for value, label in Enquiry.Status.choices
        if value != Enquiry.Status.DUPLICATE
    ]


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
                ngettext(
                    "Choose at most %(count)d enquiry for this action.",
                    "Choose at most %(count)d enquiries for this action.",
                    MAX_ENQUIRIES_PER_ACTION,
                )
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
        self.message_user(
            request,
            ngettext(
                "%(count)d enquiry assigned to you.",
                "%(count)d enquiries assigned to you.",
                changed,
            )
            % {"count": changed},
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d already belongs to a colleague; a lead coordinator can reassign it.",
                    "%(count)d already belong to a colleague; a lead coordinator can reassign "
                    "them.",
                    skipped,
                )
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
            self.message_user(
                request,
                ngettext(
                    "%(count)d enquiry reassigned.", "%(count)d enquiries reassigned.", changed
                )
                % {"count": changed},
            )

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
        field = forms.ChoiceField(label=_("New status"), choices=settable_statuses())

        def apply(status):
            changed = sum(enquiry.change_status(status, by=request.user) for enquiry in queryset)
            self.message_user(
                request,
                ngettext("%(count)d enquiry changed.", "%(count)d enquiries changed.", changed)
                % {"count": changed},
            )

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
        self.message_user(
            request,
            ngettext(
                "%(count)d enquiry marked as spam.", "%(count)d enquiries marked as spam.", changed
            )
            % {"count": changed},
        )

    @admin.action(
        description=_("Record first reply made by phone or another way (now)"),
        permissions=["change"],
    )
    def mark_first_reply_sent(self, request, queryset):
        changed = sum(enquiry.record_first_reply(by=request.user) for enquiry in queryset)
        self.message_user(
            request,
            ngettext(
                "First reply recorded on %(count)d enquiry.",
                "First reply recorded on %(count)d enquiries.",
                changed,
            )
            % {"count": changed},
        )

    @admin.action(description=_("Export selected to CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        enquiries = list(
            queryset.select_related("assigned_to", "preferred_programme")
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
        description=_("Export everything about these people (access request, ZIP)"),
        permissions=["export_patient_data"],
    )
    def export_patient_data(self, request, queryset):
        """Every enquiry of every selected person (enquiries.person), one archive."""
        return self.export_people(request, queryset)

    @admin.action(
        description=_("Erase these people at their request (deletes everything)…"),
        permissions=["erase"],
    )
    def erase_enquiries(self, request, queryset):
        """The page that lists every enquiry of every selected person and what goes with each;
        the lead confirms there (EnquiryAdminViews.erase_people_view)."""
        return self.erase_people_page(request, queryset)

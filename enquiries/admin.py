"""The coordinators' back office in Django admin: the enquiry list and page, workflow actions,
record downloads, CSV export, the dashboard, and the audit log for lead coordinators."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from enquiries import dashboard, exports, patient_rights, uploads
from enquiries.forms import ANSWER_SECTIONS, UTM_FIELDS
from enquiries.models import (
    AuditEntry,
    City,
    Consent,
    Enquiry,
    EnquiryEvent,
    Note,
    OutgoingEmail,
    RecordFile,
    StaffLockout,
    staff_name,
)
from enquiries.roles import assignable_staff
from enquiries.working_calendar import WEEKDAY_FIELDS, PublicHoliday, WorkingCalendar

# Workflow actions that show an intermediate page list every enquiry they touch; more than this
# is a job for a lead with a filter, not a form with thousands of hidden fields.
MAX_ENQUIRIES_PER_ACTION = 500
COUNTRY_LIST_CACHE_SECONDS = 300
WORKFLOW_FIELDS = ["status", "assigned_to", "priority", "next_follow_up_on"]
# One patient rarely writes more often than this; a bigger selection is a mistake.
MAX_ENQUIRIES_PER_PATIENT = 20


def age(delta):
    """How long ago, the way a coordinator says it: "12 min ago", "3 h ago", "4 days ago"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return _("%(count)d min ago") % {"count": minutes}
    hours = minutes // 60
    if hours < 48:
        return _("%(count)d h ago") % {"count": hours}
    days = hours // 24
    return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}


def download_name(record):
    """The patient's file name, made safe for a Content-Disposition header, ending in the
    extension of the type we detected (never the one the patient's name claims)."""
    return uploads.safe_file_name(
        record.original_name, record.content_type, fallback=f"record-{record.pk}"
    )


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "order"]
    list_editable = ["active", "order"]
    search_fields = ["name"]


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned coordinator")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        yield "me", _("Assigned to me")
        yield "none", _("Unassigned")
        for user in assignable_staff():
            yield str(user.pk), staff_name(user)

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=int(value))
        return queryset


class OneChoiceFilter(admin.SimpleListFilter):
    """A filter with one choice that narrows the list with one EnquiryQuerySet method."""

    choice = None
    choice_label = None
    queryset_method = None

    def lookups(self, request, model_admin):
        return [(self.choice, self.choice_label)]

    def queryset(self, request, queryset):
        if self.value() == self.choice:
            return getattr(queryset, self.queryset_method)()
        return queryset


class OverdueFilter(OneChoiceFilter):
    title = _("overdue")
    parameter_name = "overdue"
    choice, choice_label, queryset_method = "yes", _("Overdue"), "overdue"


class EmailTroubleFilter(OneChoiceFilter):
    title = _("emails")
    parameter_name = "emails"
    choice, choice_label, queryset_method = "trouble", _("Stuck or failed"), "with_email_trouble"


def email_flag(emails, now=None):
    """What the back office says about an enquiry's emails when one needs a person's attention
    (gave up, or still unsent after ENQUIRY_EMAIL_STUCK_MINUTES) or is being retried; else None."""
    statuses = {email.status for email in emails}
    needing_attention = {email.status for email in emails if email.needs_attention(now)}
    if OutgoingEmail.Status.FAILED in needing_attention:
        return _("Emails: %(status)s") % {"status": OutgoingEmail.Status.FAILED.label}
    if needing_attention:
        return _("Emails: unsent after %(minutes)d min") % {
            "minutes": settings.ENQUIRY_EMAIL_STUCK_MINUTES
        }
    if OutgoingEmail.Status.RETRYING in statuses:
        return _("Emails: %(status)s") % {"status": OutgoingEmail.Status.RETRYING.label}
    return None


class CountryFilter(admin.SimpleListFilter):
    """Only the countries enquiries came from, by name (not all 249 of them)."""

    title = _("country of residence")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        # A DISTINCT over every enquiry costs ~50 ms at 100,000 rows, the slowest query of the
        # page: the list of countries changes rarely, so it is cached for a few minutes.
        codes = cache.get_or_set(
            "enquiries:countries",
            lambda: list(Enquiry.objects.order_by().values_list("country", flat=True).distinct()),
            COUNTRY_LIST_CACHE_SECONDS,
        )
        return sorted(((code, countries.name(code) or code) for code in codes), key=lambda c: c[1])

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country=self.value())
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    """The site's languages from settings, not a DISTINCT over every enquiry."""

    title = _("language of the form")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, name) for code, name in settings.LANGUAGES]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(language=self.value())
        return queryset


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ["kind", "given", "text_version", "language", "given_at", "text"]


class RecordFileInline(ReadOnlyInline):
    model = RecordFile
    fields = ["original_name", "content_type", "size", "uploaded_at", "download"]
    readonly_fields = ["download"]

    @admin.display(description=_("download"))
    def download(self, record):
        if not self.can_download:
            return _("Not allowed for your role")
        url = reverse("admin:enquiries_recordfile_download", args=[record.enquiry_id, record.pk])
        return format_html('<a href="{}" download>{}</a>', url, _("Download"))

    def get_formset(self, request, obj=None, **kwargs):
        self.can_download = request.user.has_perm("enquiries.download_record_files")
        return super().get_formset(request, obj, **kwargs)


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


class EnquiryAdminForm(forms.ModelForm):
    first_reply_sent = forms.BooleanField(
        label=_("First reply sent"),
        required=False,
        help_text=_("Tick when you have answered the patient for the first time; records now."),
    )

    class Meta:
        model = Enquiry
        fields = ["status", "assigned_to", "priority", "next_follow_up_on"]

    # Set by EnquiryAdmin.get_form: who is editing, for the assignment rule.
    editing_user = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in WORKFLOW_FIELDS:
            if name in self.fields:
                # The page carries the values it showed, so "changed" means changed by this
                # coordinator, not by a colleague since the page was opened.
                self.fields[name].show_hidden_initial = True
        field = self.fields.get("assigned_to")
        if field is not None and self.editing_user is not None:
            staff = assignable_staff()
            if not self.editing_user.has_perm("enquiries.reassign_enquiries"):
                staff = staff.filter(pk__in=[self.editing_user.pk, self.instance.assigned_to_id])
            field.queryset = staff
            field.label_from_instance = staff_name

    def clean_assigned_to(self):
        to = self.cleaned_data["assigned_to"]
        if "assigned_to" in self.changed_data and not self.instance.can_be_assigned(
            to, by=self.editing_user
        ):
            raise ValidationError(_("Only a lead coordinator can reassign this enquiry."))
        return to


class ActionChoiceForm(forms.Form):
    """The choice an intermediate action page asks for (a coordinator or a status)."""

    def __init__(self, *args, field, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"] = field


class EnquiryChangeList(ChangeList):
    """Flags possible duplicates and unsent emails with one query each for the rows on the page,
    after paginating: as an annotation of the list query, the database would also compute it for
    every row an OFFSET skips (seconds on page 50 of 100,000)."""

    def get_results(self, request):
        super().get_results(request)
        page = list(self.result_list)
        flagged = set(
            Enquiry.objects.filter(pk__in=[enquiry.pk for enquiry in page])
            .with_possible_duplicate_flag()
            .filter(has_possible_duplicate=True)
            .values_list("pk", flat=True)
        )
        unsent = {}
        for email in OutgoingEmail.objects.filter(
            enquiry__in=[enquiry.pk for enquiry in page]
        ).exclude(status=OutgoingEmail.Status.SENT):
            unsent.setdefault(email.enquiry_id, []).append(email)
        now = timezone.now()
        for enquiry in page:
            enquiry.has_possible_duplicate = enquiry.pk in flagged
            enquiry.email_flag = email_flag(unsent.get(enquiry.pk, []), now)


PATIENT_FIELDSETS = [
    (_("About the enquirer"), {"fields": ANSWER_SECTIONS["enquirer"]}),
    (_("The patient"), {"fields": ANSWER_SECTIONS["patient"]}),
    (_("Contact"), {"fields": ANSWER_SECTIONS["contact"]}),
    (_("Medical situation"), {"fields": ANSWER_SECTIONS["medical"]}),
    (_("Treatment in China"), {"fields": ANSWER_SECTIONS["treatment"]}),
    (
        _("Where they came from"),
        {
            "classes": ["collapse"],
            "fields": ["source_page_slug", *UTM_FIELDS],
        },
    ),
]


@admin.register(Enquiry)
class EnquiryAdmin(admin.ModelAdmin):
    form = EnquiryAdminForm
    list_display = [
        "reference",
        "received",
        "patient_name",
        "country_name",
        "diagnosis",
        "cities",
        "status",
        "assigned_to",
        "next_follow_up_on",
        "overdue_flag",
        "other_flags",
    ]
    list_filter = [
        "status",
        AssignedFilter,
        OverdueFilter,
        EmailTroubleFilter,
        "preferred_cities",
        "diagnosis",
        CountryFilter,
        "gender",
        LanguageFilter,
        "submitted_at",
    ]
    list_select_related = ["assigned_to"]
    list_per_page = 50
    # No second COUNT(*) over the whole table for "show all" on every filtered page.
    show_full_result_count = False
    # Facet counts are a COUNT per filter choice: far too slow with 100,000 enquiries.
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["reference", "patient_name", "email", "phone"]
    search_help_text = _("Reference, name, email or phone.")
    ordering = ["-submitted_at"]
    inlines = [ConsentInline, RecordFileInline, OutgoingEmailInline, NoteInline]
    actions = [
        "assign_to_me",
        "assign_to",
        "change_status",
        "mark_as_spam",
        "mark_first_reply_sent",
        "export_csv",
        "export_patient_data",
        "erase_enquiries",
    ]

    class Media:
        css = {"all": ["css/back_office.css"]}

    # Permissions of the custom actions (Django looks up has_<name>_permission).

    def has_export_permission(self, request):
        return request.user.has_perm("enquiries.export_enquiries")

    def has_export_patient_data_permission(self, request):
        return request.user.has_perm("enquiries.export_patient_data")

    def has_erase_permission(self, request):
        return request.user.has_perm("enquiries.erase_enquiry")

    def has_reassign_permission(self, request):
        return request.user.has_perm("enquiries.reassign_enquiries")

    def has_add_permission(self, request):
        # Enquiries come from patients, through the form.
        return False

    # The list.

    def action_checkbox(self, enquiry):
        # Django's own markup, written directly: its CheckboxInput renders three widget templates
        # per row, about 40% of the list's CPU time on a 50-row page.
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            admin.helpers.ACTION_CHECKBOX_NAME,
            enquiry.pk,
            format_html(_("Select this object for an action - {}"), str(enquiry)),
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("preferred_cities")

    def get_changelist(self, request, **kwargs):
        return EnquiryChangeList

    @admin.display(description=_("received"), ordering="submitted_at")
    def received(self, enquiry):
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            enquiry.submitted_at.isoformat(),
            date_format(timezone.localtime(enquiry.submitted_at), "DATETIME_FORMAT"),
            age(timezone.now() - enquiry.submitted_at),
        )

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, enquiry):
        return enquiry.country.name

    @admin.display(description=_("cities"))
    def cities(self, enquiry):
        return ", ".join(city.name for city in enquiry.preferred_cities.all())

    @admin.display(description=_("overdue"))
    def overdue_flag(self, enquiry):
        reason = enquiry.overdue_reason()
        if reason is None:
            return ""
        if reason == Enquiry.OverdueReason.FIRST_REPLY:
            why = _("First reply promised by %(time)s") % {
                "time": date_format(
                    timezone.localtime(enquiry.first_reply_due_at), "DATETIME_FORMAT"
                )
            }
        else:
            why = _("Follow-up was due on %(date)s") % {
                "date": date_format(enquiry.next_follow_up_on, "DATE_FORMAT")
            }
        return format_html(
            '<strong class="bo-flag bo-flag-overdue" title="{}">{}</strong>', why, _("Overdue")
        )

    @admin.display(description=_("flags"))
    def other_flags(self, enquiry):
        flags = []
        if getattr(enquiry, "has_possible_duplicate", False):
            flags.append(("bo-flag-duplicate", _("Possible duplicate")))
        if getattr(enquiry, "email_flag", None):
            flags.append(("bo-flag-email", enquiry.email_flag))
        return format_html_join(" ", '<span class="bo-flag {}">{}</span>', flags)

    @admin.display(description=_("emails"))
    def emails_status(self, enquiry):
        emails = list(enquiry.emails.all())
        flag = email_flag(emails)
        if flag:
            return format_html('<strong class="bo-flag bo-flag-email">{}</strong>', flag)
        if all(email.status == OutgoingEmail.Status.SENT for email in emails):
            return _("All sent")
        return _("Being sent")

    # The enquiry page.

    def get_fieldsets(self, request, obj=None):
        workflow = [*WORKFLOW_FIELDS, "first_reply_due_at"]
        if (
            obj is not None
            and obj.first_replied_at is None
            and self.has_change_permission(request, obj)
        ):
            workflow.append("first_reply_sent")
        else:
            workflow.append("first_replied_at")
        return [
            (
                None,
                {
                    "fields": [
                        "reference",
                        "submitted_at",
                        "language",
                        "privacy_notice_version",
                        "emails_status",
                        "closed_at",
                    ]
                },
            ),
            (_("Workflow"), {"fields": workflow}),
            *PATIENT_FIELDSETS,
        ]

    def get_readonly_fields(self, request, obj=None):
        # What the patient sent is never edited; only the workflow fields are.
        editable = {*WORKFLOW_FIELDS, "first_reply_sent"}
        return [
            field
            for _name, options in self.get_fieldsets(request, obj)
            for field in options["fields"]
            if field not in editable
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # get_form builds a new class on every call, so this never leaks between requests.
        form.editing_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Applies only what this coordinator changed, through the model's workflow methods, so
        each change leaves an event and a stale form never undoes a colleague's change."""
        stored = (
            Enquiry.objects.select_for_update(of=("self",))
            .select_related("assigned_to")
            .get(pk=obj.pk)
        )
        changed = set(form.changed_data)
        data = form.cleaned_data
        by = request.user
        if "assigned_to" in changed:
            stored.assign(data["assigned_to"], by=by)
        if "status" in changed:
            stored.change_status(data["status"], by=by)
        if "priority" in changed:
            stored.change_priority(data["priority"], by=by)
        if "next_follow_up_on" in changed:
            stored.schedule_follow_up(data["next_follow_up_on"], by=by)
        if data.get("first_reply_sent"):
            stored.record_first_reply(by=by)

    def save_formset(self, request, form, formset, change):
        if formset.model is Note:
            for note in formset.save(commit=False):
                if note.pk is None:
                    form.instance.add_note(note.text, by=request.user)
            return
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Enquiry.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Deleting an enquiry removes its files from storage too (once the rows are gone), and
        the audit log keeps who deleted which reference."""
        for reference in queryset.delete_with_files():
            AuditEntry.record(request.user, AuditEntry.Action.DELETED_ENQUIRY, reference=reference)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["timeline"] = obj.events.select_related("actor")
            context["possible_duplicates"] = obj.possible_duplicates().only(
                "pk", "reference", "submitted_at", "status"
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            enquiry = response.context_data["original"]
            AuditEntry.record(
                request.user, AuditEntry.Action.VIEWED_ENQUIRY, reference=enquiry.reference
            )
        return response

    # Extra pages.

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        urls = [
            path("dashboard/", admin_view(self.dashboard_view), name="enquiries_dashboard"),
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
        record.enquiry.record_event(EnquiryEvent.Kind.RECORD_DOWNLOADED, actor=user, file=record.pk)
        AuditEntry.record(
            user,
            AuditEntry.Action.DOWNLOADED_RECORD,
            reference=record.enquiry.reference,
            file=record.pk,
        )
        return response

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

    @admin.action(description=_("Record first reply sent (now)"), permissions=["change"])
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
        AuditEntry.record(
            request.user,
            AuditEntry.Action.EXPORTED_ENQUIRIES,
            count=len(enquiries),
            references=[enquiry.reference for enquiry in enquiries],
        )
        EnquiryEvent.objects.bulk_create(
            EnquiryEvent(enquiry=enquiry, kind=EnquiryEvent.Kind.EXPORTED, actor=request.user)
            for enquiry in enquiries
        )
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
            "preferred_cities", "consents", "record_files", "notes__author", "events__actor"
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


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
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
        details = entry.details
        if entry.action == AuditEntry.Action.EXPORTED_ENQUIRIES:
            return _("%(count)s enquiries: %(references)s") % {
                "count": details.get("count", 0),
                "references": ", ".join(details.get("references", [])),
            }
        if entry.action == AuditEntry.Action.DOWNLOADED_RECORD:
            return _("File #%(file)s") % {"file": details.get("file")}
        if entry.action == AuditEntry.Action.APPLIED_RETENTION:
            return _("Anonymised: %(anonymised)s. Deleted spam: %(deleted)s.") % {
                "anonymised": ", ".join(details.get("anonymised", [])) or "—",
                "deleted": ", ".join(details.get("deleted", [])) or "—",
            }
        if entry.action == AuditEntry.Action.UNLOCKED_STAFF_ACCOUNT:
            return _("Login %(account)s, after %(failures)s failures") % {
                "account": details.get("account", ""),
                "failures": details.get("failures", 0),
            }
        return ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StaffLockout)
class StaffLockoutAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WorkingCalendarForm(forms.ModelForm):
    # A list to pick from: a typo in a time zone name would move every deadline.
    time_zone = forms.ChoiceField(
        choices=lambda: [(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text=WorkingCalendar._meta.get_field("time_zone").help_text,
    )

    class Meta:
        model = WorkingCalendar
        fields = ["time_zone", "opens_at", "closes_at", *WEEKDAY_FIELDS]


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    """The one calendar: lead coordinators change it (open enquiries' deadlines follow at once,
    see enquiries.sla.calendar_changed); coordinators may look."""

    form = WorkingCalendarForm
    list_display = ["__str__", "time_zone", "opens_at", "closes_at", "working_days"]
    fieldsets = [
        (None, {"fields": ["time_zone", ("opens_at", "closes_at")]}),
        ("Working days", {"fields": [WEEKDAY_FIELDS]}),
    ]

    @admin.display(description="working days")
    def working_days(self, calendar):
        return ", ".join(name.title() for name in WEEKDAY_FIELDS if getattr(calendar, name))

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not WorkingCalendar.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    """Days off: no working hours count on them. Leads add them; no list is shipped."""

    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]

"""The enquiry list and page: columns, flags, the workflow form, and saving through the
model's workflow methods."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from enquiries.admin.actions import EnquiryActions, settable_statuses
from enquiries.admin.filters import (
    AssignedFilter,
    CountryFilter,
    EmailTroubleFilter,
    LanguageFilter,
    NewsFromPatientFilter,
    OverdueFilter,
)
from enquiries.admin.inlines import (
    CaseMessageInline,
    ConsentInline,
    NoteInline,
    OutgoingEmailInline,
    RecordFileInline,
)
from enquiries.admin.replies import EnquiryReplies
from enquiries.admin.views import EnquiryAdminViews
from enquiries.forms import ANSWER_SECTIONS, UTM_FIELDS
from enquiries.models import (
    AuditEntry,
    City,
    Enquiry,
    Note,
    OutgoingEmail,
    staff_name,
)
from enquiries.person import person_of
from enquiries.roles import assignable_staff
from enquiries.sla import current_calendar, working_time_between
from portal.service_promise import WORKING_DAY_HOURS
from therapy_info.admin import LanguageWidgetsMixin

WORKFLOW_FIELDS = ["status", "assigned_to", "priority", "next_follow_up_on"]


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


def due_in_words(due, now, calendar):
    """How far a deadline is, in working time, as a coordinator reads it: "due in 3 working
    hours", "overdue by 1 working day". Whole working days (of WORKING_DAY_HOURS, the day the
    promise to patients counts in) from one such day on, whole working hours from one hour,
    working minutes below; always rounded down, so "due in 1 working day" can mean up to 15
    working hours left. Past a deadline with no working time since (after closing), it is
    "overdue" all the same: the deadline is behind us."""
    left = working_time_between(now, due, calendar)
    overdue = due <= now
    minutes = int(abs(left) / timedelta(minutes=1))
    hours, days = minutes // 60, minutes // (60 * WORKING_DAY_HOURS)
    if days:
        if overdue:
            return ngettext(
                "overdue by %(count)d working day", "overdue by %(count)d working days", days
            ) % {"count": days}
        return ngettext("due in %(count)d working day", "due in %(count)d working days", days) % {
            "count": days
        }
    if hours:
        if overdue:
            return ngettext(
                "overdue by %(count)d working hour", "overdue by %(count)d working hours", hours
            ) % {"count": hours}
        return ngettext(
            "due in %(count)d working hour", "due in %(count)d working hours", hours
        ) % {"count": hours}
    if minutes:
        if overdue:
            return ngettext(
                "overdue by %(count)d working minute",
                "overdue by %(count)d working minutes",
                minutes,
            ) % {"count": minutes}
        return ngettext(
            "due in %(count)d working minute", "due in %(count)d working minutes", minutes
        ) % {"count": minutes}
    return gettext("overdue") if overdue else gettext("due within a working minute")


@admin.register(City)
class CityAdmin(LanguageWidgetsMixin, TranslationAdmin):
    """The cities the form offers, named in each language of the form. Leads add and change them
    (enquiries 0004 gives only leads change_city); coordinators see the list."""

    list_display = ["name", "active", "order"]
    list_editable = ["active", "order"]
    search_fields = ["name"]


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


class AssigneeChoiceField(forms.ModelChoiceField):
    """Whom an enquiry is given to, each named as on the timeline. EnquiryAdmin builds it for
    each request (formfield_for_foreignkey), so it knows who is choosing: the assignment rule
    depends on that person, not only on their role."""

    def __init__(self, *args, chosen_by, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen_by = chosen_by

    def label_from_instance(self, user):
        return staff_name(user)


class EnquiryAdminForm(forms.ModelForm):
    # A message sent from the page records the first reply by itself (enquiries.replies); this box
    # is for the answers the portal cannot see.
    first_reply_sent = forms.BooleanField(
        label=_("First reply made by phone or another way"),
        required=False,
        help_text=_(
            "Tick only when you first answered the patient outside the portal (a call, "
            "WhatsApp, an email); records now."
        ),
    )

    class Meta:
        model = Enquiry
        fields = ["status", "assigned_to", "priority", "next_follow_up_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields and self.instance.status != Enquiry.Status.DUPLICATE:
            # "Duplicate" says of which enquiry: it is chosen in the person panel, not here.
            self.fields["status"].choices = settable_statuses()
        for name in WORKFLOW_FIELDS:
            if name in self.fields:
                # The page carries the values it showed, so "changed" means changed by this
                # coordinator, not by a colleague since the page was opened.
                self.fields[name].show_hidden_initial = True

    def clean_assigned_to(self):
        to = self.cleaned_data["assigned_to"]
        by = self.fields["assigned_to"].chosen_by
        if "assigned_to" in self.changed_data and not self.instance.can_be_assigned(to, by=by):
            raise ValidationError(_("Only a lead coordinator can reassign this enquiry."))
        return to


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
        # Once for the page: "next due" counts working time in it on every row.
        calendar = current_calendar()
        for enquiry in page:
            enquiry.has_possible_duplicate = enquiry.pk in flagged
            enquiry.email_flag = email_flag(unsent.get(enquiry.pk, []), now)
            enquiry.working_calendar = calendar


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
class EnquiryAdmin(EnquiryActions, EnquiryReplies, EnquiryAdminViews, admin.ModelAdmin):
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
        "next_due",
        "other_flags",
    ]
    list_filter = [
        "status",
        AssignedFilter,
        OverdueFilter,
        NewsFromPatientFilter,
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
    inlines = [ConsentInline, RecordFileInline, CaseMessageInline, OutgoingEmailInline, NoteInline]
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

    def has_delete_permission(self, request, obj=None):
        # One way to delete for everyone: erasure at the patient's request, which takes every
        # enquiry of the person and leaves its audit (erase_enquiries, erase_people_view).
        # Retention deletes old spam on its own.
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

    @admin.display(
        description=_("next due"),
        # The earlier of the two stored deadlines; the first reply's counts while it is awaited.
        ordering=Least(
            Coalesce(
                Case(When(first_replied_at__isnull=True, then=F("first_reply_due_at"))),
                F("follow_up_due_at"),
            ),
            Coalesce(
                F("follow_up_due_at"),
                Case(When(first_replied_at__isnull=True, then=F("first_reply_due_at"))),
            ),
        ),
    )
    def next_due(self, enquiry):
        """When the enquiry's next deadline falls, in working time: "due in 3 working hours"."""
        deadline = enquiry.next_due()
        if deadline is None:
            return ""
        calendar = getattr(enquiry, "working_calendar", None) or current_calendar()
        now = timezone.now()
        if deadline.kind == Enquiry.OverdueReason.FIRST_REPLY:
            what = _("First reply due %(time)s")
        else:
            what = _("Follow-up due %(time)s")
        local_time = date_format(timezone.localtime(deadline.at), "DATETIME_FORMAT")
        return format_html(
            '<time datetime="{}" title="{}" class="{}">{}</time>',
            deadline.at.isoformat(),
            what % {"time": local_time},
            "bo-due bo-due-overdue" if deadline.is_overdue(now) else "bo-due",
            due_in_words(deadline.at, now, calendar),
        )

    @admin.display(description=_("flags"))
    def other_flags(self, enquiry):
        flags = []
        if enquiry.news_from_patient_at is not None:
            flags.append(("bo-flag-news", _("New from the patient")))
        if getattr(enquiry, "has_possible_duplicate", False):
            flags.append(("bo-flag-duplicate", _("Possible duplicate")))
        if getattr(enquiry, "email_flag", None):
            flags.append(("bo-flag-email", enquiry.email_flag))
        return format_html_join(" ", '<span class="bo-flag {}">{}</span>', flags)

    @admin.display(description=_("emails"))
    def emails_status(self, enquiry):
        # The emails' table below read them already (render_change_form); else one query.
        emails = getattr(enquiry, "emails_in_table", None)
        if emails is None:
            emails = list(enquiry.emails.all())
        flag = email_flag(emails)
        if flag:
            return format_html('<strong class="bo-flag bo-flag-email">{}</strong>', flag)
        if all(email.status == OutgoingEmail.Status.SENT for email in emails):
            return _("All sent")
        return _("Being sent")

    # The enquiry page.

    def get_fieldsets(self, request, obj=None):
        workflow = [*WORKFLOW_FIELDS, "first_reply_due_at", "next_due"]
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            staff = assignable_staff()
            if not request.user.has_perm("enquiries.reassign_enquiries"):
                # A coordinator takes an enquiry or hands it back: they are offered themself and
                # whoever has the enquiry of this page now (read in the same query). The hook
                # is not given the enquiry; its change page is the only page with this form.
                object_id = request.resolver_match.kwargs.get("object_id")
                enquiry = (
                    Enquiry.objects.filter(pk=unquote(object_id))
                    if object_id
                    else Enquiry.objects.none()
                )
                current = enquiry.values("assigned_to")
                staff = staff.filter(Q(pk=request.user.pk) | Q(pk__in=current))
            kwargs.update(queryset=staff, form_class=AssigneeChoiceField, chosen_by=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

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

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            for inline in context.get("inline_admin_formsets", []):
                if inline.formset.model is OutgoingEmail:
                    # Every email of the enquiry, already read for the table: the summary at
                    # the top says how they went without reading them again.
                    obj.emails_in_table = list(inline.formset.get_queryset())
            context["timeline"] = obj.events.select_related("actor")
            # One query per round of the search, at most person.MAX_ROUNDS, whatever the number
            # of enquiries found.
            person = context["person"] = person_of(obj)
            # Only an open enquiry that nothing was merged into (no chains; the model says why).
            context["can_close_as_duplicate"] = (
                obj.is_open
                and not person.closed_as_duplicates_of_this
                and self.has_change_permission(request, obj)
            )
            context["can_export_person"] = self.has_export_patient_data_permission(request)
            context["can_erase_person"] = self.has_erase_permission(request)
            context["reply"] = self.reply_section(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            enquiry = response.context_data["original"]
            AuditEntry.record(request.user, AuditEntry.Action.VIEWED_ENQUIRY, enquiry=enquiry)
            # Whoever works the enquiry has now seen what the patient sent (the page shows it).
            if self.has_change_permission(request, enquiry):
                enquiry.mark_news_from_patient_seen(by=request.user)
        return response

"""The enquiry list and page: columns, flags, the workflow form, and saving through the
model's workflow methods."""

import functools
import operator
from copy import copy
from datetime import timedelta
from functools import reduce
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Least
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from enquiries.admin import pathway
from enquiries.admin.actions import EnquiryActions, settable_statuses
from enquiries.admin.filters import (
    SAVED_VIEWS,
    ApprovedLabelFilter,
    AssignedFilter,
    CountryFilter,
    EmailTroubleFilter,
    LanguageFilter,
    NewsFromPatientFilter,
    OpenFilter,
    OverdueFilter,
    PossibleTrialFilter,
)
from enquiries.admin.inlines import (
    ConsentInline,
    NoteInline,
    OutgoingEmailInline,
    RecordFileInline,
)
from enquiries.admin.list_rows import escaped
from enquiries.admin.referrals import EnquiryReferrals, panel_annotations
from enquiries.admin.replies import EnquiryReplies
from enquiries.admin.time_zones import coordinator_time_zone, patient_time_zone
from enquiries.admin.views import EnquiryAdminViews
from enquiries.forms import ANSWER_SECTIONS, UTM_FIELDS
from enquiries.matching import sent_checklist_items
from enquiries.models import (
    AuditEntry,
    Enquiry,
    Note,
    OutgoingEmail,
    staff_name,
)
from enquiries.person import person_of
from enquiries.roles import assignable_staff
from enquiries.sla import current_calendar, working_time_between
from portal.service_promise import WORKING_DAY_HOURS
from therapy_info.programmes import City

WORKFLOW_FIELDS = ["status", "assigned_to", "priority", "next_follow_up_on"]
# How deep the enquiry page follows the links between a person's enquiries (enquiries.person).
PAGE_PERSON_ROUNDS = 2


@functools.lru_cache(maxsize=len(settings.LANGUAGES) + 1)
def list_words(language):
    """The list's words in `language`, translated once per process and language rather than in
    each of the 50 rows: translating per cell was the largest part of the list's CPU time."""
    with translation.override(language):
        return {
            "status": {value: str(label) for value, label in Enquiry.Status.choices},
            "diagnosis": {value: str(label) for value, label in Enquiry.Diagnosis.choices},
            "country": {code: str(name) for code, name in countries},
            "overdue": gettext("Overdue"),
            "news": gettext("New from the patient"),
            "duplicate": gettext("Possible duplicate"),
            "first_reply_due": gettext("First reply promised by %(time)s"),
            "next_first_reply": gettext("First reply due %(time)s"),
            "next_follow_up": gettext("Follow-up due %(time)s"),
            "follow_up_due": gettext("Follow-up was due on %(date)s"),
            "minutes": gettext("%(count)d min ago"),
            "hours": gettext("%(count)d h ago"),
            # ngettext's choice depends on the number (and the language's plural rules).
            "days": {
                days: ngettext("%(count)d day ago", "%(count)d days ago", days)
                for days in range(2, 400)
            },
            "select": gettext("Select this object for an action - {}"),
        }


def current_list_words():
    return list_words(translation.get_language() or settings.LANGUAGE_CODE)


def age(delta):
    """How long ago, the way a coordinator says it: "12 min ago", "3 h ago", "4 days ago"."""
    words = current_list_words()
    minutes = max(int(delta.total_seconds() // 60), 0)
    if minutes < 60:
        return words["minutes"] % {"count": minutes}
    hours = minutes // 60
    if hours < 48:
        return words["hours"] % {"count": hours}
    days = hours // 24
    template = words["days"].get(days) or ngettext("%(count)d day ago", "%(count)d days ago", days)
    return template % {"count": days}


def short_time(moment):
    """A local date and time, "2026-05-06 14:05", without the cost of a localised format."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


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


class NeighbourChangeList(ChangeList):
    """The list's filters, search and order without its page of results: what the enquiry page
    needs to find the enquiries before and after it in the list the coordinator came from."""

    def get_results(self, request):
        pass


def keyset(ordering, values, *, forward):
    """The rows after (forward) or before the row with `values` in `ordering` (field names, "-"
    for descending), as a Q: ordered by (a, b, pk), "after" is a > x, or a = x and b > y, …"""
    conditions = []
    same = Q()
    for field, value in zip(ordering, values, strict=True):
        name = field.removeprefix("-")
        beyond = "lt" if field.startswith("-") == forward else "gt"
        conditions.append(same & Q(**{f"{name}__{beyond}": value}))
        same &= Q(**{name: value})
    return reduce(operator.or_, conditions)


def city_names():
    """The enquiry's preferred cities as one text, in a subquery of the enquiry's own query;
    in alphabetical order where the database can order within an aggregate (SQLite < 3.44 not)."""
    in_order = (
        {"order_by": "name"} if connection.features.supports_aggregate_order_by_clause else {}
    )
    names = (
        City.objects.filter(enquiries=OuterRef("pk"))
        .order_by()
        .values("enquiries")
        .annotate(names=StringAgg("name", Value(", "), **in_order))
        .values("names")
    )
    return Subquery(names)


def reversed_ordering(ordering):
    return [field.removeprefix("-") if field.startswith("-") else f"-{field}" for field in ordering]


class EnquiryChangeList(ChangeList):
    """Flags possible duplicates and unsent emails with one query each for the rows on the page,
    after paginating: as an annotation of the list query, the database would also compute it for
    every row an OFFSET skips (seconds on page 50 of 100,000)."""

    def url_for_result(self, result):
        # One reverse() per page, not per row.
        if not hasattr(self, "_change_url"):
            self._change_url = reverse("admin:enquiries_enquiry_change", args=["0"])
        return self._change_url.replace("/0/change/", f"/{quote(str(result.pk))}/change/")

    def city_names(self, city_ids):
        """The names of the cities `city_ids` in the reader's language, by id: as the cities
        filter read them for its choices (a city's name is its str), and with a query only for
        any it does not know (a city added since, or no such filter)."""
        field = Enquiry._meta.get_field("preferred_cities")
        names = {}
        for spec in self.filter_specs:
            if getattr(spec, "field", None) is field:
                names.update(spec.lookup_choices)
        if missing := set(city_ids) - names.keys():
            names.update((city.pk, city.name) for city in City.objects.filter(pk__in=missing))
        return names

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
        # The rows' cities in one query of numbers, named in the reader's language: a prefetch
        # would build a (translated) related manager for each row, a fifth of the list's time,
        # and even a city object per row cost a tenth.
        links = list(
            Enquiry.preferred_cities.through.objects.filter(
                enquiry_id__in=[enquiry.pk for enquiry in page]
            )
            .order_by("city__order", "city_id")
            .values_list("enquiry_id", "city_id")
        )
        names = self.city_names({city_id for _enquiry_id, city_id in links})
        cities = {}
        for enquiry_id, city_id in links:
            cities.setdefault(enquiry_id, []).append(names[city_id])
        for enquiry in page:
            enquiry.city_names_on_page = cities.get(enquiry.pk, [])
            enquiry.has_possible_duplicate = enquiry.pk in flagged
            enquiry.email_flag = email_flag(unsent.get(enquiry.pk, []), now)
            enquiry.working_calendar = calendar


# Answers shown by a method of EnquiryAdmin: Yes or No in words, not Django's icon for a boolean
# (its text is "True"); the cities from the enquiry's own query, not one more.
READABLE_ANSWERS = {
    "no_city_preference": "no_city_preference_in_words",
    "preferred_cities": "cities_in_words",
    "preferred_programme": "preferred_programme_in_words",
}

PATIENT_FIELDSETS = [
    (_("About the enquirer"), {"fields": ANSWER_SECTIONS["enquirer"]}),
    (_("The patient"), {"fields": ANSWER_SECTIONS["patient"]}),
    (_("Contact"), {"fields": ANSWER_SECTIONS["contact"]}),
    (_("Medical situation"), {"fields": ANSWER_SECTIONS["medical"]}),
    (
        _("Treatment in China"),
        {"fields": [READABLE_ANSWERS.get(name, name) for name in ANSWER_SECTIONS["treatment"]]},
    ),
    (
        _("Where they came from"),
        {
            "classes": ["collapse"],
            "fields": ["source_page_slug", *UTM_FIELDS],
        },
    ),
]


@admin.register(Enquiry)
class EnquiryAdmin(
    EnquiryActions, EnquiryReplies, EnquiryReferrals, EnquiryAdminViews, admin.ModelAdmin
):
    form = EnquiryAdminForm
    # Eight columns that fit 1366 px beside the filters: the country and cities are under the
    # patient's name, overdue with the other flags, the follow-up date in the next due column.
    list_display = [
        "reference",
        "received",
        "patient",
        "diagnosis_name",
        "status_name",
        "assignee",
        "flags",
        "next_due",
    ]
    # Columns of fields never empty: "Next" on the enquiry page follows the list's order with a
    # keyset (enquiry_neighbours), which a NULL would break.
    sortable_by = ["reference", "received", "patient", "diagnosis_name", "status_name"]
    list_filter = [
        "status",
        OpenFilter,
        AssignedFilter,
        OverdueFilter,
        NewsFromPatientFilter,
        EmailTroubleFilter,
        ApprovedLabelFilter,
        PossibleTrialFilter,
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
    # The conversation with the patient is not an inline: it sits with the reply form, which
    # cannot be inside the enquiry's form (templates/admin/enquiries/enquiry/change_form.html).
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
        js = ["js/copy-text.js"]

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
        # per row, about 40% of the list's CPU time on a 50-row page. The list's cells are
        # f-strings around escaped parts (list_rows.escaped): format_html costs ten times more.
        label = current_list_words()["select"].format(escaped(enquiry.reference))
        return SafeString(
            f'<input type="checkbox" name="{admin.helpers.ACTION_CHECKBOX_NAME}"'
            f' value="{escaped(enquiry.pk)}" class="action-select" aria-label="{label}">'
        )

    def get_changelist(self, request, **kwargs):
        if getattr(request, "neighbours_only", False):
            return NeighbourChangeList
        return EnquiryChangeList

    def get_list_filter(self, request):
        if not getattr(request, "neighbours_only", False):
            return self.list_filter
        # Only the filters the list was narrowed with: the others would each cost the query of
        # their choices, for nothing.
        used = set(request.GET)

        def in_use(list_filter):
            if isinstance(list_filter, str):
                return any(p == list_filter or p.startswith(f"{list_filter}__") for p in used)
            return list_filter.parameter_name in used

        return [list_filter for list_filter in self.list_filter if in_use(list_filter)]

    def changelist_view(self, request, extra_context=None):
        shown = {key: value for key, value in request.GET.items() if key not in {"p", "o"}}
        views = [
            {"label": label, "url": "?" + urlencode(params), "current": shown == params}
            for label, params in SAVED_VIEWS
        ]
        return super().changelist_view(request, {"saved_views": views, **(extra_context or {})})

    @admin.display(description=_("received"), ordering="submitted_at")
    def received(self, enquiry):
        submitted = enquiry.submitted_at
        return SafeString(
            f'<time datetime="{escaped(submitted.isoformat())}"'
            f' title="{escaped(short_time(submitted))}">'
            f"{escaped(age(timezone.now() - submitted))}</time>"
        )

    @admin.display(description=_("patient"), ordering="patient_name")
    def patient(self, enquiry):
        code = enquiry.country.code
        country = current_list_words()["country"].get(code, code)
        # The page's cities (EnquiryChangeList.get_results); .all() would query for each row.
        cities = getattr(enquiry, "city_names_on_page", None)
        if cities is None:
            cities = [city.name for city in enquiry.preferred_cities.all()]
        where = " · ".join([country, *cities])
        return SafeString(
            f'{escaped(enquiry.patient_name)}<small class="bo-where">{escaped(where)}</small>'
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
        words = current_list_words()
        if deadline.kind == Enquiry.OverdueReason.FIRST_REPLY:
            what = words["next_first_reply"]
        else:
            what = words["next_follow_up"]
        classes = "bo-due bo-due-overdue" if deadline.is_overdue(now) else "bo-due"
        title = what % {"time": short_time(deadline.at)}
        return SafeString(
            f'<time datetime="{escaped(deadline.at.isoformat())}" title="{escaped(title)}"'
            f' class="{classes}">{escaped(due_in_words(deadline.at, now, calendar))}</time>'
        )

    @admin.display(description=_("diagnosis"), ordering="diagnosis")
    def diagnosis_name(self, enquiry):
        return current_list_words()["diagnosis"].get(enquiry.diagnosis) or "—"

    @admin.display(description=_("status"), ordering="status")
    def status_name(self, enquiry):
        return current_list_words()["status"].get(enquiry.status, enquiry.status)

    @admin.display(description=_("assigned to"))
    def assignee(self, enquiry):
        return staff_name(enquiry.assigned_to) or "—"

    @admin.display(description=_("flags"))
    def flags(self, enquiry):
        """Overdue (with why, on hovering), new from the patient, possible duplicate, emails."""
        words = current_list_words()
        flags = []
        reason = enquiry.overdue_reason()
        if reason == Enquiry.OverdueReason.FIRST_REPLY:
            why = words["first_reply_due"] % {"time": short_time(enquiry.first_reply_due_at)}
            flags.append(("bo-flag-overdue", why, words["overdue"]))
        elif reason == Enquiry.OverdueReason.FOLLOW_UP:
            why = words["follow_up_due"] % {"date": enquiry.next_follow_up_on.isoformat()}
            flags.append(("bo-flag-overdue", why, words["overdue"]))
        if enquiry.news_from_patient_at is not None:
            flags.append(("bo-flag-news", "", words["news"]))
        if getattr(enquiry, "has_possible_duplicate", False):
            flags.append(("bo-flag-duplicate", "", words["duplicate"]))
        if getattr(enquiry, "email_flag", None):
            flags.append(("bo-flag-email", "", enquiry.email_flag))
        return SafeString(
            " ".join(
                f'<span class="bo-flag {classes}" title="{escaped(why)}">{escaped(label)}</span>'
                for classes, why, label in flags
            )
        )

    @admin.display(description=_("emails"))
    def emails_status(self, enquiry):
        # Prefetched with the enquiry of the page (get_object): no query of its own.
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
                        "received_times",
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

    def get_object(self, request, object_id, from_field=None):
        """The enquiry of the page with what its page shows in the same query: the names of its
        cities, the rows of its Referrals panel (enquiries.admin.panel_rows), and on the page
        itself the enquiries before and after it in the list it was opened from; its emails come
        with it (the summary, the table and the referrals share them)."""
        if from_field is not None:
            return super().get_object(request, object_id, from_field)
        queryset = (
            self.get_queryset(request)
            .annotate(sent_checklist_items=sent_checklist_items())
            .prefetch_related(None)
            .select_related("assigned_to", "preferred_programme__city")
            .prefetch_related("emails")
            .annotate(city_names=city_names(), **panel_annotations())
        )
        page = getattr(request.resolver_match, "url_name", None)
        if request.method == "GET" and page == "enquiries_enquiry_change":
            queryset = queryset.annotate(**self.neighbour_subqueries(request))
        try:
            return queryset.get(pk=Enquiry._meta.pk.to_python(object_id))
        except (Enquiry.DoesNotExist, ValidationError, ValueError):
            return None

    def neighbour_subqueries(self, request):
        """previous_pk and next_pk: the enquiries before and after an enquiry in the list it was
        opened from (its filters, search and order ride along in _changelist_filters), as
        subqueries of the enquiry's own query. None when that list cannot be rebuilt."""
        list_request = copy(request)
        list_request.GET = QueryDict(request.GET.get("_changelist_filters", ""))
        list_request.neighbours_only = True
        # The assignee filter's list of coordinators (a query) is for the list page only.
        list_request.choices_shown = False
        try:
            changelist = self.get_changelist_instance(list_request)
        except (IncorrectLookupParameters, DisallowedModelAdminLookup, PermissionDenied):
            return {}
        queryset = changelist.queryset.prefetch_related(None)
        if queryset.query.distinct:
            # A filter across the cities made the list DISTINCT, which cannot be ordered by
            # columns it does not select: the same rows, without DISTINCT.
            listed = queryset.order_by().values("pk")
            queryset = Enquiry.objects.filter(pk__in=listed).order_by(*queryset.query.order_by)
        # Field names only: the sortable columns (sortable_by) are fields that are never empty.
        ordering = list(queryset.query.order_by)
        if not all(isinstance(field, str) for field in ordering):
            return {}
        values = [OuterRef(field.removeprefix("-")) for field in ordering]
        after = queryset.filter(keyset(ordering, values, forward=True)).order_by(*ordering)
        before = queryset.filter(keyset(ordering, values, forward=False)).order_by(
            *reversed_ordering(ordering)
        )
        return {
            "previous_pk": Subquery(before.values("pk")[:1]),
            "next_pk": Subquery(after.values("pk")[:1]),
        }

    def neighbour_urls(self, request, enquiry):
        """The addresses of the pages of the previous and next enquiries in the list, which keep
        its filters; None at either end (or when not known)."""
        context = {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}

        def address(pk):
            if pk is None:
                return None
            return add_preserved_filters(
                context, reverse("admin:enquiries_enquiry_change", args=[pk])
            )

        return (
            address(getattr(enquiry, "previous_pk", None)),
            address(getattr(enquiry, "next_pk", None)),
        )

    @staticmethod
    def contact_links(enquiry):
        """How to reach the patient: the channel they chose first, then email. A link to click
        (tel:, a WhatsApp chat, mailto:) or an ID to copy (WeChat, Telegram)."""
        Channel = Enquiry.ContactChannel
        channel = enquiry.preferred_contact_channel
        digits = "".join(character for character in enquiry.phone if character.isdigit())
        links = []
        if channel == Channel.PHONE and digits:
            links.append({"label": _("Call"), "url": f"tel:+{digits}", "text": enquiry.phone})
        elif channel == Channel.WHATSAPP and digits:
            links.append(
                {"label": _("WhatsApp"), "url": f"https://wa.me/{digits}", "text": enquiry.phone}
            )
        elif channel in (Channel.WECHAT, Channel.TELEGRAM) and enquiry.messenger_id:
            links.append({"label": Channel(channel).label, "copy": enquiry.messenger_id})
        if enquiry.email:
            links.append(
                {
                    "label": _("Email"),
                    "url": "mailto:" + quote(enquiry.email, safe="@+"),
                    "text": enquiry.email,
                }
            )
        return {"channel": enquiry.get_preferred_contact_channel_display(), "links": links}

    def may_take(self, request, enquiry):
        """Whether "Assign to me" is offered: the user may work the enquiry, it is not theirs
        yet, and the assignment rule lets them take it."""
        user = request.user
        return (
            enquiry.assigned_to_id != user.pk
            and self.has_change_permission(request, enquiry)
            and enquiry.can_be_assigned(user, by=user)
        )

    @admin.display(description=Enquiry._meta.get_field("no_city_preference").verbose_name)
    def no_city_preference_in_words(self, enquiry):
        return _("Yes") if enquiry.no_city_preference else _("No")

    @admin.display(description=Enquiry._meta.get_field("preferred_cities").verbose_name)
    def cities_in_words(self, enquiry):
        return enquiry.city_names or "—"

    @admin.display(description=Enquiry._meta.get_field("preferred_programme").verbose_name)
    def preferred_programme_in_words(self, enquiry):
        """The hospital the patient chose (with its city), linked to its public page while it is
        published; coordinators do not edit programmes, so no admin link."""
        programme = enquiry.preferred_programme
        if programme is None:
            return "—"
        if programme.is_published:
            return format_html(
                '<a href="{}">{}</a> ({})',
                programme.get_absolute_url(),
                programme.name,
                programme.city.name,
            )
        return format_html("{} ({})", programme.name, programme.city.name)

    @admin.display(description=_("received"))
    def received_times(self, enquiry):
        """When it came, on the coordinator's clock (the page's active time zone), and on the
        patient's when they told us their time zone."""
        shown = format_html(
            '<time datetime="{}">{}</time> ({})',
            enquiry.submitted_at.isoformat(),
            date_format(timezone.localtime(enquiry.submitted_at), "DATETIME_FORMAT"),
            timezone.get_current_timezone_name(),
        )
        zone = patient_time_zone(enquiry.time_zone)
        if zone is None:
            return shown
        theirs = date_format(enquiry.submitted_at.astimezone(zone), "TIME_FORMAT")
        return format_html(
            '{} <span class="bo-patient-time">{}</span>',
            shown,
            _("patient's local time: %(time)s (%(zone)s)")
            % {"time": theirs, "zone": enquiry.time_zone},
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["timeline"] = (
                obj.events.select_related("actor")
                .annotate(note_id=Cast(KT("details__note"), IntegerField()))
                .annotate(
                    # A note's text is on the timeline, in the timeline's query.
                    note_text=Subquery(
                        Note.objects.filter(pk=OuterRef("note_id")).values("text")[:1]
                    )
                )
            )
            # One query per round of the search, whatever the number of enquiries found: two
            # rounds here (links two steps deep), within the page's budget of 16 queries; the
            # panel says when more may be linked, and erasure and export follow all three.
            person = context["person"] = person_of(obj, max_rounds=PAGE_PERSON_ROUNDS)
            # Only an open enquiry that nothing was merged into (no chains; the model says why).
            context["can_close_as_duplicate"] = (
                obj.is_open
                and not person.closed_as_duplicates_of_this
                and self.has_change_permission(request, obj)
            )
            context["can_export_person"] = self.has_export_patient_data_permission(request)
            context["can_erase_person"] = self.has_erase_permission(request)
            context["reply"] = self.reply_section(request, obj)
            context["referrals_panel"] = self.referrals_panel(request, obj)
            context["conversation"] = obj.messages.select_related("author")
            context["contact"] = self.contact_links(obj)
            context["pathway_panel"] = pathway.pathway_panel(obj)
            if self.may_take(request, obj):
                # The list's filters ride along, so "Next" still works after taking it.
                context["assign_to_me_url"] = add_preserved_filters(
                    {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
                    reverse("admin:enquiries_enquiry_assign_to_me", args=[obj.pk]),
                )
            context["previous_url"], context["next_url"] = self.neighbour_urls(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Times on the page are on the coordinator's clock. A TemplateResponse renders after the
        # view returns, so it is rendered here, inside that time zone.
        with timezone.override(coordinator_time_zone(request.user)):
            response = super().change_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
        if request.method == "GET" and response.status_code == 200:
            enquiry = response.context_data["original"]
            AuditEntry.record(request.user, AuditEntry.Action.VIEWED_ENQUIRY, enquiry=enquiry)
            # Whoever works the enquiry has now seen what the patient sent (the page shows it).
            if self.has_change_permission(request, enquiry):
                enquiry.mark_news_from_patient_seen(by=request.user)
        return response

"""The enquiry list's filters, and their sidebar written in Python."""

import functools

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.core.cache import cache
from django.db.models import Q
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from enquiries.admin.list_rows import escaped
from enquiries.models import (
    Enquiry,
    staff_name,
)
from enquiries.roles import assignable_staff

COUNTRY_LIST_CACHE_SECONDS = 300


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned coordinator")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        yield "me", _("Assigned to me")
        yield "me_or_none", _("Assigned to me or unassigned")
        yield "none", _("Unassigned")
        if getattr(request, "choices_shown", True):
            for user in assignable_staff():
                yield str(user.pk), staff_name(user)

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "me_or_none":
            return queryset.filter(Q(assigned_to=request.user) | Q(assigned_to__isnull=True))
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


class OpenFilter(OneChoiceFilter):
    title = _("open or closed")
    parameter_name = "open"
    choice, choice_label, queryset_method = "yes", _("Open"), "open"


class OverdueFilter(OneChoiceFilter):
    title = _("overdue")
    parameter_name = "overdue"
    choice, choice_label, queryset_method = "yes", _("Overdue"), "overdue"


class NewsFromPatientFilter(OneChoiceFilter):
    title = _("from the patient")
    parameter_name = "news"
    choice, choice_label, queryset_method = (
        "yes",
        _("New from the patient"),
        "with_news_from_patient",
    )


class EmailTroubleFilter(OneChoiceFilter):
    title = _("emails")
    parameter_name = "emails"
    choice, choice_label, queryset_method = "trouble", _("Stuck or failed"), "with_email_trouble"


class YesNoFlagFilter(admin.SimpleListFilter):
    """Yes or no on a flag stored on the enquiry and indexed with the list's order: one indexed
    condition, no query of its own for the choices."""

    flag = None

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(**{self.flag: self.value() == "yes"})
        return queryset


class ApprovedLabelFilter(YesNoFlagFilter):
    """Whether the answers are consistent with an approved product's label (enquiries.pathways:
    computed on arrival, and again when the products or their rules change)."""

    title = _("matches an approved label")
    parameter_name = "label"
    flag = "matches_approved_label"


class PossibleTrialFilter(YesNoFlagFilter):
    """Whether an open trial of the catalogue could take the patient (enquiries.pathways)."""

    title = _("possible trial")
    parameter_name = "trial"
    flag = "has_possible_trial"


# The coordinators' usual questions of the list, one click away above it: each a set of the
# filters' parameters, so it reads and narrows like any filtered list.
SAVED_VIEWS = [
    (_("All enquiries"), {}),
    (_("My open"), {"assigned": "me", "open": "yes"}),
    (_("Waiting for me"), {"news": "yes", "assigned": "me_or_none"}),
    (_("Overdue"), {"overdue": "yes"}),
    (_("Unassigned"), {"assigned": "none", "open": "yes"}),
]


@functools.lru_cache(maxsize=32)
def countries_by_name(codes, language):
    """The countries `codes` as (code, name) in `language`, by name: named and sorted once per
    process rather than on every list page (django-countries translates each name anew)."""
    with translation.override(language):
        named = ((code, countries.name(code) or code) for code in codes)
        return tuple(sorted(named, key=lambda choice: choice[1]))


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
        return countries_by_name(tuple(codes), translation.get_language())

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


# Django's template of a filter, admin/filter.html, which list_filter_html writes.
FILTER_TEMPLATE = "admin/filter.html"


def list_filter_html(changelist, spec):
    """What Django's admin_list_filter tag renders for `spec`, written directly when it has
    Django's own template: a template render per filter and a loop over its choices cost more
    than the ~110 links of the sidebar themselves."""
    if spec.template != FILTER_TEMPLATE:
        return admin_list_filter(changelist, spec)
    choices = []
    for choice in spec.choices(changelist):
        selected = ' class="selected"' if choice["selected"] else ""
        address = escaped(iri_to_uri(choice["query_string"]))
        choices.append(f'<li{selected}><a href="{address}">{escaped(choice["display"])}</a></li>')
    # The same words as the template's {% blocktranslate %}, so the same translations.
    summary = gettext(" By %(filter_title)s ") % {"filter_title": escaped(spec.title)}
    return SafeString(
        f'<details data-filter-title="{escaped(spec.title)}" open>'
        f"<summary>{summary}</summary><ul>{''.join(choices)}</ul></details>"
    )

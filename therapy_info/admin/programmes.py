"""Admin for the cities patients choose from and the hospitals' CAR-T programmes: content editors
write a programme in the four languages, with its numbered sources, its offers and its published
outcomes, choose each fact's source among the programme's own, and see which sources nobody has
re-checked for six months (STALE_AFTER)."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from therapy_info.admin.content import LanguageWidgetsMixin
from therapy_info.programmes import (
    City,
    Disease,
    Programme,
    ProgrammeOffer,
    ProgrammeOutcome,
    ProgrammeSource,
)

STALE_WORDS = _("Older than 6 months: check the source again and update the date.")


@admin.register(City)
class CityAdmin(LanguageWidgetsMixin, TranslationAdmin):
    """The cities the form offers, named in each language of the form. Leads add and change them
    (enquiries 0004 gives only leads change_city); coordinators see the list."""

    list_display = ["name", "active", "order"]
    list_editable = ["active", "order"]
    search_fields = ["name"]


def _programme_id_of_page(request):
    """The programme of the change page being drawn (None on the add page)."""
    match = request.resolver_match
    return match.kwargs.get("object_id") if match else None


class OwnSourcesMixin:
    """A fact's source is one of the programme's own sources (none yet on a new programme)."""

    def own_sources(self, request):
        return ProgrammeSource.objects.filter(programme_id=_programme_id_of_page(request)).order_by(
            "number"
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is ProgrammeSource:
            kwargs["queryset"] = self.own_sources(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ProgrammeSourceInline(LanguageWidgetsMixin, admin.TabularInline):
    model = ProgrammeSource
    fields = ["number", "citation", "url", "last_verified_on", "needs_checking", "reviewer_note"]
    readonly_fields = ["needs_checking"]
    extra = 0
    # A citation or a note is a line or two, not a page.
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}

    @admin.display(description=_("older than 6 months?"))
    def needs_checking(self, source):
        if source.pk and source.is_stale():
            return format_html('<strong class="bo-stale-source">{}</strong>', STALE_WORDS)
        return "—"


class OfferForm(forms.ModelForm):
    # Ticked boxes rather than JSON typed by hand: only the keys the list filters by.
    diseases = forms.MultipleChoiceField(
        label=_("diseases"), choices=Disease.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProgrammeOffer
        fields = ["kind", "order", "name", "target", "phase", "registry_id", "diseases", "source"]


class ProgrammeOfferInline(OwnSourcesMixin, admin.StackedInline):
    model = ProgrammeOffer
    form = OfferForm
    fields = [("kind", "order"), "name", ("target", "phase", "registry_id"), "diseases", "source"]
    extra = 0


class ProgrammeOutcomeInline(OwnSourcesMixin, LanguageWidgetsMixin, TranslationTabularInline):
    model = ProgrammeOutcome
    fields = ["text", "source", "order"]
    extra = 0


class StaleFactsFilter(admin.SimpleListFilter):
    title = _("facts older than 6 months")
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", _("Some sources to check again")), ("no", _("All checked recently"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.with_stale_sources()
        if self.value() == "no":
            return queryset.without_stale_sources()
        return queryset


FACT_FIELDS = [(fact, f"{fact}_source") for fact in Programme.STATED_FACTS]


@admin.register(Programme)
class ProgrammeAdmin(OwnSourcesMixin, LanguageWidgetsMixin, TranslationAdmin, SimpleHistoryAdmin):
    list_display = [
        "name",
        "city",
        "status",
        "verified_by_team",
        "stale_facts",
        "updated_at",
    ]
    list_filter = ["status", "verified_by_team", StaleFactsFilter, "city"]
    list_select_related = ["city"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["verified_by_team_on", "sources_to_check"]
    inlines = [ProgrammeSourceInline, ProgrammeOfferInline, ProgrammeOutcomeInline]

    def get_readonly_fields(self, request, obj=None):
        # Where a patient's records go is the lead coordinators' to set (Programme.Meta).
        if request.user.has_perm("therapy_info.change_programme_contact"):
            return self.readonly_fields
        return [*self.readonly_fields, "international_office_email"]

    class Media:
        css = {"all": ["css/back_office.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    "sources_to_check",
                    "name",
                    "slug",
                    "city",
                    "status",
                    "summary",
                    ("verified_by_team", "verified_by_team_on"),
                    "international_office_email",
                ]
            },
        ),
        (
            _("Facts, each with its source"),
            {
                "description": _(
                    "Leave a fact empty when no public source states it: the page then says it "
                    "is not known. Each stated fact needs one of the sources listed below; on a "
                    "new programme, add the sources and save first, then choose them here."
                ),
                "fields": FACT_FIELDS,
            },
        ),
        (
            _("Price"),
            {
                "fields": [
                    ("price_from", "price_to", "price_currency"),
                    "price_includes",
                    ("price_quoted_on", "price_source"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_stale_source_count()

    @admin.display(description=_("facts older than 6 months"), ordering="stale_source_count")
    def stale_facts(self, programme):
        count = programme.stale_source_count
        if not count:
            return "—"
        return format_html(
            '<strong class="bo-stale-source">{}</strong>',
            ngettext("%(count)d source to check", "%(count)d sources to check", count)
            % {"count": count},
        )

    @admin.display(description=_("sources to check again"))
    def sources_to_check(self, programme):
        sources = programme.sources.all() if programme.pk else []
        stale = [source for source in sources if source.is_stale()]
        if not stale:
            return _("None: every source was checked in the last 6 months.")
        return format_html(
            '<strong class="bo-stale-source">{}</strong> {}',
            _("Last verified more than 6 months ago:"),
            format_html_join(
                ", ",
                "[{}] {}",
                ((source.number, source.last_verified_on.isoformat()) for source in stale),
            ),
        )

"""The hospitals' programme pages patients compare: the list by city with its filters (disease,
target), and a page per programme with every fact followed by its numbered source.

Both read their content once per content version and language (therapy_info.content_cache), and
the page cache stores the pages themselves: a reader who hits either costs no query. A filtered
list is not stored as a page (portal.page_cache keeps only bare URLs), but filters the cached
programmes in Python."""

from dataclasses import dataclass, field
from itertools import groupby

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from therapy_info import content_cache
from therapy_info.money import format_money
from therapy_info.programmes import Disease, Programme, ProgrammeOffer

# The international-patient services and the stay, in the order the page states them.
SERVICE_FACTS = [
    ("languages", _("Languages spoken with patients")),
    ("interpreter", _("Interpreter")),
    ("accommodation", _("Accommodation nearby")),
    ("visa_invitation_letter", _("Visa invitation letter")),
]


@dataclass
class Fact:
    """One stated fact as the page shows it: its text ("" when not known) and its source."""

    label: str
    value: str
    source: object = None
    # Shown in English, the reader's language having no text yet (marked as English).
    is_untranslated: bool = False


@dataclass
class ProgrammeContent:
    """Everything a programme's page shows, read in a fixed number of queries, cacheable as one."""

    programme: Programme
    sources: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)

    @classmethod
    def load(cls, programme):
        return cls(
            programme=programme,
            sources=list(programme.sources.all()),
            offers=list(programme.offers.select_related("source")),
            outcomes=list(programme.outcomes.select_related("source")),
        )

    def source_of(self, fact):
        """The source of a programme fact, from the sources read with it (no query)."""
        source_id = getattr(self.programme, f"{Programme.source_field_of(fact)}_id")
        return next((source for source in self.sources if source.pk == source_id), None)

    @property
    def offer_groups(self):
        """(heading, offers): the approved products first, then the trials."""
        kinds = ProgrammeOffer.Kind
        return [
            (_("Approved products"), [o for o in self.offers if o.kind == kinds.APPROVED_PRODUCT]),
            (_("Clinical trials"), [o for o in self.offers if o.kind == kinds.TRIAL]),
        ]

    def _text_fact(self, name, label):
        return Fact(
            label,
            getattr(self.programme, name),
            self.source_of(name),
            is_untranslated=name in self.programme.untranslated_texts,
        )

    @property
    def services(self):
        return [self._text_fact(name, label) for name, label in SERVICE_FACTS]

    @property
    def typical_stay(self):
        return self._text_fact("typical_stay", _("Typical stay"))

    @property
    def website(self):
        return Fact(_("Official website"), self.programme.website, self.source_of("website"))

    @property
    def price(self):
        """The price range in the reader's language with its currency ("" when not known)."""
        programme = self.programme
        low = format_money(programme.price_from, programme.price_currency)
        high = format_money(programme.price_to, programme.price_currency)
        if low and high:
            same = programme.price_from == programme.price_to
            text = (
                low
                if same
                else gettext("%(low)s to %(high)s")
                % {
                    "low": low,
                    "high": high,
                }
            )
        elif low:
            text = gettext("from %(amount)s") % {"amount": low}
        elif high:
            text = gettext("up to %(amount)s") % {"amount": high}
        else:
            text = ""
        return Fact(_("Price range"), text, self.source_of("price"))

    def structured_data(self, page_url):
        return self.programme.structured_data(page_url, self.offers)


# ---- The list ----------------------------------------------------------------------------------


@dataclass
class ProgrammeSummary:
    """A programme as its card in the list shows it."""

    programme: Programme
    offers: list

    def matches(self, disease, target):
        """Whether one of its offers is for this disease and this target (either may be "")."""
        return any(
            (not disease or disease in offer.diseases)
            and (not target or offer.target.casefold() == target.casefold())
            for offer in self.offers
        )


def _published_summaries():
    programmes = Programme.objects.published().select_related("city")
    offers = {}
    for offer in ProgrammeOffer.objects.filter(programme__in=programmes):
        offers.setdefault(offer.programme_id, []).append(offer)
    summaries = [ProgrammeSummary(p, offers.get(p.pk, [])) for p in programmes]
    # By city as the form lists them, then by name in the reader's language.
    summaries.sort(
        key=lambda s: (s.programme.city.order, s.programme.city.name, s.programme.name.casefold())
    )
    return summaries


class ProgrammeFilterForm(forms.Form):
    """The list's filters, sent as GET parameters: a value the list does not know is ignored."""

    disease = forms.ChoiceField(
        label=_("Disease"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    target = forms.ChoiceField(
        label=_("Target"),
        required=False,
        help_text=_("The molecule on the cancer cells that the CAR-T cells recognise."),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data, targets):
        super().__init__(data)
        self.fields["disease"].choices = [("", _("Any disease")), *Disease.choices]
        self.fields["target"].choices = [("", _("Any target"))] + [(t, t) for t in targets]

    def chosen(self, name):
        """The value to filter by, "" for none: only a field with a known value filters."""
        if not self.is_bound:
            return ""
        self.is_valid()
        return self.cleaned_data.get(name, "")


def programme_list(request):
    summaries = content_cache.cached("programmes", _published_summaries)
    targets = sorted(
        # An offer whose target no source states is not a choice of its own.
        {offer.target for summary in summaries for offer in summary.offers if offer.target},
        key=str.casefold,
    )
    filters = ProgrammeFilterForm(request.GET or None, targets)
    disease, target = filters.chosen("disease"), filters.chosen("target")
    shown = [summary for summary in summaries if summary.matches(disease, target)]
    cities = [
        (city, list(group))
        for city, group in groupby(shown, key=lambda summary: summary.programme.city)
    ]
    context = {
        "filters": filters,
        "is_filtered": bool(disease or target),
        "cities": cities,
        "shown_count": len(shown),
        "total_count": len(summaries),
        "canonical_url": request.build_absolute_uri(request.path),
    }
    return render(request, "therapy_info/programme_list.html", context)


# ---- A programme's page ------------------------------------------------------------------------


def can_preview_programmes(user):
    return user.is_active and user.is_staff and user.has_perm("therapy_info.view_programme")


def _published_programme(slug):
    def build():
        programme = Programme.objects.published().select_related("city").filter(slug=slug).first()
        return ProgrammeContent.load(programme) if programme else None

    return content_cache.cached(f"programme:{slug}", build)


def programme_detail(request, slug):
    content = _published_programme(slug)
    if content is not None:
        return _render_programme(request, content, is_preview=False)
    # A draft: editors see it as readers will, never cached, never indexed.
    if can_preview_programmes(request.user):
        programme = Programme.objects.select_related("city").filter(slug=slug).first()
        if programme is not None:
            response = _render_programme(request, ProgrammeContent.load(programme), True)
            add_never_cache_headers(response)
            return response
    raise Http404


def _render_programme(request, content, is_preview):
    programme = content.programme
    canonical_url = request.build_absolute_uri(programme.get_absolute_url())
    context = {
        "programme": programme,
        "content": content,
        "is_preview": is_preview,
        "canonical_url": canonical_url,
        "structured_data": content.structured_data(canonical_url),
    }
    return render(request, "therapy_info/programme.html", context)

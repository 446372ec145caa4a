"""Hospitals and their CAR-T programmes as patients compare them: where they are, what they offer
(approved products and trials), services for international patients, stay and price — every fact
with the public source it comes from and the date someone last checked that source.

Unknown stays unknown: a fact without a source is left empty and the page says it is not known.
Content editors write programmes in the admin; the shipped ones are files under
therapy_info/content/programmes/ loaded by load_content."""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from therapy_info.models import SOURCE_LANGUAGE, localized


def _untranslated(obj, names):
    """The texts shown in English for want of the reader's language (modeltranslation's
    fallback), which the page marks as English."""
    language = get_language() or SOURCE_LANGUAGE
    if language == SOURCE_LANGUAGE:
        return set()
    return {
        name
        for name in names
        if not getattr(obj, localized(name, language), "")
        and getattr(obj, localized(name, SOURCE_LANGUAGE), "")
    }


# A fact whose source nobody re-checked for this long is shown to editors as stale.
STALE_AFTER = timedelta(days=183)

# A source's link: what patients open from the page, never over plain http.
# Its own code: a form would replace the message of an "invalid" URL with its generic one.
https_only = URLValidator(schemes=["https"], message=_("Enter an https:// link."), code="not_https")

# The registries whose numbers link to the trial's record: ClinicalTrials.gov for its NCT numbers,
# the WHO's search portal for the Chinese Clinical Trial Registry's (ChiCTR's own pages are
# addressed by an internal id, not by the registration number).
REGISTRY_LINKS = [
    (re.compile(r"NCT\d{8}"), "https://clinicaltrials.gov/study/{id}"),
    (re.compile(r"ChiCTR[-A-Za-z]*\d+"), "https://trialsearch.who.int/Trial2.aspx?TrialID={id}"),
]


def stale_before(today=None):
    """Sources last verified before this day are stale."""
    return (today or timezone.localdate()) - STALE_AFTER


class City(models.Model):
    """A Chinese city with CAR-T centres: the form offers it to patients ("preferred cities") and
    programmes are listed by it. Leads manage the list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(
        _("offered on the form"),
        default=True,
        help_text=_("Inactive cities stay on old enquiries."),
    )
    order = models.PositiveSmallIntegerField(_("order on the form"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self):
        return self.name


class Disease(models.TextChoices):
    """The diseases a programme treats, keyed as the enquiry form stores a diagnosis (the same
    keys and words as enquiries' Enquiry.Diagnosis, whose catch-alls it leaves out)."""

    LARGE_B_CELL_LYMPHOMA = "large_b_cell_lymphoma", _("Large B-cell lymphoma (e.g. DLBCL)")
    FOLLICULAR_LYMPHOMA = "follicular_lymphoma", _("Follicular lymphoma")
    MANTLE_CELL_LYMPHOMA = "mantle_cell_lymphoma", _("Mantle cell lymphoma")
    B_ALL = "b_all", _("B-cell acute lymphoblastic leukaemia (B-ALL)")
    CLL = "cll", _("Chronic lymphocytic leukaemia (CLL)")
    MULTIPLE_MYELOMA = "multiple_myeloma", _("Multiple myeloma")
    OTHER_BLOOD_CANCER = "other_blood_cancer", _("Another blood cancer")
    SOLID_TUMOUR = "solid_tumour", _("A solid tumour")


# schema.org's medical specialties of the diseases a programme treats: every one is a cancer, and
# all but solid tumours are blood cancers.
SPECIALTIES_OF_DISEASE = {
    key: ("Oncologic",) if key == Disease.SOLID_TUMOUR else ("Hematologic", "Oncologic")
    for key in Disease.values
}


class Currency(models.TextChoices):
    """ISO 4217 codes of the currencies hospitals quote in and patients pay with."""

    CNY = "CNY", _("Chinese yuan (CNY)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    RUB = "RUB", _("Russian rouble (RUB)")
    AED = "AED", _("UAE dirham (AED)")
    SAR = "SAR", _("Saudi riyal (SAR)")
    GBP = "GBP", _("Pound sterling (GBP)")


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Programme.Status.PUBLISHED)

    def with_stale_source_count(self, today=None):
        """Annotates stale_source_count: the programme's sources not verified for STALE_AFTER."""
        return self.annotate(
            stale_source_count=Count(
                "sources", filter=Q(sources__last_verified_on__lt=stale_before(today))
            )
        )

    def with_stale_sources(self, today=None):
        return self.filter(Exists(self._stale_sources(today)))

    def without_stale_sources(self, today=None):
        return self.exclude(Exists(self._stale_sources(today)))

    def _stale_sources(self, today):
        return ProgrammeSource.objects.filter(
            programme=OuterRef("pk"), last_verified_on__lt=stale_before(today)
        )


class Programme(models.Model):
    """One hospital's CAR-T programme. The texts have a column per language (modeltranslation,
    therapy_info.translation); each fact points at one of the programme's sources."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(_("address"), max_length=120, unique=True)
    name = models.CharField(_("hospital name"), max_length=200)
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("city")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences: what is documented here.")
    )
    website = models.URLField(_("official website"), blank=True, max_length=500)
    website_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    international_office_email = models.EmailField(
        _("international office email"),
        blank=True,
        help_text=_("Where referrals are sent by email. Only a publicly given address."),
    )
    # International-patient services: each a short text and its source, empty when unknown.
    languages = models.CharField(_("languages spoken with patients"), max_length=200, blank=True)
    languages_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interpreter = models.CharField(_("interpreter"), max_length=300, blank=True)
    interpreter_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accommodation = models.CharField(_("accommodation nearby"), max_length=300, blank=True)
    accommodation_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    visa_invitation_letter = models.CharField(
        _("visa invitation letter"), max_length=300, blank=True
    )
    visa_invitation_letter_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    typical_stay = models.CharField(_("typical stay"), max_length=200, blank=True)
    typical_stay_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Money as decimals with an ISO currency, never floats.
    price_from = models.DecimalField(
        _("price from"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    price_to = models.DecimalField(
        _("price up to"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    price_currency = models.CharField(_("currency"), max_length=3, choices=Currency, blank=True)
    price_includes = models.CharField(_("the price includes"), max_length=500, blank=True)
    price_quoted_on = models.DateField(_("price quoted on"), null=True, blank=True)
    price_source = models.ForeignKey(
        "ProgrammeSource", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_by_team = models.BooleanField(
        _("verified by our team"),
        default=False,
        help_text=_("Until ticked, the page says it is not yet verified by our team."),
    )
    verified_by_team_on = models.DateField(_("verified by our team on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    # The facts stated one by one, each with its own `<fact>_source` (the admin, the page and the
    # content files go through this list); the price is a block with one source.
    STATED_FACTS = (
        "website",
        "languages",
        "interpreter",
        "accommodation",
        "visa_invitation_letter",
        "typical_stay",
    )
    # The facts that each have a source: (value fields, source field).
    SOURCED_FACTS = {
        **{fact: (fact,) for fact in STATED_FACTS},
        "price": ("price_from", "price_to", "price_currency", "price_includes", "price_quoted_on"),
    }

    class Meta:
        ordering = ["city__order", "city__name", "name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        # Referrals (a patient's records) go to the international office's address: only lead
        # coordinators change it, never the content editors who write the page.
        permissions = [
            ("change_programme_contact", "Can change where referrals to a programme are sent")
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The date goes with the tick: set when an editor ticks it, gone when it is unticked.
        if not self.verified_by_team:
            self.verified_by_team_on = None
        elif self.verified_by_team_on is None:
            self.verified_by_team_on = timezone.localdate()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("therapy_info:programme", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    # The texts with a column per language (therapy_info.translation).
    TRANSLATED_TEXTS = (
        "name",
        "summary",
        "languages",
        "interpreter",
        "accommodation",
        "visa_invitation_letter",
        "typical_stay",
        "price_includes",
    )

    @property
    def untranslated_texts(self):
        return _untranslated(self, self.TRANSLATED_TEXTS)

    def structured_data(self, page_url, offers):
        """schema.org Hospital for search engines (JSON-LD), with only the facts that are known
        (offers: this programme's, read with it)."""
        data = {
            "@context": "https://schema.org",
            "@type": "Hospital",
            "name": self.name,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": self.city.name,
                "addressCountry": "CN",
            },
            "mainEntityOfPage": page_url,
        }
        if self.summary:
            data["description"] = self.summary
        if self.website:
            data["url"] = self.website
        specialties = sorted(
            {
                specialty
                for offer in offers
                for disease in offer.diseases
                for specialty in SPECIALTIES_OF_DISEASE.get(disease, ())
            }
        )
        if specialties:
            data["medicalSpecialty"] = [f"https://schema.org/{name}" for name in specialties]
        products = [o.name for o in offers if o.kind == ProgrammeOffer.Kind.APPROVED_PRODUCT]
        if products:
            data["availableService"] = [
                {"@type": "MedicalTherapy", "name": name} for name in products
            ]
        return data

    @classmethod
    def source_field_of(cls, fact):
        return "price_source" if fact == "price" else f"{fact}_source"

    def clean(self):
        errors = {}
        for fact, fields in self.SOURCED_FACTS.items():
            source_field = self.source_field_of(fact)
            stated = any(getattr(self, name) not in (None, "") for name in fields)
            if stated and getattr(self, f"{source_field}_id") is None:
                errors[source_field] = _("A stated fact needs its source.")
        has_amount = self.price_from is not None or self.price_to is not None
        if has_amount and not self.price_currency:
            errors["price_currency"] = _("An amount needs its currency.")
        if has_amount and not self.price_quoted_on:
            errors["price_quoted_on"] = _("A price needs the date it was quoted.")
        if (
            self.price_from is not None
            and self.price_to is not None
            and self.price_from > self.price_to
        ):
            errors["price_to"] = _("The upper end is below the lower end.")
        if errors:
            raise ValidationError(errors)


class ProgrammeSource(models.Model):
    """A public source of a programme's facts, numbered on its page, and when someone last
    checked it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="sources", verbose_name=_("programme")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    citation = models.TextField(_("citation"))
    url = models.URLField(_("link"), max_length=500, validators=[https_only])
    last_verified_on = models.DateField(_("last verified on"))
    # Staff only: never shown on the site.
    reviewer_note = models.TextField(_("note for editors"), blank=True)

    class Meta:
        ordering = ["programme", "number"]
        verbose_name = _("programme source")
        verbose_name_plural = _("programme sources")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="unique_source_number_per_programme"
            )
        ]

    def __str__(self):
        return f"[{self.number}] {self.citation[:60]}"

    def is_stale(self, today=None):
        return self.last_verified_on < stale_before(today)


class ProgrammeOffer(models.Model):
    """An approved CAR-T product the hospital gives, or a clinical trial it runs."""

    class Kind(models.TextChoices):
        APPROVED_PRODUCT = "approved_product", _("Approved product")
        TRIAL = "trial", _("Clinical trial")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="offers", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    name = models.CharField(_("name"), max_length=300)
    # Blank when no source states it: the page says it is not known.
    target = models.CharField(
        _("target antigen"), max_length=50, blank=True, help_text=_("E.g. CD19 or BCMA.")
    )
    # A short list of Disease keys; filtered in Python (a handful of programmes, page-cached).
    diseases = models.JSONField(_("diseases"), default=list)
    registry_id = models.CharField(_("trial registry number"), max_length=40, blank=True)
    phase = models.CharField(_("trial phase"), max_length=20, blank=True)
    source = models.ForeignKey(
        ProgrammeSource, on_delete=models.RESTRICT, related_name="offers", verbose_name=_("source")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")

    def __str__(self):
        return self.name

    def clean(self):
        unknown = [key for key in self.diseases or [] if key not in Disease.values]
        if unknown:
            raise ValidationError({"diseases": _("Unknown disease: %s") % ", ".join(unknown)})
        if not self.diseases:
            raise ValidationError({"diseases": _("Name at least one disease.")})

    def disease_labels(self):
        return [Disease(key).label for key in self.diseases if key in Disease.values]

    @property
    def registry_url(self):
        """The trial's public record when its number is one a registry link is known for."""
        for pattern, url in REGISTRY_LINKS:
            if pattern.fullmatch(self.registry_id):
                return url.format(id=self.registry_id)
        return ""


class ProgrammeOutcome(models.Model):
    """A published outcome or volume figure of the programme, as its source reports it."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("programme")
    )
    text = models.TextField(_("what was reported"))
    source = models.ForeignKey(
        ProgrammeSource,
        on_delete=models.RESTRICT,
        related_name="outcomes",
        verbose_name=_("source"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("published outcome")
        verbose_name_plural = _("published outcomes")

    def __str__(self):
        return self.text[:60]

    @property
    def is_untranslated(self):
        return bool(_untranslated(self, ["text"]))

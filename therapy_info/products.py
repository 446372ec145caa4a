"""The CAR-T products approved in China and their labelled indications, each encoded as a rule
over the enquiry form's pre-screen answers (therapy_info.prescreen) with the public source it
comes from. enquiries.matching reads the rules to say which labels an enquiry's answers are
consistent with, and what is still needed to decide.

A rule states only what its label source states: a detail the source does not give is left open
(no age limit given: no age limit, said in the rule's notes), and a label condition the form does
not ask ("including a proteasome inhibitor") is written out, to be asked, never guessed.

Leads and content editors keep the rules in the admin; the shipped ones are files under
therapy_info/content/products/ loaded by load_content (therapy_info.product_files)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from therapy_info.prescreen import DailySelfCare, DiseaseStatus, PriorTherapy, Target
from therapy_info.programmes import Disease

# Ages a label or a trial can name; beyond it a number is a typing error.
OLDEST_AGE = 120
# Prior lines of treatment a rule can ask for: the form counts up to "4 or more".
MOST_PRIOR_LINES = 4


class SourcedFact(models.Model):
    """Where a product or a rule comes from: a reference of an information page (the
    approved-in-china page's), or a citation of its own with its link and when it was checked."""

    source_reference = models.ForeignKey(
        "therapy_info.Reference",
        # A reference removed from its page leaves the rule without its source, which the admin
        # list shows; protecting it would break reverting the page to a revision without it.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="source: a reference of an information page",
    )
    source_citation = models.TextField("source: citation", blank=True)
    source_url = models.URLField("source: link", max_length=500, blank=True)
    source_checked_on = models.DateField("source: checked on", null=True, blank=True)

    class Meta:
        abstract = True

    def source_errors(self):
        """{field: message} when the fact has no usable source."""
        if self.source_reference_id is not None:
            return {}
        errors = {}
        if not self.source_citation.strip():
            errors["source_citation"] = (
                "Give the source: a reference of an information page, or a citation with its link."
            )
        if not self.source_url:
            errors["source_url"] = "A citation of its own needs the link to the source."
        if not self.source_checked_on:
            errors["source_checked_on"] = "Say when the source was checked."
        return errors

    @property
    def has_source(self):
        return self.source_reference_id is not None or bool(
            self.source_citation.strip() and self.source_url
        )

    def source_text(self):
        """The source as one line for staff: the page reference's citation, or its own."""
        if self.source_reference_id is not None:
            reference = self.source_reference
            return f"{reference.page.title} [{reference.number}]: {reference.citation}"
        return self.source_citation

    def source_link(self):
        if self.source_reference_id is not None:
            return self.source_reference.url
        return self.source_url


class ApprovedProduct(SourcedFact):
    """A CAR-T product China's regulator (NMPA) approved; its labelled indications are its rules."""

    slug = models.SlugField(
        "key",
        max_length=80,
        unique=True,
        help_text="A short name that never changes, e.g. axicabtagene-ciloleucel.",
    )
    name = models.CharField(
        "name", max_length=200, help_text="As coordinators call it: the trade name in China."
    )
    generic_name = models.CharField("generic name", max_length=200)
    target = models.CharField("target", max_length=10, choices=Target)
    maker = models.CharField("maker", max_length=200)
    approved_on = models.DateField(
        "approved on",
        null=True,
        blank=True,
        help_text="Empty when the source gives no date: unknown stays unknown.",
    )
    approval_note = models.CharField(
        "about the date",
        max_length=300,
        blank=True,
        help_text="E.g. “the day the regulator announced it”, or why there is no date.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "approved product"
        verbose_name_plural = "approved products"

    def __str__(self):
        return f"{self.name} ({self.generic_name})"

    def clean(self):
        errors = self.source_errors()
        if errors:
            raise ValidationError(errors)


def _unknown_values(values, known):
    if not isinstance(values, list):
        return ["(not a list)"]
    return [str(value) for value in values if value not in known]


class LabelRule(SourcedFact):
    """One labelled indication of an approved product, as conditions on the form's answers. An
    empty condition is one the label does not state: it lets every answer through."""

    product = models.ForeignKey(
        ApprovedProduct, on_delete=models.CASCADE, related_name="rules", verbose_name="product"
    )
    key = models.SlugField(
        "key",
        max_length=80,
        help_text="A short name that never changes, unique for the product, e.g. lbcl-third-line.",
    )
    indication = models.TextField(
        "labelled indication", help_text="What the label says, in its words, in short."
    )
    disease = models.CharField("diagnosis", max_length=30, choices=Disease)
    disease_statuses = models.JSONField(
        "disease statuses allowed",
        default=list,
        blank=True,
        help_text="Empty: the label does not say.",
    )
    minimum_prior_lines = models.PositiveSmallIntegerField(
        "at least this many prior lines of treatment",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MOST_PRIOR_LINES)],
        help_text="Empty: the label does not say. The form counts up to “4 or more”.",
    )
    prior_transplant = models.CharField(
        "prior stem-cell transplant", max_length=20, choices=PriorTherapy, blank=True
    )
    prior_car_t = models.CharField(
        "prior CAR-T therapy", max_length=20, choices=PriorTherapy, blank=True
    )
    target_required = models.CharField(
        "the cancer tested positive for",
        max_length=10,
        choices=Target,
        blank=True,
        help_text="Only when the label requires the test: the form's answer is then asked for.",
    )
    minimum_age = models.PositiveSmallIntegerField(
        "minimum age",
        null=True,
        blank=True,
        validators=[MaxValueValidator(OLDEST_AGE)],
        help_text="Years; a label for adults: 18. Empty: the label gives no lower limit.",
    )
    maximum_age = models.PositiveSmallIntegerField(
        "maximum age",
        null=True,
        blank=True,
        validators=[MaxValueValidator(OLDEST_AGE)],
        help_text="Years, inclusive. Empty: the label gives no upper limit.",
    )
    fitness = models.JSONField(
        "day-to-day fitness allowed",
        default=list,
        blank=True,
        help_text="The form's answers the label allows. Empty: the label does not say.",
    )
    conditions_not_asked = models.TextField(
        "label conditions the form does not ask",
        blank=True,
        help_text=(
            "One per line, as a question to the patient or their doctor, e.g. “Did the treatments "
            "include a proteasome inhibitor and an immunomodulatory drug?”. Each is shown as "
            "still needed to decide."
        ),
    )
    notes = models.TextField(
        "notes for staff",
        blank=True,
        help_text="What the source leaves open, and how the label's words were read.",
    )
    order = models.PositiveSmallIntegerField("order", default=100)

    class Meta:
        ordering = ["product__name", "order", "pk"]
        verbose_name = "label rule"
        verbose_name_plural = "label rules"
        constraints = [
            models.UniqueConstraint(
                fields=["product", "key"],
                name="unique_label_rule_key_per_product",
                violation_error_message="This product already has a rule with this key.",
            )
        ]

    def __str__(self):
        return f"{self.product.name}: {self.indication[:80]}" if self.product_id else self.key

    def clean(self):
        errors = self.source_errors()
        unknown = _unknown_values(self.disease_statuses, DiseaseStatus.values)
        if unknown:
            errors["disease_statuses"] = (
                f"Not an answer of the form: {', '.join(unknown)}. "
                f"The form's answers are {', '.join(DiseaseStatus.values)}."
            )
        unknown = _unknown_values(self.fitness, DailySelfCare.values)
        if unknown:
            errors["fitness"] = (
                f"Not an answer of the form: {', '.join(unknown)}. "
                f"The form's answers are {', '.join(DailySelfCare.values)}."
            )
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.minimum_age > self.maximum_age
        ):
            errors["maximum_age"] = (
                f"The maximum age ({self.maximum_age}) is below the minimum age "
                f"({self.minimum_age})."
            )
        if errors:
            raise ValidationError(errors)

    def questions_not_asked(self):
        """The label's conditions the form does not ask, one per line of the field."""
        return [line.strip() for line in self.conditions_not_asked.splitlines() if line.strip()]

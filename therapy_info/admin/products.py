"""Admin for the approved products and their label rules, which leads and content editors keep:
a product with its rules on one page, each rule's answers as the form's checkboxes, and bad data
(an answer the form does not have, an age range upside down, a rule without its source) refused
at the field that holds it (the models' clean())."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from therapy_info.models import Reference
from therapy_info.prescreen import DailySelfCare, DiseaseStatus
from therapy_info.products import ApprovedProduct, LabelRule

SOURCE_FIELDS = ["source_reference", "source_citation", "source_url", "source_checked_on"]
SOURCE_FIELDSET = (
    "Source",
    {
        "fields": [
            "source_reference",
            "source_citation",
            ("source_url", "source_checked_on"),
        ],
        "description": (
            "A reference of an information page (the approved-in-china page's), or a citation "
            "of its own with its link and the day it was checked."
        ),
    },
)


class PageReferenceField(forms.ModelChoiceField):
    def label_from_instance(self, reference):
        return f"{reference.page.title} [{reference.number}]: {reference.citation[:90]}"


def page_reference_field(db_field, **kwargs):
    return PageReferenceField(
        queryset=Reference.objects.select_related("page").order_by("page__title", "number"),
        required=False,
        label=db_field.verbose_name,
        **kwargs,
    )


class LabelRuleForm(forms.ModelForm):
    """The rule's lists of answers as the form's checkboxes; the model checks every value (a rule
    loaded from a file or written in the shell is checked the same way)."""

    disease_statuses = forms.TypedMultipleChoiceField(
        choices=DiseaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="disease statuses allowed",
        help_text="None ticked: the label does not say.",
    )
    fitness = forms.TypedMultipleChoiceField(
        choices=DailySelfCare.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="day-to-day fitness allowed",
        help_text="None ticked: the label does not say.",
    )

    class Meta:
        model = LabelRule
        fields = [
            "product",
            "key",
            "order",
            "indication",
            "disease",
            "disease_statuses",
            "minimum_prior_lines",
            "prior_transplant",
            "prior_car_t",
            "target_required",
            "minimum_age",
            "maximum_age",
            "fitness",
            "conditions_not_asked",
            "notes",
            *SOURCE_FIELDS,
        ]
        widgets = {
            "indication": forms.Textarea(attrs={"rows": 2}),
            "conditions_not_asked": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "source_citation": forms.Textarea(attrs={"rows": 2}),
        }


class LabelRuleInline(admin.StackedInline):
    model = LabelRule
    form = LabelRuleForm
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("key", "order"),
                    "indication",
                    "disease",
                    "disease_statuses",
                    "minimum_prior_lines",
                    ("prior_transplant", "prior_car_t"),
                    "target_required",
                    ("minimum_age", "maximum_age"),
                    "fitness",
                    "conditions_not_asked",
                    "notes",
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source_reference":
            return page_reference_field(db_field)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ApprovedProduct)
class ApprovedProductAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "generic_name",
        "target",
        "maker",
        "approved_on",
        "rule_count",
        "source",
    ]
    list_filter = ["target"]
    search_fields = ["name", "generic_name", "maker"]
    list_select_related = ["source_reference__page"]
    inlines = [LabelRuleInline]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "slug"),
                    "generic_name",
                    ("target", "maker"),
                    ("approved_on", "approval_note"),
                ]
            },
        ),
        SOURCE_FIELDSET,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(rules_counted=Count("rules"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source_reference":
            return page_reference_field(db_field)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="label rules", ordering="rules_counted")
    def rule_count(self, product):
        return product.rules_counted

    @admin.display(description="source")
    def source(self, product):
        return source_cell(product)


def source_cell(fact):
    if not fact.has_source:
        return format_html('<strong class="errornote">{}</strong>', "missing")
    if fact.source_reference_id is not None:
        reference = fact.source_reference
        return f"{reference.page.slug} [{reference.number}]"
    return fact.source_citation[:60]


@admin.register(LabelRule)
class LabelRuleAdmin(admin.ModelAdmin):
    """Every product's rules in one list; each is edited with its product."""

    form = LabelRuleForm
    list_display = [
        "product",
        "indication",
        "disease",
        "statuses",
        "minimum_prior_lines",
        "ages",
        "source",
    ]
    list_filter = ["disease", "product"]
    search_fields = ["indication", "product__name", "product__generic_name"]
    list_select_related = ["product", "source_reference__page"]
    fieldsets = [
        (None, {"fields": ["product", *LabelRuleInline.fieldsets[0][1]["fields"]]}),
        SOURCE_FIELDSET,
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "source_reference":
            return page_reference_field(db_field)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="disease statuses")
    def statuses(self, rule):
        return ", ".join(rule.disease_statuses) or "not stated"

    @admin.display(description="ages")
    def ages(self, rule):
        if rule.minimum_age is None and rule.maximum_age is None:
            return "not stated"
        low = rule.minimum_age if rule.minimum_age is not None else "any"
        high = rule.maximum_age if rule.maximum_age is not None else "any"
        return f"{low} to {high}"

    @admin.display(description="source")
    def source(self, rule):
        return source_cell(rule)

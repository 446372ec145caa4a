"""Admin for the approved products and their label rules, which leads and content editors keep:
a product with its rules on one page, each rule's answers as the form's checkboxes, and bad data
(an answer the form does not have, an age range upside down, a rule without its source) refused
at the field that holds it (the models' clean()). A "Try these answers" panel on the product's
page checks the rules as typed, before saving, against answers the editor makes up, with the
checks matching uses (therapy_info.criteria): whether each rule matches, and why."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html

from therapy_info.criteria import NO, NOT_SURE, YES, Answers, RuleEntry, check_rule
from therapy_info.models import Reference
from therapy_info.prescreen import PRIOR_LINES, DailySelfCare, DiseaseStatus, Target
from therapy_info.products import OLDEST_AGE, ApprovedProduct, LabelRule
from therapy_info.programmes import Disease

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


# ---- "Try these answers" --------------------------------------------------------------------

# The submit button of the panel: the page is checked and shown again, never saved.
TRY_BUTTON = "_try"
NOT_ANSWERED = ("", "not answered")
SURE_NOT = (NOT_SURE, "Not sure")


class TryAnswersForm(forms.Form):
    """The enquiry form's pre-screen answers, as a patient could give them ("not sure" and no
    answer included); the age in years stands for the date of birth. Lists only: a key pressed
    in a text box would submit the page with its first button, Save."""

    diagnosis = forms.ChoiceField(
        choices=[NOT_ANSWERED, *Disease.choices, ("other", "Something else"), SURE_NOT],
        required=False,
    )
    disease_status = forms.ChoiceField(
        choices=[NOT_ANSWERED, *DiseaseStatus.choices, SURE_NOT], required=False
    )
    prior_treatment_lines = forms.ChoiceField(
        label="prior lines of treatment",
        choices=[
            NOT_ANSWERED,
            *((value, "4 or more" if value == "4+" else value) for value in PRIOR_LINES),
            SURE_NOT,
        ],
        required=False,
    )
    prior_stem_cell_transplant = forms.ChoiceField(
        label="prior stem-cell transplant",
        choices=[NOT_ANSWERED, (YES, "Yes"), (NO, "No"), SURE_NOT],
        required=False,
    )
    prior_car_t = forms.ChoiceField(
        label="prior CAR-T therapy",
        choices=[NOT_ANSWERED, (YES, "Yes"), (NO, "No"), SURE_NOT],
        required=False,
    )
    target_tested = forms.ChoiceField(
        label="target tested",
        choices=[NOT_ANSWERED, *Target.choices, (NOT_SURE, "Not tested / not sure")],
        required=False,
    )
    age = forms.TypedChoiceField(
        label="age (years)",
        choices=[NOT_ANSWERED, *((age, age) for age in range(OLDEST_AGE + 1))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    daily_self_care = forms.ChoiceField(
        label="day-to-day fitness",
        choices=[NOT_ANSWERED, *DailySelfCare.choices, SURE_NOT],
        required=False,
    )

    def answers(self, today):
        data = self.cleaned_data
        born = None if data["age"] is None else years_before(today, data["age"])
        return Answers(
            **{name: data[name] for name in self.fields if name != "age"},
            birth_year=born.year if born else None,
            birth_date=born,
        )


def years_before(day, years):
    """The same day `years` years earlier: a birthday that makes one exactly `years` old (28
    February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@dataclass(frozen=True)
class RuleTried:
    """One rule, as typed, against the answers tried: its verdict and why."""

    rule: LabelRule
    verdict: str
    met: tuple
    questions: tuple
    excluded_by: tuple
    to_confirm: tuple


CONSISTENT = "Consistent with the label"
ONCE_ANSWERED = "Consistent once these are answered"
EXCLUDED = "Does not match"


def try_rule(product, rule, answers, today):
    entry = RuleEntry.of(product, rule)
    check = check_rule(entry, answers, today)
    if check.excluded:
        verdict = EXCLUDED
    elif check.questions:
        verdict = ONCE_ANSWERED
    else:
        verdict = CONSISTENT
    return RuleTried(
        rule=rule,
        verdict=verdict,
        met=tuple(check.met),
        questions=tuple(question.text for question in check.questions),
        excluded_by=tuple(check.excluded_by),
        to_confirm=() if check.excluded else entry.questions_not_asked,
    )


def typed_rules(formset):
    """The rules as the inline forms hold them once valid: kept, filled in, not deleted."""
    deleted = set(map(id, formset.deleted_forms))
    for form in formset.forms:
        if id(form) in deleted or (form.instance.pk is None and not form.has_changed()):
            continue
        yield form.instance


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

    # "Try these answers": the page posted with the Try button is validated like a save and shown
    # again with what was typed, never saved (the product's form never says it is valid to the
    # admin's view, which saves only a valid form), with the rules tried in the panel.

    @staticmethod
    def is_trying(request):
        return request.method == "POST" and TRY_BUTTON in request.POST

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if not self.is_trying(request):
            return form_class

        class NeverSaved(form_class):
            def is_valid(self):
                self.valid_as_typed = super().is_valid()
                return False

        return NeverSaved

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if self.has_change_permission(request, obj) or add:
            context["try_panel"] = self.try_panel(request, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def try_panel(self, request, context):
        """The panel's form, and once tried the rules' verdicts; or why they cannot be tried."""
        if not self.is_trying(request):
            return {"form": TryAnswersForm(prefix="try")}
        answers_form = TryAnswersForm(request.POST, prefix="try")
        product_form = context["adminform"].form
        rule_formsets = [
            inline.formset
            for inline in context["inline_admin_formsets"]
            if inline.formset.model is LabelRule
        ]
        typed_as_valid = getattr(product_form, "valid_as_typed", False) and all(
            formset.is_valid() for formset in rule_formsets
        )
        if not (answers_form.is_valid() and typed_as_valid):
            return {"form": answers_form, "tried": True, "not_valid": True}
        today = timezone.localdate()
        answers = answers_form.answers(today)
        product = product_form.instance
        results = [
            try_rule(product, rule, answers, today)
            for formset in rule_formsets
            for rule in typed_rules(formset)
        ]
        return {"form": answers_form, "tried": True, "results": results}

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

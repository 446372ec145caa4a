"""Admin for the clinical trials: the list shows which are open and which are stale (not checked
against the registry for 90 days); a trial's diagnoses are the form's checkboxes, its targets a
comma-separated list; bad data is refused at its field (ClinicalTrial.clean()). Trials come from
`manage.py import_trials FILE`, which overwrites the registry's fields and leaves the rest."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from therapy_info.programmes import Disease
from therapy_info.trials import STALE_AFTER, ClinicalTrial


class TargetsField(forms.CharField):
    """["CD19", "CD20"] as "CD19, CD20"; the model checks each name."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(name) for name in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [name.strip().upper() for name in text.split(",") if name.strip()]


class ClinicalTrialForm(forms.ModelForm):
    diseases = forms.TypedMultipleChoiceField(
        choices=Disease.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="diagnoses",
        help_text="The trial is matched to enquiries with these diagnoses only.",
    )
    targets = TargetsField(
        required=False,
        label="targets",
        help_text="Comma-separated, as the registry writes them: CD19, CD20.",
    )

    class Meta:
        model = ClinicalTrial
        fields = [
            "registry_id",
            "link",
            "title",
            "phase",
            "recruitment_status",
            "sponsor",
            "conditions",
            "minimum_age",
            "maximum_age",
            "site_names",
            "registry_last_update",
            "last_verified_on",
            "diseases",
            "targets",
            "minimum_prior_lines",
            "prior_car_t",
            "sites",
        ]
        widgets = {"conditions": forms.Textarea(attrs={"rows": 2})}


class StaleFilter(admin.SimpleListFilter):
    title = "checked against the registry"
    parameter_name = "stale"

    def lookups(self, request, model_admin):
        return [("yes", f"Stale (over {STALE_AFTER.days} days ago)"), ("no", "Recently")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.stale()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.stale().values("pk"))
        return queryset


@admin.register(ClinicalTrial)
class ClinicalTrialAdmin(admin.ModelAdmin):
    form = ClinicalTrialForm
    list_display = [
        "registry_id",
        "short_title",
        "recruitment_status",
        "phase",
        "diagnoses",
        "target_list",
        "checked",
    ]
    list_filter = ["recruitment_status", StaleFilter]
    search_fields = ["registry_id", "title", "sponsor", "site_names"]
    filter_horizontal = ["sites"]
    readonly_fields = ["updated_at"]
    actions = ["mark_checked_today"]
    fieldsets = [
        (
            "From the registry",
            {
                "fields": [
                    ("registry_id", "link"),
                    "title",
                    ("phase", "recruitment_status"),
                    "sponsor",
                    "conditions",
                    ("minimum_age", "maximum_age"),
                    "site_names",
                    ("registry_last_update", "last_verified_on"),
                ],
                "description": (
                    "The next import of a registry file checked on or after the day above "
                    "overwrites these."
                ),
            },
        ),
        (
            "Read by our team",
            {
                "fields": [
                    "diseases",
                    "targets",
                    "minimum_prior_lines",
                    "prior_car_t",
                    "sites",
                    "updated_at",
                ],
                "description": (
                    "Imports never change prior lines or prior CAR-T; they update the diagnoses "
                    "and targets they read until someone changes them here."
                ),
            },
        ),
    ]

    @admin.display(description="title", ordering="title")
    def short_title(self, trial):
        return trial.title[:90]

    @admin.display(description="diagnoses")
    def diagnoses(self, trial):
        return ", ".join(trial.diseases) or format_html("<em>{}</em>", "none: never matched")

    @admin.display(description="targets")
    def target_list(self, trial):
        return ", ".join(trial.targets)

    @admin.display(description="last checked", ordering="last_verified_on")
    def checked(self, trial):
        if trial.is_stale():
            return format_html(
                '<strong class="errornote">{} (stale)</strong>', trial.last_verified_on
            )
        return trial.last_verified_on

    @admin.action(description="Checked against the registry today")
    def mark_checked_today(self, request, queryset):
        today = timezone.localdate()
        trials = list(queryset)
        with transaction.atomic():
            for trial in trials:
                trial.last_verified_on = today
                # Saved row by row, not queryset.update(): the save's post_save signal is what
                # tells those who cache the trials (the enquiries' matching catalogue) to forget
                # them, and this app must not import theirs.
                trial.save(update_fields=["last_verified_on"])
        self.message_user(
            request, f"{len(trials)} trials marked as checked today.", messages.SUCCESS
        )

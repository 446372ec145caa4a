"""Clinical trials of CAR-T products in China, as coordinators weigh them for an enquiry: what a
trial tests (targets, diseases), whom it takes where the registry says so in structured fields
(age; prior lines and prior CAR-T as editors read them from the criteria), where it runs, and
when someone last checked it against the registry. A trial not checked for 90 days is stale.

Most fields come from the registry: `manage.py import_trials FILE` reads a ClinicalTrials.gov API
v2 study file (therapy_info.trial_import) and updates the trials by registry id; the portal never
calls the registry itself. Editors own what the registry does not structure (prior lines, prior
CAR-T) and may correct the targets and diseases the import reads from the titles and conditions.
"""

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from therapy_info.prescreen import PriorTherapy
from therapy_info.products import MOST_PRIOR_LINES, OLDEST_AGE
from therapy_info.programmes import Disease

# A trial whose registry record nobody checked for this long is shown as stale.
STALE_AFTER = timedelta(days=90)
# ClinicalTrials.gov's NCT number, or the Chinese Clinical Trial Registry's ChiCTR number.
REGISTRY_ID_RE = re.compile(r"\A(NCT\d{8}|ChiCTR[-A-Za-z0-9]{4,30})\Z")
TARGET_NAME_RE = re.compile(r"\A[A-Z0-9][A-Z0-9.\-]{0,19}\Z")


def registry_link(registry_id):
    """The registry's public page of an NCT number (ChiCTR pages have no address by number)."""
    if registry_id.startswith("NCT"):
        return f"https://clinicaltrials.gov/study/{registry_id}"
    return ""


class RecruitmentStatus(models.TextChoices):
    """ClinicalTrials.gov's overall status values (API v2 `overallStatus`), as the API spells
    them."""

    NOT_STATED = "", "Not stated"
    NOT_YET_RECRUITING = "NOT_YET_RECRUITING", "Not yet recruiting"
    RECRUITING = "RECRUITING", "Recruiting"
    ENROLLING_BY_INVITATION = "ENROLLING_BY_INVITATION", "Enrolling by invitation"
    ACTIVE_NOT_RECRUITING = "ACTIVE_NOT_RECRUITING", "Active, not recruiting"
    SUSPENDED = "SUSPENDED", "Suspended"
    TERMINATED = "TERMINATED", "Terminated"
    COMPLETED = "COMPLETED", "Completed"
    WITHDRAWN = "WITHDRAWN", "Withdrawn"
    UNKNOWN = "UNKNOWN", "Unknown (not verified by the sponsor for two years)"
    AVAILABLE = "AVAILABLE", "Expanded access: available"
    NO_LONGER_AVAILABLE = "NO_LONGER_AVAILABLE", "Expanded access: no longer available"
    TEMPORARILY_NOT_AVAILABLE = (
        "TEMPORARILY_NOT_AVAILABLE",
        "Expanded access: temporarily not available",
    )
    APPROVED_FOR_MARKETING = "APPROVED_FOR_MARKETING", "Approved for marketing"
    WITHHELD = "WITHHELD", "Withheld"


# The statuses under which a patient could still join: only these trials are possible pathways.
OPEN_STATUSES = frozenset(
    {
        RecruitmentStatus.RECRUITING,
        RecruitmentStatus.NOT_YET_RECRUITING,
        RecruitmentStatus.ENROLLING_BY_INVITATION,
        RecruitmentStatus.AVAILABLE,
    }
)


class ClinicalTrialQuerySet(models.QuerySet):
    def stale(self, today=None):
        today = today or timezone.localdate()
        return self.filter(last_verified_on__lt=today - STALE_AFTER)

    def open(self):
        return self.filter(recruitment_status__in=OPEN_STATUSES)


class ClinicalTrial(models.Model):
    registry_id = models.CharField(
        "registry number",
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                REGISTRY_ID_RE,
                "An NCT number (NCT and 8 digits, e.g. NCT03975907) or a ChiCTR number.",
            )
        ],
    )
    title = models.CharField("title", max_length=500)
    phase = models.CharField("phase", max_length=60, blank=True, help_text="E.g. Phase 1/Phase 2.")
    recruitment_status = models.CharField(
        "recruitment status", max_length=30, choices=RecruitmentStatus, blank=True
    )
    sponsor = models.CharField("lead sponsor", max_length=300, blank=True)
    conditions = models.JSONField(
        "conditions (registry)",
        default=list,
        blank=True,
        help_text="As the registry lists them; the diagnoses below are read from them.",
    )
    targets = models.JSONField(
        "targets",
        default=list,
        blank=True,
        help_text='The markers the CAR-T cells recognise, e.g. ["CD19", "CD20"].',
    )
    diseases = models.JSONField(
        "diagnoses",
        default=list,
        blank=True,
        help_text="The form's diagnoses the trial takes; it is matched on these.",
    )
    # What the import last read from the registry: while targets and diseases still equal them,
    # no editor changed those, and the next import may update them.
    targets_from_registry = models.JSONField(default=list, editable=False)
    diseases_from_registry = models.JSONField(default=list, editable=False)
    minimum_age = models.PositiveSmallIntegerField(
        "minimum age", null=True, blank=True, validators=[MaxValueValidator(OLDEST_AGE)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        "maximum age",
        null=True,
        blank=True,
        validators=[MaxValueValidator(OLDEST_AGE)],
        help_text="Years, inclusive.",
    )
    minimum_prior_lines = models.PositiveSmallIntegerField(
        "at least this many prior lines of treatment",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MOST_PRIOR_LINES)],
        help_text="From the criteria, when they state it. Empty: not stated.",
    )
    prior_car_t = models.CharField(
        "prior CAR-T therapy",
        max_length=20,
        choices=PriorTherapy,
        blank=True,
        help_text="From the criteria, when they state it.",
    )
    sites = models.ManyToManyField(
        "therapy_info.Programme",
        blank=True,
        related_name="trials",
        verbose_name="programmes that run it",
    )
    site_names = models.TextField(
        "sites (registry)", blank=True, help_text="One per line, as the registry names them."
    )
    link = models.URLField("link", max_length=500, blank=True)
    registry_last_update = models.CharField(
        "registry record last updated",
        max_length=10,
        blank=True,
        help_text="As the registry gives it (2024-03-12 or 2024-03).",
    )
    last_verified_on = models.DateField(
        "last checked against the registry",
        help_text="Shown as stale 90 days later.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClinicalTrialQuerySet.as_manager()

    class Meta:
        ordering = ["registry_id"]
        verbose_name = "clinical trial"
        verbose_name_plural = "clinical trials"

    def __str__(self):
        return f"{self.registry_id}: {self.title[:80]}"

    def clean(self):
        errors = {}
        unknown = [key for key in self._list("diseases") if key not in Disease.values]
        if unknown or not isinstance(self.diseases, list):
            errors["diseases"] = (
                f"Not a diagnosis of the form: {', '.join(map(str, unknown)) or self.diseases}. "
                f"The form's diagnoses are {', '.join(Disease.values)}."
            )
        bad = [name for name in self._list("targets") if not TARGET_NAME_RE.match(str(name))]
        if bad or not isinstance(self.targets, list):
            errors["targets"] = (
                f"Not a target name: {', '.join(map(str, bad)) or self.targets}. "
                "Write each as the registry does, in capitals: CD19, BCMA, CD20."
            )
        if not isinstance(self.conditions, list) or not all(
            isinstance(condition, str) for condition in self.conditions
        ):
            errors["conditions"] = "A list of the registry's conditions, each a text."
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

    def _list(self, name):
        value = getattr(self, name)
        return value if isinstance(value, list) else []

    def is_stale(self, today=None):
        today = today or timezone.localdate()
        return self.last_verified_on < today - STALE_AFTER

    @property
    def is_open(self):
        return self.recruitment_status in OPEN_STATUSES

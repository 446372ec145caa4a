"""Approved CAR-T products with their label rules, and clinical trials (with the programmes that
run them)."""

import re

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_info", "0014_programmes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApprovedProduct",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source_citation", models.TextField(blank=True, verbose_name="source: citation")),
                (
                    "source_url",
                    models.URLField(blank=True, max_length=500, verbose_name="source: link"),
                ),
                (
                    "source_checked_on",
                    models.DateField(blank=True, null=True, verbose_name="source: checked on"),
                ),
                (
                    "slug",
                    models.SlugField(
                        help_text="A short name that never changes, e.g. axicabtagene-ciloleucel.",
                        max_length=80,
                        unique=True,
                        verbose_name="key",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="As coordinators call it: the trade name in China.",
                        max_length=200,
                        verbose_name="name",
                    ),
                ),
                ("generic_name", models.CharField(max_length=200, verbose_name="generic name")),
                (
                    "target",
                    models.CharField(
                        choices=[("cd19", "CD19"), ("bcma", "BCMA"), ("other", "Another target")],
                        max_length=10,
                        verbose_name="target",
                    ),
                ),
                ("maker", models.CharField(max_length=200, verbose_name="maker")),
                (
                    "approved_on",
                    models.DateField(
                        blank=True,
                        help_text="Empty when the source gives no date: unknown stays unknown.",
                        null=True,
                        verbose_name="approved on",
                    ),
                ),
                (
                    "approval_note",
                    models.CharField(
                        blank=True,
                        help_text="E.g. “the day the regulator announced it”, or why there is no date.",
                        max_length=300,
                        verbose_name="about the date",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "source_reference",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="therapy_info.reference",
                        verbose_name="source: a reference of an information page",
                    ),
                ),
            ],
            options={
                "verbose_name": "approved product",
                "verbose_name_plural": "approved products",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="ClinicalTrial",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "registry_id",
                    models.CharField(
                        max_length=40,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                re.compile("\\A(NCT\\d{8}|ChiCTR[-A-Za-z0-9]{4,30})\\Z"),
                                "An NCT number (NCT and 8 digits, e.g. NCT03975907) or a ChiCTR number.",
                            )
                        ],
                        verbose_name="registry number",
                    ),
                ),
                ("title", models.CharField(max_length=500, verbose_name="title")),
                (
                    "phase",
                    models.CharField(
                        blank=True,
                        help_text="E.g. Phase 1/Phase 2.",
                        max_length=60,
                        verbose_name="phase",
                    ),
                ),
                (
                    "recruitment_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not stated"),
                            ("NOT_YET_RECRUITING", "Not yet recruiting"),
                            ("RECRUITING", "Recruiting"),
                            ("ENROLLING_BY_INVITATION", "Enrolling by invitation"),
                            ("ACTIVE_NOT_RECRUITING", "Active, not recruiting"),
                            ("SUSPENDED", "Suspended"),
                            ("TERMINATED", "Terminated"),
                            ("COMPLETED", "Completed"),
                            ("WITHDRAWN", "Withdrawn"),
                            ("UNKNOWN", "Unknown (not verified by the sponsor for two years)"),
                            ("AVAILABLE", "Expanded access: available"),
                            ("NO_LONGER_AVAILABLE", "Expanded access: no longer available"),
                            (
                                "TEMPORARILY_NOT_AVAILABLE",
                                "Expanded access: temporarily not available",
                            ),
                            ("APPROVED_FOR_MARKETING", "Approved for marketing"),
                            ("WITHHELD", "Withheld"),
                        ],
                        max_length=30,
                        verbose_name="recruitment status",
                    ),
                ),
                (
                    "sponsor",
                    models.CharField(blank=True, max_length=300, verbose_name="lead sponsor"),
                ),
                (
                    "conditions",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="As the registry lists them; the diagnoses below are read from them.",
                        verbose_name="conditions (registry)",
                    ),
                ),
                (
                    "targets",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='The markers the CAR-T cells recognise, e.g. ["CD19", "CD20"].',
                        verbose_name="targets",
                    ),
                ),
                (
                    "diseases",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The form's diagnoses the trial takes; it is matched on these.",
                        verbose_name="diagnoses",
                    ),
                ),
                ("targets_from_registry", models.JSONField(default=list, editable=False)),
                ("diseases_from_registry", models.JSONField(default=list, editable=False)),
                (
                    "minimum_age",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(120)],
                        verbose_name="minimum age",
                    ),
                ),
                (
                    "maximum_age",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Years, inclusive.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(120)],
                        verbose_name="maximum age",
                    ),
                ),
                (
                    "minimum_prior_lines",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="From the criteria, when they state it. Empty: not stated.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(4)],
                        verbose_name="at least this many prior lines of treatment",
                    ),
                ),
                (
                    "prior_car_t",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not stated: any answer fits"),
                            ("allowed", "Allowed"),
                            ("required", "Required"),
                            ("not_allowed", "Not allowed"),
                        ],
                        help_text="From the criteria, when they state it.",
                        max_length=20,
                        verbose_name="prior CAR-T therapy",
                    ),
                ),
                (
                    "site_names",
                    models.TextField(
                        blank=True,
                        help_text="One per line, as the registry names them.",
                        verbose_name="sites (registry)",
                    ),
                ),
                ("link", models.URLField(blank=True, max_length=500, verbose_name="link")),
                (
                    "registry_last_update",
                    models.CharField(
                        blank=True,
                        help_text="As the registry gives it (2024-03-12 or 2024-03).",
                        max_length=10,
                        verbose_name="registry record last updated",
                    ),
                ),
                (
                    "last_verified_on",
                    models.DateField(
                        help_text="Shown as stale 90 days later.",
                        verbose_name="last checked against the registry",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "sites",
                    models.ManyToManyField(
                        blank=True,
                        related_name="trials",
                        to="therapy_info.programme",
                        verbose_name="programmes that run it",
                    ),
                ),
            ],
            options={
                "verbose_name": "clinical trial",
                "verbose_name_plural": "clinical trials",
                "ordering": ["registry_id"],
            },
        ),
        migrations.CreateModel(
            name="LabelRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("source_citation", models.TextField(blank=True, verbose_name="source: citation")),
                (
                    "source_url",
                    models.URLField(blank=True, max_length=500, verbose_name="source: link"),
                ),
                (
                    "source_checked_on",
                    models.DateField(blank=True, null=True, verbose_name="source: checked on"),
                ),
                (
                    "key",
                    models.SlugField(
                        help_text="A short name that never changes, unique for the product, e.g. lbcl-third-line.",
                        max_length=80,
                        verbose_name="key",
                    ),
                ),
                (
                    "indication",
                    models.TextField(
                        help_text="What the label says, in its words, in short.",
                        verbose_name="labelled indication",
                    ),
                ),
                (
                    "disease",
                    models.CharField(
                        choices=[
                            ("large_b_cell_lymphoma", "Large B-cell lymphoma (e.g. DLBCL)"),
                            ("follicular_lymphoma", "Follicular lymphoma"),
                            ("mantle_cell_lymphoma", "Mantle cell lymphoma"),
                            ("b_all", "B-cell acute lymphoblastic leukaemia (B-ALL)"),
                            ("cll", "Chronic lymphocytic leukaemia (CLL)"),
                            ("multiple_myeloma", "Multiple myeloma"),
                            ("other_blood_cancer", "Another blood cancer"),
                            ("solid_tumour", "A solid tumour"),
                        ],
                        max_length=30,
                        verbose_name="diagnosis",
                    ),
                ),
                (
                    "disease_statuses",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Empty: the label does not say.",
                        verbose_name="disease statuses allowed",
                    ),
                ),
                (
                    "minimum_prior_lines",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Empty: the label does not say. The form counts up to “4 or more”.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(4)],
                        verbose_name="at least this many prior lines of treatment",
                    ),
                ),
                (
                    "prior_transplant",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not stated: any answer fits"),
                            ("allowed", "Allowed"),
                            ("required", "Required"),
                            ("not_allowed", "Not allowed"),
                        ],
                        max_length=20,
                        verbose_name="prior stem-cell transplant",
                    ),
                ),
                (
                    "prior_car_t",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Not stated: any answer fits"),
                            ("allowed", "Allowed"),
                            ("required", "Required"),
                            ("not_allowed", "Not allowed"),
                        ],
                        max_length=20,
                        verbose_name="prior CAR-T therapy",
                    ),
                ),
                (
                    "target_required",
                    models.CharField(
                        blank=True,
                        choices=[("cd19", "CD19"), ("bcma", "BCMA"), ("other", "Another target")],
                        help_text="Only when the label requires the test: the form's answer is then asked for.",
                        max_length=10,
                        verbose_name="the cancer tested positive for",
                    ),
                ),
                (
                    "minimum_age",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Years; a label for adults: 18. Empty: the label gives no lower limit.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(120)],
                        verbose_name="minimum age",
                    ),
                ),
                (
                    "maximum_age",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Years, inclusive. Empty: the label gives no upper limit.",
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(120)],
                        verbose_name="maximum age",
                    ),
                ),
                (
                    "fitness",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="The form's answers the label allows. Empty: the label does not say.",
                        verbose_name="day-to-day fitness allowed",
                    ),
                ),
                (
                    "conditions_not_asked",
                    models.TextField(
                        blank=True,
                        help_text="One per line, as a question to the patient or their doctor, e.g. “Did the treatments include a proteasome inhibitor and an immunomodulatory drug?”. Each is shown as still needed to decide.",
                        verbose_name="label conditions the form does not ask",
                    ),
                ),
                (
                    "notes",
                    models.TextField(
                        blank=True,
                        help_text="What the source leaves open, and how the label's words were read.",
                        verbose_name="notes for staff",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=100, verbose_name="order")),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rules",
                        to="therapy_info.approvedproduct",
                        verbose_name="product",
                    ),
                ),
                (
                    "source_reference",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="therapy_info.reference",
                        verbose_name="source: a reference of an information page",
                    ),
                ),
            ],
            options={
                "verbose_name": "label rule",
                "verbose_name_plural": "label rules",
                "ordering": ["product__name", "order", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("product", "key"),
                        name="unique_label_rule_key_per_product",
                        violation_error_message="This product already has a rule with this key.",
                    )
                ],
            },
        ),
    ]

"""When each closed enquiry was closed (for retention), and the roles' new permissions: lead
coordinators export a patient's data and erase an enquiry; content editors maintain the privacy
notice (a therapy_info model added after 0004 gave them that app's permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import OuterRef, Subquery
from django.db.models.fields.json import KT

# Frozen here on purpose, as in 0004.
CLOSED_STATUSES = [
    "closed_treated",
    "closed_not_eligible",
    "closed_withdrew",
    "closed_no_response",
    "spam",
]
LEAD_COORDINATORS = "Lead coordinators"
CONTENT_EDITORS = "Content editors"
LEAD_PERMISSIONS = ["export_patient_data", "erase_enquiry"]
PRIVACY_NOTICE_MODELS = ["privacynotice", "historicalprivacynotice"]


def backfill_closed_at(apps, schema_editor):
    # Closed since the latest status change into the status it has; without one (closed some
    # other way), since it arrived: never later than the truth, so retention never waits longer.
    Enquiry = apps.get_model("enquiries", "Enquiry")
    EnquiryEvent = apps.get_model("enquiries", "EnquiryEvent")
    latest_change = (
        # KT: the JSON value as text, comparable with the status column on every database.
        EnquiryEvent.objects.annotate(new_status=KT("details__new"))
        .filter(enquiry=OuterRef("pk"), kind="status_changed", new_status=OuterRef("status"))
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    closed = Enquiry.objects.filter(status__in=CLOSED_STATUSES, closed_at__isnull=True)
    for enquiry in closed.annotate(changed_at=Subquery(latest_change)).iterator():
        Enquiry.objects.filter(pk=enquiry.pk).update(
            closed_at=enquiry.changed_at or enquiry.submitted_at
        )


def add_permissions(apps, schema_editor):
    for label in ("enquiries", "therapy_info"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    leads, _created = Group.objects.get_or_create(name=LEAD_COORDINATORS)
    leads.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="enquiries", codename__in=LEAD_PERMISSIONS
        )
    )
    editors, _created = Group.objects.get_or_create(name=CONTENT_EDITORS)
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="therapy_info", content_type__model__in=PRIVACY_NOTICE_MODELS
        )
    )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=LEAD_COORDINATORS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="enquiries", codename__in=LEAD_PERMISSIONS
            )
        )
    for group in Group.objects.filter(name=CONTENT_EDITORS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="therapy_info",
                content_type__model__in=PRIVACY_NOTICE_MODELS,
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0005_data_protection"),
        ("therapy_info", "0005_privacy_notice"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(backfill_closed_at, migrations.RunPython.noop),
        migrations.RunPython(add_permissions, remove_permissions),
    ]

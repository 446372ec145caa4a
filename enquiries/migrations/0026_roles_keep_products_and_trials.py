"""Leads and content editors keep the approved products, their label rules and the clinical trials
(therapy_info models added after 0004 gave content editors that app's permissions); coordinators
read them (they weigh an enquiry's pathway with them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here on purpose, as in 0004 and 0014.
COORDINATORS = "Coordinators"
LEAD_COORDINATORS = "Lead coordinators"
CONTENT_EDITORS = "Content editors"
MODELS = ["approvedproduct", "labelrule", "clinicaltrial"]
KEEPERS = [LEAD_COORDINATORS, CONTENT_EDITORS]


def _permissions(apps, actions):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="therapy_info",
        codename__in=[f"{action}_{model}" for action in actions for model in MODELS],
    )


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); the groups need
    # them now, on a fresh database too.
    app_config = apps.get_app_config("therapy_info")
    # The historical app config has no models module; create_permissions skips such apps.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    every = _permissions(apps, ["add", "change", "delete", "view"])
    for name in KEEPERS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*every)
    coordinators, _created = Group.objects.get_or_create(name=COORDINATORS)
    coordinators.permissions.add(*_permissions(apps, ["view"]))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    every = _permissions(apps, ["add", "change", "delete", "view"])
    for group in Group.objects.filter(name__in=[*KEEPERS, COORDINATORS]):
        group.permissions.remove(*every)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0025_referrals_and_treatment_plans"),
        ("therapy_info", "0015_approved_products_and_trials"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_permissions, remove_permissions),
    ]

"""Content editors maintain the records checklists (therapy_info models added after 0004 gave the
group that app's permissions), as 0006 gave them the privacy notice."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here on purpose, as in 0004 and 0006.
CONTENT_EDITORS = "Content editors"
CHECKLIST_MODELS = [
    "recordschecklist",
    "historicalrecordschecklist",
    "checklistitem",
    "historicalchecklistitem",
]


def _checklist_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="therapy_info", content_type__model__in=CHECKLIST_MODELS
    )


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); the group needs
    # them now, on a fresh database too.
    app_config = apps.get_app_config("therapy_info")
    # The historical app config has no models module; create_permissions skips such apps.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    editors, _created = Group.objects.get_or_create(name=CONTENT_EDITORS)
    editors.permissions.add(*_checklist_permissions(apps))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=CONTENT_EDITORS):
        group.permissions.remove(*_checklist_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0013_case_page"),
        ("therapy_info", "0009_records_checklists"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_permissions, remove_permissions),
    ]

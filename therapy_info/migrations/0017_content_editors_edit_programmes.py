"""Content editors write the hospitals' programme pages: every permission on the programme
models and their history, as enquiries 0004 gave the group every permission on the content app
(whose models then did not include these). Coordinators get none: they read programmes through
the referrals, never edit them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here on purpose, as in enquiries 0004, 0006, 0014 and 0022.
CONTENT_EDITORS = "Content editors"
PROGRAMME_MODELS = [
    "programme",
    "historicalprogramme",
    "programmesource",
    "historicalprogrammesource",
    "programmeoffer",
    "historicalprogrammeoffer",
    "programmeoutcome",
    "historicalprogrammeoutcome",
]


def _programme_permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="therapy_info", content_type__model__in=PROGRAMME_MODELS
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
    editors.permissions.add(*_programme_permissions(apps))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=CONTENT_EDITORS):
        group.permissions.remove(*_programme_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_info", "0016_programme_history_and_source_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_permissions, remove_permissions),
    ]

"""The medical reviewers' group: checks, publishes and records the medical review of the CAR-T
pages (therapy_info 0010), and nothing about enquiries. Content editors may publish too and see
the reviews; only reviewers record a review. (Pending revisions are reached through the page, on
the page permissions: no permission of their own is needed.)"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here on purpose, as in 0004, 0006 and 0014.
CONTENT_EDITORS = "Content editors"
MEDICAL_REVIEWERS = "Medical reviewers"
REVIEWER_PERMISSIONS = [
    "view_page",
    "change_page",
    "view_historicalpage",
    "publish_page",
    "review_medical_content",
    "view_faqentry",
    "change_faqentry",
    "view_historicalfaqentry",
    "view_reference",
    "add_reference",
    "change_reference",
    "delete_reference",
    "view_keyfigure",
    "add_keyfigure",
    "change_keyfigure",
    "delete_keyfigure",
    "view_pagereview",
    "add_pagereview",
    "change_pagereview",
    "delete_pagereview",
    "view_historicalpagereview",
]
# Only reviewers record a review. On a fresh database 0004 runs after therapy_info's migrations
# and gives editors every permission of that app, these included: taken away here.
REVIEWER_ONLY_PERMISSIONS = [
    "review_medical_content",
    "add_pagereview",
    "change_pagereview",
    "delete_pagereview",
    "add_historicalpagereview",
    "change_historicalpagereview",
    "delete_historicalpagereview",
]
EDITOR_PERMISSIONS = [
    "publish_page",
    "view_pagereview",
    "view_historicalpagereview",
]


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="therapy_info", codename__in=codenames)


def add_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); the groups need
    # them now, on a fresh database too.
    app_config = apps.get_app_config("therapy_info")
    # The historical app config has no models module; create_permissions skips such apps.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    reviewers, _created = Group.objects.get_or_create(name=MEDICAL_REVIEWERS)
    reviewers.permissions.add(*_permissions(apps, REVIEWER_PERMISSIONS))
    editors, _created = Group.objects.get_or_create(name=CONTENT_EDITORS)
    editors.permissions.add(*_permissions(apps, EDITOR_PERMISSIONS))
    editors.permissions.remove(*_permissions(apps, REVIEWER_ONLY_PERMISSIONS))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=MEDICAL_REVIEWERS).delete()
    for group in Group.objects.filter(name=CONTENT_EDITORS):
        group.permissions.remove(*_permissions(apps, EDITOR_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0021_timeline_kinds_for_duplicates_and_automatic_assignment"),
        ("therapy_info", "0011_medical_review_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(add_groups, remove_groups),
    ]

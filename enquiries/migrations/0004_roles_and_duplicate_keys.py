"""The back office's roles as groups with their permissions, and duplicate keys for enquiries
received before the keys existed."""

import re

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here on purpose: a migration describes the roles as they were when it was written.
COORDINATOR_PERMISSIONS = [
    ("enquiries", "view_enquiry"),
    ("enquiries", "change_enquiry"),
    ("enquiries", "download_record_files"),
    ("enquiries", "view_note"),
    ("enquiries", "add_note"),
    ("enquiries", "view_consent"),
    ("enquiries", "view_recordfile"),
    ("enquiries", "view_enquiryevent"),
    ("enquiries", "view_city"),
]
LEAD_PERMISSIONS = [
    *COORDINATOR_PERMISSIONS,
    ("enquiries", "delete_enquiry"),
    ("enquiries", "export_enquiries"),
    ("enquiries", "reassign_enquiries"),
    ("enquiries", "view_auditentry"),
    ("enquiries", "add_city"),
    ("enquiries", "change_city"),
]
ROLE_PERMISSIONS = {
    "Coordinators": COORDINATOR_PERMISSIONS,
    "Lead coordinators": LEAD_PERMISSIONS,
}
CONTENT_EDITORS = "Content editors"


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); the groups need
    # them now, on a fresh database too.
    for label in ("enquiries", "therapy_info"):
        app_config = apps.get_app_config(label)
        # The historical app config has no models module; create_permissions skips such apps.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    # Content editors: every permission on the content app (its pages, references, key figures,
    # FAQ and their history), and nothing about enquiries.
    editors, _created = Group.objects.get_or_create(name=CONTENT_EDITORS)
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="therapy_info"))


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[*ROLE_PERMISSIONS, CONTENT_EDITORS]).delete()


def fill_duplicate_keys(apps, schema_editor):
    # The same rules as enquiries.duplicates, copied so this migration never changes meaning.
    Enquiry = apps.get_model("enquiries", "Enquiry")
    for enquiry in Enquiry.objects.only("email", "phone", "patient_name", "birth_year").iterator():
        words = " ".join(enquiry.patient_name.casefold().split())
        enquiry.email_key = enquiry.email.strip().lower()
        enquiry.phone_key = re.sub(r"\D", "", enquiry.phone)
        enquiry.name_key = f"{words}|{enquiry.birth_year}" if words else ""
        enquiry.save(update_fields=["email_key", "phone_key", "name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0003_back_office"),
        ("therapy_info", "0002_source_content"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(fill_duplicate_keys, migrations.RunPython.noop),
    ]

"""Lead coordinators no longer hold Django's delete permission on enquiries: erasure at the
patient's request (its own permission, with its audit) is the one way an enquiry is deleted, and
the admin offers no delete at all (EnquiryAdmin.has_delete_permission). Least privilege: a
permission nothing needs is not kept where a later change could start honouring it."""

from django.db import migrations

# Frozen here on purpose, as in 0004 and 0006.
LEAD_COORDINATORS = "Lead coordinators"


def _delete_permission(apps):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="enquiries", codename="delete_enquiry")


def remove_delete_permission(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=LEAD_COORDINATORS):
        group.permissions.remove(*_delete_permission(apps))


def give_it_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name=LEAD_COORDINATORS):
        group.permissions.add(*_delete_permission(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0017_enquiry_closed_as_duplicate_of"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(remove_delete_permission, give_it_back),
    ]

"""Staff login lockouts that lead coordinators may lift (a view of django-axes' attempts), and the
audit log's entry for each lift."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Frozen here on purpose, as in 0004.
LEAD_COORDINATORS = "Lead coordinators"


def let_leads_unlock(apps, schema_editor):
    app_config = apps.get_app_config("enquiries")
    # The historical app config has no models module; create_permissions skips such apps.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    leads, _created = Group.objects.get_or_create(name=LEAD_COORDINATORS)
    leads.permissions.add(
        Permission.objects.get(
            content_type__app_label="enquiries", codename="unlock_staff_accounts"
        )
    )


def stop_leads_unlocking(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="enquiries", codename="unlock_staff_accounts"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("axes", "0010_accessattemptexpiration"),
        ("enquiries", "0006_closed_at_and_data_protection_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaffLockout",
            fields=[],
            options={
                "verbose_name": "staff login lockout",
                "verbose_name_plural": "staff login lockouts",
                "ordering": ["-attempt_time"],
                "permissions": [("unlock_staff_accounts", "Can see and lift staff login lockouts")],
                "proxy": True,
                "default_permissions": (),
                "indexes": [],
                "constraints": [],
            },
            bases=("axes.accessattempt",),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("viewed_enquiry", "Opened an enquiry"),
                    ("downloaded_record", "Downloaded a medical record"),
                    ("exported_enquiries", "Exported enquiries to CSV"),
                    ("deleted_enquiry", "Deleted an enquiry"),
                    ("exported_patient_data", "Exported a patient's data (access)"),
                    ("erased_enquiry", "Erased an enquiry at the patient's request"),
                    ("applied_retention", "Applied the retention rules"),
                    ("unlocked_staff_account", "Unlocked a staff login"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.RunPython(let_leads_unlock, stop_leads_unlocking),
    ]

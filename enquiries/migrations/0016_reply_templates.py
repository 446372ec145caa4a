"""Reply templates, which lead coordinators write and coordinators use; the kinds of event, audit
entry and email of a coordinator's message to the patient."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Frozen here on purpose, as in 0004 and 0008.
COORDINATORS = "Coordinators"
LEAD_COORDINATORS = "Lead coordinators"
COORDINATOR_PERMISSIONS = ["view_replytemplate"]
LEAD_PERMISSIONS = [
    *COORDINATOR_PERMISSIONS,
    "add_replytemplate",
    "change_replytemplate",
    "delete_replytemplate",
]
ROLE_PERMISSIONS = {COORDINATORS: COORDINATOR_PERMISSIONS, LEAD_COORDINATORS: LEAD_PERMISSIONS}


def add_permissions(apps, schema_editor):
    # Permissions are normally created after all migrations ran (post_migrate); the groups need
    # them now, on a fresh database too.
    app_config = apps.get_app_config("enquiries")
    # The historical app config has no models module; create_permissions skips such apps.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="enquiries", codename__in=codenames)
        )


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=ROLE_PERMISSIONS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="enquiries", codename__in=ROLE_PERMISSIONS[group.name]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0015_record_file_checklist_item"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReplyTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="How coordinators find it in the list.",
                        max_length=100,
                        unique=True,
                        verbose_name="name",
                    ),
                ),
                ("text_en", models.TextField(max_length=4000, verbose_name="English")),
                (
                    "text_zh_hans",
                    models.TextField(
                        blank=True, max_length=4000, verbose_name="Simplified Chinese"
                    ),
                ),
                ("text_ru", models.TextField(blank=True, max_length=4000, verbose_name="Russian")),
                ("text_ar", models.TextField(blank=True, max_length=4000, verbose_name="Arabic")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="last changed")),
            ],
            options={
                "verbose_name": "reply template",
                "verbose_name_plural": "reply templates",
                "ordering": ["name"],
            },
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
                    ("patient_opened_case_page", "Patient opened their case page"),
                    ("patient_uploaded_files", "Patient uploaded files"),
                    ("patient_sent_message", "Patient sent a message"),
                    ("sent_message_to_patient", "Wrote to the patient"),
                ],
                max_length=30,
                verbose_name="action",
            ),
        ),
        migrations.AlterField(
            model_name="enquiryevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("files_added", "Files added by the patient"),
                    ("notification_sent", "Notification sent"),
                    ("notification_failed", "Notification failed"),
                    ("status_changed", "Status changed"),
                    ("assigned", "Assigned"),
                    ("priority_changed", "Priority changed"),
                    ("follow_up_scheduled", "Follow-up scheduled"),
                    ("first_reply_recorded", "First reply sent"),
                    ("note_added", "Note added"),
                    ("record_downloaded", "Record downloaded"),
                    ("exported", "Exported"),
                    ("patient_data_exported", "Patient's data exported (access request)"),
                    ("anonymised", "Anonymised (retention period over)"),
                    ("files_uploaded", "Files uploaded by the patient on their case page"),
                    ("message_from_patient", "Message from the patient"),
                    ("case_link_sent", "A fresh case page link was sent to the patient"),
                    ("news_from_patient_seen", "What the patient sent was seen"),
                    ("message_to_patient", "Message to the patient"),
                    ("patient_read_messages", "The patient read the coordinators' messages"),
                ],
                max_length=30,
                verbose_name="what happened",
            ),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="kind",
            field=models.CharField(
                choices=[
                    ("acknowledgement", "Acknowledgement"),
                    ("coordinators_notification", "Coordinators' notification"),
                    ("case_link", "A fresh case page link"),
                    ("news_from_patient", "Something new from the patient"),
                    ("message_from_coordinator", "A message from the coordinator is waiting"),
                ],
                max_length=40,
                verbose_name="email",
            ),
        ),
        migrations.RunPython(add_permissions, remove_permissions),
    ]

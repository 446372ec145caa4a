"""Referrals in the back office: the emails of a referral (to the programme) and of the request
for the patient's agreement to sharing with hospitals, the audit actions of referrals and of the
documents for the patient, and who may refer: coordinators and leads see referrals, plans and
documents, refer, record the programmes' answers and give the patient documents; content editors
and medical reviewers never see them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Frozen here on purpose, as in 0004 and 0016.
COORDINATORS = "Coordinators"
LEAD_COORDINATORS = "Lead coordinators"
REFERRAL_PERMISSIONS = [
    "view_referral",
    "add_referral",
    "change_referral",
    "view_treatmentplan",
    "view_casedocument",
    "add_casedocument",
]
ROLE_PERMISSIONS = {COORDINATORS: REFERRAL_PERMISSIONS, LEAD_COORDINATORS: REFERRAL_PERMISSIONS}


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
        ("enquiries", "0027_patient_downloads_documents_audited"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
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
                    ("referred_case", "Referred the case to a programme"),
                    ("downloaded_referral_summary", "Downloaded a referral's case summary"),
                    ("added_patient_document", "Added a document for the patient"),
                    ("downloaded_patient_document", "Downloaded a document for the patient"),
                ],
                max_length=30,
                verbose_name="action",
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
                    (
                        "hospital_sharing_request",
                        "The patient is asked to agree to sharing with hospitals",
                    ),
                    ("referral", "Referral to a programme"),
                ],
                max_length=40,
                verbose_name="email",
            ),
        ),
        migrations.AlterField(
            model_name="outgoingemail",
            name="recipient_role",
            field=models.CharField(
                choices=[
                    ("patient", "Patient"),
                    ("coordinators", "Coordinators"),
                    ("programme", "The programme's international office"),
                ],
                max_length=20,
                verbose_name="to",
            ),
        ),
        migrations.RunPython(add_permissions, remove_permissions),
    ]

"""Automatic assignment of new enquiries: coordinators' profiles (languages, taking new
enquiries, away until, time zone, their turn) and the lead coordinators' switch, created here
switched on. Coordinators view the switch and change their own profile (the admin keeps them to
it); leads also turn the switch and change and make anyone's profile."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import enquiries.models.staff
import enquiries.working_calendar

# Frozen here on purpose, as in 0004, 0008 and 0016.
COORDINATORS = "Coordinators"
LEAD_COORDINATORS = "Lead coordinators"
COORDINATOR_PERMISSIONS = [
    "view_assignmentrule",
    "view_coordinatorprofile",
    "change_coordinatorprofile",
]
LEAD_PERMISSIONS = [
    *COORDINATOR_PERMISSIONS,
    "change_assignmentrule",
    "add_coordinatorprofile",
    "change_any_coordinator_profile",
]
ROLE_PERMISSIONS = {COORDINATORS: COORDINATOR_PERMISSIONS, LEAD_COORDINATORS: LEAD_PERMISSIONS}


def create_rule(apps, schema_editor):
    AssignmentRule = apps.get_model("enquiries", "AssignmentRule")
    AssignmentRule.objects.get_or_create(
        pk=1, defaults={"assign_new_enquiries_automatically": True}
    )


def add_permissions(apps, schema_editor):
    # As in 0016: the groups need the permissions now, before post_migrate makes them.
    app_config = apps.get_app_config("enquiries")
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
        ("enquiries", "0019_follow_up_deadlines_in_working_hours"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="AssignmentRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "assign_new_enquiries_automatically",
                    models.BooleanField(
                        default=True,
                        help_text="Each new enquiry goes to the coordinator given one longest ago among those who take new enquiries, are not away and speak the patient's language; if none speaks it, among all who take new enquiries and are not away; if none is, among all active coordinators.",
                        verbose_name="assign new enquiries automatically",
                    ),
                ),
            ],
            options={
                "verbose_name": "assignment rule",
                "verbose_name_plural": "assignment rule",
            },
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
                    ("assigned_automatically", "Assigned automatically"),
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
        migrations.CreateModel(
            name="CoordinatorProfile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "languages",
                    models.JSONField(
                        blank=True,
                        default=enquiries.models.staff.default_languages,
                        help_text="New enquiries in these languages may be given to this coordinator.",
                        validators=[enquiries.models.staff.validate_languages],
                        verbose_name="languages spoken",
                    ),
                ),
                (
                    "accepting_new_enquiries",
                    models.BooleanField(
                        default=True,
                        help_text="Untick to be left out when new enquiries are given out automatically.",
                        verbose_name="takes new enquiries",
                    ),
                ),
                (
                    "away_until",
                    models.DateField(
                        blank=True,
                        help_text="Away through this day, included: no new enquiries until the day after. Days are those of the working calendar's time zone.",
                        null=True,
                        verbose_name="away until",
                    ),
                ),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai",
                        help_text="Where this coordinator works: the back office shows times in it.",
                        max_length=64,
                        validators=[enquiries.working_calendar.validate_time_zone],
                        verbose_name="time zone",
                    ),
                ),
                (
                    "last_auto_assigned_at",
                    models.DateTimeField(
                        blank=True,
                        editable=False,
                        null=True,
                        verbose_name="last given a new enquiry automatically",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="coordinator_profile",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="coordinator",
                    ),
                ),
            ],
            options={
                "verbose_name": "coordinator profile",
                "verbose_name_plural": "coordinator profiles",
                "ordering": ["user__first_name", "user__last_name", "user__username"],
                "permissions": [
                    ("change_any_coordinator_profile", "Can change any coordinator's profile")
                ],
            },
        ),
        migrations.RunPython(create_rule, migrations.RunPython.noop),
        migrations.RunPython(add_permissions, remove_permissions),
    ]

"""The working calendar the first-reply promise counts in (one row, created here: Monday to
Friday, 09:00-18:00 in Asia/Shanghai, where the coordinators work) and public holidays, which no
one seeds: lead coordinators add them in the admin. Leads change both; coordinators view them."""

import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import enquiries.working_calendar

# Frozen here on purpose, as in 0004.
COORDINATORS = "Coordinators"
LEAD_COORDINATORS = "Lead coordinators"
COORDINATOR_PERMISSIONS = ["view_workingcalendar", "view_publicholiday"]
LEAD_PERMISSIONS = [
    *COORDINATOR_PERMISSIONS,
    "change_workingcalendar",
    "add_publicholiday",
    "change_publicholiday",
    "delete_publicholiday",
]
ROLE_PERMISSIONS = {COORDINATORS: COORDINATOR_PERMISSIONS, LEAD_COORDINATORS: LEAD_PERMISSIONS}


def create_calendar(apps, schema_editor):
    WorkingCalendar = apps.get_model("enquiries", "WorkingCalendar")
    WorkingCalendar.objects.get_or_create(
        pk=1,
        defaults={
            "time_zone": "Asia/Shanghai",
            "opens_at": datetime.time(9, 0),
            "closes_at": datetime.time(18, 0),
            "monday": True,
            "tuesday": True,
            "wednesday": True,
            "thursday": True,
            "friday": True,
            "saturday": False,
            "sunday": False,
        },
    )


def add_permissions(apps, schema_editor):
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
        ("enquiries", "0007_staff_audit_unlock"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicHoliday",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(unique=True)),
                ("name", models.CharField(max_length=100)),
            ],
            options={
                "verbose_name": "public holiday",
                "verbose_name_plural": "public holidays",
                "ordering": ["date"],
            },
        ),
        migrations.CreateModel(
            name="WorkingCalendar",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "time_zone",
                    models.CharField(
                        default="Asia/Shanghai",
                        help_text="Where the coordinators work; opening and closing times are local to it.",
                        max_length=64,
                        validators=[enquiries.working_calendar.validate_time_zone],
                    ),
                ),
                (
                    "opens_at",
                    models.TimeField(default=datetime.time(9, 0), verbose_name="opens at"),
                ),
                (
                    "closes_at",
                    models.TimeField(
                        default=datetime.time(18, 0),
                        help_text="Patients are promised a reply in working days of 8 working hours: with shorter opening hours, one such day spans more than one day here.",
                        verbose_name="closes at",
                    ),
                ),
                ("monday", models.BooleanField(default=True)),
                ("tuesday", models.BooleanField(default=True)),
                ("wednesday", models.BooleanField(default=True)),
                ("thursday", models.BooleanField(default=True)),
                ("friday", models.BooleanField(default=True)),
                ("saturday", models.BooleanField(default=False)),
                ("sunday", models.BooleanField(default=False)),
            ],
            options={
                "verbose_name": "working calendar",
                "verbose_name_plural": "working calendar",
            },
        ),
        migrations.RunPython(create_calendar, migrations.RunPython.noop),
        migrations.RunPython(add_permissions, remove_permissions),
    ]

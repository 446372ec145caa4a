"""The cities move from enquiries to therapy_info: programmes (what patients read) are listed by
city, and therapy_info never depends on enquiries. The table and its rows stay; the table is
renamed, and the city's content type moves so the roles keep their city permissions."""

from django.db import migrations, models


def _move_content_type(apps, from_label, to_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = ContentType.objects.filter(app_label=from_label, model="city").first()
    if old is None:
        return  # a fresh database: the permissions are created after migrating
    new = ContentType.objects.filter(app_label=to_label, model="city").first()
    if new is None:
        old.app_label = to_label
        old.save(update_fields=["app_label"])
        return
    # Both exist (permissions were created in between): keep the new ones, given to the groups
    # that had the old ones.
    for permission in Permission.objects.filter(content_type=old):
        twin = Permission.objects.filter(content_type=new, codename=permission.codename).first()
        if twin is not None:
            for group in permission.group_set.all():
                group.permissions.add(twin)
    old.delete()


def move_content_type(apps, schema_editor):
    _move_content_type(apps, "enquiries", "therapy_info")
    # Content editors choose a programme's city; leads keep managing the list.
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    view_city = Permission.objects.filter(
        content_type__app_label="therapy_info", codename="view_city"
    ).first()
    editors = Group.objects.filter(name="Content editors").first()
    if view_city is not None and editors is not None:
        editors.permissions.add(view_city)


def move_content_type_back(apps, schema_editor):
    _move_content_type(apps, "therapy_info", "enquiries")


class Migration(migrations.Migration):
    dependencies = [
        ("therapy_info", "0012_pending_question_revisions"),
        ("enquiries", "0023_city_names_in_four_languages"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="City",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "name",
                            models.CharField(max_length=100, unique=True, verbose_name="name"),
                        ),
                        (
                            "name_en",
                            models.CharField(
                                max_length=100, null=True, unique=True, verbose_name="name"
                            ),
                        ),
                        (
                            "name_zh_hans",
                            models.CharField(
                                max_length=100, null=True, unique=True, verbose_name="name"
                            ),
                        ),
                        (
                            "name_ru",
                            models.CharField(
                                max_length=100, null=True, unique=True, verbose_name="name"
                            ),
                        ),
                        (
                            "name_ar",
                            models.CharField(
                                max_length=100, null=True, unique=True, verbose_name="name"
                            ),
                        ),
                        (
                            "active",
                            models.BooleanField(
                                default=True,
                                help_text="Inactive cities stay on old enquiries.",
                                verbose_name="offered on the form",
                            ),
                        ),
                        (
                            "order",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="order on the form"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "city",
                        "verbose_name_plural": "cities",
                        "ordering": ["order", "name"],
                        "db_table": "enquiries_city",
                    },
                ),
            ],
        ),
        # Now a plain rename of the table, which the schema editor does on both databases.
        migrations.AlterModelTable(name="city", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]

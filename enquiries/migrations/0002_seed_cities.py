"""Seeds the cities with CAR-T centres that patients may choose; coordinators edit them in admin."""

from django.db import migrations

CITIES = [
    "Beijing",
    "Tianjin",
    "Shanghai",
    "Guangzhou",
    "Shenzhen",
    "Wuhan",
    "Chengdu",
    "Hangzhou",
    "Suzhou",
]


def add_cities(apps, schema_editor):
    City = apps.get_model("enquiries", "City")
    for order, name in enumerate(CITIES, start=1):
        City.objects.get_or_create(name=name, defaults={"order": order * 10, "active": True})


def remove_cities(apps, schema_editor):
    City = apps.get_model("enquiries", "City")
    City.objects.filter(name__in=CITIES, enquiries__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0001_initial")]

    operations = [migrations.RunPython(add_cities, remove_cities)]

"""City names in the four languages of the form (modeltranslation columns), filled for the cities
seeded by 0002; leads edit them in the admin."""

from django.db import migrations, models

# Frozen here on purpose: the names as they were seeded, and their usual spellings.
NAMES = {
    "Beijing": ("北京", "Пекин", "بكين"),
    "Tianjin": ("天津", "Тяньцзинь", "تيانجين"),
    "Shanghai": ("上海", "Шанхай", "شنغهاي"),
    "Guangzhou": ("广州", "Гуанчжоу", "قوانغتشو"),
    "Shenzhen": ("深圳", "Шэньчжэнь", "شنتشن"),
    "Wuhan": ("武汉", "Ухань", "ووهان"),
    "Chengdu": ("成都", "Чэнду", "تشنغدو"),
    "Hangzhou": ("杭州", "Ханчжоу", "هانغتشو"),
    "Suzhou": ("苏州", "Сучжоу", "سوتشو"),
}


def translate_names(apps, schema_editor):
    City = apps.get_model("enquiries", "City")
    for city in City.objects.all():
        city.name_en = city.name
        # A city a coordinator renamed keeps the English name everywhere until a lead writes it.
        if city.name in NAMES:
            city.name_zh_hans, city.name_ru, city.name_ar = NAMES[city.name]
        city.save(update_fields=["name_en", "name_zh_hans", "name_ru", "name_ar"])


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0022_medical_reviewers"),
    ]

    operations = [
        migrations.AddField(
            model_name="city",
            name="name_ar",
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="city",
            name="name_en",
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="city",
            name="name_ru",
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="city",
            name="name_zh_hans",
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name="name"),
        ),
        migrations.RunPython(translate_names, migrations.RunPython.noop),
    ]

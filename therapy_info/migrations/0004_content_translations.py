"""The English copied into its own column, now that 0003 gave every content text a column per
language (django-modeltranslation): the original column keeps the English written by 0002 and by
editors, and the `_en` twin, added empty by 0003, is what the site reads now.

This migration once also added the shipped Simplified Chinese, Russian and Arabic translations;
they now live in therapy_info/content/ and are loaded by `manage.py load_content`. That step stays,
doing nothing, so every database's migration history stays the same; a database that ran it keeps
its translations, and load_content finds them unchanged.
"""

from django.db import migrations
from django.db.models import F

# The texts that have a column per language (therapy_info/translation.py at the time of 0003).
TRANSLATED_FIELDS = {
    "Page": ["title", "summary", "body", "body_html", "table_of_contents"],
    "Reference": ["citation"],
    "KeyFigure": ["value", "label"],
    "FaqEntry": ["question", "answer", "answer_html"],
}


def copy_english_to_its_column(apps, schema_editor):
    """The original column keeps the English; its `_en` twin, added empty by 0003, is what the
    site reads now."""
    for model_name, fields in TRANSLATED_FIELDS.items():
        for name in [model_name, f"Historical{model_name}"]:
            model = apps.get_model("therapy_info", name)
            present = {field.name for field in model._meta.fields}
            copied = {f"{field}_en": F(field) for field in fields if field in present}
            model.objects.update(**copied)


class Migration(migrations.Migration):
    dependencies = [("therapy_info", "0003_content_languages")]

    operations = [
        migrations.RunPython(copy_english_to_its_column, migrations.RunPython.noop),
        # Once added the shipped translations; they now live in therapy_info/content/.
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]

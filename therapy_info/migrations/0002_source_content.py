"""Once loaded the first published content (the two CAR-T source texts, their references and key
figures, the questions and answers); that content now lives in therapy_info/content/ and is loaded
by `manage.py load_content`.

Kept, as a step that does nothing, so every database's migration history stays the same: a
database that ran this migration keeps its rows, and load_content finds them unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("therapy_info", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]

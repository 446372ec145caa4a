"""Once stored the privacy notice as the site showed it until then as version 1; that version now
lives in therapy_info/content/privacy-notice/1/ and is loaded by `manage.py load_content`.

Kept, as a step that does nothing, so every database's migration history stays the same: a
database that ran this migration keeps its version 1 (frozen once in effect, as before).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("therapy_info", "0005_privacy_notice")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]

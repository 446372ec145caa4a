"""Compiles the translation catalogs (locale/*/LC_MESSAGES/django.po → .mo) in pure Python, so a
developer needs no GNU gettext to update them; the compiled files are committed."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po into .mo files with polib (no msgfmt needed)."

    def handle(self, *args, **options):
        # A development dependency (requirements-dev.txt): the running site only reads the .mo.
        import polib

        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/django.po")):
                catalog = polib.pofile(str(po_path))
                catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(
                    f"{po_path.parent.parent.name}: {len(catalog.translated_entries())} of "
                    f"{len(catalog)} messages translated"
                )

"""`manage.py import_trials FILE [--verified-on DATE] [--dry-run]`: imports the clinical trials of
a ClinicalTrials.gov API v2 study file (therapy_info.trial_import) and says what it did with
each."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from therapy_info.trial_import import (
    UNCHANGED,
    StudyFileError,
    import_trials,
    read_study_file,
)


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--verified-on {text!r} is not a date like 2026-11-28.") from error


class Command(BaseCommand):
    help = (
        "Create or update clinical trials, by registry number, from a ClinicalTrials.gov API v2 "
        "study file downloaded from the registry (the portal never calls it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file: the API's /studies answer or one study.")
        parser.add_argument(
            "--verified-on",
            type=_date,
            help="When the file was downloaded from the registry (default: today).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; write nothing."
        )

    def handle(self, *args, file, verified_on=None, dry_run=False, verbosity=1, **options):
        verified_on = verified_on or timezone.localdate()
        if verified_on > timezone.localdate():
            raise CommandError(f"--verified-on {verified_on} is in the future.")
        try:
            report = import_trials(read_study_file(file), verified_on=verified_on, dry_run=dry_run)
        except (OSError, StudyFileError) as error:
            raise CommandError(f"{error}\nNothing was imported.") from error
        for outcome, registry_id in report.lines:
            if (outcome != UNCHANGED and verbosity >= 1) or verbosity >= 2:
                self.stdout.write(f"{outcome:<10} {registry_id}")
        if verbosity >= 1:
            prefix = "Dry run, nothing written: would be " if dry_run else "Trials: "
            self.stdout.write(prefix + report.summary() + ".")

"""`manage.py load_content [--dry-run] [--force]`: loads the shipped pages, questions, privacy
notice, records checklists and hospitals' programmes from therapy_info/content/
(therapy_info.content_loader), and says what it did with each."""

from django.core.management.base import BaseCommand, CommandError

from therapy_info.content_files import ContentFileError
from therapy_info.content_loader import UNCHANGED, load_content


class Command(BaseCommand):
    help = (
        "Create the shipped content that is missing and update what editors have not changed "
        "(therapy_info/content/). Safe to run on every deploy."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be done; write nothing."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also overwrite (or recreate) what editors changed (or deleted).",
        )

    def handle(self, *args, dry_run=False, force=False, verbosity=1, **options):
        try:
            report = load_content(force=force, dry_run=dry_run)
        except ContentFileError as error:
            raise CommandError(str(error)) from error
        for outcome, item in report.lines:
            # What did not change is listed only when asked for (-v 2): the rest needs reading;
            # -v 0 (scripts, the test database) prints nothing.
            if (outcome != UNCHANGED and verbosity >= 1) or verbosity >= 2:
                self.stdout.write(f"{outcome:<10} {item}")
        if verbosity >= 1:
            prefix = "Dry run, nothing written: would be " if dry_run else "Content files: "
            self.stdout.write(prefix + report.summary() + ".")

"""`manage.py refresh_pathways [--all]`: compute again where the open enquiries' answers point,
the flags the enquiry list filters on (enquiries.pathways). Run it daily from cron (a patient's
age moves with the calendar, and labels and trials name ages), and once with `--all` after the
migration that added the flags, for the enquiries received before it."""

from django.core.management.base import BaseCommand

from enquiries import pathways
from enquiries.models import Enquiry


class Command(BaseCommand):
    help = "Compute again which open enquiries match an approved label or a possible trial."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Closed enquiries too (once, after the migration that added the flags).",
        )

    def handle(self, *args, all=False, **options):
        enquiries = Enquiry.objects.all() if all else Enquiry.objects.open()
        checked, changed = pathways.refresh_pathways(enquiries)
        self.stdout.write(f"Checked {checked} enquiries; {changed} changed.")

"""`manage.py apply_retention [--dry-run]`: anonymise enquiries closed for longer than
RETENTION_CLOSED_MONTHS and delete spam older than RETENTION_SPAM_DAYS (enquiries.retention).
Safe to run daily from cron: it only ever does what is due, and prints how much that was."""

from django.core.management.base import BaseCommand

from enquiries import retention


class Command(BaseCommand):
    help = "Anonymise long-closed enquiries and delete old spam, with their files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be done; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        outcome = retention.apply(dry_run=dry_run)
        verb = ("Would anonymise", "would delete") if dry_run else ("Anonymised", "deleted")
        # Counts only: references are in the audit log, personal data never in the output.
        self.stdout.write(
            f"{verb[0]} {len(outcome.anonymised)} closed enquiries; "
            f"{verb[1]} {len(outcome.deleted)} spam enquiries."
        )

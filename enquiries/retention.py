"""How long we keep enquiries: closed ones are anonymised RETENTION_CLOSED_MONTHS after closing,
spam is deleted RETENTION_SPAM_DAYS after it was marked. Run daily by `manage.py apply_retention`;
a second run the same day finds nothing left to do."""

import calendar
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from enquiries import case
from enquiries.models import AuditEntry, Enquiry

ACTOR_NAME = "manage.py apply_retention"


def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def anonymise_closed_before(now):
    return months_before(now, settings.RETENTION_CLOSED_MONTHS)


def delete_spam_before(now):
    return now - timedelta(days=settings.RETENTION_SPAM_DAYS)


def due_for_anonymisation(now):
    """Closed (not spam) long enough ago, and not anonymised yet."""
    return Enquiry.objects.filter(
        status__in=sorted(Enquiry.CLOSED_STATUSES - {Enquiry.Status.SPAM}),
        closed_at__lt=anonymise_closed_before(now),
        anonymised_at__isnull=True,
    )


def due_for_deletion(now):
    """Spam marked long enough ago: nothing in it is worth keeping."""
    return Enquiry.objects.filter(status=Enquiry.Status.SPAM, closed_at__lt=delete_spam_before(now))


@dataclass
class Outcome:
    anonymised: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def apply(now=None, *, dry_run=False):
    """Anonymise and delete what is due; with dry_run, only say what would be. Each enquiry is
    anonymised in its own transaction, so an interrupted run leaves no half-anonymised row and
    the next run carries on. One audit entry records a run that changed anything."""
    now = now or timezone.now()
    outcome = Outcome()
    if dry_run:
        outcome.anonymised = list(
            due_for_anonymisation(now).order_by("pk").values_list("reference", flat=True)
        )
        outcome.deleted = list(
            due_for_deletion(now).order_by("pk").values_list("reference", flat=True)
        )
        return outcome

    for enquiry in due_for_anonymisation(now).order_by("pk").iterator(chunk_size=200):
        if enquiry.anonymise(at=now):
            outcome.anonymised.append(enquiry.reference)
    outcome.deleted = due_for_deletion(now).order_by("pk").delete_with_files()
    # "Find my enquiry" requests are done within minutes; their task rows hold a keyed hash of an
    # email address, and nothing needs them after a day.
    case.forget_fresh_link_requests(
        references=outcome.anonymised + outcome.deleted,
        finished_before=now - timedelta(days=1),
    )

    if outcome.anonymised or outcome.deleted:
        AuditEntry.record(
            None,
            AuditEntry.Action.APPLIED_RETENTION,
            actor_name=ACTOR_NAME,
            anonymised=outcome.anonymised,
            deleted=outcome.deleted,
        )
    return outcome

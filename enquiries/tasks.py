"""Background tasks of the enquiries app (django.tasks, stored by django-tasks-db)."""

from django.tasks import task

from enquiries import case, outbox, pathways
from enquiries.models import OutgoingEmail


@task
def send_email(outgoing_email_id):
    """Send one outgoing email unless it went out already (enquiries.outbox).

    django-tasks-db does not retry failed tasks itself, so this task never fails: it records what
    went wrong on the email and schedules itself again until it gives up (visible in admin)."""
    outbox.deliver(outgoing_email_id)


@task
def send_enquiry_notifications(enquiry_id, attempt=1):
    """A task queued before the outbox existed (before migration 0009): hands the enquiry's unsent
    emails to `send_email`, so nothing queued then is lost after the upgrade."""
    unsent = OutgoingEmail.objects.filter(
        enquiry_id=enquiry_id,
        status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.RETRYING],
    )
    for email_id in unsent.values_list("pk", flat=True):
        send_email.enqueue(email_id)


@task
def send_fresh_case_link(reference, email_digest):
    """Email a fresh case page link if the reference and the email's keyed hash match an
    enquiry (enquiries.case.send_fresh_link); the address itself never enters the task queue."""
    case.send_fresh_link(reference, email_digest)


@task
def refresh_open_pathways():
    """Compute again where the open enquiries' answers point (enquiries.pathways), after a
    product, a rule or a trial changed."""
    pathways.refresh_pathways()

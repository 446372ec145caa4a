"""Background tasks of the enquiries app (django.tasks, stored by django-tasks-db)."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from enquiries import notifications
from enquiries.models import Enquiry


def retry_delay(attempt):
    """Wait before the attempt after `attempt`: the base delay, four times longer each time."""
    return timedelta(seconds=settings.ENQUIRY_NOTIFICATION_RETRY_SECONDS * 4 ** (attempt - 1))


@task
def send_enquiry_notifications(enquiry_id, attempt=1):
    """Send the enquiry's emails; on failure, enqueue the next attempt after a growing delay.

    django-tasks-db does not retry failed tasks itself, so this task never fails: it records what
    went wrong on the enquiry and schedules itself again until it gives up (visible in admin)."""
    enquiry = Enquiry.objects.filter(pk=enquiry_id).first()
    if enquiry is None or enquiry.notification_status == Enquiry.NotificationStatus.SENT:
        return

    def schedule_retry():
        send_enquiry_notifications.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(
            enquiry_id, attempt + 1
        )

    notifications.deliver(enquiry, attempt, schedule_retry)

"""The enquiry's notification columns go: OutgoingEmail rows (0007) hold what they held. Apart
from 0007 because PostgreSQL refuses to alter a table with rows just written in the same
transaction (their deferred foreign-key checks are still pending)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0009_outgoing_emails"),
    ]

    operations = [
        migrations.RemoveField(model_name="enquiry", name="acknowledgement_sent_at"),
        migrations.RemoveField(model_name="enquiry", name="coordinators_notified_at"),
        migrations.RemoveField(model_name="enquiry", name="notification_attempts"),
        migrations.RemoveField(model_name="enquiry", name="notification_status"),
    ]

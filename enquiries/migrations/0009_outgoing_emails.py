"""One row per outgoing email (OutgoingEmail), filled from the enquiry's notification columns:
each enquiry gets its acknowledgement and coordinators' notification rows, sent ones as SENT with
their time, the others as the enquiry's status said. 0010 then drops the columns."""

from email.utils import make_msgid, parseaddr

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Frozen here on purpose: the values as they were when the columns were dropped.
SENT = "sent"
BATCH = 2000


def rows_from_columns(apps, schema_editor):
    Enquiry = apps.get_model("enquiries", "Enquiry")
    OutgoingEmail = apps.get_model("enquiries", "OutgoingEmail")
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    columns = [
        "pk",
        "submitted_at",
        "notification_status",
        "notification_attempts",
        "acknowledgement_sent_at",
        "coordinators_notified_at",
    ]
    rows = []
    for enquiry in Enquiry.objects.order_by("pk").values(*columns).iterator(chunk_size=BATCH):
        for kind, role, sent_at in [
            ("acknowledgement", "patient", enquiry["acknowledgement_sent_at"]),
            ("coordinators_notification", "coordinators", enquiry["coordinators_notified_at"]),
        ]:
            # The enquiry's status was about both emails: the one already sent is SENT whatever
            # it says ("retrying" meant the other one failed).
            status = SENT if sent_at is not None else enquiry["notification_status"]
            rows.append(
                OutgoingEmail(
                    enquiry_id=enquiry["pk"],
                    kind=kind,
                    recipient_role=role,
                    status=status,
                    attempts=enquiry["notification_attempts"],
                    last_attempt_at=sent_at,
                    sent_at=sent_at,
                    message_id=make_msgid(domain=domain),
                    created_at=enquiry["submitted_at"],
                )
            )
        if len(rows) >= BATCH:
            OutgoingEmail.objects.bulk_create(rows)
            rows = []
    OutgoingEmail.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0008_working_calendar"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutgoingEmail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("acknowledgement", "Acknowledgement"),
                            ("coordinators_notification", "Coordinators' notification"),
                        ],
                        max_length=40,
                        verbose_name="email",
                    ),
                ),
                (
                    "recipient_role",
                    models.CharField(
                        choices=[("patient", "Patient"), ("coordinators", "Coordinators")],
                        max_length=20,
                        verbose_name="to",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Being sent"),
                            ("sent", "Sent"),
                            ("retrying", "Failed, will retry"),
                            ("failed", "Failed, gave up"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                (
                    "last_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last attempt"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "message_id",
                    models.CharField(max_length=255, unique=True, verbose_name="Message-ID"),
                ),
                (
                    "last_error",
                    models.CharField(blank=True, max_length=100, verbose_name="last error"),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="queued"),
                ),
                (
                    "enquiry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="enquiries.enquiry",
                    ),
                ),
            ],
            options={
                "verbose_name": "outgoing email",
                "verbose_name_plural": "outgoing emails",
                "ordering": ["enquiry_id", "created_at", "pk"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "sent"), _negated=True),
                        fields=["created_at"],
                        name="outgoing_email_unsent_idx",
                    )
                ],
            },
        ),
        migrations.RunPython(rows_from_columns, migrations.RunPython.noop),
    ]

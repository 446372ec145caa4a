"""Moving the test database to a migration and back, and an enquiry as an older schema stored
it: for tests of data migrations."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate to `targets`; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def old_enquiry(apps, number, *, at, **fields):
    """An enquiry stored through the historical model in `apps`, sent and due `at`."""
    Enquiry = apps.get_model("enquiries", "Enquiry")
    fields = {"submitted_at": at, "first_reply_due_at": at, **fields}
    return Enquiry.objects.create(
        reference=f"CT-TEST-{number:04d}",
        submission_token=f"00000000-0000-0000-0000-{number:012d}",
        language="en",
        relationship="patient",
        patient_name="Anna Novak",
        birth_year=1970,
        country="CZ",
        email="anna@example.org",
        **fields,
    )

"""Migration 0014 gives the content editors' group the records checklists' permissions on an
installation whose roles were created (0004) before the checklists existed."""

import pytest

from tests.enquiries.migrations_at import migrate, migrate_to_latest

BEFORE = [("enquiries", "0013_case_page")]
AFTER = [("enquiries", "0014_content_editors_edit_records_checklists")]
CHECKLIST_MODELS = ["recordschecklist", "checklistitem"]


@pytest.fixture
def roles_from_before_the_checklists():
    apps = migrate(BEFORE)
    Group = apps.get_model("auth", "Group")
    # Created by migration 0004; a transactional test that ran before (the browser tests, in one
    # whole-suite run) may have flushed it, as on an installation that deleted and re-made it.
    editors, _created = Group.objects.get_or_create(name="Content editors")
    # As 0004 left them on such an installation: nothing about models it did not know yet.
    editors.permissions.remove(
        *editors.permissions.filter(content_type__model__in=CHECKLIST_MODELS)
    )
    yield
    migrate_to_latest()


def checklist_permissions(apps):
    Group = apps.get_model("auth", "Group")
    return set(
        Group.objects.get(name="Content editors")
        .permissions.filter(content_type__model__in=CHECKLIST_MODELS)
        .values_list("codename", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_content_editors_get_every_permission_on_the_checklists(roles_from_before_the_checklists):
    apps = migrate(AFTER)

    assert checklist_permissions(apps) == {
        f"{action}_{model}"
        for action in ("add", "change", "delete", "view")
        for model in CHECKLIST_MODELS
    }

"""A coordinator works an enquiry in the admin in a real browser: filter, open, assign, change the
status, add a note, and see all three on the timeline (no console errors or CSP violations)."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from enquiries.models import Enquiry
from tests.enquiries.conftest import make_enquiry

pytestmark = pytest.mark.browser

PASSWORD = "a long browser test password 42"
roles_migration = importlib.import_module("enquiries.migrations.0004_roles_and_duplicate_keys")


def coordinators_group():
    # The transactional database is emptied between tests: the migration's groups may be gone.
    group, _created = Group.objects.get_or_create(name="Coordinators")
    codenames = [codename for _app, codename in roles_migration.COORDINATOR_PERMISSIONS]
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    return group


def test_a_coordinator_takes_the_newest_unassigned_enquiry(
    desktop_page, live_server, screenshot, django_user_model
):
    group = coordinators_group()
    cora = django_user_model.objects.create_user(
        "cora", password=PASSWORD, is_staff=True, first_name="Cora", last_name="Ortiz"
    )
    cora.groups.add(group)
    colleague = django_user_model.objects.create_user("chen", is_staff=True, first_name="Chen")
    colleague.groups.add(group)
    now = timezone.now()
    make_enquiry(submitted_at=now - timedelta(days=2), email="older@example.org")
    newest = make_enquiry(submitted_at=now - timedelta(hours=3), patient_name="Maria Garcia")
    taken = make_enquiry(submitted_at=now - timedelta(hours=1), assigned_to=colleague)

    page = desktop_page
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("cora")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="New and unassigned enquiries").wait_for()

    page.goto(f"{live_server.url}/admin/enquiries/enquiry/")
    page.locator("#changelist-filter").get_by_role("link", name="Unassigned").click()
    page.wait_for_url("**/?assigned=none")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert taken.reference not in page.locator("#result_list").inner_text()
    screenshot(page, "back-office-enquiry-list")

    rows.first.get_by_role("link", name=newest.reference).click()
    page.get_by_role("heading", name="Timeline").wait_for()
    page.get_by_label("Assigned coordinator").select_option(label="Cora Ortiz")
    page.get_by_label("Status").select_option(label="In review")
    page.locator("textarea[name='notes-0-text']").fill("Called the patient; asking for records.")
    page.get_by_role("button", name="Save and continue editing").click()

    page.locator(".messagelist").wait_for()
    timeline = page.locator(".bo-timeline-list").inner_text()
    assert "Assigned to Cora Ortiz" in timeline
    assert "Status: New → In review" in timeline
    assert "Note added" in timeline
    assert "Called the patient; asking for records." in page.content()
    screenshot(page, "back-office-enquiry-page")

    newest = Enquiry.objects.get(pk=newest.pk)
    assert (newest.assigned_to, newest.status) == (cora, Enquiry.Status.IN_REVIEW)

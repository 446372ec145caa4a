"""Each role's limits, proven through HTTP: what coordinators, leads and content editors can do."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enquiries import records
from enquiries.models import AuditEntry, Enquiry
from tests.back_office.pages import (
    action,
    change_url,
    changelist_url,
    page_choices,
    page_form_data,
)
from tests.factories import pdf_file


@pytest.fixture
def record(enquiry):
    stored = records.store(enquiry, pdf_file())
    stored.save()
    return stored


def enquiry_urls(enquiry, record):
    return {
        "list": changelist_url(),
        "page": change_url(enquiry),
        "history": reverse("admin:enquiries_enquiry_history", args=[enquiry.pk]),
        "dashboard": reverse("admin:enquiries_dashboard"),
        "download": reverse("admin:enquiries_recordfile_download", args=[enquiry.pk, record.pk]),
        "audit log": reverse("admin:enquiries_auditentry_changelist"),
    }


@pytest.mark.parametrize("page", ["list", "page", "history", "dashboard", "download", "audit log"])
def test_a_content_editor_gets_403_on_every_enquiry_page(
    login, content_editor, enquiry, record, page
):
    response = login(content_editor).get(enquiry_urls(enquiry, record)[page])
    assert response.status_code == 403


def test_a_content_editor_can_still_edit_the_content(login, content_editor):
    url = reverse("admin:app_list", kwargs={"app_label": "therapy_info"})
    response = login(content_editor).get(url)
    assert response.status_code == 200
    assert reverse("admin:therapy_info_page_changelist") in response.content.decode()


def test_a_content_editor_does_not_see_enquiries_on_the_admin_index(login, content_editor):
    html = login(content_editor).get(reverse("admin:index")).content.decode()
    assert "Enquiries dashboard" not in html
    assert changelist_url() not in html


def test_the_content_editors_group_holds_no_enquiry_permission(db):
    editors = Group.objects.get(name="Content editors")
    apps = set(editors.permissions.values_list("content_type__app_label", flat=True))
    assert apps == {"therapy_info"}


def test_the_medical_reviewers_group_holds_no_enquiry_permission(db):
    reviewers = Group.objects.get(name="Medical reviewers")
    apps = set(reviewers.permissions.values_list("content_type__app_label", flat=True))
    assert apps == {"therapy_info"}


@pytest.mark.parametrize("page", ["list", "page", "dashboard"])
def test_a_medical_reviewer_gets_403_on_the_enquiries(login, make_staff, enquiry, page):
    reviewer = make_staff("medical_reviewer")
    url = {
        "list": changelist_url(),
        "page": change_url(enquiry),
        "dashboard": reverse("admin:enquiries_dashboard"),
    }[page]

    assert login(reviewer).get(url).status_code == 403


def test_only_reviewers_may_record_a_medical_review(make_staff):
    reviewer, editor = make_staff("medical_reviewer"), make_staff("content_editor")

    assert reviewer.has_perm("therapy_info.review_medical_content")
    assert reviewer.has_perm("therapy_info.publish_page")
    assert editor.has_perm("therapy_info.publish_page")
    assert not editor.has_perm("therapy_info.review_medical_content")
    assert not editor.has_perm("therapy_info.add_pagereview")


def test_a_coordinator_opens_the_list_the_page_and_the_dashboard(login, coordinator, enquiry):
    client = login(coordinator)
    assert client.get(changelist_url()).status_code == 200
    assert client.get(change_url(enquiry)).status_code == 200
    assert client.get(reverse("admin:enquiries_dashboard")).status_code == 200


def test_a_coordinator_cannot_delete_an_enquiry(login, coordinator, enquiry):
    client = login(coordinator)
    delete_url = reverse("admin:enquiries_enquiry_delete", args=[enquiry.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    action(client, "delete_selected", [enquiry], post="yes")
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()


def test_a_coordinator_is_not_offered_export_delete_or_reassign(login, coordinator, enquiry):
    html = login(coordinator).get(changelist_url()).content.decode()
    assert 'value="assign_to_me"' in html
    assert 'value="export_csv"' not in html
    assert 'value="delete_selected"' not in html
    assert 'value="assign_to"' not in html


def test_a_coordinator_cannot_export(login, coordinator, enquiry):
    response = action(login(coordinator), "export_csv", [enquiry])
    assert response.status_code == 302  # back to the list: no such action for them
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED_ENQUIRIES).exists()


def test_a_lead_can_export(login, lead, enquiry):
    response = action(login(lead), "export_csv", [enquiry])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_lead_cannot_delete_an_enquiry_through_the_admin(login, lead, enquiry, method):
    # Erasure is the one way: it takes the whole person and leaves its audit.
    delete_url = reverse("admin:enquiries_enquiry_delete", args=[enquiry.pk])
    response = getattr(login(lead), method)(delete_url, {"post": "yes"})
    assert response.status_code == 403
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()


def test_a_lead_is_not_offered_djangos_bulk_delete(login, lead, enquiry):
    client = login(lead)
    html = client.get(changelist_url()).content.decode()
    assert 'value="erase_enquiries"' in html
    assert 'value="delete_selected"' not in html
    action(client, "delete_selected", [enquiry], post="yes")
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()


def test_the_enquiry_page_has_no_delete_link_for_a_lead(login, lead, enquiry):
    html = login(lead).get(change_url(enquiry)).content.decode()
    assert reverse("admin:enquiries_enquiry_delete", args=[enquiry.pk]) not in html


def test_only_leads_read_the_audit_log(login, coordinator, lead):
    url = reverse("admin:enquiries_auditentry_changelist")
    assert login(coordinator).get(url).status_code == 403
    assert login(lead).get(url).status_code == 200


@pytest.mark.parametrize("who", ["lead", "superuser"])
def test_nobody_adds_changes_or_deletes_audit_entries(login, lead, admin_user, who):
    user = lead if who == "lead" else admin_user
    entry = AuditEntry.record(user, AuditEntry.Action.VIEWED_ENQUIRY, reference="CT-AAAA-BBBB")
    client = login(user)
    change = reverse("admin:enquiries_auditentry_change", args=[entry.pk])
    delete = reverse("admin:enquiries_auditentry_delete", args=[entry.pk])
    assert client.get(reverse("admin:enquiries_auditentry_add")).status_code == 403
    assert client.post(change, {"enquiry_reference": "CT-ZZZZ-ZZZZ"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.enquiry_reference == "CT-AAAA-BBBB"


def test_a_coordinator_takes_an_unassigned_enquiry_on_its_page(login, coordinator, enquiry):
    client = login(coordinator)
    page = client.get(change_url(enquiry))
    response = client.post(change_url(enquiry), page_form_data(page, assigned_to=coordinator.pk))
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == coordinator


def test_a_coordinator_cannot_take_a_colleagues_enquiry(
    login, coordinator, other_coordinator, make
):
    enquiry = make(assigned_to=other_coordinator)
    client = login(coordinator)
    page = client.get(change_url(enquiry))
    response = client.post(change_url(enquiry), page_form_data(page, assigned_to=coordinator.pk))
    assert response.status_code == 200  # the form again, with an error
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == other_coordinator


def test_the_page_tells_a_coordinator_only_a_lead_can_reassign(
    login, coordinator, other_coordinator, make
):
    enquiry = make(assigned_to=other_coordinator)
    client = login(coordinator)
    page = client.get(change_url(enquiry))
    response = client.post(change_url(enquiry), page_form_data(page, assigned_to=coordinator.pk))
    assert "Only a lead coordinator can reassign this enquiry." in response.content.decode()


def test_a_coordinator_is_offered_only_themself_and_whoever_has_the_enquiry(
    login, coordinator, other_coordinator, lead, make_staff, make
):
    make_staff("coordinator", username="third", first_name="Tam", last_name="Ng")
    enquiry = make(assigned_to=other_coordinator)
    page = login(coordinator).get(change_url(enquiry))
    offered = page_choices(page, "assigned_to")[1:]
    assert offered == [(str(other_coordinator.pk), "Chen Li"), (str(coordinator.pk), "Cora Ortiz")]


def test_a_coordinator_is_offered_only_themself_on_an_unassigned_enquiry(
    login, coordinator, other_coordinator, lead, enquiry
):
    page = login(coordinator).get(change_url(enquiry))
    assert page_choices(page, "assigned_to")[1:] == [(str(coordinator.pk), "Cora Ortiz")]


def test_a_lead_is_offered_every_coordinator_and_lead_by_name(
    login, coordinator, other_coordinator, lead, content_editor, make
):
    enquiry = make(assigned_to=other_coordinator)
    page = login(lead).get(change_url(enquiry))
    assert page_choices(page, "assigned_to")[1:] == [
        (str(other_coordinator.pk), "Chen Li"),
        (str(coordinator.pk), "Cora Ortiz"),
        (str(lead.pk), "Lea Dupont"),
    ]


def test_assign_to_me_skips_a_colleagues_enquiry_for_a_coordinator(
    login, coordinator, other_coordinator, make
):
    mine_to_take = make()
    theirs = make(assigned_to=other_coordinator)
    action(login(coordinator), "assign_to_me", [mine_to_take, theirs])
    mine_to_take.refresh_from_db()
    theirs.refresh_from_db()
    assert mine_to_take.assigned_to == coordinator
    assert theirs.assigned_to == other_coordinator


def test_a_lead_reassigns_through_the_intermediate_page(
    login, lead, coordinator, other_coordinator, make
):
    enquiry = make(assigned_to=other_coordinator)
    client = login(lead)
    page = action(client, "assign_to", [enquiry])
    assert page.status_code == 200
    assert enquiry.reference in page.content.decode()
    client.post(
        changelist_url(),
        {
            "action": "assign_to",
            "_selected_action": [enquiry.pk],
            "apply": "1",
            "choice": coordinator.pk,
        },
    )
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == coordinator


def test_an_enquiry_cannot_be_assigned_to_someone_outside_the_coordinators(
    login, lead, content_editor, enquiry
):
    client = login(lead)
    client.post(
        changelist_url(),
        {
            "action": "assign_to",
            "_selected_action": [enquiry.pk],
            "apply": "1",
            "choice": content_editor.pk,
        },
    )
    enquiry.refresh_from_db()
    assert enquiry.assigned_to is None


def test_a_lead_unassigns_through_the_intermediate_page(login, lead, coordinator, make):
    enquiry = make(assigned_to=coordinator)
    action(login(lead), "assign_to", [enquiry], apply="1", choice="")
    enquiry.refresh_from_db()
    assert enquiry.assigned_to is None


def test_erasing_without_ticking_the_confirmation_erases_nothing(login, lead, enquiry):
    client = login(lead)
    page = client.post(
        reverse("admin:enquiries_enquiry_erase_people"), {"enquiry": enquiry.pk, "apply": "1"}
    )
    assert page.status_code == 200
    assert "This field is required" in page.content.decode()
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()

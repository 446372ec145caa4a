"""Where a patient's records go when a programme is referred to — its international office's
address — is set by lead coordinators only; content editors write the rest of the page."""

import uuid

import pytest
from django.urls import reverse

from tests.factories import make_programme

pytestmark = pytest.mark.django_db


def change_page(client, programme):
    return client.get(reverse("admin:therapy_info_programme_change", args=[programme.pk]))


def test_a_content_editor_sees_the_address_but_cannot_change_it(login, content_editor):
    address = f"intl-{uuid.uuid4().hex}@hospital.example.cn"
    programme = make_programme(international_office_email=address)

    page = change_page(login(content_editor), programme)

    assert page.status_code == 200
    assert "international_office_email" not in page.context["adminform"].form.fields
    assert address in page.content.decode()


def test_a_lead_coordinator_changes_the_address(login, lead):
    programme = make_programme(international_office_email="old@hospital.example.cn")

    page = change_page(login(lead), programme)

    assert page.status_code == 200
    assert "international_office_email" in page.context["adminform"].form.fields


def test_only_lead_coordinators_hold_the_permission(content_editor, lead, coordinator):
    assert lead.has_perm("therapy_info.change_programme_contact")
    assert not content_editor.has_perm("therapy_info.change_programme_contact")
    assert not coordinator.has_perm("therapy_info.change_programme_contact")

"""Fixtures for the CAR-T information pages' tests (make_page and make_faq_entry, shared with the
translation tests, are in tests/conftest.py)."""

import shutil

import pytest
from django.contrib.auth.models import Permission

from therapy_info.content_files import CONTENT_DIR
from therapy_info.models import KeyFigure, Page


@pytest.fixture
def content_copy(tmp_path):
    """A copy of the shipped content files to change, as a release with new content would."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def draft(make_page):
    return make_page(title="A draft", slug="a-draft", status=Page.Status.DRAFT)


@pytest.fixture
def make_key_figure(db):
    def make(page, value="83%", label="achieve remission", number=1, **fields):
        reference = page.references.get(number=number) if number else None
        return KeyFigure.objects.create(
            page=page, value=value, label=label, reference=reference, **fields
        )

    return make


@pytest.fixture
def editor(django_user_model):
    """A staff member who may view and edit pages, but is not a superuser."""
    user = django_user_model.objects.create_user(
        username="editor", password="a-long-test-password", is_staff=True
    )
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="therapy_info",
            codename__in=[
                "view_page",
                "change_page",
                "add_page",
                "view_reference",
                "add_reference",
                "change_reference",
                "delete_reference",
                "view_keyfigure",
                "add_keyfigure",
                "change_keyfigure",
            ],
        )
    )
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def staff_without_permission(django_user_model):
    return django_user_model.objects.create_user(
        username="coordinator", password="a-long-test-password", is_staff=True
    )

"""Fixtures and small factories for the CAR-T information pages."""

import pytest
from django.contrib.auth.models import Permission

from therapy_info.models import FaqEntry, KeyFigure, Page, Reference


@pytest.fixture
def make_page(db):
    """A page; published unless told otherwise, with references numbered as given."""

    def make(
        title="What CAR-T is",
        slug="what-car-t-is",
        body="CAR-T uses a patient's own T cells [1].",
        status=Page.Status.PUBLISHED,
        references=(1,),
        **fields,
    ):
        page = Page.objects.create(
            title=title,
            slug=slug,
            summary=fields.pop("summary", f"A short summary of {title}."),
            body=body,
            status=status,
            **fields,
        )
        for number in references:
            Reference.objects.create(page=page, number=number, citation=f"Citation number {number}")
        page.refresh_from_db()
        return page

    return make


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
def make_faq_entry(db):
    def make(question="What is CAR-T?", answer="A **therapy**.", is_published=True, order=1):
        return FaqEntry.objects.create(
            question=question, answer=answer, is_published=is_published, order=order
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

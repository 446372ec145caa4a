"""Fixtures for the back-office tests: staff in each role (the groups come from the migration),
logged-in clients, and enquiries with a few workflow details."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from enquiries.admin import WORKFLOW_FIELDS
from enquiries.models import City, Enquiry
from enquiries.roles import ROLES
from tests.enquiries.conftest import (  # noqa: F401 (fixtures shared with the form tests)
    make_enquiry,
    private_media,
    stored_files,
)

PASSWORD = "a long test password 42"


@pytest.fixture
def make_staff(django_user_model):
    def make(role, username=None, **fields):
        user = django_user_model.objects.create_user(
            username=username or role, password=PASSWORD, is_staff=True, **fields
        )
        if role:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        return user

    return make


@pytest.fixture
def coordinator(make_staff):
    return make_staff("coordinator", first_name="Cora", last_name="Ortiz")


@pytest.fixture
def other_coordinator(make_staff):
    return make_staff("coordinator", username="colleague", first_name="Chen", last_name="Li")


@pytest.fixture
def lead(make_staff):
    return make_staff("lead", first_name="Lea", last_name="Dupont")


@pytest.fixture
def content_editor(make_staff):
    return make_staff("content_editor")


@pytest.fixture
def login(db):
    """A separate logged-in client per user, so a test can act as several people."""

    def log_in(user):
        client = Client()
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def enquiry(db):
    return make_enquiry()


@pytest.fixture
def make(db):
    """make(**fields): an enquiry stored directly, with optional preferred cities."""

    def create(cities=(), **fields):
        enquiry = make_enquiry(**fields)
        if cities:
            enquiry.preferred_cities.set(City.objects.filter(name__in=cities))
        return enquiry

    return create


def changelist_url(**params):
    url = reverse("admin:enquiries_enquiry_changelist")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def change_url(enquiry):
    return reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])


def action(client, name, enquiries, **extra):
    """Posts a changelist action the way the admin's action bar does."""
    data = {"action": name, "index": 0, "_selected_action": [e.pk for e in enquiries], **extra}
    return client.post(changelist_url(), data)


def workflow_form(enquiry, **changes):
    """The change form's POST data, as a browser sends it for an untouched page, plus changes."""
    enquiry = Enquiry.objects.get(pk=enquiry.pk)
    data = {
        "status": enquiry.status,
        "assigned_to": enquiry.assigned_to_id or "",
        "priority": enquiry.priority,
        "next_follow_up_on": enquiry.next_follow_up_on or "",
        "notes-TOTAL_FORMS": 1,
        "notes-INITIAL_FORMS": enquiry.notes.count(),
        "notes-MIN_NUM_FORMS": 0,
        "notes-MAX_NUM_FORMS": 1000,
        "notes-0-text": "",
        "consents-TOTAL_FORMS": 0,
        "consents-INITIAL_FORMS": 0,
        "consents-MIN_NUM_FORMS": 0,
        "consents-MAX_NUM_FORMS": 0,
        "record_files-TOTAL_FORMS": 0,
        "record_files-INITIAL_FORMS": 0,
        "record_files-MIN_NUM_FORMS": 0,
        "record_files-MAX_NUM_FORMS": 0,
        "emails-TOTAL_FORMS": 0,
        "emails-INITIAL_FORMS": 0,
        "emails-MIN_NUM_FORMS": 0,
        "emails-MAX_NUM_FORMS": 0,
        "messages-TOTAL_FORMS": 0,
        "messages-INITIAL_FORMS": 0,
        "messages-MIN_NUM_FORMS": 0,
        "messages-MAX_NUM_FORMS": 0,
    }
    # The hidden copies of what the page showed (show_hidden_initial on the workflow fields).
    data.update({f"initial-{name}": data[name] for name in WORKFLOW_FIELDS})
    data.update(changes)
    return data

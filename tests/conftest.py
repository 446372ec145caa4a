"""Fixtures every test can use, and those more than one folder of tests shares: private storage
for medical records, the patient's form, staff in each role, logged-in clients, content pages.
Fixtures of one folder live in its own conftest.py; plain factories in tests/factories.py."""

import os
import socket

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from enquiries.models import CaseDocument, RecordFile, Referral
from enquiries.roles import ROLES
from tests.factories import STAFF_PASSWORD, valid_form_data
from therapy_info.models import FaqEntry, Page, Reference


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database holds the shipped content (therapy_info/content/), as `make run` loads
    it after migrating: pages, references, key figures, questions and the privacy notice."""
    with django_db_blocker.unblock():
        call_command("load_content", verbosity=0)


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: cached pages and rate-limit counters never leak."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a request in another language leaves that language active,
    and content written afterwards would land in that language's columns."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def closed_port():
    """A local port where nothing listens: bound by the system, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_down(settings, closed_port):
    """The shared cache configured as in production (Redis), but unreachable: a closed port.

    The settings change makes Django build the cache anew; each test starts with no outage
    remembered and no rate-limit counter kept in this process's memory."""
    from portal import ratelimit, resilient_cache

    resilient_cache.reset_breakers()
    ratelimit._counters_in_this_process.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.resilient_cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    yield
    resilient_cache.reset_breakers()
    ratelimit._counters_in_this_process.clear()


@pytest.fixture
def redis_cache(settings):
    """The shared cache on the real Redis (TEST_REDIS_URL, else database 1 of 127.0.0.1:6379),
    emptied before and after: CI's two simultaneous runs each have their own database. Skipped
    locally when Redis is down, failed in CI, which starts it (.ci/run)."""
    import redis

    from portal import resilient_cache

    location = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    try:
        redis.Redis.from_url(location, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis does not answer at {location} (CI starts it: see .ci/run)")
        pytest.skip(f"Redis does not answer at {location}")
    resilient_cache.reset_breakers()
    settings.CACHES = {
        "default": {"BACKEND": "portal.resilient_cache.ResilientRedisCache", "LOCATION": location}
    }
    cache.clear()
    yield cache
    cache.clear()
    resilient_cache.reset_breakers()


# Medical records and the patient's form.


@pytest.fixture
def private_media(tmp_path, monkeypatch):
    """Medical records go to a temporary folder, which tests can inspect for orphans. The folders
    whose tests store records use it in every test (their conftest.py makes it autouse).

    The FileFields resolved their storage when the models were defined, so each is swapped
    directly: the records', and the referrals' summaries and the documents for the patient."""
    location = tmp_path / "private_media"
    options = settings.STORAGES["medical_records"]["OPTIONS"]
    storage = FileSystemStorage(**{**options, "location": location})
    for model, name in [
        (RecordFile, "file"),
        (Referral, "summary_document"),
        (CaseDocument, "file"),
    ]:
        monkeypatch.setattr(model._meta.get_field(name), "storage", storage)
    return location


@pytest.fixture
def stored_files(private_media):
    """Lists the files currently in private storage."""

    def list_files():
        return sorted(p for p in private_media.rglob("*") if p.is_file())

    return list_files


@pytest.fixture
def start_url():
    return reverse("enquiries:start")


@pytest.fixture
def submit(client, start_url):
    """Posts the form like a browser (multipart) and returns the response."""

    def post(data=None, *, follow=False, **extra):
        return client.post(start_url, data or valid_form_data(), follow=follow, **extra)

    return post


# Staff (the groups come from the migration).


@pytest.fixture
def make_staff(django_user_model):
    def make(role, username=None, **fields):
        user = django_user_model.objects.create_user(
            username=username or role, password=STAFF_PASSWORD, is_staff=True, **fields
        )
        if role:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        return user

    return make


@pytest.fixture
def coordinator(make_staff):
    return make_staff("coordinator", first_name="Cora", last_name="Ortiz")


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


# Content pages.


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
def make_faq_entry(db):
    def make(question="What is CAR-T?", answer="A **therapy**.", is_published=True, order=1):
        return FaqEntry.objects.create(
            question=question, answer=answer, is_published=is_published, order=order
        )

    return make

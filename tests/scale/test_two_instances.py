"""Two app servers behind one load balancer behave as one: what must be shared is shared.

Starts two gunicorn instances on two ports against one PostgreSQL database and one Redis (the
cache, a dedicated database number, flushed), and submits the form through both: the hourly
limit per address counts submissions on either server, the same form posted to both stores one
enquiry, and the session started on one server is read on the other.

Runs in CI's PostgreSQL step (DATABASE_URL=postgres://…); skipped on SQLite, and skipped locally
when PostgreSQL or Redis is down, but failed in CI (CI=true) for that."""

import http.client
import os
import re
import socket
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from bench_server import HOST, Deployment, redis_answers

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("SCALE_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")
LIMIT = 3
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')
REFERENCE = re.compile(r"CT-[2-9A-Z]{4}-[2-9A-Z]{4}")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL: runs in CI's PostgreSQL step (DATABASE_URL=postgres://…)",
)


def unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI starts it: see .ci/run)")
    pytest.skip(reason)


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Browser:
    """One patient's browser: keeps its cookies, whichever server answers."""

    def __init__(self):
        self.cookies = {}

    def request(self, port, method, path, body=None):
        connection = http.client.HTTPConnection(HOST, port, timeout=20)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, cookie_value = value.split(";", 1)[0].split("=", 1)
                self.cookies[cookie_name] = cookie_value
        connection.close()
        return response.status, response.getheader("Location"), text

    def open_form(self, port):
        status, _location, page = self.request(port, "GET", "/en/start/")
        assert status == 200
        return {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1),
            "submission_token": SUBMISSION_TOKEN.search(page).group(1),
        }

    def submit(self, port, form, number):
        data = {
            **form,
            "relationship": "patient",
            "patient_name": f"Scale Patient {number}",
            "birth_year": "1970",
            "country": "CZ",
            "email": f"scale{number}@example.org",
            "preferred_contact_channel": "email",
            "consent_health_data": "on",
        }
        status, location, _page = self.request(port, "POST", "/en/start/", urlencode(data))
        return status, location

    def reference_on_thank_you_page(self, port):
        status, _location, page = self.request(port, "GET", "/en/start/thank-you/")
        assert status == 200
        return REFERENCE.search(page).group(0)


@pytest.fixture(scope="module")
def two_servers():
    if not redis_answers(REDIS_URL):
        unavailable(f"Redis does not answer at {REDIS_URL}")
    deployment = Deployment(
        database_url=DATABASE_URL,
        pg_database_prefix="portal_scale_test",
        redis_url=REDIS_URL,
        handle_sigterm=False,
        ENQUIRY_RATE_LIMIT_PER_HOUR=str(LIMIT),
        # No collectstatic: the servers need working pages, not hashed static files.
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
    )
    with deployment:
        deployment.manage("migrate", "--no-input", "--verbosity", "0")
        ports = free_port(), free_port()
        for port in ports:
            deployment.start_gunicorn(port, workers=1)
        yield deployment, ports


def enquiries_with_token(deployment, token):
    output = deployment.run(
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        "from enquiries.models import Enquiry; "
        f"print(list(Enquiry.objects.filter(submission_token='{token}')"
        ".values_list('reference', flat=True)))",
        capture=True,
    )
    return output.strip().splitlines()[-1]


def test_the_same_form_posted_to_both_servers_is_one_enquiry_and_the_limit_is_shared(
    two_servers,
):
    deployment, (first, second) = two_servers
    patient = Browser()

    # A double submission that a load balancer spreads over both servers.
    form = patient.open_form(first)
    assert patient.submit(first, form, 1) == (302, "/en/start/thank-you/")
    assert patient.submit(second, form, 1) == (302, "/en/start/thank-you/")
    # The session written on one server is read on the other.
    reference = patient.reference_on_thank_you_page(second)
    assert patient.reference_on_thank_you_page(first) == reference
    assert enquiries_with_token(deployment, form["submission_token"]) == f"['{reference}']"

    # The hourly limit (3) counts on both: two more anywhere, then the other server refuses.
    assert patient.submit(second, patient.open_form(second), 2)[0] == 302
    assert patient.submit(first, patient.open_form(first), 3)[0] == 302
    status, _location = patient.submit(second, patient.open_form(second), 4)
    assert status == 429, "the fourth submission went through on the other server"

"""Cookies under production settings: the session and CSRF cookies are __Host- prefixed (bound to
this host, HTTPS only, path /), Secure, HttpOnly and SameSite=Lax, on the form and the admin."""

import json
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import reverse

from tests.portal.test_deploy import PRODUCTION, PROJECT_ROOT

pytestmark = pytest.mark.django_db

COOKIE_SETTINGS = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_DOMAIN",
    "LANGUAGE_COOKIE_SECURE",
]
PASSWORD = "a-long-staff-password-42"


@pytest.fixture(scope="module")
def production_cookie_settings():
    """The cookie settings as the settings module computes them in production."""
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {COOKIE_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=PROJECT_ROOT,
        env=PRODUCTION,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production_cookies(production_cookie_settings):
    with override_settings(**production_cookie_settings, SECURE_SSL_REDIRECT=True):
        yield


def https_client():
    return Client(enforce_csrf_checks=True, HTTP_X_FORWARDED_PROTO="https")


def assert_host_only_and_locked_down(cookie):
    assert cookie.key.startswith("__Host-")
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    # __Host- cookies must not name a domain: they belong to this exact host.
    assert cookie["domain"] == ""


def test_production_names_the_cookies_with_the_host_prefix(production_cookie_settings):
    assert production_cookie_settings["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production_cookie_settings["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert production_cookie_settings["LANGUAGE_COOKIE_SECURE"] is True


def test_the_form_pages_csrf_cookie(production_cookies, start_url):
    response = https_client().get(start_url, secure=True)

    assert response.status_code == 200
    assert_host_only_and_locked_down(response.cookies["__Host-csrftoken"])


def test_the_admin_login_pages_csrf_cookie(production_cookies):
    response = https_client().get(reverse("admin:login"), secure=True)

    assert_host_only_and_locked_down(response.cookies["__Host-csrftoken"])


def test_the_staff_session_cookie(production_cookies):
    get_user_model().objects.create_user(username="coordinator", password=PASSWORD, is_staff=True)
    client = https_client()
    client.get(reverse("admin:login"), secure=True)
    token = client.cookies["__Host-csrftoken"].value

    response = client.post(
        reverse("admin:login"),
        {"username": "coordinator", "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=True,
        HTTP_REFERER="https://testserver/",
    )

    assert response.status_code == 302
    assert_host_only_and_locked_down(response.cookies["__Host-sessionid"])

"""Every response carries the security headers, with the exact policy we chose."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_response(client):
    return client.get(reverse("home"))


def test_content_security_policy_allows_only_our_own_origin(home_response):
    policy = home_response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))

    assert directives["default-src"] == "'self'"
    # A nonce is added only to pages that carry a script of their own.
    script_sources = directives["script-src"].split()
    assert script_sources[0] == "'self'"
    assert all(source.startswith("'nonce-") for source in script_sources[1:])
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


def test_browser_hardening_headers_are_present(home_response):
    assert home_response["Referrer-Policy"] == "same-origin"
    assert home_response["X-Content-Type-Options"] == "nosniff"
    assert home_response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert home_response["X-Frame-Options"] == "DENY"
    assert "camera=()" in home_response["Permissions-Policy"]
    assert "geolocation=()" in home_response["Permissions-Policy"]


def test_error_pages_carry_the_same_headers(client):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]

"""The portal's own pages: fixed pages, health check, robots.txt and error pages (the home page is
therapy_info's: tests/therapy_info/test_home_page.py)."""

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_bare_root_redirects_to_the_language_of_the_browser(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 302
    assert response["Location"] == "/en/"


def test_every_page_has_the_medical_disclaimer_and_privacy_link(client):
    for url in (reverse("home"), reverse("contact"), reverse("privacy")):
        content = client.get(url).content.decode()
        assert "not medical advice" in content, url
        assert f'href="{reverse("privacy")}"' in content, url


def test_health_check_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "task_queue": {"waiting": 0, "oldest_age_seconds": None},
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_check_answers_503_when_the_database_is_down(client, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.connection.cursor", database_down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "cache": "ok"}


def test_not_found_page_is_friendly_and_needs_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_server_error_page_renders_without_a_request_or_database(django_assert_num_queries):
    from portal.views import server_error

    with django_assert_num_queries(0):
        response = server_error(None)

    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_missing_csrf_token_gets_a_friendly_explanation(client):
    from django.test import Client

    strict_client = Client(enforce_csrf_checks=True)
    response = strict_client.post(reverse("enquiries:start"), {})

    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_robots_txt_points_to_the_sitemap_and_hides_the_admin(client, settings):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert settings.ADMIN_URL not in body


def test_sitemap_lists_the_fixed_pages(client):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver/en/</loc>" in body
    assert "<loc>http://testserver/en/start/</loc>" in body


def test_security_txt_says_where_to_report_a_problem(client, settings):
    response = client.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert f"Contact: {settings.SECURITY_CONTACT}" in body
    assert "Expires: " in body
    assert "Canonical: http://testserver/.well-known/security.txt" in body

"""Anonymous readers get whole public pages from the cache; nobody gets someone else's page."""

import re
import uuid

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponse
from django.template import engines
from django.test import Client
from django.urls import path, reverse

from portal import urls as portal_urls
from therapy_info.models import Page

pytestmark = pytest.mark.django_db

CONTENT_PAGE = "/en/car-t/car-t-cell-therapy/"
PUBLIC_PAGES = [
    "/en/",
    CONTENT_PAGE,
    "/en/car-t/",
    "/en/car-t/questions/",
    "/en/privacy/",
    "/en/contact/",
    "/robots.txt",
    "/sitemap.xml",
]

# A page whose template uses the CSP nonce (none of ours does yet): mounted by the nonce tests.
nonce_page_renders = []


def nonce_page(request):
    nonce_page_renders.append(1)
    template = engines["django"].from_string(
        '<script nonce="{{ csp_nonce }}" src="/static/x.js"></script>'
    )
    return HttpResponse(template.render({}, request))


def cookie_page(request):
    """A page that sets a cookie for its reader and names the same value in its text."""
    marker = uuid.uuid4().hex
    response = HttpResponse(f"<p>Your visit {marker}</p>")
    response.set_cookie("visit", marker)
    return response


urlpatterns = [
    path("nonce-page/", nonce_page, name="nonce_page"),
    path("cookie-page/", cookie_page, name="cookie_page"),
    *portal_urls.urlpatterns,
]


def script_nonce(response):
    return re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)


def header_nonce(response):
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_second_anonymous_reader_gets_the_page_without_a_database_query(
    client, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200

    with django_assert_num_queries(0):
        second = client.get(url)

    assert second.status_code == 200
    assert second.content == first.content


def test_a_cached_page_tells_browsers_how_long_to_keep_it_and_that_cookies_matter(client):
    client.get(CONTENT_PAGE)
    response = client.get(CONTENT_PAGE)

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=300"}
    vary = {part.strip() for part in response["Vary"].split(",")}
    assert "Cookie" in vary
    # The language is in the URL, so the page does not vary with the browser's language.
    assert "Accept-Language" not in vary
    assert response["Content-Language"] == "en"


def test_a_cached_page_still_carries_every_security_header(client):
    client.get("/en/")
    response = client.get("/en/")

    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
    assert int(response["Content-Length"]) == len(response.content)


def test_campaign_tags_get_the_cached_page(client, django_assert_num_queries):
    client.get(CONTENT_PAGE)

    with django_assert_num_queries(0):
        response = client.get(CONTENT_PAGE, {"utm_source": "newsletter", "gclid": "x"})

    assert response.status_code == 200


def test_a_page_is_never_stored_from_a_url_with_campaign_tags(
    client, django_assert_max_num_queries
):
    client.get("/en/", {"utm_source": "newsletter"})

    with django_assert_max_num_queries(20) as queries:
        client.get("/en/")

    assert len(queries) > 0


def test_other_query_strings_go_to_the_view(client, django_assert_max_num_queries):
    client.get("/en/")
    client.get("/en/", {"page": "2"})

    with django_assert_max_num_queries(10) as queries:
        client.get("/en/", {"page": "2"})

    assert len(queries) > 0


def test_publishing_an_edit_shows_the_new_text_to_the_next_reader(client):
    client.get(CONTENT_PAGE)
    page = Page.objects.get(slug="car-t-cell-therapy")
    page.title = "CAR-T cell therapy, revised"
    page.save()

    response = client.get(CONTENT_PAGE)

    assert "CAR-T cell therapy, revised" in response.content.decode()


def test_unpublishing_takes_a_page_off_the_cache_at_once(client):
    client.get(CONTENT_PAGE)
    Page.objects.get(slug="car-t-cell-therapy").unpublish()

    assert client.get(CONTENT_PAGE).status_code == 404


def test_the_home_page_shows_a_new_page_title_at_once(client):
    client.get("/en/")
    page = Page.objects.get(slug="car-t-cell-therapy")
    page.title = "A title readers have not seen"
    page.save()

    assert "A title readers have not seen" in client.get("/en/").content.decode()


@pytest.fixture
def staff_client(django_user_model):
    client = Client()
    staff = django_user_model.objects.create_superuser(username="editor", password="x" * 20)
    client.force_login(staff)
    return client


def test_a_logged_in_editor_never_gets_the_cached_page(
    client, staff_client, django_assert_max_num_queries
):
    # The home page: its view always reads the database, so a query means it was not cached.
    client.get("/en/")

    with django_assert_max_num_queries(20) as queries:
        response = staff_client.get("/en/")

    assert len(queries) > 0
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_page_seen_by_an_editor_is_not_stored_for_readers(
    client, staff_client, django_assert_max_num_queries
):
    staff_client.get("/en/")

    with django_assert_max_num_queries(20) as queries:
        client.get("/en/")

    assert len(queries) > 0


def test_a_draft_preview_is_never_stored(staff_client, client):
    Page.objects.filter(slug="car-t-cell-therapy").update(status=Page.Status.DRAFT)

    preview = staff_client.get(CONTENT_PAGE)
    assert preview.status_code == 200
    assert "Draft preview" in preview.content.decode()

    assert client.get(CONTENT_PAGE).status_code == 404


def test_a_reader_with_messages_waiting_gets_a_fresh_page(client, django_assert_max_num_queries):
    client.get("/en/")
    client.cookies[CookieStorage.cookie_name] = "anything"

    with django_assert_max_num_queries(20) as queries:
        client.get("/en/")

    assert len(queries) > 0


def test_the_form_with_its_csrf_token_is_never_stored(client):
    first = client.get(reverse("enquiries:start"))
    second = Client().get(reverse("enquiries:start"))

    token = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first.content).group(1) != token.search(second.content).group(1)
    assert "no-store" in second["Cache-Control"]


def test_a_page_that_sets_a_cookie_is_never_stored(settings):
    settings.ROOT_URLCONF = __name__
    settings.PAGE_CACHE_VIEWS = [*settings.PAGE_CACHE_VIEWS, "cookie_page"]

    first = Client().get("/cookie-page/")
    second = Client().get("/cookie-page/")

    first_marker = first.cookies["visit"].value
    assert first_marker.encode() in first.content
    assert first_marker.encode() not in second.content
    assert second.cookies["visit"].value != first_marker
    assert second.cookies["visit"].value.encode() in second.content


def test_a_cached_page_gets_a_fresh_nonce_matching_its_header(client, settings):
    settings.ROOT_URLCONF = __name__
    settings.PAGE_CACHE_VIEWS = [*settings.PAGE_CACHE_VIEWS, "nonce_page"]
    nonce_page_renders.clear()

    first = client.get("/nonce-page/")
    second = client.get("/nonce-page/")

    assert len(nonce_page_renders) == 1, "the second reader should get the stored page"
    assert script_nonce(first) == header_nonce(first)
    assert script_nonce(second) == header_nonce(second)
    assert script_nonce(second) != script_nonce(first)


def test_static_files_are_compressed_and_cached_for_a_year(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.WHITENOISE_USE_FINDERS = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", verbosity=0)
    hashed_url = staticfiles_storage.url("css/portal.css")
    assert hashed_url != "/static/css/portal.css"

    response = Client().get(hashed_url, HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]

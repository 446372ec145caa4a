"""Public pages: who sees what, citations, call to action, redirects, SEO, cache, queries."""

import json
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils.csp import LazyNonce

from portal import page_cache
from therapy_info.editorial import PageReview
from therapy_info.models import Page, PageSlugRedirect

pytestmark = pytest.mark.django_db


def url_of(page):
    return reverse("therapy_info:page", kwargs={"slug": page.slug})


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json"[^>]*>(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def test_a_published_page_is_shown_to_everyone(client, page):
    response = client.get(url_of(page))

    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_a_draft_is_not_found_for_the_public(client, draft):
    assert client.get(url_of(draft)).status_code == 404


def test_a_draft_is_not_found_for_staff_without_permission_to_view_pages(
    client, draft, staff_without_permission
):
    client.force_login(staff_without_permission)

    assert client.get(url_of(draft)).status_code == 404


def test_a_draft_is_shown_to_an_editor_with_a_draft_preview_banner(editor_client, draft):
    response = editor_client.get(url_of(draft))

    assert response.status_code == 200
    assert "Draft preview" in response.content.decode()


def test_a_draft_preview_is_never_cached(editor_client, draft):
    response = editor_client.get(url_of(draft))

    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_an_unknown_page_is_not_found(client):
    assert client.get("/en/car-t/no-such-page/").status_code == 404


def test_a_citation_links_to_the_reference_list(client, page):
    content = client.get(url_of(page)).content.decode()

    assert 'href="#ref-1"' in content
    assert '<li id="ref-1" class="reference mb-2">' in content
    assert "Citation number 1" in content


def test_the_calls_to_action_carry_the_page_the_reader_came_from(client, page):
    content = client.get(url_of(page)).content.decode()

    start = reverse("enquiries:start")
    # One in the header, one at the end of the page.
    assert content.count(f'href="{start}?from={page.slug}"') == 2


def test_an_old_address_redirects_permanently_after_a_slug_change(client, page):
    old_url = url_of(page)
    page.slug = "new-address"
    page.save()

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == "/en/car-t/new-address/"


def test_an_old_address_follows_a_page_through_two_renames(client, page):
    first_url = url_of(page)
    for slug in ["second-address", "third-address"]:
        page.slug = slug
        page.save()

    assert client.get(first_url)["Location"] == "/en/car-t/third-address/"


def test_a_new_page_may_take_an_address_another_page_gave_up(client, make_page, page):
    old_slug = page.slug
    page.slug = "renamed"
    page.save()
    newcomer = make_page(title="Newcomer", slug=old_slug)

    response = client.get(url_of(newcomer))

    assert response.status_code == 200
    assert "Newcomer" in response.content.decode()
    assert not PageSlugRedirect.objects.filter(old_slug=old_slug).exists()


def test_an_old_address_of_a_draft_is_not_found_for_the_public(client, draft):
    old_url = url_of(draft)
    draft.slug = "renamed-draft"
    draft.save()

    assert client.get(old_url).status_code == 404


def test_a_page_has_its_title_description_and_canonical_url(client, page):
    content = client.get(url_of(page)).content.decode()

    assert f"<title>{page.title} · " in content
    assert f'<meta name="description" content="{page.summary}">' in content
    assert f'<link rel="canonical" href="http://testserver{url_of(page)}">' in content
    assert f'<meta property="og:title" content="{page.title}">' in content
    assert f'<meta property="og:url" content="http://testserver{url_of(page)}">' in content


def test_a_reviewed_page_tells_search_engines_when_it_was_reviewed(client, make_page):
    page = make_page()
    PageReview.objects.create(
        page=page, language="en", reviewed_on="2026-03-01", reviewer_name="Dr. A. Example"
    )

    response = client.get(url_of(page))
    data = json_ld(response)

    assert data["@type"] == "MedicalWebPage"
    assert data["lastReviewed"] == "2026-03-01"
    assert data["reviewedBy"] == {"@type": "Person", "name": "Dr. A. Example"}
    assert "Medically reviewed on" in response.content.decode()


def test_an_unreviewed_page_says_so_and_claims_no_review(client, page):
    response = client.get(url_of(page))

    assert "lastReviewed" not in json_ld(response)
    assert "dateModified" in json_ld(response)
    assert "Not yet medically reviewed." in response.content.decode()


def test_json_ld_cannot_close_its_script_element(client, make_page):
    page = make_page(title="</script><script>alert(1)</script>", slug="sneaky")

    content = client.get(url_of(page)).content.decode()

    assert "<script>alert(1)" not in content
    assert json_ld(client.get(url_of(page)))["name"] == page.title


def test_a_long_page_shows_its_table_of_contents(client, make_page):
    page = make_page(body="## One\n\ntext [1]\n\n## Two\n\n## Three\n", slug="long")

    content = client.get(url_of(page)).content.decode()

    assert "On this page" in content
    assert '<a href="#two">Two</a>' in content


def test_the_page_view_runs_a_fixed_number_of_queries_whatever_the_references(
    client, make_page, make_key_figure, django_assert_max_num_queries
):
    markers = " ".join(f"[{number}]" for number in range(1, 31))
    page = make_page(body=f"Many sources {markers}.", references=range(1, 31), slug="many")
    for number in range(1, 6):
        make_key_figure(page, number=number)

    with django_assert_max_num_queries(4):
        response = client.get(url_of(page))

    assert response.content.decode().count('class="citation"') == 30 + 5


def test_a_published_page_is_served_from_the_cache(client, page, django_assert_num_queries):
    client.get(url_of(page))

    with django_assert_num_queries(0):
        response = client.get(url_of(page))

    assert page.title in response.content.decode()


def test_saving_a_page_shows_the_new_text_at_once(client, page):
    client.get(url_of(page))

    page.body = "Completely new text [1]."
    page.save()

    assert "Completely new text" in client.get(url_of(page)).content.decode()


def test_editing_a_reference_shows_the_new_citation_at_once(client, page):
    client.get(url_of(page))

    reference = page.references.get()
    reference.citation = "A corrected citation"
    reference.save()

    assert "A corrected citation" in client.get(url_of(page)).content.decode()


def test_unpublishing_a_page_hides_it_at_once(client, page):
    client.get(url_of(page))

    page.unpublish()

    assert client.get(url_of(page)).status_code == 404


def test_the_index_lists_published_pages_only(client, page, draft):
    content = client.get(reverse("therapy_info:index")).content.decode()

    assert page.title in content
    assert draft.title not in content


def test_the_questions_page_shows_published_answers_only(client, make_faq_entry):
    make_faq_entry(question="Is it shown?", answer="Yes, **it is**.")
    make_faq_entry(question="Is the hidden one shown?", is_published=False)

    response = client.get(reverse("therapy_info:faq"))
    content = response.content.decode()

    assert "Is it shown?" in content
    assert "<strong>it is</strong>" in content
    assert "Is the hidden one shown?" not in content
    assert json_ld(response)["@type"] == "FAQPage"


def test_the_home_page_shows_the_key_figures_with_their_sources(
    client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        content = client.get(reverse("home")).content.decode()

    for figure in ["83%", "58%", "73\u201398%"]:
        assert figure in content
    assert 'href="/en/car-t/car-t-cell-therapy/#ref-2"' in content
    assert 'href="/en/car-t/car-t-cell-therapy/#ref-3"' in content


def test_every_shipped_page_renders(client):
    for page in Page.objects.published():
        assert client.get(url_of(page)).status_code == 200


def test_a_save_makes_cached_copies_stale_again_when_its_transaction_commits(
    page, django_capture_on_commit_callbacks
):
    # A reader between the save and the commit may cache the old text under the new version.
    with django_capture_on_commit_callbacks(execute=True):
        page.save()
        version_before_commit = page_cache.content_version()

    assert page_cache.content_version() != version_before_commit


def render_json_ld(context):
    return Template("{% load therapy_info %}{% json_ld data %}").render(
        Context({"data": {"name": "x"}, **context})
    )


def test_json_ld_carries_the_csp_nonce_once_the_page_uses_one():
    nonce = LazyNonce()
    str(nonce)  # Something earlier on the page used it, so the header will carry it.

    html = render_json_ld({"csp_nonce": nonce})

    assert html.startswith(f'<script type="application/ld+json" nonce="{nonce}">')


def test_json_ld_adds_no_nonce_the_page_never_used():
    html = render_json_ld({"csp_nonce": LazyNonce()})

    assert html.startswith('<script type="application/ld+json">')

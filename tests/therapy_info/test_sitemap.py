"""sitemap.xml lists the published pages and never a draft."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_sitemap_lists_published_pages(client, page):
    content = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://testserver/en/car-t/{page.slug}/</loc>" in content
    assert "<loc>http://testserver/en/car-t/car-t-cell-therapy/</loc>" in content


def test_the_sitemap_leaves_drafts_out(client, draft):
    content = client.get("/sitemap.xml").content.decode()

    assert draft.slug not in content


@pytest.mark.parametrize(
    "slug", ["treatment-journey", "who-may-be-eligible", "preparing-medical-records"]
)
def test_the_sitemap_lists_the_pages_on_the_journey_eligibility_and_records(client, slug):
    content = client.get("/sitemap.xml").content.decode()

    for language in ("en", "zh-hans", "ru", "ar"):
        assert f"<loc>http://testserver/{language}/car-t/{slug}/</loc>" in content

"""A CAR-T information page in a real browser on a phone: citations and the call to action."""

import pytest

from therapy_info.models import Page, Reference

pytestmark = pytest.mark.browser


@pytest.fixture
def published_page(transactional_db):
    page = Page.objects.create(
        title="How CAR-T works",
        slug="how-car-t-works",
        summary="T cells are changed to fight cancer.",
        body="\n\n".join(
            ["CAR-T uses the patient's own T cells [1]."]
            + [f"A long paragraph number {n} about the treatment." * 8 for n in range(12)]
        ),
        status=Page.Status.PUBLISHED,
    )
    Reference.objects.create(page=page, number=1, citation="A study of CAR-T outcomes.")
    return page


def test_a_reader_follows_a_citation_and_then_the_call_to_action_on_a_phone(
    phone_page, live_server, published_page, screenshot
):
    phone_page.goto(f"{live_server.url}/en/car-t/{published_page.slug}/")

    phone_page.locator(".page-body a.citation", has_text="[1]").click()
    phone_page.wait_for_url("**#ref-1")
    reference = phone_page.locator("#ref-1")
    assert reference.is_visible()
    assert "A study of CAR-T outcomes." in reference.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "therapy-page-reference-phone")

    phone_page.locator(".page-cta").get_by_role("link", name="Start My Medical Treatment").click()
    phone_page.wait_for_url(f"**/start/?from={published_page.slug}")
    assert phone_page.get_by_role("heading", level=1).is_visible()

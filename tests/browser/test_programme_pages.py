"""The hospitals' programme pages in a real browser, in every language (Arabic right to left):
axe-core's WCAG A and AA rules find nothing on the list (plain and filtered) and on a programme's
page, and a phone never scrolls sideways, however long a citation's link or a product's name."""

import datetime
from decimal import Decimal

import pytest

from tests.browser import helpers
from tests.factories import make_published_programme
from therapy_info.programmes import ProgrammeOutcome

pytestmark = pytest.mark.browser

# A link with nowhere to break, as registries and publishers write them.
LONG_LINK = "https://example.org/" + "averylongpathsegmentwithoutanyhyphen" * 4


def a_documented_programme():
    """A programme with every kind of fact: some stated with their sources, some not known, a
    price, an outcome, translations of some texts only."""
    programme = make_published_programme(
        name="Example University Hospital of Haematology and Cellular Therapy",
        city="Beijing",
        offers=[
            {
                "kind": "approved_product",
                "name": "axicabtagene-example-autoleucel",
                "target": "CD19",
            },
            {
                "name": "A phase 1/2 trial of an example BCMA CAR-T in relapsed myeloma",
                "target": "BCMA",
                "diseases": ["multiple_myeloma"],
                "registry_id": "NCT03975907",
                "phase": "Phase 1/2",
            },
        ],
        name_ru="Пример университетской больницы гематологии",
        name_ar="مستشفى جامعي نموذجي لأمراض الدم",
        name_zh_hans="示例血液病与细胞治疗大学医院",
        summary="A fictional hospital that shows every kind of fact a programme page can state.",
    )
    source = programme.sources.create(
        number=2,
        citation="International patient services. Example University Hospital. 2026.",
        url=LONG_LINK,
        last_verified_on=datetime.date(2026, 11, 1),
    )
    programme.languages = "English, Russian, Arabic"
    programme.languages_source = source
    programme.website = LONG_LINK
    programme.website_source = source
    programme.price_from = Decimal("150000.00")
    programme.price_to = Decimal("1250000.00")
    programme.price_currency = "CNY"
    programme.price_includes = "the cell product, the hospital stay and the follow-up visits"
    programme.price_quoted_on = datetime.date(2026, 1, 15)
    programme.price_source = source
    programme.save()
    ProgrammeOutcome.objects.create(
        programme=programme, text="120 patients treated with CAR-T in 2025.", source=source
    )
    return programme


@pytest.mark.parametrize("language", helpers.LANGUAGES)
def test_the_programme_pages_have_no_wcag_violations_and_fit_a_phone(
    phone_page, live_server, language, screenshot
):
    helpers.load_cities()
    programme = a_documented_programme()
    make_published_programme(city="Shanghai", verified_by_team=True)
    page = phone_page
    found, too_wide = {}, {}
    pages = {
        "list": f"{live_server.url}/{language}/hospitals/",
        "filtered list": f"{live_server.url}/{language}/hospitals/?disease=multiple_myeloma",
        "empty filtered list": f"{live_server.url}/{language}/hospitals/?disease=solid_tumour",
        "programme": f"{live_server.url}/{language}/hospitals/{programme.slug}/",
    }

    for name, url in pages.items():
        page.goto(url)
        found[name] = helpers.axe_violations(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > page.viewport_size["width"]:
            too_wide[name] = width
    screenshot(page, f"programme-{language}")

    failing = {name: rules for name, rules in found.items() if rules}
    assert not failing, "\n".join(f"{name}:\n{helpers.describe(r)}" for name, r in failing.items())
    assert not too_wide, f"wider than the phone: {too_wide}"


def test_the_list_is_filtered_with_the_keyboard_alone(phone_page, live_server):
    helpers.load_cities()
    myeloma = a_documented_programme()
    other = make_published_programme(city="Shanghai")
    page = phone_page
    page.goto(f"{live_server.url}/en/hospitals/")

    page.get_by_label("Target").focus()
    page.get_by_label("Target").select_option("BCMA")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "target=BCMA" in url)

    assert page.get_by_role("link", name=myeloma.name).is_visible()
    assert page.get_by_role("link", name=other.name).count() == 0

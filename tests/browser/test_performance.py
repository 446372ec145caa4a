"""Performance as a patient on a phone feels it: the home page and a CAR-T page load only from our
own origin (nothing third-party can block rendering), weigh under 150 KB compressed, size their
images and load the ones below the fold lazily, and use no web fonts from elsewhere.

How the bytes are counted: pytest-django's live server sends bodies uncompressed, while production
compresses them (whitenoise serves pre-compressed static files, nginx gzips the HTML). So each
response counts as its headers plus its body gzipped at level 6 (nginx's usual setting; whitenoise's
brotli files are smaller still): what a phone would download on a first, uncached visit."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import helpers

pytestmark = pytest.mark.browser

BUDGET = 150 * 1024
REPORT = Path(helpers.SCREENSHOTS).parent / "transferred-bytes.md"


def load_and_measure(page, url):
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="load")
    # Lazy images and anything else the page fetches once it is scrolled through.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    rows = []
    for response in responses:
        body = response.body()
        headers = response.request.sizes()["responseHeadersSize"]
        rows.append(
            (
                response.url,
                response.request.resource_type,
                len(body),
                headers + helpers.gzip_size(body),
            )
        )
    return rows


@pytest.mark.parametrize(
    "name, path", [("home", "/en/"), ("CAR-T page", "/en/car-t/car-t-cell-therapy/")]
)
def test_a_page_on_a_phone_is_light_same_origin_and_lazy(phone_page, live_server, name, path):
    helpers.load_shipped_content()
    page = phone_page

    rows = load_and_measure(page, f"{live_server.url}{path}")

    origin = urlsplit(live_server.url).netloc
    assert [url for url, *_ in rows if urlsplit(url).netloc != origin] == []
    assert [url for url, kind, *_ in rows if kind == "font"] == []
    images = page.locator("img").evaluate_all(
        """images => images.map(i => ({src: i.getAttribute("src"), sized: i.hasAttribute("width")
            && i.hasAttribute("height"), lazy: i.loading === "lazy",
            aboveTheFold: i.getBoundingClientRect().top + window.scrollY < window.innerHeight}))"""
    )
    assert [i["src"] for i in images if not i["sized"]] == []
    assert [i["src"] for i in images if not (i["lazy"] or i["aboveTheFold"])] == []

    compressed = sum(row[3] for row in rows)
    raw = sum(row[2] for row in rows)
    line = (
        f"{name} ({path}): {len(rows)} requests, {compressed / 1024:.1f} KB compressed "
        f"({raw / 1024:.1f} KB uncompressed)"
    )
    details = "\n".join(f"  {kind:10} {gz / 1024:6.1f} KB  {url}" for url, kind, _raw, gz in rows)
    print(f"\n{line}\n{details}")
    helpers.TRANSFERRED.append(line)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a") as report:
        report.write(f"- {line}\n")
    assert compressed < BUDGET, f"{line}\n{details}"

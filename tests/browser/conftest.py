"""Real-browser fixtures: Playwright for Python driving Debian's Chromium against pytest-django's
live server. Every page fixture fails its test on a console error, a failed request, an HTTP error
response or a Content Security Policy violation."""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.helpers import SCREENSHOTS, TRANSFERRED

# Playwright's sync API runs an event loop in the test thread; the ORM calls our tests make to
# arrange and check data are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
# Playwright cannot download its own browser here; Debian's Chromium needs these flags as root
# on a machine with no network beyond the package registries.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def find_chromium():
    explicit = os.environ.get("CHROMIUM_PATH")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    chromium = find_chromium()
    if chromium is None:
        reason = "Debian's Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Browser tests must run in CI: {reason}")
        pytest.skip(reason)
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageProblems:
    """What went wrong while a page was open: collected, then asserted empty at the end."""

    def __init__(self):
        self.items = []

    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.items.append(f"page error: {error}"))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message):
        # CSP violations are reported as console errors, so they land here too. Chromium also
        # reports every error status as one, including those the test expects.
        if message.type == "error" and not self._expected_status_report(message.text):
            self.items.append(f"console error: {message.text}")

    def _expected_status_report(self, text):
        return any(
            text.startswith(f"Failed to load resource: the server responded with a status of {s} ")
            for s in self.expected_statuses
        )

    def _on_request_failed(self, request):
        failure = request.failure or ""
        # A navigation that replaces a page aborts the old page's pending requests; not a fault.
        # Nor is the icon: Chromium fetches it on its own after the load and cancels it when the
        # test moves on or closes the page first.
        browsers_own = request.url.endswith("/static/img/favicon.svg")
        if "ERR_ABORTED" in failure and (request.is_navigation_request() or browsers_own):
            return
        self.items.append(f"request failed: {request.method} {request.url} {failure}")

    def _on_response(self, response):
        if response.status >= 400 and not self.expected(response):
            self.items.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    # Error statuses a test expects (a form with errors answers 400, an expired link 410).
    expected_statuses = ()

    def expected(self, response):
        return response.status in self.expected_statuses


def _open_page(browser, viewport, request):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    page.problems = problems
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"FAILED-{request.node.name}.png", full_page=True)
    context.close()
    assert not problems.items, "The browser reported problems:\n" + "\n".join(problems.items)


@pytest.fixture
def phone_page(browser, live_server, request):
    """A phone-sized page (390 x 844) that fails the test on any console error or failed request."""
    yield from _open_page(browser, PHONE, request)


@pytest.fixture
def desktop_page(browser, live_server, request):
    """A desktop-sized page (1366 x 900) with the same strictness as phone_page."""
    yield from _open_page(browser, DESKTOP, request)


@pytest.fixture
def screenshot():
    """Saves a full-page screenshot under test-artifacts/screenshots/ for reviewers."""

    def take(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Lets fixtures know whether the test body failed (for failure screenshots).
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report


def pytest_terminal_summary(terminalreporter):
    if TRANSFERRED:
        terminalreporter.section("transferred bytes (phone, first visit, gzip)")
        for line in TRANSFERRED:
            terminalreporter.write_line(line)

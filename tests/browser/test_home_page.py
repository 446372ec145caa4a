"""The home page in a real browser, as a patient on a phone first sees it."""

import pytest

pytestmark = pytest.mark.browser


def test_home_page_loads_on_a_phone_without_errors(phone_page, live_server, screenshot):
    phone_page.goto(f"{live_server.url}/en/")

    assert phone_page.get_by_role("heading", level=1).is_visible()
    call_to_action = phone_page.get_by_role("link", name="Start My Medical Treatment").first
    assert call_to_action.is_visible()
    # Nothing is wider than the phone: no sideways scrolling.
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    screenshot(phone_page, "home-phone")


def test_home_page_loads_on_a_desktop_without_errors(desktop_page, live_server, screenshot):
    desktop_page.goto(f"{live_server.url}/en/")

    assert desktop_page.get_by_role("navigation", name="Main").is_visible()
    screenshot(desktop_page, "home-desktop")

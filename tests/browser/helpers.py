"""Small helpers the browser journeys share: the shipped content and staff accounts on an emptied
database, logging in (with the second factor too), axe-core scans, focus-indicator checks and
transferred-bytes measurement."""

import gzip
import importlib
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from enquiries import roles
from therapy_info.content_loader import load_content
from therapy_info.programmes import City

PASSWORD = "a long browser test password 42"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LANGUAGES = ["en", "zh-hans", "ru", "ar"]
# The WCAG 2.0, 2.1 and 2.2 level A and AA rules of axe-core; best practices are not asserted.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# What the performance tests measured, one line per page, repeated at the end of the run.
TRANSFERRED = []

_cities = importlib.import_module("enquiries.migrations.0002_seed_cities")
_city_names = importlib.import_module("enquiries.migrations.0023_city_names_in_four_languages")
_roles = importlib.import_module("enquiries.migrations.0004_roles_and_duplicate_keys")
_referral_roles = importlib.import_module(
    "enquiries.migrations.0028_referral_emails_audit_and_permissions"
)


def load_shipped_content():
    """The CAR-T pages, references, key figures and FAQ in four languages, the hospitals'
    programmes and the versioned privacy notice (the privacy page answers 404 without one), as
    `make run` loads them. A live-server test's database is emptied after each test, so only the
    first browser test of a run still has the rows the session loaded; the programmes need their
    cities back first."""
    load_cities()
    load_content()


def load_cities():
    """The cities migrations 0002 and 0023 seed (in four languages), which the test database's
    flush removed."""
    for order, name in enumerate(_cities.CITIES, start=1):
        chinese, russian, arabic = _city_names.NAMES[name]
        City.objects.get_or_create(
            name=name,
            defaults={
                "order": order * 10,
                "name_en": name,
                "name_zh_hans": chinese,
                "name_ru": russian,
                "name_ar": arabic,
            },
        )


def staff_user(django_user_model, username, role, **fields):
    """A staff account in one of the back office's roles (the groups the migration creates)."""
    group, _created = Group.objects.get_or_create(name=roles.ROLES[role])
    if role == "content_editor":
        permissions = Permission.objects.filter(content_type__app_label="therapy_info").exclude(
            codename="change_programme_contact"  # the lead coordinators' (therapy_info 0019)
        )
    else:
        wanted = [code for _app, code in _roles.ROLE_PERMISSIONS[roles.ROLES[role]]]
        # Referring (migration 0028).
        wanted += _referral_roles.ROLE_PERMISSIONS.get(roles.ROLES[role], [])
        permissions = Permission.objects.filter(codename__in=wanted)
    group.permissions.set(permissions)
    user = django_user_model.objects.create_user(
        username, password=PASSWORD, is_staff=True, **fields
    )
    user.groups.add(group)
    return user


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


def log_in_with_the_second_factor(page, live_server, user):
    """The admin login as in production (settings.STAFF_REQUIRE_2FA on): password, then the code
    of the authenticator app."""
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/two-factor/**")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Six-digit code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/admin/")


# ---- axe-core ------------------------------------------------------------------------------


def axe_violations(page, *, exclude=None):
    """axe-core's WCAG 2.x A/AA violations on the page as it is now, as {rule id: [targets]}.

    axe's source is run with page.evaluate (DevTools' Runtime.evaluate), which the page's
    Content-Security-Policy does not apply to; a <script> tag would be blocked by it."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    context = {"exclude": exclude} if exclude else None
    results = page.evaluate(
        "([context, options]) => axe.run(context || document, options)",
        [
            context,
            {"runOnly": {"type": "tag", "values": WCAG_AA_TAGS}, "resultTypes": ["violations"]},
        ],
    )
    return {
        violation["id"]: [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        for violation in results["violations"]
    }


def describe(violations):
    return "\n".join(f"  {rule}: {', '.join(targets[:5])}" for rule, targets in violations.items())


# ---- focus ---------------------------------------------------------------------------------

FOCUS_STYLE = """element => {
  const style = getComputedStyle(element);
  return [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow].join(" | ");
}"""


def focus_style(locator):
    return locator.evaluate(FOCUS_STYLE)


def focused_element(page):
    """A short description of what has the keyboard focus: tag, id or name, and type."""
    return page.evaluate(
        """() => {
          const e = document.activeElement;
          return [e.tagName.toLowerCase(), e.id || e.name || "", e.type || ""].join("#");
        }"""
    )


# ---- transferred bytes ---------------------------------------------------------------------


def gzip_size(body):
    return len(gzip.compress(body, compresslevel=6))


class KeyboardUser:
    """Moves through a page with Tab and Shift+Tab only, and notes every control it lands on, so
    the test can check each one showed a focus indicator."""

    def __init__(self, page):
        self.page = page
        self.visited = 0
        # Bootstrap animates focus shadows; without motion each look is read in its final state.
        page.emulate_media(reduced_motion="reduce")

    def tab_to(self, selector, *, backwards=False, limit=120):
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.visited += 1
            # Marks the control with its focused look, compared with its resting look at the end.
            matches = self.page.evaluate(
                """([selector, n]) => {
                  const e = document.activeElement, s = getComputedStyle(e);
                  e.dataset.focusedLook = [s.outlineStyle, s.outlineWidth, s.boxShadow].join("|");
                  e.dataset.tabStop = n;
                  return e.matches(selector);
                }""",
                [selector, self.visited],
            )
            if matches:
                return
        raise AssertionError(f"{selector} not reached with the keyboard")

    def type(self, text):
        self.page.keyboard.type(text)

    def controls_without_a_visible_focus(self):
        """Every control Tab landed on whose focused look is missing or the same as at rest."""
        return self.page.evaluate(
            """() => {
              document.activeElement.blur();
              return [...document.querySelectorAll("[data-focused-look]")].flatMap(e => {
                const s = getComputedStyle(e);
                const resting = [s.outlineStyle, s.outlineWidth, s.boxShadow].join("|");
                const [style, width] = e.dataset.focusedLook.split("|");
                const visible = style !== "none" && parseFloat(width) >= 2;
                return visible && e.dataset.focusedLook !== resting
                  ? [] : [`${e.tagName} ${e.id || e.name || e.textContent.trim()}: ` +
                          `focused ${e.dataset.focusedLook}, resting ${resting}`];
              });
            }"""
        )

"""Every public page in every language: the reader's language in the markup and the text, right to
left for Arabic, a switcher that keeps the reader on the same page, alternates for search engines,
dates and figures written the reader's way, and an admin that stays in English."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.i18n.catalogs import (
    PUBLIC_PATHS,
    TRANSLATED_LANGUAGES,
    catalog,
    contains_phrase,
    interface_text,
)

pytestmark = pytest.mark.django_db

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.parametrize("language", LANGUAGE_CODES)
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_public_page_renders_in_every_language(client, language, path):
    response = client.get(f"/{language}{path}")

    assert response.status_code == 200
    direction = "rtl" if language == "ar" else "ltr"
    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


def test_arabic_pages_load_bootstraps_right_to_left_stylesheet(client):
    arabic = client.get("/ar/").content.decode()
    english = client.get("/en/").content.decode()

    assert "bootstrap/css/bootstrap.rtl.min.css" in arabic
    assert "bootstrap/css/bootstrap.rtl.min.css" not in english


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_no_english_interface_text_is_left_on_a_translated_page(client, language, path):
    """Whatever message of the catalog the English page shows must be gone from the translated
    page (unless it reads the same in both, like "CD19"). The editor's text is left out: it is not
    the catalog's, and a word of it may equal a message ("on-target" and the field "target")."""
    english = interface_text(client.get(f"/en{path}").content.decode())
    translated = interface_text(client.get(f"/{language}{path}").content.decode())

    left_in_english = [
        entry.msgid
        for entry in catalog(language)
        if not entry.msgid_plural
        # A translation may keep a name, e.g. "وي تشات (WeChat)".
        and entry.msgid not in entry.msgstr
        and len(entry.msgid) > 3
        and contains_phrase(english, entry.msgid)
        and contains_phrase(translated, entry.msgid)
    ]
    assert left_in_english == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh-hans", "开始我的治疗"),
        ("ru", "Начать лечение"),
        ("ar", "بدء علاجي الطبي"),
    ],
)
def test_the_call_to_action_speaks_the_readers_language(client, language, text):
    assert text in client.get(f"/{language}/").content.decode()


def test_the_bare_address_picks_the_browsers_language(client):
    response = client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})

    assert response.status_code == 302
    assert response["Location"] == "/ru/"


def test_the_bare_address_understands_a_chinese_browser(client):
    response = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"})

    assert response["Location"] == "/zh-hans/"


def test_the_switcher_keeps_the_reader_on_the_same_page(client):
    page = client.get("/en/car-t/questions/").content.decode()
    switch_to_arabic = re.search(r'<a href="([^"]+)" hreflang="ar"', page).group(1)

    response = client.get(switch_to_arabic.replace("&amp;", "&"))

    assert response.status_code == 302
    assert response["Location"] == "/ar/car-t/questions/"


def test_the_switcher_keeps_the_page_the_reader_came_from(client):
    page = client.get("/ru/start/?from=car-t-cell-therapy").content.decode()
    switch_to_english = re.search(r'<a href="([^"]+)" hreflang="en"', page).group(1)

    response = client.get(switch_to_english.replace("&amp;", "&"))

    assert response["Location"] == "/en/start/?from=car-t-cell-therapy"


def test_the_bare_address_remembers_the_chosen_language(client):
    client.get(reverse("switch_language", args=["ar"]), {"next": "/ar/"})

    response = client.get("/", headers={"accept-language": "en"})

    assert response["Location"] == "/ar/"


def test_the_switcher_never_sends_a_reader_to_another_site(client):
    response = client.get(
        reverse("switch_language", args=["ru"]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == "/ru/"


def test_the_switcher_knows_only_the_portals_languages(client):
    response = client.get(reverse("switch_language", args=["de"]), {"next": "/en/"})

    assert response.status_code == 404


def test_the_switcher_works_without_a_form_or_script(client):
    content = client.get("/en/car-t/").content.decode()
    switcher = re.search(r'<ul class="language-switcher">.*?</ul>', content, re.S).group(0)

    assert "<form" not in switcher and "<script" not in switcher
    for name in ["English", "简体中文", "Русский", "العربيّة"]:
        assert name in switcher


def test_each_public_page_names_its_versions_in_every_language(client):
    content = client.get("/ru/car-t/car-t-cell-therapy/").content.decode()

    for language in LANGUAGE_CODES:
        assert (
            f'<link rel="alternate" hreflang="{language}" '
            f'href="http://testserver/{language}/car-t/car-t-cell-therapy/">'
        ) in content
    assert (
        '<link rel="alternate" hreflang="x-default" '
        'href="http://testserver/car-t/car-t-cell-therapy/">'
    ) in content


def test_the_sitemap_lists_every_language_version_of_a_page(client):
    content = client.get("/sitemap.xml").content.decode()

    for language in LANGUAGE_CODES:
        assert f"<loc>http://testserver/{language}/car-t/car-t-cell-therapy/</loc>" in content
        assert (
            f'<xhtml:link rel="alternate" hreflang="{language}" '
            f'href="http://testserver/{language}/car-t/car-t-cell-therapy/"/>'
        ) in content
    # x-default is the address without a language, which picks the reader's language.
    assert (
        '<xhtml:link rel="alternate" hreflang="x-default" '
        'href="http://testserver/car-t/car-t-cell-therapy/"/>'
    ) in content


def test_the_address_without_a_language_leads_to_the_readers_language(client):
    response = client.get("/car-t/car-t-cell-therapy/", headers={"accept-language": "ar"})

    assert response["Location"] == "/ar/car-t/car-t-cell-therapy/"


def test_the_admin_stays_in_english_for_a_staff_member_with_a_russian_browser(client):
    response = client.get(reverse("admin:login"), headers={"accept-language": "ru"}, follow=True)

    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()


def test_the_admin_stays_in_english_after_the_reader_chose_arabic(admin_client):
    admin_client.get(reverse("switch_language", args=["ar"]), {"next": "/ar/"})

    response = admin_client.get(reverse("admin:therapy_info_page_changelist"))

    assert response["Content-Language"] == "en"
    assert 'lang="en"' in response.content.decode()


@pytest.mark.parametrize(
    ("language", "month_pattern"),
    [
        ("en", r"Last updated [A-Z][a-z]+\.? \d{1,2}, \d{4}\."),
        ("ru", r"Последнее обновление: \d{1,2} [а-я]+ \d{4} г\."),  # noqa: RUF001
        ("zh-hans", r"最后更新于\d{4}年\d{1,2}月\d{1,2}日。"),
        ("ar", r"آخر تحديث في \d{1,2} [\u0600-\u06ff]+، \d{4}\."),
    ],
)
def test_dates_are_written_the_readers_way(client, language, month_pattern):
    content = client.get(f"/{language}/car-t/car-t-cell-therapy/").content.decode()

    assert re.search(month_pattern, content)


@pytest.mark.parametrize(
    ("language", "figure"),
    [("en", "83%"), ("zh-hans", "83%"), ("ru", "83\u00a0%"), ("ar", "83%")],
)
def test_percentages_are_written_the_readers_way(client, language, figure):
    content = client.get(f"/{language}/").content.decode()

    assert f'<bdi dir="ltr">{figure}</bdi>' in content

"""The enquiry form page carries what the upload progress script needs, and nothing else does: the
form's attribute, the script under the page's CSP nonce, and its words in the page's language.
The script itself is tested in a real browser (tests/browser/test_upload_progress.py)."""

import re
from html import unescape

import pytest
from django.templatetags.static import static

from enquiries.models import Enquiry
from tests.factories import valid_form_data

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r'<script src="([^"]+)" nonce="([^"]+)" defer></script>')


def header_nonce(response):
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def words(html):
    """The data attributes of the script's words, unescaped as the browser reads them."""
    element = re.search(r'<template id="upload-progress-text"([^>]*)>', html).group(1)
    return {
        name: unescape(value) for name, value in re.findall(r'data-([\w-]+)="([^"]*)"', element)
    }


def test_the_form_loads_the_script_under_the_pages_nonce(client, start_url):
    response = client.get(start_url)
    html = response.content.decode()

    (src, nonce), *others = SCRIPT.findall(html)
    assert others == []
    assert src == static("js/upload-progress.js")
    assert nonce == header_nonce(response)
    assert re.search(r"<form [^>]*\bdata-upload-progress\b", html)


def test_the_form_with_errors_still_loads_the_script(client, start_url):
    response = client.post(start_url, {})

    assert response.status_code == 200
    assert len(SCRIPT.findall(response.content.decode())) == 1


def test_pages_without_an_upload_load_no_script(client):
    for url in ["/en/", "/en/contact/", "/en/car-t/"]:
        assert "<script src=" not in client.get(url).content.decode(), url


def test_the_thank_you_page_loads_no_script(client, start_url):
    response = client.post(start_url, valid_form_data(), follow=True)

    assert Enquiry.objects.count() == 1
    assert "<script src=" not in response.content.decode()


def test_the_scripts_words_are_in_the_pages_language(client):
    arabic = words(client.get("/ar/start/").content.decode())

    assert arabic["sending"] == "جارٍ إرسال ملفاتك. يُرجى إبقاء هذه الصفحة مفتوحة."
    # The placeholders the script fills in arrive as single percent signs.
    assert arabic["megabytes"] == "%(size)s ميغابايت"
    assert arabic["sent-time-left"] == (
        "تم إرسال %(sent)s من %(total)s، والوقت المتبقي %(time)s تقريبًا."
    )
    english = words(client.get("/en/start/").content.decode())
    expected = ["sending", "megabytes", "sent", "sent-time-left", "sent-under-a-minute"]
    expected += ["waiting", "failed", "unanswered"]
    assert sorted(english) == sorted(arabic) == sorted(expected)
    assert english["sent"] == "%(sent)s of %(total)s sent."

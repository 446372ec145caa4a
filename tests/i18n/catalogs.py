"""What the translation tests check against: the catalogs, which of their messages readers see,
the public pages to check in every language, and the text a reader gets from a page."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
TRANSLATED_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
# Staff-only sources: the admin stays in English, so their messages may stay untranslated.
STAFF_ONLY_TEMPLATES = ("templates/admin/", "templates/enquiries/admin/")
STAFF_ONLY_FILES = {
    "templates/enquiries/email/coordinators_body.txt",
    "templates/enquiries/email/coordinators_subject.txt",
    "templates/enquiries/email/news_from_patient_body.txt",
    "templates/enquiries/email/news_from_patient_subject.txt",
}
# What hospitals read (a referral's summary and email): in English and Chinese only.
HOSPITAL_FILES = {
    "templates/enquiries/referrals/summary.html",
    "templates/enquiries/email/referral_body.txt",
    "templates/enquiries/email/referral_subject.txt",
}
PUBLIC_PYTHON_FILES = {
    "enquiries/case.py",
    "enquiries/case_forms.py",
    "enquiries/case_page.py",
    "enquiries/consents.py",
    "enquiries/forms.py",
    "enquiries/sla.py",
    "portal/service_promise.py",
    "portal/settings.py",
    "therapy_info/programme_views.py",
}
# Same in every language: names of products, targets and numbers.
SAME_IN_EVERY_LANGUAGE = {"1", "2", "3", "CD19", "BCMA", "WhatsApp", "Telegram", "WeChat"}
# Same in some: a size in megabytes (Chinese writes "10 MB" too).
SAME_IN_EVERY_LANGUAGE |= {"%%(size)s MB"}
PUBLIC_PATHS = [
    "/",
    "/privacy/",
    "/contact/",
    "/car-t/",
    "/car-t/questions/",
    "/car-t/car-t-cell-therapy/",
    "/car-t/advantages-and-challenges/",
    "/car-t/risks-and-side-effects/",
    "/car-t/approved-in-china/",
    "/car-t/costs/",
    "/car-t/treatment-journey/",
    "/car-t/who-may-be-eligible/",
    "/car-t/preparing-medical-records/",
    "/hospitals/",
    "/start/",
]


def catalog(language):
    return polib.pofile(str(LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.po"))


def is_public_source(path):
    if path.startswith("templates/"):
        return (
            not path.startswith(STAFF_ONLY_TEMPLATES)
            and path not in STAFF_ONLY_FILES
            and path not in HOSPITAL_FILES
        )
    return path in PUBLIC_PYTHON_FILES


def hospital_entries(po):
    """Messages a hospital reads in a referral's summary and email."""
    for entry in po:
        if any(path in HOSPITAL_FILES for path, _line in entry.occurrences):
            yield entry


def public_entries(po, form_choice_labels=()):
    """Messages a patient can see: from public templates and the form, and the labels of the
    form's choices (which live on the model, next to staff-only field names)."""
    for entry in po:
        sources = {path for path, _line in entry.occurrences}
        if any(is_public_source(path) for path in sources) or entry.msgid in form_choice_labels:
            yield entry


class _TextReader(HTMLParser):
    """Collects what a reader sees or hears: text, and the attributes browsers show or read out."""

    SHOWN_ATTRIBUTES = {"content", "aria-label", "alt", "title", "placeholder"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden_depth += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if name in self.SHOWN_ATTRIBUTES and value:
                self.parts.append(value)
        # A button's label; other values (a radio button's "email") are codes, never shown.
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth:
            self.parts.append(data)


def visible_text(content):
    """A page's text as a reader gets it, without what is marked as another language: links to
    other languages (the switcher names each language in itself, e.g. "English"), citations
    of publications in English, and the addresses of their sources."""
    content = re.sub(r'<(a|span) [^>]*\blang="[^"]*"[^>]*>.*?</\1>', "", content, flags=re.S)
    # A link that shows its own address (a reference's source) is in no language.
    content = re.sub(r'<a href="(https?://[^"]+)"[^>]*>\1</a>', "", content)
    reader = _TextReader()
    reader.feed(content)
    return "\n".join(reader.parts)


# The editor's text of a page or notice (sanitised Markdown, which allows no <div>): translated by
# editors, not through the catalog (tests/i18n/test_content.py checks it), and free to keep an
# English term in brackets, as the Chinese text does with 在靶脱瘤 (on-target, off-tumor).
EDITOR_TEXT = re.compile(r'<div class="page-body"[^>]*>.*?</div>', re.S)


def interface_text(content):
    """visible_text() of what the catalog translates: the page without the editor's text."""
    return visible_text(EDITOR_TEXT.sub("", content))


def contains_phrase(text, phrase):
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None

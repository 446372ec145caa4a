"""The translation catalogs: every message a patient can see is translated into Simplified
Chinese, Russian and Arabic, keeps its placeholders, and the compiled .mo files that are committed
(no GNU gettext on a fresh machine) say exactly what the .po files say."""

import gettext
import re

import pytest
from django.utils.translation import to_locale

from tests.i18n.catalogs import (
    LOCALE_DIR,
    SAME_IN_EVERY_LANGUAGE,
    TRANSLATED_LANGUAGES,
    catalog,
    hospital_entries,
    public_entries,
)

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_a_patient_sees_is_translated(language, form_choice_labels):
    entries = list(public_entries(catalog(language), form_choice_labels))

    untranslated = [entry.msgid for entry in entries if not entry.translated()]
    assert len(entries) > 200
    assert untranslated == []


def test_every_message_a_hospital_reads_is_translated_into_chinese():
    entries = list(hospital_entries(catalog("zh-hans")))

    untranslated = [entry.msgid for entry in entries if not entry.translated()]
    assert len(entries) > 20
    assert untranslated == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_are_not_copies_of_the_english(language, form_choice_labels):
    copies = [
        entry.msgid
        for entry in public_entries(catalog(language), form_choice_labels)
        if entry.msgstr == entry.msgid and entry.msgid not in SAME_IN_EVERY_LANGUAGE
    ]

    assert copies == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_no_translation_waits_for_review_as_fuzzy(language):
    po = catalog(language)

    assert not po.metadata_is_fuzzy
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders_and_markup_of_the_english(language):
    for entry in catalog(language).translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            found = sorted(PLACEHOLDER.findall(translation))
            # A singular form may name its one thing in words ("one file") instead of a number.
            if entry.msgid_plural:
                assert set(found) <= set(sorted(PLACEHOLDER.findall(entry.msgid_plural))), (
                    entry.msgid
                )
            else:
                assert found == expected, entry.msgid


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_the_committed_mo_file_says_what_the_po_file_says(language):
    po = catalog(language)
    mo_path = LOCALE_DIR / to_locale(language) / "LC_MESSAGES" / "django.mo"
    with mo_path.open("rb") as mo_file:
        compiled = gettext.GNUTranslations(mo_file)

    for entry in po.translated_entries():
        if entry.msgid_plural:
            for n in (1, 2, 5, 11):
                index = compiled.plural(n)
                assert (
                    compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                    == (entry.msgstr_plural[index])
                ), "The .mo is out of date: run `make messages`"
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, (
                "The .mo is out of date: run `make messages`"
            )
    assert len(compiled._catalog) - 1 == len(po.translated_entries()) + sum(
        len(entry.msgstr_plural) - 1 for entry in po.translated_entries() if entry.msgid_plural
    ), "The .mo holds messages the .po no longer has: run `make messages`"


# Masculine imperatives that opened Arabic messages ("أدخل", enter; "اختر", choose; …): they address
# only men. The neutral forms are "يُرجى" with a verbal noun ("يُرجى إدخال") or a verbal noun alone
# on a button ("إرسال استفساري").
MASCULINE_IMPERATIVES = re.compile(
    r"(^|[.،:؛]\s*|«)(أدخل|اختر|أرسل|ابدأ|اكتب|أخبرنا|اضغط|انقر|حدد|ارفع|أرفق|راجع|املأ|اترك|"
    r"انتظر|تأكد|حاول|أعد|اطلب|احتفظ|اذكر|ارجع)(\s|$)"
)


def test_arabic_messages_address_the_reader_without_a_masculine_imperative(form_choice_labels):
    masculine = [
        entry.msgid
        for entry in public_entries(catalog("ar"), form_choice_labels)
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if MASCULINE_IMPERATIVES.search(text)
    ]

    assert masculine == []

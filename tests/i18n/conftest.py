"""Fixtures for the translation tests (the content factories make_page and make_faq_entry are in
tests/conftest.py; the catalogs and page-text helpers in tests/i18n/catalogs.py)."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each request activates its page's language, and it stays active in the test's thread
    afterwards; content written by a test (title=…) would then land in that language's column.
    Tests start, and leave, in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def form_choice_labels():
    from django import forms

    from enquiries.forms import EnquiryForm

    labels = set()
    with translation.override("en"):
        for field in EnquiryForm.base_fields.values():
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                labels.update(str(label) for _value, label in field.choices)
    return labels

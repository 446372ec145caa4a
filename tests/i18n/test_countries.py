"""The country list of the form, as a patient scans it: alphabetical in their language, and no
name with ISO's bracketed leftovers or stray spaces."""

import pytest
from django.utils import translation
from pyuca import Collator

from enquiries.forms import EnquiryForm

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "zh-hans", "ru", "ar"]


def country_names(language):
    with translation.override(language):
        choices = EnquiryForm().fields["country"].choices
        return [str(name) for code, name in choices if code]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_countries_are_in_alphabetical_order_in_every_language(language):
    names = country_names(language)

    assert names == sorted(names, key=Collator().sort_key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_country_name_starts_or_ends_with_a_space(language):
    assert [name for name in country_names(language) if name != name.strip()] == []


@pytest.mark.parametrize(
    ("language", "code", "name"),
    [
        ("en", "BS", "Bahamas"),
        ("ru", "PS", "Палестина"),
        ("ar", "FM", "ميكرونيزيا"),
        ("ar", "SA", "المملكة العربية السعودية"),
        ("zh-hans", "SJ", "斯瓦尔巴和扬马延"),
        ("zh-hans", "MK", "北马其顿"),
    ],
)
def test_awkward_iso_names_are_replaced_by_the_names_people_use(language, code, name):
    with translation.override(language):
        choices = dict(EnquiryForm().fields["country"].choices)

    assert str(choices[code]) == name

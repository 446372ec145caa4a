"""Amounts are shown with their currency in the reader's language's format."""

from decimal import Decimal

import pytest

from therapy_info.money import format_money


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "CN¥1,200,000.50"),
        ("zh-hans", "¥1,200,000.50"),
        ("ru", "1\xa0200\xa0000,50\xa0CN¥"),
        ("ar", "\u200f1,200,000.50\xa0CN¥"),
    ],
)
def test_an_amount_reads_in_the_readers_language_with_its_currency(language, shown):
    assert format_money(Decimal("1200000.50"), "CNY", language) == shown


def test_an_amount_without_a_currency_is_not_shown_as_a_bare_number():
    assert format_money(Decimal("5000"), "", "en") == ""

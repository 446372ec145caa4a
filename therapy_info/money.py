"""Money as patients read it: a decimal amount and its ISO 4217 currency, formatted by CLDR (Babel)
in the reader's language — never a float, never a bare number without its currency."""

from decimal import Decimal

from babel.numbers import format_currency
from django.utils.translation import get_language, to_locale


def format_money(amount, currency, language=None):
    """'CN¥1,200,000.00' in English, '1 200 000,00 CN¥' in Russian; '' when either is missing."""
    if amount is None or not currency:
        return ""
    return format_currency(
        Decimal(amount), currency, locale=to_locale(language or get_language() or "en")
    )

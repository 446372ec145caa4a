"""Normalised keys that reveal possible duplicate enquiries: the same person writing twice."""

import re

NON_DIGITS = re.compile(r"\D")


def email_key(email):
    """Case and surrounding spaces do not make a different mailbox."""
    return (email or "").strip().lower()


def phone_key(phone):
    """The digits of the E.164 number the form stored; formatting is not identity."""
    return NON_DIGITS.sub("", phone or "")


def name_key(name, birth_year):
    """The same name (ignoring case and spacing) born the same year."""
    words = " ".join((name or "").casefold().split())
    return f"{words}|{birth_year}" if words and birth_year else ""

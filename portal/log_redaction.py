"""Logs keep an exception's class and where it happened, never its message: messages quote data
(a database's "value too long: …", a mail server's refused address, a parser's bad input), and
our logs must never hold a patient's personal or health data."""

import logging
import traceback

WITHHELD = "(message withheld: it may quote personal data)"


def redacted_traceback(error):
    """The traceback of `error` and the exceptions chained to it, with each message withheld."""
    chain, seen = [], set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    parts = []
    for link in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        parts.append(f"{type(link).__module__}.{type(link).__qualname__}: {WITHHELD}\n")
    return "".join(parts).rstrip("\n")


class WithholdExceptionMessages(logging.Filter):
    """Sets the record's formatted traceback before any formatter makes its own: every handler
    that sees the record afterwards prints the redacted one."""

    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info[1])
        return True

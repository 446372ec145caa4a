"""Logs keep an exception's class and where it happened, never its message: messages quote data
(a database's "value too long: …", a mail server's refused address, a parser's bad input), and
our logs must never hold a patient's personal or health data."""

import logging
import re
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


# A path segment as long as a private link's token (40 or more URL-safe characters; no page
# slug or reference is that long): a case page's address must never land in a log.
LINK_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{40,}(?=/|\?|$|\s|\")")
TOKEN_WITHHELD = "(token withheld)"  # noqa: S105 (what replaces a token, not one)


def withhold_link_tokens(value):
    return LINK_TOKEN.sub(TOKEN_WITHHELD, value) if isinstance(value, str) else value


class WithholdLinkTokens(logging.Filter):
    """Replaces private link tokens in a record's message and arguments (Django's "Not Found:
    /en/case/…/", the development server's request lines)."""

    def filter(self, record):
        record.msg = withhold_link_tokens(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(withhold_link_tokens(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: withhold_link_tokens(arg) for key, arg in record.args.items()}
        return True

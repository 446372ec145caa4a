"""A readable difference between two texts, word by word, as HTML: removed words in <del>, added
words in <ins>, everything escaped (editors' texts are never trusted as markup)."""

import difflib
import re

from django.utils.html import format_html, format_html_join

# Words and the whitespace after them stay together, so the diff keeps the text's line breaks.
TOKEN = re.compile(r"\S+\s*|\s+")
# Unchanged stretches longer than this are shortened to their ends.
CONTEXT_WORDS = 12


def _tokens(text):
    return TOKEN.findall(text or "")


def _shortened(words):
    if len(words) <= 2 * CONTEXT_WORDS:
        return "".join(words)
    return "".join(words[:CONTEXT_WORDS]) + " … " + "".join(words[-CONTEXT_WORDS:])


def word_diff_html(old, new):
    old_words, new_words = _tokens(old), _tokens(new)
    # autojunk off: long texts repeat common words, which must still match.
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    parts = []
    for operation, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append(("{}", _shortened(old_words[old_start:old_end])))
            continue
        if old_end > old_start:
            parts.append(("<del>{}</del>", "".join(old_words[old_start:old_end])))
        if new_end > new_start:
            parts.append(("<ins>{}</ins>", "".join(new_words[new_start:new_end])))
    body = format_html_join("", "{}", ((format_html(pattern, text),) for pattern, text in parts))
    return format_html('<div class="word-diff">{}</div>', body)

"""Markdown written by editors → safe HTML: heading anchors, a table of contents, citation links.

Sanitizing is the last step, so whatever Markdown or raw HTML an editor types (or pastes), only the
tags, attributes and URL schemes on the allow-list below reach a reader's browser.
"""

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor

# A citation marker in the text: "[2]". Only numbers with a reference become links.
CITATION_PATTERN = r"\[(\d{1,3})\]"
CITATION_RE = re.compile(CITATION_PATTERN)
REFERENCE_ID_RE = re.compile(r"ref-\d+")

# Pages with at least this many section headings get a table of contents.
TOC_MIN_HEADINGS = 3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
HEADING_TAGS = {"h2", "h3", "h4", "h5", "h6"}
ALLOWED_ATTRIBUTES = {
    # Nothing on every tag: without this entry nh3 keeps `lang` and `title` on any tag (ammonia's
    # defaults), so the list below would not be the whole allow-list.
    "*": set(),
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    # Heading ids are the anchors of the table of contents and of shared links.
    **{tag: {"id"} for tag in HEADING_TAGS},
}
ALLOWED_CLASSES = {"a": {"citation"}}
# No javascript:, data: or vbscript: URLs; relative links (#ref-2, /en/…) pass as they are.
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    # [{"id": "advantages", "title": "Advantages", "children": [...]}], empty for short texts.
    table_of_contents: list = field(default_factory=list)


def citation_numbers(text):
    """The reference numbers a text cites, e.g. {1, 2, 5} for "… [1] … [2][5]"."""
    return {int(number) for number in CITATION_RE.findall(text or "")}


class CitationProcessor(InlineProcessor):
    """Turns [n] into a link to reference n, when the page has reference n."""

    def __init__(self, pattern, md, reference_numbers):
        super().__init__(pattern, md)
        self.reference_numbers = reference_numbers

    def handleMatch(self, m, data):
        number = int(m.group(1))
        if number not in self.reference_numbers:
            # Leave the text alone: Markdown's own link patterns then see it as plain "[n]".
            return None, None, None
        link = etree.Element("a", {"href": f"#ref-{number}", "class": "citation"})
        link.text = f"[{number}]"
        return link, m.start(0), m.end(0)


class CitationExtension(Extension):
    def __init__(self, reference_numbers, **kwargs):
        self.reference_numbers = frozenset(reference_numbers)
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # Above Markdown's "reference" link pattern (170), which would otherwise claim "[2]".
        md.inlinePatterns.register(
            CitationProcessor(CITATION_PATTERN, md, self.reference_numbers), "citation", 175
        )


def _table_of_contents(tokens):
    return [
        {
            # Markdown gives HTML-escaped names; templates escape again, so store plain text.
            "id": token["id"],
            "title": html.unescape(token["name"]),
            "children": _table_of_contents(token.get("children", [])),
        }
        for token in tokens
    ]


def _count_headings(entries):
    return sum(1 + _count_headings(entry["children"]) for entry in entries)


def _keep_attribute(tag, attribute, value):
    # "ref-N" ids belong to the reference list: a heading must not take a citation's target.
    if attribute == "id" and REFERENCE_ID_RE.fullmatch(value):
        return None
    return value


def sanitize_html(unsafe_html):
    return nh3.clean(
        unsafe_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_keep_attribute,
    )


def render_markdown(text, reference_numbers=()):
    """Renders an editor's Markdown to sanitized HTML, linking [n] for each existing reference n."""
    md = markdown.Markdown(
        extensions=[
            "extra",
            "sane_lists",
            "toc",
            CitationExtension(reference_numbers),
        ],
        # Unicode anchors: a Chinese, Russian or Arabic heading gets a readable id of its own
        # letters, not an empty or numbered one (ASCII headings get the same ids as before).
        extension_configs={"toc": {"toc_depth": "2-3", "slugify": slugify_unicode}},
        output_format="html",
    )
    rendered = md.convert(text or "")
    table_of_contents = _table_of_contents(md.toc_tokens)
    if _count_headings(table_of_contents) < TOC_MIN_HEADINGS:
        table_of_contents = []
    return RenderedMarkdown(html=sanitize_html(rendered), table_of_contents=table_of_contents)

"""Markdown → HTML: whatever an editor types, readers get safe HTML with anchors and citations."""

import pytest

from therapy_info.rendering import citation_numbers, render_markdown


def html_of(text, references=()):
    return render_markdown(text, references).html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert('x')</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<svg><script>alert('x')</script></svg>",
    ],
)
def test_it_removes_scripts(attack):
    html = html_of(f"Before {attack} after")

    assert "<script" not in html.lower()
    assert "alert" not in html


@pytest.mark.parametrize(
    "attack",
    [
        "[click me](javascript:alert(1))",
        "[click me](JaVaScRiPt:alert(1))",
        '<a href="javascript&#58;alert(1)">click me</a>',
        "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_it_removes_javascript_and_data_links(attack):
    html = html_of(attack)

    assert "click me" in html
    assert "javascript" not in html.lower()
    assert "data:" not in html


@pytest.mark.parametrize(
    "attack",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">link</a>',
        '<p onmouseover="alert(1)">text</p>',
    ],
)
def test_it_removes_event_handler_attributes(attack):
    html = html_of(attack)

    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "alert" not in html


def test_it_removes_iframes_styles_and_forms():
    html = html_of(
        '<iframe src="https://evil.example"></iframe><style>body{display:none}</style>'
        '<p style="position:fixed">x</p><form action="https://evil.example"><input></form>'
    )

    for forbidden in ("<iframe", "<style", "style=", "<form", "<input"):
        assert forbidden not in html


def test_it_keeps_ordinary_markdown():
    html = html_of("Some **bold** text with a [link](https://example.org).\n\n- one\n- two")

    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "<li>one</li>" in html


def test_headings_get_anchor_ids():
    html = html_of("## Risks and side effects\n\nText.")

    assert '<h2 id="risks-and-side-effects">Risks and side effects</h2>' in html


def test_a_heading_cannot_take_the_id_of_a_reference():
    html = html_of('<h2 id="ref-1">Hijack</h2>\n\nText [1].', {1})

    assert 'id="ref-1"' not in html


def test_a_long_text_gets_a_table_of_contents():
    rendered = render_markdown("## Advantages\n\n### Strong effect\n\n## Challenges\n\nText.")

    assert rendered.table_of_contents == [
        {
            "id": "advantages",
            "title": "Advantages",
            "children": [{"id": "strong-effect", "title": "Strong effect", "children": []}],
        },
        {"id": "challenges", "title": "Challenges", "children": []},
    ]


def test_a_short_text_has_no_table_of_contents():
    assert render_markdown("## Only one heading\n\nText.").table_of_contents == []


def test_table_of_contents_titles_are_plain_text_for_the_template_to_escape():
    rendered = render_markdown("## Costs & <b>fees</b>\n\n## Two\n\n## Three")

    assert rendered.table_of_contents[0]["title"] == "Costs & fees"


def test_a_citation_links_to_its_reference():
    html = html_of("83% achieve remission [2].", {2})

    assert '<a class="citation" href="#ref-2"' in html
    assert ">[2]</a>" in html


def test_a_citation_without_a_reference_stays_plain_text():
    html = html_of("Cited [7].", {2})

    assert "[7]" in html
    assert "#ref-7" not in html


def test_a_citation_in_code_is_not_linked():
    html = html_of("Write `[2]` to cite.", {2})

    assert "<code>[2]</code>" in html


def test_citation_numbers_lists_every_marker():
    assert citation_numbers("a [1] b [2][5] c [2]") == {1, 2, 5}


@pytest.mark.django_db
def test_a_save_of_only_the_text_stores_its_new_html_too(make_faq_entry):
    entry = make_faq_entry(answer="Old answer.")
    entry.answer = "A **new** answer."
    entry.save(update_fields=["answer"])

    entry.refresh_from_db()
    assert "<strong>new</strong>" in entry.answer_html


# The allow-list, written out again on purpose: adding a tag or an attribute to the sanitiser
# must be a decision that also changes this test.
MEANT_TO_SURVIVE = {
    "a": {"href", "title", "class", "rel"},
    "abbr": {"title"},
    "b": set(),
    "blockquote": set(),
    "br": set(),
    "code": set(),
    "dd": set(),
    "dl": set(),
    "dt": set(),
    "em": set(),
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "hr": set(),
    "i": set(),
    "li": set(),
    "ol": set(),
    "p": set(),
    "pre": set(),
    "strong": set(),
    "sub": set(),
    "sup": set(),
    "table": set(),
    "tbody": set(),
    "td": {"align"},
    "th": {"align"},
    "thead": set(),
    "tr": set(),
    "ul": set(),
}
# Every HTML element we could think of, dangerous and harmless, and every kind of attribute.
TAG_NAMES = """
    html head body title meta link base style script noscript template slot iframe frame frameset
    object embed param applet video audio source track img picture canvas svg math map area form
    input button select option optgroup textarea label fieldset legend datalist output progress
    meter details summary dialog menu nav header footer main section article aside address figure
    figcaption div span h1 h2 h3 h4 h5 h6 p br hr pre blockquote ol ul li dl dt dd a abbr b bdi bdo
    cite code data dfn em i kbd mark q rp rt ruby s samp small strong sub sup time u var wbr del
    ins caption col colgroup tfoot font center marquee blink basefont xmp listing noembed noframes
    image portal
"""
ATTRIBUTE_NAMES = """
    id class style title href src srcset action formaction xlink:href lang dir hidden tabindex
    accesskey contenteditable draggable spellcheck translate autofocus nonce slot is part role
    aria-label data-x name value type target rel download ping referrerpolicy integrity
    crossorigin align valign width height border bgcolor background color face size colspan
    rowspan headers scope abbr cite datetime start reversed open poster autoplay loop controls
    srcdoc sandbox allow formtarget popover inert onclick onerror onload onmouseover onfocus
    onanimationstart
"""
EVERY_TAG = TAG_NAMES.split()
EVERY_ATTRIBUTE = ATTRIBUTE_NAMES.split()
# Tags the HTML parser keeps only inside their parents.
TABLE = "<table {a}><caption {a}>c</caption><colgroup {a}><col {a}></colgroup><thead {a}><tr {a}><th {a}>h</th></tr></thead><tbody {a}><tr {a}><td {a}>d</td></tr></tbody><tfoot {a}><tr {a}><td {a}>f</td></tr></tfoot></table>"  # noqa: E501
LISTS = "<ul {a}><li {a}>u</li></ul><ol {a}><li {a}>o</li></ol><dl {a}><dt {a}>t</dt><dd {a}>d</dd></dl>"  # noqa: E501
NESTED = {"table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "td", "th"}
NESTED |= {"ul", "ol", "li", "dl", "dt", "dd"}
VOID = {"br", "hr", "img", "input", "meta", "link", "base", "source", "track", "area", "embed"}
VOID |= {"param", "wbr", "col", "frame", "basefont", "image"}


def attribute_value(attribute):
    if attribute in {"href", "src", "action", "formaction", "xlink:href", "cite", "background"}:
        return "https://example.org/page"
    # The one class the sanitiser keeps (on citation links), so a kept class would show.
    return "citation" if attribute == "class" else "v"


def tags_and_attributes_in(html):
    from html.parser import HTMLParser

    found = {}

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attributes):
            found.setdefault(tag, set()).update(name for name, _value in attributes)

    Collector().feed(html)
    return found


def test_only_the_tags_and_attributes_on_the_allow_list_survive():
    attributes = " ".join(f'{name}="{attribute_value(name)}"' for name in EVERY_ATTRIBUTE)
    snippets = [TABLE.format(a=attributes), LISTS.format(a=attributes)]
    for tag in EVERY_TAG:
        if tag not in NESTED:
            closing = "" if tag in VOID else f"x</{tag}>"
            snippets.append(f"<{tag} {attributes}>{closing}")
    # And what the Markdown itself produces: headings, links, citations, footnotes, tables.
    markdown_text = """# Title

## Section {#custom}

Text with a [link](https://example.org "Title"), a citation [1], **bold**, *italic*, `code`,
H~2~O and a footnote[^1].

| Left | Right |
|:-----|------:|
| a    | b     |

> quoted

[^1]: The footnote.
"""

    html = html_of(markdown_text + "\n\n".join(snippets), references=[1])

    assert tags_and_attributes_in(html) == MEANT_TO_SURVIVE

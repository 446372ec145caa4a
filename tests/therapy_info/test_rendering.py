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

"""The sources behind the shipped content: every reference is a real publication with a link,
every page and answer cites them, key figures come only from linked references, and the note
for the medical reviewer stays with the staff."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.therapy_info.shipped_content import rewrite
from therapy_info.content_files import ContentFileError, read_content
from therapy_info.models import FaqEntry, KeyFigure, Page, Reference, localized
from therapy_info.rendering import citation_numbers

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What the seed's citations said instead of a source; none may come back.
PLACEHOLDER_WORDS = re.compile(
    r"to be completed|source text|исходного текста|原文参考文献|النص الأصلي|citation number",
    re.IGNORECASE,
)
# Authors, a title and a year: "Surname AB, … Title. Journal. 2023;…".
CITATION_SHAPE = re.compile(r"^[A-Z][\w'-]+ [A-Z]{1,3}[,.] .+\. .*(19|20)\d\d")
# A publication's DOI or PubMed record. Regulators' pages, news agencies and company announcements
# (approval dates, list prices) link the page itself, and are cited by publisher, title and date.
PUBLICATION_LINK = re.compile(
    r"https://(doi\.org/10\.\d{4,}/\S+|pubmed\.ncbi\.nlm\.nih\.gov/\d+/?)"
)
# A link from an answer to a reference of a page in the same language.
REFERENCE_LINK = re.compile(
    r"\]\(/(?P<language>[\w-]+)/car-t/(?P<slug>[\w-]+)/#ref-(?P<number>\d+)\)"
)


def shipped_pages():
    return Page.objects.filter(slug__in=[page.key for page in read_content()["pages"]])


def shipped_references():
    return Reference.objects.filter(page__in=shipped_pages()).select_related("page")


def test_every_shipped_page_has_references():
    assert all(page.references.exists() for page in shipped_pages())


def test_no_shipped_reference_is_a_placeholder_and_each_links_its_source_over_https():
    references = list(shipped_references())

    assert references
    for reference in references:
        for code in LANGUAGES:
            citation = getattr(reference, localized("citation", code))
            assert not PLACEHOLDER_WORDS.search(citation), (reference, code)
        assert reference.url.startswith("https://"), reference
        if PUBLICATION_LINK.fullmatch(reference.url):
            assert CITATION_SHAPE.match(reference.citation_en), reference


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_page_cites_a_reference_and_only_references_it_has(language):
    for page in shipped_pages():
        cited = citation_numbers(getattr(page, localized("body", language)))

        assert cited, (page.slug, language)
        assert cited <= page.reference_numbers(), (page.slug, language)


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "en"])
def test_each_translation_cites_the_same_sources_in_the_same_order_as_the_english(language):
    for page in shipped_pages():
        english = re.findall(r"\[\d+\]", page.body_en)

        assert re.findall(r"\[\d+\]", getattr(page, localized("body", language))) == english


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_answer_links_the_references_it_rests_on(language):
    pages = {page.slug: page for page in shipped_pages()}

    for entry in FaqEntry.objects.published():
        links = list(REFERENCE_LINK.finditer(getattr(entry, localized("answer", language))))

        assert links, (entry.question_en, language)
        for link in links:
            assert link["language"] == language
            reference = pages[link["slug"]].references.get(number=int(link["number"]))
            assert reference.url.startswith("https://")


def test_an_answers_link_reaches_the_reference_on_its_page(client):
    entry = FaqEntry.objects.get(question_en="How well does CAR-T work?")
    link = REFERENCE_LINK.search(entry.answer_ru)
    page_address = link.group(0)[2:-1].split("#")[0]

    content = client.get(page_address).content.decode()

    assert f'href="{page_address}#ref-{link["number"]}"' in entry.answer_html_ru
    assert f'id="ref-{link["number"]}"' in content


def test_every_shipped_key_figure_comes_from_a_reference_with_a_link():
    figures = KeyFigure.objects.filter(page__in=shipped_pages()).select_related("reference")

    assert figures
    for figure in figures:
        assert figure.reference is not None, figure
        assert figure.reference.page_id == figure.page_id
        assert figure.reference.url.startswith("https://"), figure


def test_the_loader_refuses_a_key_figure_whose_reference_has_no_link(content_copy):
    overview = content_copy / "pages" / "car-t-cell-therapy" / "en.md"
    rewrite(overview, "  url: https://doi.org/10.1182/blood.2022018893\n", "")

    with pytest.raises(
        ContentFileError, match="key figure 1 cites reference 2, which has no https"
    ):
        read_content(content_copy)


def test_the_loader_refuses_a_key_figure_without_a_source(content_copy):
    overview = content_copy / "pages" / "car-t-cell-therapy" / "en.md"
    rewrite(overview, "  reference: 3\n", "")

    with pytest.raises(ContentFileError, match="key figure 3 cites no reference"):
        read_content(content_copy)


REVIEWER_NOTE = "Staff only: check the figure against table 2 (xq7-reviewer-note)"


@pytest.fixture
def reference_with_a_note():
    reference = Page.objects.get(slug="car-t-cell-therapy").references.get(number=2)
    reference.reviewer_note = REVIEWER_NOTE
    reference.save()
    return reference


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reviewer_note_is_never_shown_on_the_site(client, reference_with_a_note, language):
    addresses = [
        f"/{language}/",
        f"/{language}/car-t/",
        f"/{language}/car-t/car-t-cell-therapy/",
        f"/{language}/car-t/questions/",
        "/sitemap.xml",
    ]

    for address in addresses:
        response = client.get(address, follow=True)
        assert response.status_code == 200, address
        assert "xq7-reviewer-note" not in response.content.decode(), address


def test_the_reviewer_note_is_not_shown_in_the_staff_preview_either(
    admin_client, reference_with_a_note
):
    page = reference_with_a_note.page
    page.unpublish()

    content = admin_client.get(page.get_absolute_url()).content.decode()

    assert "Draft preview" in content
    assert "xq7-reviewer-note" not in content


def test_the_reviewer_note_is_edited_beside_its_reference_in_the_admin(
    admin_client, reference_with_a_note
):
    url = reverse("admin:therapy_info_page_change", args=[reference_with_a_note.page_id])

    content = admin_client.get(url).content.decode()

    assert "note for the medical reviewer" in content.lower()
    assert "xq7-reviewer-note" in content


def test_the_reviewer_note_is_loaded_from_the_files():
    reference = Page.objects.get(slug="car-t-cell-therapy").references.get(number=2)

    assert "TRANSCEND NHL 001" in reference.reviewer_note
    assert "TRANSCEND" not in reference.citation_en

"""What a fresh clone ships (therapy_info/content/, loaded by load_content): the two source texts
as published pages, cleaned, and the FAQ."""

import pytest

from therapy_info.content_loader import LOADED_NOTE
from therapy_info.editorial import PageReview
from therapy_info.models import FaqEntry, KeyFigure, Page

pytestmark = pytest.mark.django_db

OVERVIEW = "car-t-cell-therapy"
ADVANTAGES = "advantages-and-challenges"
DEBRIS = [
    "top of page",
    "bottom of page",
    "Comments",
    "Gender",
    "Preferred Chinese cities",
    "Start My Medical Treatment",
]


def test_both_source_texts_are_published_pages():
    published = set(Page.objects.published().values_list("slug", flat=True))

    assert {OVERVIEW, ADVANTAGES} <= published


@pytest.mark.parametrize("slug", [OVERVIEW, ADVANTAGES])
def test_the_pages_carry_none_of_the_website_debris(slug):
    page = Page.objects.get(slug=slug)

    for debris in DEBRIS:
        assert debris.lower() not in page.body.lower()
    assert "\u00a0" not in page.body


def test_the_overview_keeps_its_repeated_paragraph_only_once():
    body = Page.objects.get(slug=OVERVIEW).body

    assert body.count("The application of CAR-T cell therapy provides new treatment options") == 1
    assert body.count("83% of the 101 treated patients responded to the treatment") == 1


def test_the_overview_keeps_every_figure():
    body = Page.objects.get(slug=OVERVIEW).body

    for figure in ["83%", "58%", "73% to 98%"]:
        assert figure in body


def test_the_overview_links_every_citation_to_its_reference():
    page = Page.objects.get(slug=OVERVIEW)

    assert sorted(page.references.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]
    for number in range(1, 7):
        assert f"[{number}]" in page.body
        assert f'href="#ref-{number}"' in page.body_html


def test_the_overview_calls_response_rates_responses_not_remissions():
    body = Page.objects.get(slug=OVERVIEW).body

    assert "achieve remission" not in body
    assert "objective response" in body
    assert "overall response rates" in body


def test_the_advantages_page_no_longer_claims_low_side_effects_or_off_target_b_cell_loss():
    body = Page.objects.get(slug=ADVANTAGES).body

    assert "Low Side Effects" not in body
    assert "Off-Target" not in body
    assert "Long-Term Survival" not in body
    assert "### 2. A Lasting Effect in Some Patients" in body
    assert "on-target, off-tumor" in body


def test_the_advantages_page_has_sections_and_a_table_of_contents():
    page = Page.objects.get(slug=ADVANTAGES)

    assert [entry["title"] for entry in page.table_of_contents] == ["Advantages", "Challenges"]
    assert "Cytokine Release Syndrome (CRS)" in page.body_html
    # Indented source paragraphs must not turn into code blocks.
    assert "<pre>" not in page.body_html


def test_no_shipped_page_claims_a_medical_review():
    assert not PageReview.objects.exists()


def test_the_home_page_figures_come_from_the_overview_references():
    figures = [
        (figure.value, figure.reference.number, figure.reference.get_absolute_url())
        for figure in KeyFigure.objects.for_home_page()
    ]

    assert figures == [
        ("83%", 2, "/en/car-t/car-t-cell-therapy/#ref-2"),
        ("58%", 2, "/en/car-t/car-t-cell-therapy/#ref-2"),
        ("73\u201398%", 3, "/en/car-t/car-t-cell-therapy/#ref-3"),
    ]


def test_a_published_faq_ships_with_six_to_ten_questions():
    assert 6 <= FaqEntry.objects.published().count() <= 10


def test_the_shipped_content_has_a_first_revision_to_revert_to():
    page = Page.objects.get(slug=OVERVIEW)

    assert page.history.earliest().history_change_reason == LOADED_NOTE


NEW_PAGES = {"risks-and-side-effects": 60, "approved-in-china": 70, "costs": 80}


def test_the_risks_products_and_costs_pages_are_published_after_the_others():
    pages = Page.objects.published().filter(slug__in=NEW_PAGES)

    assert {page.slug: page.navigation_order for page in pages} == NEW_PAGES


@pytest.mark.parametrize(
    ("language", "last_checked"),
    [
        ("en", "We last checked this list on 28 November 2026."),
        ("zh_hans", "我们最后一次核对本列表是在2026年11月28日。"),
        ("ru", "Последний раз мы проверяли этот список 28\u00a0ноября 2026 г."),  # noqa: RUF001
        ("ar", "آخر مرة راجعنا فيها هذه القائمة كانت في 28 نوفمبر 2026."),
    ],
)
def test_the_list_of_approved_products_says_when_it_was_last_checked(language, last_checked):
    body = getattr(Page.objects.get(slug="approved-in-china"), f"body_{language}")

    assert last_checked.replace("\u00a0", " ") in body.replace("\u00a0", " ")


def test_the_approved_products_are_a_table_whose_rows_cite_their_sources():
    html = Page.objects.get(slug="approved-in-china").body_html

    assert "<table>" in html
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 9
    assert all('class="citation"' in row for row in rows)


@pytest.mark.parametrize(
    ("key", "page"),
    [
        ("risks-and-side-effects", "risks-and-side-effects"),
        ("why-it-is-expensive", "costs"),
        ("which-cancers", "approved-in-china"),
    ],
)
@pytest.mark.parametrize("language", ["en", "zh_hans", "ru", "ar"])
def test_an_answer_points_to_the_page_that_explains_it(key, page, language):
    entry = FaqEntry.objects.get(question_en=QUESTIONS[key])
    code = language.replace("_", "-")

    assert f'href="/{code}/car-t/{page}/"' in getattr(entry, f"answer_html_{language}")


QUESTIONS = {
    "risks-and-side-effects": "What are the risks and side effects of CAR-T?",
    "why-it-is-expensive": "Why is CAR-T therapy expensive?",
    "which-cancers": "Which cancers is CAR-T used for?",
}

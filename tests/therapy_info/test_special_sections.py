"""What a page draws besides its text (Page.special_section): the treatment journey as a step
diagram, in every language, with its words for screen readers, also in short on the home page; and
the records checklists of every diagnosis on the page about medical records."""

import re
import uuid

import pytest
from django.conf import settings
from django.utils import translation

from therapy_info.models import Page, localized
from therapy_info.records_checklists import GENERAL, RecordsChecklist

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
JOURNEY = "/car-t/treatment-journey/"
RECORDS = "/car-t/preparing-medical-records/"
STEPS = {
    "en": [
        "Evaluation",
        "Cell collection",
        "Making the cells",
        "Lymphodepletion",
        "Infusion",
        "Monitoring near the centre",
        "Home and follow-up",
    ],
    "zh-hans": [
        "评估",
        "细胞采集",
        "制备细胞",
        "淋巴细胞清除",
        "回输",
        "在中心附近接受监测",
        "回家与随访",
    ],
    "ru": [
        "Обследование",
        "Сбор клеток",  # noqa: RUF001 (Russian, not a lookalike)
        "Изготовление клеток",
        "Лимфодеплеция",
        "Инфузия",
        "Наблюдение рядом с центром",  # noqa: RUF001 (Russian, not a lookalike)
        "Дома: дальнейшее наблюдение",
    ],
    "ar": [
        "التقييم",
        "جمع الخلايا",
        "تصنيع الخلايا",
        "استنفاد الخلايا اللمفاوية",
        "التسريب",
        "المراقبة قرب المركز",
        "العودة والمتابعة",
    ],
}


def journey(content):
    """The diagram's markup: the list and everything in it."""
    match = re.search(
        r'<ol class="journey" role="list" data-testid="journey">.*?</ol>', content, re.S
    )
    assert match, "no journey diagram"
    return match.group(0)


def step_titles(content):
    return re.findall(r'<strong class="journey-title">(.*?)</strong>', journey(content))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_journey_page_lists_its_steps_in_order_in_the_readers_language(client, language):
    content = client.get(f"/{language}{JOURNEY}").content.decode()

    assert step_titles(content) == STEPS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_drawings_are_hidden_from_screen_readers_and_each_step_says_itself_in_words(
    client, language
):
    diagram = journey(client.get(f"/{language}{JOURNEY}").content.decode())

    steps = re.findall(r'<li class="journey-step">(.*?)</li>', diagram, re.S)
    assert len(steps) == len(STEPS[language])
    for step in steps:
        # The only drawing of a step sits in an aria-hidden node; its words are outside it.
        assert re.search(
            r'<span class="journey-node" aria-hidden="true"><svg [^>]*>.*?</svg></span>', step, re.S
        )
        assert step.count("<svg") == 1
        words = re.sub(r"<svg.*?</svg>|<[^>]+>", " ", step, flags=re.S).split()
        assert words
    assert "<script" not in diagram


def test_the_journey_page_explains_each_step_under_its_title(client):
    diagram = journey(client.get(f"/en{JOURNEY}").content.decode())

    assert "A machine collects T cells from the patient's blood (apheresis)." in diagram
    assert diagram.count('class="journey-caregiver"') == 2


def test_a_page_without_the_journey_draws_no_diagram(client):
    content = client.get("/en/car-t/car-t-cell-therapy/").content.decode()

    assert 'data-testid="journey"' not in content


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_home_page_shows_the_journey_in_short_with_a_link_to_the_page(client, language):
    content = client.get(f"/{language}/").content.decode()

    assert step_titles(content) == STEPS[language]
    assert 'class="journey-detail"' not in journey(content)
    assert f'href="/{language}{JOURNEY}" data-testid="journey-link"' in content


def test_the_home_page_leaves_the_short_journey_out_while_its_page_is_unpublished(client):
    Page.objects.get(slug="treatment-journey").unpublish()

    content = client.get("/en/").content.decode()

    assert 'data-testid="journey"' not in content
    assert "journey-link" not in content


def published_checklists():
    return list(RecordsChecklist.objects.published().with_items_in_order())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_records_page_shows_every_published_checklist_in_the_readers_language(client, language):
    content = client.get(f"/{language}{RECORDS}").content.decode()

    section = re.search(r'data-testid="records-checklists">.*?</section>', content, re.S).group(0)
    summaries = re.findall(r"<summary>(.*?)</summary>", section)
    checklists = published_checklists()
    with translation.override(language):
        expected = [
            checklist.title for checklist in checklists if checklist.diagnosis != GENERAL
        ] + [checklist.title for checklist in checklists if checklist.diagnosis == GENERAL]
        labels = [item.label for checklist in checklists for item in checklist.items.all()]
    assert [re.sub("&#x27;", "'", summary) for summary in summaries] == expected
    for label in labels:
        assert label.replace("'", "&#x27;") in section, label
    # The titles are the reader's language's own, not the English shown as a fallback.
    if language != "en":
        assert all(getattr(checklist, localized("title", language)) for checklist in checklists)


@pytest.mark.parametrize(
    ("language", "needed", "helpful"),
    [
        ("en", "Needed", "Helps if you have it"),
        ("zh-hans", "必需", "有则更好"),
        ("ru", "Нужно", "Поможет, если есть"),
        ("ar", "مطلوب", "يفيد إن توفّر"),
    ],
)
def test_the_records_page_marks_what_is_needed_and_what_helps(client, language, needed, helpful):
    content = client.get(f"/{language}{RECORDS}").content.decode()
    checklists = published_checklists()
    required = sum(item.required for checklist in checklists for item in checklist.items.all())
    optional = sum(not item.required for checklist in checklists for item in checklist.items.all())

    assert content.count(f">{needed}</span>") == required
    assert content.count(f">{helpful}</span>") == optional


def test_an_unpublished_checklist_is_not_on_the_records_page(client):
    checklist = RecordsChecklist.objects.get(diagnosis="cll")
    checklist.is_published = False
    checklist.save()

    content = client.get(f"/en{RECORDS}").content.decode()

    assert checklist.title_en not in content


def test_an_editors_change_to_a_checklist_reaches_the_records_page_at_once(client):
    client.get(f"/en{RECORDS}")
    item = RecordsChecklist.objects.get(diagnosis="multiple_myeloma").items.get(key="protein_tests")
    item.label_en = f"Protein tests {uuid.uuid4().hex}"
    item.save()

    content = client.get(f"/en{RECORDS}").content.decode()

    assert item.label_en in content


def test_only_the_records_page_shows_the_checklists(client):
    content = client.get("/en/car-t/who-may-be-eligible/").content.decode()

    assert 'data-testid="records-checklists"' not in content

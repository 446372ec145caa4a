"""Translated content: pages, references, key figures and questions in the reader's language, the
English with a notice where a translation is missing, the review notice until an editor confirms a
translation, and an admin that shows which translations are missing or outdated."""

import pytest
from django.urls import reverse

from therapy_info.editorial import FaqEntryRevision
from therapy_info.models import FaqEntry, Page

pytestmark = pytest.mark.django_db

OVERVIEW = "/car-t/car-t-cell-therapy/"
NOT_TRANSLATED_RU = "Эта страница ещё не переведена на ваш язык, поэтому показана на английском."
NOT_REVIEWED_RU = "Этот перевод ещё не проверил медицинский специалист."


@pytest.mark.parametrize(
    ("language", "title", "figure_label"),
    [
        ("zh-hans", "CAR-T细胞疗法", "在同一试验中达到完全缓解"),
        ("ru", "CAR-T-клеточная терапия", "достигли полного ответа"),
        ("ar", "العلاج بخلايا CAR-T", "حقّقوا استجابة كاملة"),
    ],
)
def test_the_shipped_page_comes_in_the_readers_language(client, language, title, figure_label):
    content = client.get(f"/{language}{OVERVIEW}").content.decode()

    assert f'<h1 class="fw-semibold">{title}</h1>' in content
    assert figure_label in content
    assert 'href="#ref-2"' in content
    assert "In the ZUMA-1 trial" not in content


@pytest.mark.parametrize("language", ["zh-hans", "ru", "ar"])
def test_a_citation_in_english_is_marked_as_english_on_a_translated_page(client, language):
    content = client.get(f"/{language}{OVERVIEW}").content.decode()

    assert (
        '<span class="reference-citation" lang="en" dir="ltr">June CH, Sadelain M. Chimeric '
        "antigen receptor therapy." in content
    )


def test_a_translated_citation_is_shown_in_the_readers_language(client):
    reference = Page.objects.get(slug="car-t-cell-therapy").references.get(number=1)
    reference.citation_ru = "Джун К., Саделейн М. Терапия химерными антигенными рецепторами."  # noqa: RUF001
    reference.save()

    content = client.get(f"/ru{OVERVIEW}").content.decode()

    assert (
        '<span class="reference-citation">Джун К., Саделейн М. Терапия химерными антигенными '  # noqa: RUF001
        "рецепторами.</span>" in content
    )


def test_the_shipped_questions_come_in_the_readers_language(client):
    content = client.get("/ru/car-t/questions/").content.decode()

    assert "Почему CAR-T-терапия дорогая?" in content
    assert "Why is CAR-T therapy expensive?" not in content


def test_a_page_without_a_translation_is_shown_in_english_with_a_notice(client, make_page):
    make_page(title="Living with CAR-T", slug="living-with-car-t", body="Daily life [1].")

    content = client.get("/ru/car-t/living-with-car-t/").content.decode()

    assert NOT_TRANSLATED_RU in content
    assert '<div lang="en" dir="ltr">' in content
    assert "Living with CAR-T" in content
    assert '<div class="page-body" lang="en" dir="ltr">' in content


def test_a_translated_page_has_no_missing_translation_notice(client):
    content = client.get(f"/ru{OVERVIEW}").content.decode()

    assert NOT_TRANSLATED_RU not in content
    assert '<div lang="en" dir="ltr">' not in content
    assert '<div class="page-body" lang="en" dir="ltr">' not in content


def test_a_shipped_translation_says_it_is_not_yet_medically_reviewed(client):
    content = client.get(f"/ru{OVERVIEW}").content.decode()

    assert NOT_REVIEWED_RU in content
    assert '<a href="/en/car-t/car-t-cell-therapy/" hreflang="en" lang="en">English</a>' in content


def test_a_reviewed_translation_has_no_review_notice(client):
    page = Page.objects.get(slug="car-t-cell-therapy")
    page.translation_reviewed_ru = True
    page.save()

    content = client.get(f"/ru{OVERVIEW}").content.decode()

    assert NOT_REVIEWED_RU not in content


def test_an_untranslated_question_is_shown_in_english_with_a_notice(client, make_faq_entry):
    make_faq_entry(question="Can children have CAR-T?", answer="Sometimes.", order=999)

    content = client.get("/ar/car-t/questions/").content.decode()

    assert "لم تُترجم بعض الإجابات إلى لغتك بعد، لذلك تظهر بالإنجليزية." in content
    assert "Can children have CAR-T?" in content


def test_the_cache_keeps_each_languages_page_apart(client):
    client.get(f"/en{OVERVIEW}")
    client.get(f"/ru{OVERVIEW}")

    english = client.get(f"/en{OVERVIEW}").content.decode()
    russian = client.get(f"/ru{OVERVIEW}").content.decode()

    assert '<h1 class="fw-semibold">CAR-T cell therapy</h1>' in english
    assert '<h1 class="fw-semibold">CAR-T-клеточная терапия</h1>' in russian


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "ar"])
def test_a_page_in_any_language_needs_no_more_queries(
    client, language, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE_SECONDS = 0
    with django_assert_max_num_queries(4):
        response = client.get(f"/{language}{OVERVIEW}")

    assert response.status_code == 200


def test_each_language_gets_its_own_rendered_text_on_save(make_page):
    page = make_page(body="## Risks\n\nSee [1].")
    page.body_ru = "## Риски\n\nСм. [1]."  # noqa: RUF001
    page.save()

    assert '<h2 id="риски">Риски</h2>' in page.body_html_ru
    assert 'href="#ref-1"' in page.body_html_ru
    assert '<h2 id="risks">Risks</h2>' in page.body_html_en


def test_a_revision_keeps_every_language(make_page):
    page = make_page()
    page.title_ar = "ما هو CAR-T"
    page.save()

    assert page.history.latest().title_ar == "ما هو CAR-T"


def test_the_admin_lists_missing_and_outdated_translations(admin_client, make_page):
    make_page(title="Living with CAR-T", slug="living-with-car-t")
    overview = Page.objects.get(slug="car-t-cell-therapy")
    overview.body_en += "\n\nA new English paragraph."
    overview.save()

    content = admin_client.get(reverse("admin:therapy_info_page_changelist")).content.decode()

    assert '<div class="translation-missing">Russian: missing</div>' in content
    assert '<div class="translation-outdated">Russian: older than the English</div>' in content
    assert (
        '<div class="translation-current">Arabic: up to date</div>'
        in admin_client.get(reverse("admin:therapy_info_faqentry_changelist")).content.decode()
    )


def test_saving_a_translation_in_admin_records_its_english_and_asks_for_a_new_review(
    admin_client,
):
    entry = FaqEntry.objects.get(question_en="Why is CAR-T therapy expensive?")
    entry.translation_reviewed_ru = True
    entry.save()
    data = {
        "question_en": entry.question_en,
        "answer_en": entry.answer_en + " Prices differ between hospitals.",
        "question_zh_hans": entry.question_zh_hans,
        "answer_zh_hans": entry.answer_zh_hans,
        "question_ru": entry.question_ru,
        "answer_ru": entry.answer_ru + " Цены в больницах разные.",
        "question_ar": entry.question_ar,
        "answer_ar": entry.answer_ar,
        "is_published": "on",
        "order": entry.order,
        "translation_reviewed_ru": "on",
    }

    response = admin_client.post(
        reverse("admin:therapy_info_faqentry_change", args=[entry.pk]), data
    )

    assert response.status_code == 302
    # A published question's change waits as a pending revision: published here.
    FaqEntryRevision.objects.pending().get(entry=entry).publish(None)
    entry.refresh_from_db()
    assert entry.translation_state("ru") == "current"
    assert entry.translation_state("ar") == "outdated"
    assert not entry.translation_reviewed_ru
    assert "Цены в больницах разные." in entry.answer_html_ru


@pytest.mark.parametrize("model", [Page, FaqEntry, Page.history.model, FaqEntry.history.model])
def test_every_configured_translation_has_its_tracking_columns(model, settings):
    translations = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    expected = {
        f"{name}_{code.replace('-', '_')}"
        for code in translations
        for name in ("translated_from", "translation_reviewed")
    }

    columns = {field.name for field in model._meta.fields}

    assert expected <= columns
    assert not {name for name in columns if name.endswith("_en")} & {
        "translated_from_en",
        "translation_reviewed_en",
    }

"""The records checklists the case page shows: the diagnosis's own or the general one, its items in
order in the reader's language (English where a translation is missing), in two queries, ticked
against the item keys of the files a patient sent."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from therapy_info.records_checklists import (
    GENERAL,
    ChecklistItem,
    RecordsChecklist,
    checklist_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_checklist():
    """A published checklist with items given as (key, English label, Russian label or "")."""

    def make(diagnosis, items=(), is_published=True, **fields):
        checklist = RecordsChecklist.objects.create(
            diagnosis=diagnosis,
            title=fields.pop("title", f"Records for {diagnosis}"),
            introduction=fields.pop("introduction", "Send what you have."),
            is_published=is_published,
            **fields,
        )
        for order, (key, label, label_ru) in enumerate(items, start=1):
            ChecklistItem.objects.create(
                checklist=checklist,
                key=key,
                label_en=label,
                label_ru=label_ru,
                explanation_en=f"Why {label} helps.",
                order=order * 10,
            )
        return checklist

    return make


@pytest.fixture
def own_checklists():
    """Only the checklists a test makes: the shipped ones are deleted (the test's transaction
    brings them back)."""
    RecordsChecklist.objects.all().delete()


def test_a_diagnosis_gets_its_own_checklist(own_checklists, make_checklist):
    make_checklist(GENERAL)
    own = make_checklist("multiple_myeloma")

    assert checklist_for("multiple_myeloma") == own


def test_a_diagnosis_without_its_own_checklist_gets_the_general_one(own_checklists, make_checklist):
    general = make_checklist(GENERAL)
    make_checklist("multiple_myeloma")

    assert checklist_for("not_sure") == general


def test_an_unpublished_checklist_leaves_its_diagnosis_with_the_general_one(
    own_checklists, make_checklist
):
    general = make_checklist(GENERAL)
    make_checklist("b_all", is_published=False)

    assert checklist_for("b_all") == general


def test_there_is_no_checklist_when_nothing_is_published(own_checklists, make_checklist):
    make_checklist(GENERAL, is_published=False)

    assert checklist_for("cll") is None


def test_the_items_come_in_order_in_the_readers_language_or_else_in_english(
    own_checklists, make_checklist
):
    checklist = make_checklist(
        "cll",
        [
            ("recent_scan", "Recent scan", "Недавнее обследование"),
            ("blood_tests", "Blood tests", ""),
        ],
    )
    ChecklistItem.objects.filter(checklist=checklist, key="recent_scan").update(order=90)

    with translation.override("ru"):
        labels = [item.label for item in checklist_for("cll").items.all()]

    assert labels == ["Blood tests", "Недавнее обследование"]


def test_the_checklist_and_its_items_take_two_queries_whatever_the_reader_asks_of_them(
    own_checklists, make_checklist
):
    make_checklist(
        GENERAL,
        [(f"item_{n}", f"Item {n}", f"Пункт {n}") for n in range(12)],
        title_ru="Документы",
        introduction_ru="Пришлите то, что есть.",
    )
    ChecklistItem.objects.update(explanation_ru="Почему это помогает.")

    with translation.override("ru"), CaptureQueriesContext(connection) as queries:
        checklist = checklist_for("solid_tumour")
        shown = [
            (item.key, item.label, item.explanation, item.required, sent)
            for item, sent in checklist.ticked({"item_3"})
        ]
        needed = [item.label for item in checklist.items.all() if item.required]
        notices = (checklist.is_translated(), checklist.is_translation_reviewed())

    assert len(queries) == 2
    assert len(shown) == 12
    assert shown[0] == ("item_0", "Пункт 0", "Почему это помогает.", False, False)
    assert needed == []
    assert notices == (True, False)


def test_an_item_is_ticked_when_a_file_labelled_with_its_key_was_sent(
    own_checklists, make_checklist
):
    make_checklist(
        GENERAL,
        [("pathology_report", "Biopsy report", ""), ("recent_scan", "Recent scan", "")],
    )

    ticked = [(item.key, sent) for item, sent in checklist_for("other").ticked(["recent_scan"])]

    assert ticked == [("pathology_report", False), ("recent_scan", True)]


def test_a_checklist_is_translated_only_when_every_item_is(own_checklists, make_checklist):
    checklist = make_checklist(GENERAL, [("blood_tests", "Blood tests", "Анализы крови")])
    checklist.title_ru = "Документы"
    checklist.introduction_ru = "Пришлите то, что есть."
    checklist.save()
    item = checklist.items.get()
    item.explanation_ru = "Почему это помогает."
    item.save()
    assert checklist.is_translated("ru")

    ChecklistItem.objects.create(
        checklist=checklist, key="doctor_letter", label_en="Letter", explanation_en="A summary."
    )

    assert not RecordsChecklist.objects.get(pk=checklist.pk).is_translated("ru")


def test_an_items_new_english_makes_the_checklists_translation_outdated(
    own_checklists, make_checklist
):
    checklist = make_checklist(
        GENERAL, [("blood_tests", "Blood tests", "Анализы крови")], title_ru="Документы"
    )
    checklist.introduction_ru = "Пришлите то, что есть."
    ChecklistItem.objects.update(explanation_ru="Почему это помогает.")
    checklist.record_translation("ru")
    checklist.save()
    assert checklist.translation_state("ru") == "current"

    ChecklistItem.objects.update(explanation_en="A new English explanation.")

    assert RecordsChecklist.objects.get(pk=checklist.pk).translation_state("ru") == "outdated"


def test_two_items_of_a_checklist_cannot_share_a_key(own_checklists, make_checklist):
    checklist = make_checklist(GENERAL, [("blood_tests", "Blood tests", "")])

    with pytest.raises(IntegrityError):
        ChecklistItem.objects.create(
            checklist=checklist, key="blood_tests", label_en="Again", explanation_en="Again."
        )

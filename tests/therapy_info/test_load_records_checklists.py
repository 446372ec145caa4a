"""`manage.py load_content` and the records checklists: the shipped checklists and their items
reach the database once, with their translations current and not yet reviewed; a second run
changes nothing; an editor's change is kept unless forced; a dry run writes nothing; a translation
naming an item the English does not have is refused with the file's name."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command

from tests.therapy_info.shipped_content import rewrite
from therapy_info.content_files import ContentFileError, read_content
from therapy_info.content_loader import (
    CREATED,
    LOADED_NOTE,
    SKIPPED_CHANGED,
    SKIPPED_DELETED,
    UNCHANGED,
    UPDATED,
    load_content,
)
from therapy_info.models import TRANSLATION_LANGUAGES, LoadedContent
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist

pytestmark = pytest.mark.django_db

SHIPPED_DIAGNOSES = [
    "b_all",
    "cll",
    "follicular_lymphoma",
    "general",
    "large_b_cell_lymphoma",
    "mantle_cell_lymphoma",
    "multiple_myeloma",
    "solid_tumour",
]
SHIPPED_ITEMS = 57
MYELOMA = "records-checklists/multiple_myeloma"


def outcomes(report):
    return {item: outcome for outcome, item in report.lines}


def checklist_lines(report):
    return [(outcome, item) for outcome, item in report.lines if "checklist" in item]


def revisions():
    return RecordsChecklist.history.count() + ChecklistItem.history.count()


def without_checklists():
    RecordsChecklist.objects.all().delete()
    LoadedContent.objects.filter(key__contains="checklist").delete()


def edit_item(diagnosis, key, **texts):
    item = ChecklistItem.objects.get(checklist__diagnosis=diagnosis, key=key)
    for name, value in texts.items():
        setattr(item, name, value)
    item.save()
    return item


def test_a_fresh_database_gets_every_checklist_and_item_created():
    without_checklists()

    report = load_content()

    created = [item for outcome, item in checklist_lines(report) if outcome == CREATED]
    assert len(created) == len(SHIPPED_DIAGNOSES) + SHIPPED_ITEMS
    assert sorted(RecordsChecklist.objects.values_list("diagnosis", flat=True)) == (
        SHIPPED_DIAGNOSES
    )
    assert ChecklistItem.objects.count() == SHIPPED_ITEMS
    myeloma = RecordsChecklist.objects.get(diagnosis="multiple_myeloma")
    assert myeloma.is_published
    assert myeloma.history.get().history_change_reason == LOADED_NOTE
    for code in TRANSLATION_LANGUAGES:
        assert myeloma.translation_state(code) == "current"
        assert not myeloma.is_translation_reviewed(code)


def test_the_items_keep_the_order_of_the_file():
    keys = list(
        ChecklistItem.objects.filter(checklist__diagnosis="b_all")
        .order_by("order")
        .values_list("key", flat=True)
    )

    assert keys[:3] == ["bone_marrow_report", "target_test", "cns_status"]
    assert keys[-1] == "doctor_letter"


def test_a_second_run_changes_nothing():
    before = (
        revisions(),
        list(RecordsChecklist.objects.values("updated_at", "translated_from_ru")),
    )

    report = load_content()

    assert {outcome for outcome, _item in checklist_lines(report)} == {UNCHANGED}
    assert len(checklist_lines(report)) == len(SHIPPED_DIAGNOSES) + SHIPPED_ITEMS
    assert (
        revisions(),
        list(RecordsChecklist.objects.values("updated_at", "translated_from_ru")),
    ) == before


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing():
    without_checklists()

    report = load_content(dry_run=True)

    assert outcomes(report)["records checklist general"] == CREATED
    assert not RecordsChecklist.objects.exists()
    assert not ChecklistItem.objects.exists()


def test_an_editors_change_to_an_item_survives_and_is_reported():
    marker = f"An editor's own label {uuid.uuid4().hex}"
    edit_item("multiple_myeloma", "protein_tests", label_en=marker)

    report = load_content()

    assert outcomes(report)["checklist item multiple_myeloma/protein_tests"] == SKIPPED_CHANGED
    assert edit_item("multiple_myeloma", "protein_tests").label_en == marker
    # The checklist and its other items are still the loader's.
    assert outcomes(report)["records checklist multiple_myeloma"] == UNCHANGED
    assert outcomes(report)["checklist item multiple_myeloma/target_test"] == UNCHANGED


def test_force_overwrites_an_editors_change_to_an_item():
    edit_item("multiple_myeloma", "protein_tests", label_en="An editor's own label")

    report = load_content(force=True)

    assert outcomes(report)["checklist item multiple_myeloma/protein_tests"] == UPDATED
    label = edit_item("multiple_myeloma", "protein_tests").label_en
    assert label == "Blood and urine protein tests"


def test_a_changed_file_updates_what_editors_left_alone(content_copy):
    marker = uuid.uuid4().hex
    rewrite(
        content_copy / MYELOMA / "en.md",
        "label: Blood and urine protein tests",
        f"label: Blood and urine protein tests {marker}",
    )

    report = load_content(content=read_content(content_copy))

    assert outcomes(report)["checklist item multiple_myeloma/protein_tests"] == UPDATED
    myeloma = RecordsChecklist.objects.get(diagnosis="multiple_myeloma")
    assert myeloma.items.get(key="protein_tests").label_en.endswith(marker)
    # Shipped with this English: the translations are still current, still unreviewed.
    assert myeloma.translation_state("ru") == "current"
    assert not myeloma.translation_reviewed_ru
    assert {
        outcome
        for outcome, _item in checklist_lines(load_content(content=read_content(content_copy)))
    } == {UNCHANGED}


def test_a_changed_file_never_overwrites_an_editors_change(content_copy):
    rewrite(content_copy / MYELOMA / "en.md", "BCMA test, if done", "A BCMA test, if done")
    marker = f"An editor's own explanation {uuid.uuid4().hex}"
    edit_item("multiple_myeloma", "target_test", explanation_en=marker)

    report = load_content(content=read_content(content_copy))

    assert outcomes(report)["checklist item multiple_myeloma/target_test"] == SKIPPED_CHANGED
    assert edit_item("multiple_myeloma", "target_test").explanation_en == marker


def test_a_deleted_checklist_stays_deleted_unless_forced():
    RecordsChecklist.objects.get(diagnosis="cll").delete()

    report = load_content()

    assert outcomes(report)["records checklist cll"] == SKIPPED_DELETED
    assert not RecordsChecklist.objects.filter(diagnosis="cll").exists()
    assert outcomes(load_content(force=True))["records checklist cll"] == CREATED
    assert RecordsChecklist.objects.get(diagnosis="cll").items.count() == 7


def test_the_command_lists_the_checklists_it_created():
    without_checklists()
    output = StringIO()

    call_command("load_content", stdout=output)

    assert "created    records checklist general\n" in output.getvalue()
    assert "created    checklist item general/pathology_report\n" in output.getvalue()


def test_a_translation_naming_an_item_the_english_lacks_is_refused(content_copy):
    rewrite(content_copy / MYELOMA / "ru.md", "  protein_tests:", "  protein_test:")

    with pytest.raises(ContentFileError, match=r"multiple_myeloma/ru\.md: .*'protein_test'"):
        read_content(content_copy)


def test_an_item_without_an_explanation_is_refused(content_copy):
    path = content_copy / "records-checklists/general/en.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("  explanation: Usually a pathology report")
    end = text.index("- key: target_test")
    path.write_text(text[:start] + text[end:], encoding="utf-8")

    with pytest.raises(ContentFileError, match=r"general/en\.md: item 'pathology_report'"):
        read_content(content_copy)

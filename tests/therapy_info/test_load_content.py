"""`manage.py load_content`: the shipped content files reach the database once, an editor's
change is never overwritten without --force, a second run changes nothing, a dry run writes
nothing, and a database upgraded from the release that shipped content in data migrations keeps
its pages and is recognised as unchanged."""

import datetime
import importlib
import uuid
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.therapy_info.shipped_content import (
    programme_rows,
    rewrite,
    rows_of_pages_added_since_the_previous_release,
    shipped_products_and_trials,
    shipped_rows,
)
from therapy_info.content_files import ContentFileError, read_content
from therapy_info.content_loader import (
    CREATED,
    LOADED_NOTE,
    SKIPPED_CHANGED,
    SKIPPED_DELETED,
    SKIPPED_IN_EFFECT,
    UNCHANGED,
    UPDATED,
    load_content,
)
from therapy_info.editorial import PageReview
from therapy_info.models import (
    FaqEntry,
    KeyFigure,
    LoadedContent,
    Page,
    PageSlugRedirect,
    PrivacyNotice,
    Reference,
)
from therapy_info.products import ApprovedProduct, LabelRule
from therapy_info.programmes import (
    Programme,
    ProgrammeOffer,
    ProgrammeOutcome,
    ProgrammeSource,
)
from therapy_info.records_checklists import RecordsChecklist
from therapy_info.trials import ClinicalTrial

pytestmark = pytest.mark.django_db

OVERVIEW = "car-t-cell-therapy"
# 8 records checklists and their 57 items: new since the release the upgrade tests start from.
SHIPPED_CHECKLIST_ITEMS = 65
# The approved products with their rules, and the trials: new since that release too.
SHIPPED_PRODUCTS_AND_TRIALS = shipped_products_and_trials()
# The pages with their references and key figures, the questions, the privacy notice versions,
# the programmes with their sources, offers and outcomes, the products, rules and trials; the
# checklists.
SHIPPED_ROWS = shipped_rows() | SHIPPED_PRODUCTS_AND_TRIALS
SHIPPED_ITEMS = sum(SHIPPED_ROWS.values()) + SHIPPED_CHECKLIST_ITEMS
CONTENT_MODELS = [
    Page,
    Reference,
    KeyFigure,
    FaqEntry,
    PrivacyNotice,
    ApprovedProduct,
    LabelRule,
    ClinicalTrial,
    Programme,
    ProgrammeSource,
    ProgrammeOffer,
    ProgrammeOutcome,
]

_previous = "tests.therapy_info.previous_release.migrations."
previous_source = importlib.import_module(_previous + "0002_source_content")
previous_translations = importlib.import_module(_previous + "0004_content_translations")
previous_privacy = importlib.import_module(_previous + "0006_privacy_notice_version_1")
english_columns = importlib.import_module("therapy_info.migrations.0004_content_translations")


def outcomes(report):
    return {item: outcome for outcome, item in report.lines}


def counts():
    return {model.__name__: model.objects.count() for model in CONTENT_MODELS}


def revisions():
    return sum(model.history.count() for model in CONTENT_MODELS if hasattr(model, "history"))


def empty_database():
    # Offers and outcomes first: they protect the sources they cite.
    for model in [
        Page,
        FaqEntry,
        PrivacyNotice,
        RecordsChecklist,
        ProgrammeOffer,
        ProgrammeOutcome,
        Programme,
        ApprovedProduct,
        ClinicalTrial,
        LoadedContent,
    ]:
        model.objects.all().delete()


def database_as_the_previous_release_left_it():
    """The content written by the previous release's data migrations, with their own code, on
    the schema they ran on; and no record of load_content, which that release did not have."""
    empty_database()
    state = MigrationLoader(connection).project_state(("therapy_info", "0004_content_translations"))
    # The page's one review moved to PageReview (per language) since: the columns are gone.
    for model in ("page", "historicalpage"):
        for name in ("reviewed_on", "reviewed_by"):
            state.models["therapy_info", model].fields.pop(name)
    previous_source.load_content(state.apps, None)
    english_columns.copy_english_to_its_column(state.apps, None)
    previous_translations.add_translations(state.apps, None)
    previous_privacy.create_version_1(apps, None)


def rename_the_overview():
    page = Page.objects.get(slug=OVERVIEW)
    page.slug = f"renamed-{uuid.uuid4().hex}"
    page.save()
    return page


def test_a_fresh_database_gets_every_item_created():
    empty_database()

    report = load_content()

    assert report.counts[CREATED] == SHIPPED_ITEMS
    assert counts() == SHIPPED_ROWS
    overview = Page.objects.get(slug=OVERVIEW)
    assert 'href="#ref-5"' in overview.body_html_en
    assert 'href="#ref-5"' in overview.body_html_ar
    assert overview.translation_state("ru") == "current"
    assert not overview.is_translation_reviewed("ru")
    assert overview.history.get().history_change_reason == LOADED_NOTE


def test_a_second_run_changes_nothing():
    before = (counts(), revisions(), list(Page.objects.values_list("updated_at", flat=True)))

    report = load_content()

    assert report.counts[UNCHANGED] == SHIPPED_ITEMS
    assert (counts(), revisions(), list(Page.objects.values_list("updated_at", flat=True))) == (
        before
    )


def test_a_dry_run_reports_what_it_would_do_and_writes_nothing():
    empty_database()

    report = load_content(dry_run=True)

    assert report.counts[CREATED] == SHIPPED_ITEMS
    assert counts() == dict.fromkeys(counts(), 0)
    assert not LoadedContent.objects.exists()


def test_an_editors_change_survives_and_is_reported():
    marker = f"An editor's own title {uuid.uuid4().hex}"
    page = Page.objects.get(slug=OVERVIEW)
    page.title_en = marker
    page.save()

    report = load_content()

    assert outcomes(report)[f"page {OVERVIEW}"] == SKIPPED_CHANGED
    assert Page.objects.get(slug=OVERVIEW).title_en == marker
    # Its references, untouched by the editor, are still the loader's.
    assert outcomes(report)[f"reference {OVERVIEW} [1]"] == UNCHANGED


def test_force_overwrites_an_editors_change():
    page = Page.objects.get(slug=OVERVIEW)
    page.title_en = f"An editor's own title {uuid.uuid4().hex}"
    page.save()

    report = load_content(force=True)

    assert outcomes(report)[f"page {OVERVIEW}"] == UPDATED
    assert Page.objects.get(slug=OVERVIEW).title_en == "CAR-T cell therapy"


def test_a_changed_file_updates_what_editors_left_alone(content_copy):
    marker = uuid.uuid4().hex
    rewrite(
        content_copy / "pages" / OVERVIEW / "en.md",
        "kill the tumor cells that carry their target [1].",
        f"kill the tumor cells that carry their target {marker} [5].",
    )
    page = Page.objects.get(slug=OVERVIEW)

    report = load_content(content=read_content(content_copy))

    assert outcomes(report)[f"page {OVERVIEW}"] == UPDATED
    page.refresh_from_db()
    assert marker in page.body_en
    assert f'{marker} <a class="citation" href="#ref-5"' in page.body_html_en
    assert page.history.latest().history_change_reason == LOADED_NOTE
    # The translations were shipped with this English: still current, still unreviewed.
    assert page.translation_state("zh-hans") == "current"
    assert load_content(content=read_content(content_copy)).counts[UNCHANGED] == SHIPPED_ITEMS


def test_a_review_in_the_files_is_the_pages_english_review(content_copy):
    rewrite(
        content_copy / "pages" / OVERVIEW / "en.md",
        "navigation_order:",
        "reviewed_on: 2026-05-01\nreviewed_by: Dr. A. Example, haematologist\nnavigation_order:",
    )

    load_content(content=read_content(content_copy))

    review = PageReview.objects.get(page__slug=OVERVIEW)
    assert (review.language, review.reviewed_on, review.reviewer_name) == (
        "en",
        datetime.date(2026, 5, 1),
        "Dr. A. Example, haematologist",
    )


def test_a_changed_file_never_overwrites_an_editors_change(content_copy):
    rewrite(content_copy / "faq" / "what-is-car-t" / "en.md", "personalized", "individual")
    marker = f"An editor's own answer {uuid.uuid4().hex}"
    entry = FaqEntry.objects.get(question_en="What is CAR-T cell therapy?")
    entry.answer_en = marker
    entry.save()

    report = load_content(content=read_content(content_copy))

    assert outcomes(report)["question what-is-car-t"] == SKIPPED_CHANGED
    entry.refresh_from_db()
    assert entry.answer_en == marker


def test_a_deleted_item_stays_deleted_unless_forced():
    FaqEntry.objects.get(question_en="Why is CAR-T therapy expensive?").delete()

    report = load_content()

    assert outcomes(report)["question why-it-is-expensive"] == SKIPPED_DELETED
    assert not FaqEntry.objects.filter(question_en="Why is CAR-T therapy expensive?").exists()
    assert outcomes(load_content(force=True))["question why-it-is-expensive"] == CREATED
    assert FaqEntry.objects.filter(question_en="Why is CAR-T therapy expensive?").exists()


def test_a_renamed_page_is_found_at_its_new_address():
    page = rename_the_overview()

    report = load_content()

    # The slug the files give is the loader's: the editor's rename is kept, nothing duplicated.
    assert outcomes(report)[f"page {OVERVIEW}"] == SKIPPED_CHANGED
    assert Page.objects.count() == SHIPPED_ROWS["Page"]
    assert PageSlugRedirect.objects.get(old_slug=OVERVIEW).page == page


def test_a_privacy_notice_in_effect_is_never_changed_even_with_force(content_copy):
    rewrite(content_copy / "privacy-notice" / "1" / "en.md", "## Security", "## Safety")

    report = load_content(force=True, content=read_content(content_copy))

    assert outcomes(report)["privacy notice 1"] == SKIPPED_IN_EFFECT
    assert "## Security" in PrivacyNotice.objects.get(version="1").body_en


def test_the_privacy_notice_names_this_deployments_contact_address(settings):
    empty_database()
    settings.CONTACT_EMAIL = f"{uuid.uuid4().hex}@example.org"

    load_content()

    body = PrivacyNotice.objects.get(version="1").body_ru
    assert f"[{settings.CONTACT_EMAIL}](mailto:{settings.CONTACT_EMAIL})" in body
    assert "{contact_email}" not in body


def test_an_upgraded_database_keeps_its_rows_and_is_brought_up_to_the_files():
    database_as_the_previous_release_left_it()
    before = {
        model.__name__: set(model.objects.values_list("pk", flat=True)) for model in CONTENT_MODELS
    }

    report = load_content()

    # Every row the migrations wrote is recognised as the loader's own: none is taken for an
    # editor's change, none is duplicated; what the files changed since is updated in place.
    assert not [line for line in report.lines if line[0].startswith("skipped")]
    for model in CONTENT_MODELS:
        assert before[model.__name__] <= set(model.objects.values_list("pk", flat=True))
    assert counts() == SHIPPED_ROWS
    # 10 references and key figures the files have since for that release's pages, the pages
    # added since with theirs, privacy notice version 2; that release had no checklists, programmes,
    # products or trials.
    assert report.counts[CREATED] == (
        10
        + rows_of_pages_added_since_the_previous_release()
        + 1
        + SHIPPED_CHECKLIST_ITEMS
        + sum(SHIPPED_PRODUCTS_AND_TRIALS.values())
        + sum(programme_rows().values())
    )
    assert outcomes(report)["privacy notice 1"] == UNCHANGED
    assert load_content().counts[UNCHANGED] == SHIPPED_ITEMS


def test_a_database_loaded_before_references_had_reviewer_notes_gets_the_notes():
    empty_database()
    before_notes = read_content()
    for page in before_notes["pages"]:
        for reference in page.references:
            del reference.values["reviewer_note"]
    load_content(content=before_notes)

    report = load_content()

    assert outcomes(report)[f"reference {OVERVIEW} [2]"] == UPDATED
    assert outcomes(report)[f"reference {OVERVIEW} [1]"] == UNCHANGED
    assert "TRANSCEND" in Page.objects.get(slug=OVERVIEW).references.get(number=2).reviewer_note
    assert load_content().counts[UNCHANGED] == SHIPPED_ITEMS


def test_an_upgraded_database_keeps_what_editors_changed_since_the_migrations():
    database_as_the_previous_release_left_it()
    marker = f"Edited after the migrations {uuid.uuid4().hex}"
    page = Page.objects.get(slug="advantages-and-challenges")
    page.summary_en = marker
    page.save()

    report = load_content()

    assert outcomes(report)["page advantages-and-challenges"] == SKIPPED_CHANGED
    assert Page.objects.get(slug="advantages-and-challenges").summary_en == marker
    # The page no editor touched is the loader's: brought up to the files.
    assert outcomes(report)[f"page {OVERVIEW}"] == UPDATED


def test_the_command_says_what_it_did():
    empty_database()
    created, again = StringIO(), StringIO()

    call_command("load_content", stdout=created)
    call_command("load_content", stdout=again)

    assert f"created    page {OVERVIEW}" in created.getvalue()
    assert f"Content files: {SHIPPED_ITEMS} created, 0 updated" in created.getvalue()
    assert (
        again.getvalue()
        == f"Content files: 0 created, 0 updated, {SHIPPED_ITEMS} unchanged, 0 skipped.\n"
    )


def test_the_command_names_a_broken_file_and_writes_nothing(content_copy, monkeypatch):
    empty_database()
    (content_copy / "faq" / "what-is-car-t" / "en.md").write_text("---\nquestion: [\n---\n")
    monkeypatch.setattr("therapy_info.content_files.CONTENT_DIR", content_copy)
    monkeypatch.setattr(
        "therapy_info.content_loader.read_content", lambda: read_content(content_copy)
    )

    with pytest.raises(CommandError, match=r"what-is-car-t/en\.md: the front matter"):
        call_command("load_content")

    assert counts() == dict.fromkeys(counts(), 0)


def test_the_files_effective_date_is_the_versions(content_copy):
    notice = read_content(content_copy)["privacy_notices"][0]

    assert notice.values["effective_on"] == datetime.date(2026, 1, 1)


def test_an_upgraded_database_finds_a_page_an_editor_renamed_by_its_old_address():
    database_as_the_previous_release_left_it()
    rename_the_overview()

    report = load_content()

    assert outcomes(report)[f"page {OVERVIEW}"] == SKIPPED_CHANGED
    assert Page.objects.count() == SHIPPED_ROWS["Page"]
    # Its reference, untouched since the migrations, is found on the renamed page and updated.
    assert outcomes(report)[f"reference {OVERVIEW} [1]"] == UPDATED
    assert Reference.objects.filter(number=1, page__slug__startswith="renamed-").count() == 1


def test_the_command_is_silent_at_verbosity_0_and_still_loads():
    empty_database()
    quiet = StringIO()

    call_command("load_content", verbosity=0, stdout=quiet)

    assert quiet.getvalue() == ""
    assert Page.objects.filter(slug=OVERVIEW).exists()


def test_a_pages_special_section_comes_from_its_front_matter():
    pages = {page.key: page for page in read_content()["pages"]}

    assert pages["treatment-journey"].values["special_section"] == "treatment_journey"
    assert pages["preparing-medical-records"].values["special_section"] == "records_checklists"
    assert pages[OVERVIEW].values["special_section"] == ""
    assert Page.objects.get(slug="treatment-journey").special_section == (
        Page.SpecialSection.TREATMENT_JOURNEY
    )


def test_the_loader_refuses_a_special_section_it_does_not_know(content_copy):
    journey = content_copy / "pages" / "treatment-journey" / "en.md"
    rewrite(journey, "special_section: treatment_journey\n", "special_section: timeline\n")

    with pytest.raises(
        ContentFileError,
        match=r"treatment-journey/en.md: `special_section` is 'timeline'; it is one of "
        r"treatment_journey, records_checklists, or left out",
    ):
        read_content(content_copy)


def test_a_database_loaded_before_pages_had_special_sections_gets_them():
    empty_database()
    before_special_sections = read_content()
    for page in before_special_sections["pages"]:
        del page.values["special_section"]
    load_content(content=before_special_sections)

    report = load_content()

    assert outcomes(report)["page treatment-journey"] == UPDATED
    assert outcomes(report)[f"page {OVERVIEW}"] == UNCHANGED
    assert Page.objects.get(slug="treatment-journey").special_section == "treatment_journey"
    assert load_content().counts[UNCHANGED] == SHIPPED_ITEMS

"""`load_content` and the programmes' files (therapy_info/content/programmes/<slug>/): a programme
arrives with its sources, offers and outcomes, each fact pointing at its source; a second run
changes nothing; an editor's change is never overwritten; a bad file is refused by name before
anything is written."""

import datetime
import shutil
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from tests.therapy_info.shipped_content import rewrite
from therapy_info.content_files import ContentFileError, read_programme
from therapy_info.content_loader import (
    CREATED,
    SKIPPED_CHANGED,
    SKIPPED_DELETED,
    UNCHANGED,
    UPDATED,
    load_content,
)
from therapy_info.programmes import (
    City,
    Programme,
    ProgrammeOffer,
    ProgrammeOutcome,
    ProgrammeSource,
)

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "programme_files" / "example-test-hospital"
# The programme, its 2 sources, 2 offers and 1 outcome.
ROWS = 6


@pytest.fixture
def folder(tmp_path):
    """A copy of the fictional programme's folder, under a slug no shipped programme has."""
    copy = tmp_path / "programmes" / f"example-{uuid.uuid4().hex[:8]}"
    shutil.copytree(FIXTURE, copy)
    return copy


def load(folder, **options):
    content = {
        "pages": [],
        "questions": [],
        "privacy_notices": [],
        "records_checklists": [],
        "programmes": [read_programme(folder)],
    }
    return load_content(content=content, **options)


def english_file(folder):
    return folder / "en.md"


def test_a_programme_arrives_with_its_sources_offers_and_outcomes(folder):
    report = load(folder)

    assert report.counts[CREATED] == ROWS
    programme = Programme.objects.get(slug=folder.name)
    assert programme.name_en == "Example Test Hospital"
    assert programme.name_ru == "Пример тестовой больницы"
    assert programme.city == City.objects.get(name_en="Beijing")
    assert programme.status == Programme.Status.PUBLISHED
    assert programme.website_source.number == 1
    assert programme.languages_source.number == 2
    assert programme.interpreter == "" and programme.interpreter_source is None
    assert programme.price_from == Decimal("150000.00")
    assert programme.price_to == Decimal("250000.00")
    assert programme.price_currency == "CNY"
    assert programme.price_quoted_on == datetime.date(2026, 1, 15)
    assert programme.price_source.number == 2
    assert programme.price_includes_ru == "клеточный препарат и пребывание в больнице"
    assert not programme.verified_by_team
    sources = list(programme.sources.order_by("number"))
    assert [source.last_verified_on for source in sources] == [datetime.date(2026, 11, 28)] * 2
    assert sources[0].reviewer_note == 'Excerpt: "an example"'
    offers = list(programme.offers.order_by("order"))
    assert [(o.kind, o.target, o.diseases) for o in offers] == [
        ("approved_product", "CD19", ["large_b_cell_lymphoma", "b_all"]),
        ("trial", "BCMA", ["multiple_myeloma"]),
    ]
    assert offers[1].registry_id == "NCT00000000"
    outcome = programme.outcomes.get()
    assert outcome.text_ru == "В примерном году пролечено 12 пациентов."  # noqa: RUF001
    assert outcome.source.number == 2


def test_loading_twice_changes_nothing(folder):
    load(folder)
    revisions = Programme.history.filter(slug=folder.name).count()

    report = load(folder)

    assert report.counts[UNCHANGED] == ROWS
    assert Programme.history.filter(slug=folder.name).count() == revisions


def test_a_changed_file_updates_what_no_editor_touched(folder):
    load(folder)
    rewrite(
        english_file(folder),
        "last_verified_on: 2026-11-28\n  reviewer_note",
        "last_verified_on: 2026-12-05\n  reviewer_note",
    )
    rewrite(
        english_file(folder), "typical_stay: About four weeks", "typical_stay: About five weeks"
    )

    report = load(folder)

    programme = Programme.objects.get(slug=folder.name)
    assert programme.typical_stay_en == "About five weeks"
    assert programme.typical_stay_source.number == 2
    assert programme.sources.get(number=1).last_verified_on == datetime.date(2026, 12, 5)
    assert report.counts[UPDATED] == 2


def test_a_new_source_is_pointed_at_by_the_fact_that_cites_it(folder):
    load(folder)
    rewrite(
        english_file(folder),
        "typical_stay_source: 2",
        "typical_stay_source: 3",
    )
    rewrite(
        english_file(folder),
        "sources:\n",
        "sources:\n- number: 3\n  citation: A third source.\n  url: https://example.org/3\n"
        "  last_verified_on: 2026-11-28\n",
    )

    load(folder)

    assert Programme.objects.get(slug=folder.name).typical_stay_source.number == 3


def test_an_editors_change_to_a_programme_is_kept(folder):
    load(folder)
    programme = Programme.objects.get(slug=folder.name)
    programme.typical_stay_en = "Three weeks, as the hospital told our editor"
    programme.save()
    rewrite(
        english_file(folder), "typical_stay: About four weeks", "typical_stay: About five weeks"
    )

    report = load(folder)

    programme.refresh_from_db()
    assert programme.typical_stay_en == "Three weeks, as the hospital told our editor"
    assert (SKIPPED_CHANGED, f"programme {folder.name}") in report.lines


def test_an_editors_change_to_a_source_is_kept(folder):
    load(folder)
    source = ProgrammeSource.objects.get(programme__slug=folder.name, number=1)
    source.last_verified_on = datetime.date(2027, 1, 10)
    source.save()

    report = load(folder)

    source.refresh_from_db()
    assert source.last_verified_on == datetime.date(2027, 1, 10)
    assert (SKIPPED_CHANGED, f"programme source {folder.name} [1]") in report.lines


def test_force_overwrites_an_editors_change(folder):
    load(folder)
    Programme.objects.filter(slug=folder.name).update(typical_stay_en="Edited")

    load(folder, force=True)

    assert Programme.objects.get(slug=folder.name).typical_stay_en == "About four weeks"


def test_a_programme_an_editor_deleted_stays_deleted(folder):
    load(folder)
    programme = Programme.objects.get(slug=folder.name)
    programme.offers.all().delete()
    programme.outcomes.all().delete()
    programme.delete()

    report = load(folder)

    assert not Programme.objects.filter(slug=folder.name).exists()
    assert report.lines == [(SKIPPED_DELETED, f"programme {folder.name}")]


def test_a_programme_an_editor_wrote_before_the_files_is_not_overwritten(folder):
    beijing = City.objects.get(name_en="Beijing")
    Programme.objects.create(slug=folder.name, name="Written in the admin", city=beijing)

    report = load(folder)

    assert Programme.objects.get(slug=folder.name).name_en == "Written in the admin"
    assert (SKIPPED_CHANGED, f"programme {folder.name}") in report.lines


def test_a_dry_run_writes_nothing(folder):
    report = load(folder, dry_run=True)

    assert report.counts[CREATED] == ROWS
    assert not Programme.objects.filter(slug=folder.name).exists()
    assert not ProgrammeOffer.objects.filter(programme__slug=folder.name).exists()
    assert not ProgrammeOutcome.objects.filter(programme__slug=folder.name).exists()


# ---- Bad files: refused by name, nothing written ----------------------------------------------


BAD_FILES = [
    ("unknown city", "city: Beijing", "city: Atlantis", "`city` is 'Atlantis'"),
    (
        "unknown disease",
        "diseases: [multiple_myeloma]",
        "diseases: [myeloma]",
        "unknown disease 'myeloma'",
    ),
    (
        "a fact without its source",
        "languages_source: 2\n",
        "",
        "`languages` has no source",
    ),
    (
        "a source number that does not exist",
        "typical_stay_source: 2",
        "typical_stay_source: 7",
        "`typical_stay` cites source 7, which is not among the `sources`",
    ),
    (
        "an amount without currency",
        "  currency: CNY\n",
        "",
        "the price has an amount but no `currency`",
    ),
    (
        "a source without https",
        "url: https://hospital.example.org/about",
        "url: http://hospital.example.org/about",
        "source 1 needs an https:// link",
    ),
    (
        "an amount YAML reads as a float",
        'from: "150000.00"',
        "from: 150000.00",
        "price `from` must be written as text",
    ),
    ("a misspelt key", "typical_stay:", "typicalstay:", "unknown key 'typicalstay'"),
]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_a_bad_file_is_refused_by_name_before_anything_is_written(folder, old, new, message):
    rewrite(english_file(folder), old, new)

    with pytest.raises(ContentFileError) as refused:
        load(folder)

    assert str(english_file(folder)) in str(refused.value)
    assert message in str(refused.value)
    assert not Programme.objects.filter(slug=folder.name).exists()


def test_a_translation_of_a_fact_the_english_does_not_state_is_refused(folder):
    translation = folder / "ru.md"
    rewrite(translation, "typical_stay:", "interpreter: есть\ntypical_stay:")

    with pytest.raises(ContentFileError) as refused:
        read_programme(folder)

    assert str(translation) in str(refused.value)
    assert "`interpreter` is translated, but the English states none" in str(refused.value)

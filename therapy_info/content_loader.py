"""Keeps the database in step with the shipped content files (therapy_info/content/), without ever
overwriting what an editor changed: the engine of `manage.py load_content`.

Each item of the files (a page, its references and key figures, a question, a privacy notice
version, a records checklist and its items, a programme and its sources, offers and outcomes,
an approved product and its label rules) is matched to its row; then:

- no row: created (unless the loader made it before and an editor deleted it: skipped);
- the row holds what the files say: unchanged;
- the row still holds what the loader last wrote (LoadedContent's hash): updated from the files;
- otherwise an editor changed it: skipped, unless `force`.

A row from before load_content existed (the old data migrations) has no LoadedContent yet; it
counts as the loader's own while its latest revision is one of those migrations' (or it has no
revision), so an upgraded database is recognised as unchanged and keeps every editor's change.
A privacy notice version in effect is never changed: enquiries record which text they agreed to.
Programmes came after the loader: a programme row it has no record of is an editor's.

The snapshots of the trial registry (content/trials/) load as `import_trials` loads a file
(therapy_info.trial_import): by registry number, the snapshot's day as each trial's last check,
and a trial checked more recently than that left as it is.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction

from therapy_info import trial_import
from therapy_info.content_files import ContentFileError, read_content
from therapy_info.editorial import PageReview
from therapy_info.models import (
    SOURCE_LANGUAGE,
    FaqEntry,
    KeyFigure,
    LoadedContent,
    Page,
    PrivacyNotice,
    Reference,
    localized,
    pages_rendered_later,
)
from therapy_info.product_files import PAGE_REFERENCE_RE
from therapy_info.products import ApprovedProduct, LabelRule
from therapy_info.programmes import (
    City,
    Programme,
    ProgrammeOffer,
    ProgrammeOutcome,
    ProgrammeSource,
)
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist

LOADED_NOTE = "Loaded from the content files"
# The revision notes of the data migrations that shipped the content before load_content did.
MIGRATION_NOTES = {
    "Imported from the source texts",
    "Translations added (not yet medically reviewed)",
}

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
SKIPPED_CHANGED = "skipped: changed by an editor"
SKIPPED_DELETED = "skipped: deleted by an editor"
SKIPPED_IN_EFFECT = "skipped: in effect (a change needs a new version)"
SKIPPED_NO_SOURCE = "skipped: its source was deleted by an editor"
OUTCOMES = [
    CREATED,
    UPDATED,
    UNCHANGED,
    SKIPPED_CHANGED,
    SKIPPED_DELETED,
    SKIPPED_IN_EFFECT,
    trial_import.SKIPPED_NEWER,
    SKIPPED_NO_SOURCE,
]
# Kinds the loader shipped from the start (no data migration ever made their rows).
PROGRAMME_KINDS = {"programme", "programme source", "programme offer", "programme outcome"}


@dataclass
class Report:
    lines: list = field(default_factory=list)

    def add(self, outcome, item):
        self.lines.append((outcome, str(item)))

    @property
    def counts(self):
        counted = Counter(outcome for outcome, _item in self.lines)
        return {outcome: counted[outcome] for outcome in OUTCOMES}

    def summary(self):
        counts = self.counts
        skipped = sum(counts[outcome] for outcome in OUTCOMES if outcome.startswith("skipped"))
        return (
            f"{counts[CREATED]} created, {counts[UPDATED]} updated, "
            f"{counts[UNCHANGED]} unchanged, {skipped} skipped"
        )


def content_hash(values):
    """The same values hash the same however they were stored (a date or its text, None or "",
    a trailing newline)."""

    def normal(value):
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        return str(value)

    canonical = json.dumps({name: normal(value) for name, value in values.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Columns the files gained after the loader first wrote their rows: a record written before holds
# the hash of the values without them, which is what the row still hashes to while they are empty.
ADDED_LATER = {"reviewer_note", "special_section"}
# A page's columns the loader wrote before the medical review moved to PageReview (per language):
# a record written then holds the hash of the values with them, empty as the shipped pages had them.
REMOVED_LATER = {"reviewed_on": None, "reviewed_by": ""}


def _hashes_of_what_the_loader_may_have_written(values):
    hashes = {content_hash(values)}
    without_added = {
        name: value for name, value in values.items() if name not in ADDED_LATER or value
    }
    hashes.add(content_hash(without_added))
    if "navigation_order" in values:
        hashes.add(content_hash({**values, **REMOVED_LATER}))
    return hashes


def _is_source_number(name):
    """A programme fact's source (`website_source_number`) or an offer's or outcome's
    (`source_number`), by the number the files give it."""
    return name == "source_number" or name.endswith("_source_number")


def _source_field(name):
    return name.removesuffix("_number")


def _stored_values(obj, names):
    values = {}
    for name in names:
        if name == "reference_number":
            values[name] = obj.reference.number if obj.reference_id else None
        elif name == "source_reference":
            reference = obj.source_reference
            values[name] = f"{reference.page.slug} [{reference.number}]" if reference else ""
        elif name == "city":
            values[name] = getattr(obj.city, localized("name", SOURCE_LANGUAGE))
        elif _is_source_number(name):
            source = getattr(obj, _source_field(name))
            values[name] = source.number if source else None
        else:
            values[name] = getattr(obj, name)
    return values


def _write_values(obj, values, page=None):
    """`page`: the page of a reference or key figure, the programme of a source, offer or
    outcome."""
    for name, value in values.items():
        if name == "reference_number":
            obj.reference = page.references.filter(number=value).first() if value else None
        elif name == "source_reference":
            match = PAGE_REFERENCE_RE.match(value)
            obj.source_reference = (
                Reference.objects.filter(page__slug=match[1], number=int(match[2])).first()
                if match
                else None
            )
        elif name == "city":
            obj.city = City.objects.get(**{localized("name", SOURCE_LANGUAGE): value})
        elif _is_source_number(name) and isinstance(obj, Programme):
            source = obj.sources.filter(number=value).first() if obj.pk and value else None
            setattr(obj, _source_field(name), source)
            if value and source is None:
                # A new programme, or a new source: pointed at once the sources are loaded.
                obj.source_numbers_to_point_at = {
                    **getattr(obj, "source_numbers_to_point_at", {}),
                    _source_field(name): value,
                }
        elif _is_source_number(name):
            setattr(obj, _source_field(name), page.sources.filter(number=value).first())
        else:
            setattr(obj, name, value)


def _shipped_by_migrations(obj):
    if not hasattr(obj, "history"):
        # No data migration ever shipped it (approved products): a row the loader never wrote
        # is an editor's.
        return False
    latest = (
        obj.history.order_by("-history_date", "-history_id")
        .values_list("history_change_reason", flat=True)
        .first()
    )
    return not obj.history.exists() or latest in MIGRATION_NOTES


class Loader:
    def __init__(self, *, force=False):
        self.force = force
        self.report = Report()

    def sync(self, item, existing, new, page=None):
        """Brings one row in step with its item; returns the row (None when it stays deleted)
        and whether it was written."""
        key = f"{item.kind}:{item.key}"
        record = LoadedContent.objects.filter(key=key).first()
        model = type(new)
        obj = model.objects.filter(pk=record.object_id).first() if record else existing
        wanted = content_hash(item.values)
        if obj is None:
            if record and not self.force:
                self.report.add(SKIPPED_DELETED, item)
                return None, False
            outcome, obj = CREATED, new
        else:
            stored_values = _stored_values(obj, item.values)
            if content_hash(stored_values) == wanted:
                self._remember(key, obj, wanted)
                self.report.add(UNCHANGED, item)
                return obj, False
            if isinstance(obj, PrivacyNotice) and obj.is_in_effect:
                self.report.add(SKIPPED_IN_EFFECT, item)
                return obj, False
            if record:
                untouched = record.content_hash in _hashes_of_what_the_loader_may_have_written(
                    stored_values
                )
            else:
                untouched = item.kind not in PROGRAMME_KINDS and _shipped_by_migrations(obj)
            if not untouched and not self.force:
                self.report.add(SKIPPED_CHANGED, item)
                return obj, False
            outcome = UPDATED
        _write_values(obj, item.values, page)
        for code in item.translated:
            obj.record_translation(
                code, reviewed=item.values[localized("translation_reviewed", code)]
            )
        obj._change_reason = LOADED_NOTE
        obj.save()
        self._remember(key, obj, wanted)
        self.report.add(outcome, item)
        return obj, True

    def _remember(self, key, obj, content_hash):
        LoadedContent.objects.update_or_create(
            key=key, defaults={"object_id": obj.pk, "content_hash": content_hash}
        )

    def load_page(self, item):
        slug = item.values["slug"]
        existing = (
            Page.objects.filter(slug=slug).first()
            or Page.objects.filter(old_slugs__old_slug=slug).first()
        )
        with pages_rendered_later():
            page, written = self.sync(item, existing, Page())
            if page is None:
                return
            holds_the_files = self.report.lines[-1][0] in (CREATED, UPDATED, UNCHANGED)
            for reference in item.references:
                number = reference.values["number"]
                _row, saved = self.sync(
                    reference,
                    page.references.filter(number=number).first(),
                    Reference(page=page),
                    page,
                )
                written = written or saved
            for figure in item.key_figures:
                self.sync(
                    figure,
                    page.key_figures.filter(order=figure.values["order"]).first(),
                    KeyFigure(page=page),
                    page,
                )
        # The files' review is of the files' English: recorded while the page holds it, never
        # over a reviewer's own record of an unchanged page.
        english_review = page.reviews.filter(language=SOURCE_LANGUAGE)
        if item.review and holds_the_files and (written or not english_review.exists()):
            reviewed_on, reviewer_name = item.review
            PageReview.objects.update_or_create(
                page=page,
                language=SOURCE_LANGUAGE,
                defaults={"reviewed_on": reviewed_on, "reviewer_name": reviewer_name},
            )
        if written:
            # Once, now that the references the text cites exist.
            page.refresh_rendering()

    def load_question(self, item):
        english = item.values["question_en"]
        self.sync(item, FaqEntry.objects.filter(question_en=english).first(), FaqEntry())

    def load_product(self, item):
        existing = ApprovedProduct.objects.filter(slug=item.values["slug"]).first()
        product, _written = self.sync(item, existing, ApprovedProduct())
        if product is None:
            return
        for rule in item.rules:
            self.sync(
                rule,
                product.rules.filter(key=rule.values["key"]).first(),
                LabelRule(product=product),
            )

    def load_trial_snapshot(self, snapshot):
        """The snapshot's trials, as import_trials loads them: a trial checked more recently than
        the snapshot (by an editor, or a newer file) is left as it is."""
        importer = trial_import.TrialImporter(snapshot.checked_on)
        importer.save(importer.prepare(snapshot.studies))
        for outcome, registry_id in importer.report.lines:
            self.report.add(outcome, f"clinical trial {registry_id}")

    def load_privacy_notice(self, item):
        version = item.values["version"]
        self.sync(item, PrivacyNotice.objects.filter(version=version).first(), PrivacyNotice())

    # ---- Records checklists --------------------------------------------------------------------

    def load_records_checklist(self, item):
        diagnosis = item.values["diagnosis"]
        checklist, written = self.sync(
            item, RecordsChecklist.objects.filter(diagnosis=diagnosis).first(), RecordsChecklist()
        )
        if checklist is None:
            return
        for entry in item.items:
            _row, saved = self.sync(
                entry,
                checklist.items.filter(key=entry.values["key"]).first(),
                ChecklistItem(checklist=checklist),
            )
            written = written or saved
        if written and _holds_the_files(checklist, item):
            _record_checklist_translations(checklist, item)

    # ---- Hospitals' programmes ------------------------------------------------------------------

    def load_programme(self, item):
        """The programme, then its sources, then what cites them: the facts' sources (by number),
        the offers and the outcomes. Each row follows the files unless an editor changed it."""
        slug = item.values["slug"]
        programme, written = self.sync(
            item, Programme.objects.filter(slug=slug).first(), Programme()
        )
        if programme is None:
            return
        for source in item.sources:
            self.sync(
                source,
                programme.sources.filter(number=source.values["number"]).first(),
                ProgrammeSource(programme=programme),
                programme,
            )
        if written:
            _point_facts_at_their_sources(programme)
        for rows, model, related in (
            (item.offers, ProgrammeOffer, programme.offers),
            (item.outcomes, ProgrammeOutcome, programme.outcomes),
        ):
            for row in rows:
                if not programme.sources.filter(number=row.values["source_number"]).exists():
                    self.report.add(SKIPPED_NO_SOURCE, row)
                    continue
                self.sync(
                    row,
                    related.filter(order=row.values["order"]).first(),
                    model(programme=programme),
                    programme,
                )


def _point_facts_at_their_sources(programme):
    """The facts' sources that did not exist when the loader wrote the programme (all of a new
    programme's), now that they are loaded: one more revision, only then."""
    wanted = getattr(programme, "source_numbers_to_point_at", {})
    if not wanted:
        return
    for field_name, number in wanted.items():
        setattr(programme, field_name, programme.sources.filter(number=number).first())
    programme._change_reason = LOADED_NOTE
    programme.save(update_fields=[*wanted, "updated_at"])
    del programme.source_numbers_to_point_at


def _check_cities(programmes):
    """Every programme's city is one of the cities (by its English name), before anything is
    written: a misspelt city would otherwise stop the load halfway."""
    known = set(City.objects.values_list(localized("name", SOURCE_LANGUAGE), flat=True))
    for programme in programmes:
        if programme.values["city"] not in known:
            raise ContentFileError(
                f"{programme.path}: `city` is {programme.values['city']!r}, which is not one of "
                f"the cities ({', '.join(sorted(filter(None, known)))}); a lead adds a city in "
                "the admin."
            )


def _holds_the_files(checklist, item):
    """The checklist and each of its shipped items hold what the files say (no editor's change)."""
    if content_hash(_stored_values(checklist, item.values)) != content_hash(item.values):
        return False
    stored = {row.key: row for row in checklist.items.all()}
    return all(
        entry.values["key"] in stored
        and content_hash(_stored_values(stored[entry.values["key"]], entry.values))
        == content_hash(entry.values)
        for entry in item.items
    )


def _record_checklist_translations(checklist, item):
    """The translations in the files were made from the English in the files, items included:
    recorded again now that the items are saved (sync() recorded them before the items were)."""
    tracking = {}
    for code in item.translated:
        reviewed_field = localized("translation_reviewed", code)
        checklist.record_translation(code, reviewed=item.values[reviewed_field])
        tracking[localized("translated_from", code)] = getattr(
            checklist, localized("translated_from", code)
        )
        tracking[reviewed_field] = getattr(checklist, reviewed_field)
    # update(): the loader's save of the checklist already made this load's revision.
    RecordsChecklist.objects.filter(pk=checklist.pk).update(**tracking)


def load_content(*, force=False, dry_run=False, content=None):
    """Loads every item of the content files; returns the Report. A dry run does all the work in
    a transaction it rolls back, so its report is exactly what a real run would do."""
    content = content or read_content()
    _check_cities(content.get("programmes", []))
    loader = Loader(force=force)
    with transaction.atomic():
        for page in content["pages"]:
            loader.load_page(page)
        for question in content["questions"]:
            loader.load_question(question)
        for notice in content["privacy_notices"]:
            loader.load_privacy_notice(notice)
        for checklist in content["records_checklists"]:
            loader.load_records_checklist(checklist)
        # After the pages: the products cite their references.
        for product in content.get("products", []):
            loader.load_product(product)
        # Before the trial snapshots: a trial links the programmes that name it as their sites.
        for programme in content.get("programmes", []):
            loader.load_programme(programme)
        for snapshot in content.get("trial_snapshots", []):
            loader.load_trial_snapshot(snapshot)
        if dry_run:
            transaction.set_rollback(True)
    return loader.report

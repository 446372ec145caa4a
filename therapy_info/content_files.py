"""Reads the shipped content in therapy_info/content/ (Markdown files with YAML front matter, one
per item and language; see the README there) into the values load_content writes to the models:
pages, questions, privacy notice versions, records checklists, hospitals' programmes and approved
products; and the snapshots of the trial registry (ClinicalTrials.gov API v2 JSON).

Nothing here touches the database: a file that breaks the layout raises ContentFileError naming
the file, before anything is written.
"""

import datetime
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import validate_email

from therapy_info.models import SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, Page, localized
from therapy_info.programmes import (
    Currency,
    Disease,
    Programme,
    ProgrammeOffer,
    ProgrammeSource,
    https_only,
)
from therapy_info.trial_import import StudyFileError, studies_in, study_values

CONTENT_DIR = Path(__file__).resolve().parent / "content"
# Replaced by settings.CONTACT_EMAIL when loaded: each deployment's own address.
CONTACT_EMAIL_PLACEHOLDER = "{contact_email}"
FRONT_MATTER_RE = re.compile(r"\A---\n(.*?\n)---\n", re.S)


class ContentFileError(ValueError):
    pass


@dataclass
class Item:
    """One row load_content keeps in step with the files: a page, a reference, a key figure, a
    question or a privacy notice version. `values` are the columns the files own."""

    kind: str
    key: str
    values: dict
    # The languages that have their own text: their translation is recorded as current.
    translated: tuple = ()
    references: list = field(default_factory=list)
    key_figures: list = field(default_factory=list)
    # A page's English medical review, if the files record one: (date, reviewer's name).
    review: tuple | None = None

    def __str__(self):
        return f"{self.kind} {self.key}"


@dataclass
class MarkdownFile:
    path: Path
    meta: dict
    body: str


def read_markdown(path):
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER_RE.match(text)
    if match is None:
        return MarkdownFile(path, {}, text.strip())
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise ContentFileError(f"{path}: the front matter is not valid YAML: {error}") from error
    if not isinstance(meta, dict):
        raise ContentFileError(f"{path}: the front matter must be a list of `name: value` lines.")
    return MarkdownFile(path, meta, text[match.end() :].strip())


def _required(file, name):
    if file.meta.get(name) in (None, ""):
        raise ContentFileError(f"{file.path}: `{name}` is missing from the front matter.")
    return file.meta[name]


def _text(value):
    return str(value).strip() if value is not None else ""


def _languages(folder):
    """{language: file} of an item's folder; the English is required, unknown languages are not
    allowed (a file for a language the site does not offer would never be shown)."""
    known = {code for code, _name in settings.LANGUAGES}
    files = {}
    for path in sorted(folder.glob("*.md")):
        if path.stem not in known:
            raise ContentFileError(
                f"{path}: {path.stem!r} is not one of the site's languages ({', '.join(known)})."
            )
        files[path.stem] = read_markdown(path)
    if SOURCE_LANGUAGE not in files:
        raise ContentFileError(f"{folder}: the English text ({SOURCE_LANGUAGE}.md) is missing.")
    return files


def _folders(root):
    return sorted(path for path in root.iterdir() if path.is_dir()) if root.is_dir() else []


def _texts(files, names):
    """The columns of every language for the given front-matter names ("body" is the text)."""
    values = {}
    for code, _name in settings.LANGUAGES:
        file = files.get(code)
        for name in names:
            if file is None:
                value = ""
            elif name == "body":
                value = file.body
            else:
                value = _text(file.meta.get(name))
            values[localized(name, code)] = value
    return values


def _review_flags(files):
    return {
        localized("translation_reviewed", code): bool(
            files[code].meta.get("translation_reviewed", False) if code in files else False
        )
        for code in TRANSLATION_LANGUAGES
    }


def _translated(files):
    return tuple(code for code in TRANSLATION_LANGUAGES if code in files)


def read_page(folder):
    files = _languages(folder)
    english = files[SOURCE_LANGUAGE]
    for name in ("title", "summary"):
        _required(english, name)
    if not english.body:
        raise ContentFileError(f"{english.path}: the page has no text.")
    reviewed_on = english.meta.get("reviewed_on")
    if reviewed_on is not None and not isinstance(reviewed_on, datetime.date):
        raise ContentFileError(f"{english.path}: `reviewed_on` must be a date (2026-01-31).")
    page = Item(
        "page",
        folder.name,
        {
            "slug": folder.name,
            "status": english.meta.get("status", "draft"),
            "navigation_order": int(english.meta.get("navigation_order", 100)),
            "special_section": _special_section(english),
            **_texts(files, ("title", "summary", "body")),
            **_review_flags(files),
        },
        translated=_translated(files),
        review=(reviewed_on, _text(english.meta.get("reviewed_by"))) if reviewed_on else None,
    )
    if page.values["status"] not in ("draft", "published"):
        raise ContentFileError(f"{english.path}: `status` is either draft or published.")
    page.references = _references(folder.name, files)
    page.key_figures = _key_figures(
        folder.name, files, {ref.values["number"]: ref.values["url"] for ref in page.references}
    )
    return page


def _special_section(english):
    """The section a template draws on the page (Page.SpecialSection); none when left out."""
    value = _text(english.meta.get("special_section"))
    if value not in Page.SpecialSection.values:
        known = ", ".join(choice for choice in Page.SpecialSection.values if choice)
        raise ContentFileError(
            f"{english.path}: `special_section` is {value!r}; it is one of {known}, "
            "or left out for a page with its text only."
        )
    return value


def _references(slug, files):
    english = files[SOURCE_LANGUAGE]
    references = []
    for entry in english.meta.get("references") or []:
        number = int(entry["number"])
        values = {
            "number": number,
            "url": _text(entry.get("url")),
            # Staff only, never shown on the site: what the medical reviewer should check.
            "reviewer_note": _text(entry.get("reviewer_note")),
        }
        for code, _name in settings.LANGUAGES:
            if code == SOURCE_LANGUAGE:
                citation = entry.get("citation")
            else:
                citation = (
                    (files[code].meta.get("references") or {}) if code in files else {}
                ).get(number)
            values[localized("citation", code)] = _text(citation)
        if not values[localized("citation", SOURCE_LANGUAGE)]:
            raise ContentFileError(f"{english.path}: reference {number} has no citation.")
        references.append(Item("reference", f"{slug} [{number}]", values))
    return references


def _key_figures(slug, files, reference_links):
    """A key figure stands out on its own (the home page shows it without the text around it):
    it must name the reference it comes from, and the reader must be able to open that source."""
    english = files[SOURCE_LANGUAGE]
    figures = []
    for order, entry in enumerate(english.meta.get("key_figures") or [], start=1):
        number = entry.get("reference")
        if number is None:
            raise ContentFileError(
                f"{english.path}: key figure {order} cites no reference; a figure without a "
                "source is not shown as a key figure."
            )
        if int(number) not in reference_links:
            raise ContentFileError(
                f"{english.path}: key figure {order} cites reference {number}, "
                "which the page does not list."
            )
        if not reference_links[int(number)].startswith("https://"):
            raise ContentFileError(
                f"{english.path}: key figure {order} cites reference {number}, "
                "which has no https link to its source."
            )
        values = {
            "order": order,
            "reference_number": int(number),
            "show_on_home_page": bool(entry.get("show_on_home_page", False)),
        }
        for code, _name in settings.LANGUAGES:
            translated = files[code].meta.get("key_figures") or [] if code in files else []
            source = entry if code == SOURCE_LANGUAGE else _nth(translated, order)
            values[localized("value", code)] = _text(source.get("value"))
            values[localized("label", code)] = _text(source.get("label"))
        figures.append(Item("key figure", f"{slug} #{order}", values))
    return figures


def _nth(entries, order):
    return entries[order - 1] if len(entries) >= order else {}


def read_question(folder):
    files = _languages(folder)
    english = files[SOURCE_LANGUAGE]
    _required(english, "question")
    return Item(
        "question",
        folder.name,
        {
            "order": int(english.meta.get("order", 100)),
            "is_published": bool(english.meta.get("published", False)),
            **_texts(files, ("question",)),
            **{localized("answer", code): value for code, value in _bodies(files).items()},
            **_review_flags(files),
        },
        translated=_translated(files),
    )


def _bodies(files):
    return {code: files[code].body if code in files else "" for code, _name in settings.LANGUAGES}


def read_privacy_notice(folder):
    files = _languages(folder)
    english = files[SOURCE_LANGUAGE]
    effective_on = _required(english, "effective_on")
    if not isinstance(effective_on, datetime.date):
        raise ContentFileError(f"{english.path}: `effective_on` must be a date (2026-01-31).")
    bodies = {
        localized("body", code): text.replace(CONTACT_EMAIL_PLACEHOLDER, settings.CONTACT_EMAIL)
        for code, text in _bodies(files).items()
    }
    return Item(
        "privacy notice",
        folder.name,
        {"version": folder.name, "effective_on": effective_on, **bodies},
    )


# ---- Records checklists ------------------------------------------------------------------------

# A slug, as the models' SlugFields validate it: the diagnosis key and each item's key.
SLUG_RE = re.compile(r"\A[-a-zA-Z0-9_]+\Z")


@dataclass
class ChecklistContent(Item):
    """A records checklist and its items (Items of kind "checklist item", in order)."""

    items: list = field(default_factory=list)


def read_records_checklist(folder):
    """records-checklists/<diagnosis>/<language>.md: the English lists the items in order; a
    translation gives each item's texts under its key."""
    files = _languages(folder)
    english = files[SOURCE_LANGUAGE]
    diagnosis = folder.name
    if not SLUG_RE.match(diagnosis):
        raise ContentFileError(
            f"{folder}: the folder name is the diagnosis key: letters, digits, _ and - only."
        )
    _required(english, "title")
    if not english.body:
        raise ContentFileError(f"{english.path}: the checklist has no introduction.")
    checklist = ChecklistContent(
        "records checklist",
        diagnosis,
        {
            "diagnosis": diagnosis,
            "is_published": bool(english.meta.get("published", False)),
            **_texts(files, ("title",)),
            **{localized("introduction", code): value for code, value in _bodies(files).items()},
            **_review_flags(files),
        },
        translated=_translated(files),
    )
    checklist.items = _checklist_items(diagnosis, files)
    return checklist


def _checklist_items(diagnosis, files):
    english = files[SOURCE_LANGUAGE]
    entries = english.meta.get("items") or []
    if not isinstance(entries, list) or not entries:
        raise ContentFileError(f"{english.path}: `items` must list the checklist's items.")
    translations = _translated_items(files)
    items, keys = [], []
    for position, entry in enumerate(entries, start=1):
        key = _text(entry.get("key")) if isinstance(entry, dict) else ""
        if not SLUG_RE.match(key):
            raise ContentFileError(
                f"{english.path}: item {position} needs a `key` of letters, digits, _ and - only."
            )
        if key in keys:
            raise ContentFileError(f"{english.path}: two items have the key {key!r}.")
        keys.append(key)
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise ContentFileError(f"{english.path}: item {key!r}: `required` is true or false.")
        # Tens leave room for an editor to slot an item in between without renumbering.
        values = {"key": key, "order": position * 10, "required": required}
        for code, _name in settings.LANGUAGES:
            source = entry if code == SOURCE_LANGUAGE else translations.get(code, {}).get(key, {})
            for name in ("label", "explanation"):
                values[localized(name, code)] = _text(source.get(name))
        for name in ("label", "explanation"):
            if not values[localized(name, SOURCE_LANGUAGE)]:
                raise ContentFileError(f"{english.path}: item {key!r} has no `{name}`.")
        items.append(Item("checklist item", f"{diagnosis}/{key}", values))
    for code, translated in translations.items():
        unknown = sorted(set(translated) - set(keys))
        if unknown:
            # A misspelt key would leave that item untranslated without a word.
            raise ContentFileError(
                f"{files[code].path}: the English has no item {', '.join(map(repr, unknown))}."
            )
    return items


def _translated_items(files):
    """{language: {item key: {"label": …, "explanation": …}}} of the translations."""
    translations = {}
    for code in _translated(files):
        file = files[code]
        translated = file.meta.get("items") or {}
        if not isinstance(translated, dict) or not all(
            isinstance(texts, dict) for texts in translated.values()
        ):
            raise ContentFileError(
                f"{file.path}: `items` gives each item's label and explanation under its key."
            )
        translations[code] = {str(key): texts for key, texts in translated.items()}
    return translations


# ---- Clinical trials --------------------------------------------------------------------------

# A snapshot of the registry: trials/<name>-<the day it was checked>.json.
TRIAL_SNAPSHOT_RE = re.compile(r"\A[-a-z0-9_]+-(\d{4}-\d{2}-\d{2})\.json\Z")


@dataclass
class TrialSnapshot:
    """A ClinicalTrials.gov API v2 study file and the day its studies were checked."""

    path: Path
    checked_on: datetime.date
    studies: list

    def __str__(self):
        return f"trial snapshot {self.path.name}"


def read_trial_snapshots(root):
    """trials/*.json, each read and checked as import_trials would (every study readable)."""
    snapshots = []
    for path in sorted(root.glob("*.json")) if root.is_dir() else []:
        match = TRIAL_SNAPSHOT_RE.match(path.name)
        if match is None:
            raise ContentFileError(
                f"{path}: name a trial snapshot <name>-<the day it was checked>.json, "
                "e.g. china-car-t-trials-2026-11-28.json."
            )
        try:
            checked_on = datetime.date.fromisoformat(match.group(1))
            studies = studies_in(json.loads(path.read_text(encoding="utf-8")))
            for study in studies:
                study_values(study)
        except (ValueError, StudyFileError) as error:
            raise ContentFileError(f"{path}: {error}") from error
        snapshots.append(TrialSnapshot(path, checked_on, studies))
    return snapshots


def read_content(root=CONTENT_DIR):
    """Every item in the content folder: pages (with their references and key figures), questions,
    privacy notice versions, records checklists (with their items), programmes (with their sources,
    offers and outcomes), approved products (with their label rules), snapshots of the trial
    registry."""
    # Here, not at the top: product_files reads with this module's helpers.
    from therapy_info.product_files import read_products

    pages = [read_page(folder) for folder in _folders(root / "pages")]
    return {
        "pages": pages,
        "questions": sorted(
            (read_question(folder) for folder in _folders(root / "faq")),
            key=lambda item: (item.values["order"], item.key),
        ),
        "privacy_notices": [
            read_privacy_notice(folder) for folder in _folders(root / "privacy-notice")
        ],
        "records_checklists": [
            read_records_checklist(folder) for folder in _folders(root / "records-checklists")
        ],
        "programmes": [read_programme(folder) for folder in _folders(root / "programmes")],
        "products": read_products(root / "products", pages),
        "trial_snapshots": read_trial_snapshots(root / "trials"),
    }


# ---- Hospitals' programmes ---------------------------------------------------------------------

# The facts a programme states, each with its source (`<fact>_source: <number>`); the price is a
# block of its own with one source.
PROGRAMME_FACTS = list(Programme.STATED_FACTS)
# The texts a translation gives (the price's `includes` as `price_includes`), and its outcomes.
PROGRAMME_TEXTS = list(Programme.TRANSLATED_TEXTS)
PROGRAMME_KEYS = {
    "name",
    "city",
    "status",
    "summary",
    "international_office_email",
    "price",
    "verified_by_team",
    "offers",
    "outcomes",
    "sources",
    *PROGRAMME_FACTS,
    *(f"{fact}_source" for fact in PROGRAMME_FACTS),
}
PRICE_KEYS = {"from", "to", "currency", "includes", "quoted_on", "source"}
OFFER_KEYS = {"kind", "name", "target", "diseases", "registry_id", "phase", "source"}
SOURCE_KEYS = {"number", "citation", "url", "last_verified_on", "reviewer_note"}
CENTS = Decimal("0.01")


@dataclass
class ProgrammeFiles(Item):
    """A programme and its rows: sources (by number), offers and outcomes (in the files' order).
    Its `city` is the English name of a City, checked against the database when loaded."""

    path: Path | None = None
    sources: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)


def read_programme(folder):
    """programmes/<slug>/<language>.md: the English states everything, each fact with the number
    of one of its sources; a translation gives the texts only (therapy_info/content/README.md)."""
    files = _languages(folder)
    english = files[SOURCE_LANGUAGE]
    path = english.path
    if not SLUG_RE.match(folder.name):
        raise ContentFileError(
            f"{folder}: the folder name is the address: letters, digits, _ and - only."
        )
    _only_known_keys(english, PROGRAMME_KEYS)
    for name in ("name", "city"):
        _required(english, name)
    sources = _programme_sources(folder.name, english)
    numbers = {source.values["number"] for source in sources}
    status = _text(english.meta.get("status") or "draft")
    if status not in Programme.Status.values:
        raise ContentFileError(f"{path}: `status` is either draft or published.")
    verified = english.meta.get("verified_by_team", False)
    if not isinstance(verified, bool):
        raise ContentFileError(f"{path}: `verified_by_team` is true or false.")
    values = {
        "slug": folder.name,
        "city": _text(english.meta["city"]),
        "status": status,
        "verified_by_team": verified,
        "international_office_email": _email(english),
    }
    for fact in PROGRAMME_FACTS:
        value = _text(english.meta.get(fact))
        values[f"{fact}_source_number"] = _fact_source(english, fact, value, numbers)
        if fact == "website":
            values["website"] = _website(english, value)
    values.update(_price(english, numbers))
    translations = _programme_translations(files, values)
    values.update(translations)
    _check_lengths(path, Programme, values)
    programme = ProgrammeFiles("programme", folder.name, values, path=path, sources=sources)
    programme.offers = _programme_offers(folder.name, english, numbers)
    programme.outcomes = _programme_outcomes(folder.name, files, numbers)
    return programme


def _only_known_keys(file, known):
    unknown = sorted(set(file.meta) - known)
    if unknown:
        raise ContentFileError(
            f"{file.path}: unknown {'key' if len(unknown) == 1 else 'keys'} "
            f"{', '.join(map(repr, unknown))} (a misspelt name would leave its fact out)."
        )


def _unknown_entry_keys(path, what, entry, known):
    unknown = sorted(set(entry) - known)
    if unknown:
        raise ContentFileError(f"{path}: {what} has unknown keys {', '.join(map(repr, unknown))}.")


def _source_number(path, what, value, numbers):
    """The number of one of the programme's sources, as `what` cites it."""
    if value is None or value == "":
        raise ContentFileError(f"{path}: {what} has no source: every stated fact cites one.")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContentFileError(f"{path}: {what} cites source {value!r}: a source's number.")
    if value not in numbers:
        raise ContentFileError(
            f"{path}: {what} cites source {value}, which is not among the `sources`."
        )
    return value


def _fact_source(file, fact, value, numbers):
    source = file.meta.get(f"{fact}_source")
    if not value:
        if source not in (None, ""):
            raise ContentFileError(
                f"{file.path}: `{fact}_source` is given but `{fact}` is not: leave both out "
                "when no source states it."
            )
        return None
    return _source_number(file.path, f"`{fact}`", source, numbers)


def _website(file, value):
    if value and not value.startswith(("https://", "http://")):
        raise ContentFileError(f"{file.path}: `website` must be a web address (https://…).")
    return value


def _email(file):
    value = _text(file.meta.get("international_office_email"))
    if value:
        try:
            validate_email(value)
        except ValidationError as error:
            raise ContentFileError(
                f"{file.path}: `international_office_email` is not an email address."
            ) from error
    return value


def _amount(path, name, value):
    if value is None or value == "":
        return None
    if isinstance(value, (float, bool)):
        raise ContentFileError(
            f'{path}: price `{name}` must be written as text ("150000.00"): YAML reads a bare '
            "decimal as a float, which can change its digits."
        )
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ContentFileError(f"{path}: price `{name}` is not an amount: {value!r}.") from error
    if not amount.is_finite() or amount < 0:
        raise ContentFileError(f"{path}: price `{name}` is not an amount: {value!r}.")
    return amount.quantize(CENTS)


def _price(file, numbers):
    """The price columns (all empty when the files give no price)."""
    path = file.path
    price = file.meta.get("price") or {}
    if not isinstance(price, dict):
        raise ContentFileError(f"{path}: `price` gives from, to, currency, includes, quoted_on.")
    _unknown_entry_keys(path, "`price`", price, PRICE_KEYS)
    low, high = _amount(path, "from", price.get("from")), _amount(path, "to", price.get("to"))
    currency = _text(price.get("currency"))
    quoted_on = price.get("quoted_on")
    includes = _text(price.get("includes"))
    if low is not None or high is not None:
        if not currency:
            raise ContentFileError(f"{path}: the price has an amount but no `currency`.")
        if not isinstance(quoted_on, datetime.date):
            raise ContentFileError(
                f"{path}: the price needs `quoted_on`, the date it was quoted (2026-01-31)."
            )
    if currency and currency not in Currency.values:
        raise ContentFileError(
            f"{path}: currency {currency!r} is not one of {', '.join(Currency.values)}."
        )
    if quoted_on is not None and not isinstance(quoted_on, datetime.date):
        raise ContentFileError(f"{path}: price `quoted_on` must be a date (2026-01-31).")
    if low is not None and high is not None and low > high:
        raise ContentFileError(f"{path}: the price's `to` is below its `from`.")
    stated = any(v not in (None, "") for v in (low, high, currency, includes, quoted_on))
    source = _source_number(path, "the price", price.get("source"), numbers) if stated else None
    return {
        "price_from": low,
        "price_to": high,
        "price_currency": currency,
        "price_quoted_on": quoted_on,
        "price_source_number": source,
        localized("price_includes", SOURCE_LANGUAGE): includes,
    }


def _programme_translations(files, values):
    """The texts of every language; a translation may give only what the English states."""
    english = files[SOURCE_LANGUAGE]
    texts = {}
    for code, _name in settings.LANGUAGES:
        file = files.get(code)
        for name in PROGRAMME_TEXTS:
            if code == SOURCE_LANGUAGE:
                if name == "price_includes":
                    continue  # read with the price
                value = _text(english.meta.get(name))
            else:
                value = _text(file.meta.get(name)) if file else ""
            texts[localized(name, code)] = value
    for code in _translated(files):
        file = files[code]
        _only_known_keys(file, {*PROGRAMME_TEXTS, "outcomes"})
        for name in PROGRAMME_TEXTS:
            english_text = texts.get(localized(name, SOURCE_LANGUAGE)) or values.get(
                localized(name, SOURCE_LANGUAGE)
            )
            if texts[localized(name, code)] and not english_text:
                raise ContentFileError(
                    f"{file.path}: `{name}` is translated, but the English states none."
                )
    return texts


def _check_lengths(path, model, values):
    """Texts longer than their column: refused here, where SQLite would store them anyway."""
    for name, value in values.items():
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        limit = getattr(column, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise ContentFileError(
                f"{path}: `{name}` is {len(value)} characters long; at most {limit} fit."
            )


def _programme_sources(slug, english):
    path = english.path
    entries = english.meta.get("sources") or []
    if not isinstance(entries, list):
        raise ContentFileError(f"{path}: `sources` must list the programme's sources.")
    sources = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ContentFileError(f"{path}: source {position} must give number, citation, url…")
        _unknown_entry_keys(path, f"source {position}", entry, SOURCE_KEYS)
        number = entry.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ContentFileError(f"{path}: source {position} needs a `number` (1, 2, …).")
        if number in {source.values["number"] for source in sources}:
            raise ContentFileError(f"{path}: two sources have the number {number}.")
        citation = _text(entry.get("citation"))
        if not citation:
            raise ContentFileError(f"{path}: source {number} has no `citation`.")
        url = _text(entry.get("url"))
        try:
            https_only(url)
        except ValidationError as error:
            raise ContentFileError(
                f"{path}: source {number} needs an https:// link as its `url`, not {url!r}."
            ) from error
        verified_on = entry.get("last_verified_on")
        if not isinstance(verified_on, datetime.date):
            raise ContentFileError(
                f"{path}: source {number} needs `last_verified_on`, a date (2026-01-31)."
            )
        values = {
            "number": number,
            "citation": citation,
            "url": url,
            "last_verified_on": verified_on,
            "reviewer_note": _text(entry.get("reviewer_note")),
        }
        _check_lengths(path, ProgrammeSource, values)
        sources.append(Item("programme source", f"{slug} [{number}]", values))
    return sources


def _programme_offers(slug, english, numbers):
    path = english.path
    entries = english.meta.get("offers") or []
    if not isinstance(entries, list):
        raise ContentFileError(f"{path}: `offers` must list the approved products and trials.")
    offers = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ContentFileError(f"{path}: offer {position} must give kind, name, target…")
        _unknown_entry_keys(path, f"offer {position}", entry, OFFER_KEYS)
        kind = _text(entry.get("kind"))
        if kind not in ProgrammeOffer.Kind.values:
            raise ContentFileError(
                f"{path}: offer {position}: `kind` is approved_product or trial, not {kind!r}."
            )
        # A target no source states is left out, and the page says it is not known.
        if not _text(entry.get("name")):
            raise ContentFileError(f"{path}: offer {position} has no `name`.")
        diseases = entry.get("diseases")
        if not isinstance(diseases, list) or not diseases:
            raise ContentFileError(f"{path}: offer {position} lists no `diseases`.")
        diseases = [_text(key) for key in diseases]
        unknown = [key for key in diseases if key not in Disease.values]
        if unknown:
            raise ContentFileError(
                f"{path}: offer {position}: unknown disease {', '.join(map(repr, unknown))}; "
                f"the diseases are {', '.join(Disease.values)}."
            )
        values = {
            "order": position * 10,
            "kind": kind,
            "name": _text(entry["name"]),
            "target": _text(entry.get("target")),
            "diseases": diseases,
            "registry_id": _text(entry.get("registry_id")),
            "phase": _text(entry.get("phase")),
            "source_number": _source_number(
                path, f"offer {position}", entry.get("source"), numbers
            ),
        }
        _check_lengths(path, ProgrammeOffer, values)
        offers.append(Item("programme offer", f"{slug} #{position}", values))
    return offers


def _programme_outcomes(slug, files, numbers):
    english = files[SOURCE_LANGUAGE]
    path = english.path
    entries = english.meta.get("outcomes") or []
    if not isinstance(entries, list):
        raise ContentFileError(f"{path}: `outcomes` must list the published outcomes.")
    translated = {}
    for code in _translated(files):
        texts = files[code].meta.get("outcomes") or []
        if not isinstance(texts, list) or len(texts) > len(entries):
            raise ContentFileError(
                f"{files[code].path}: `outcomes` lists the English outcomes' texts, in order."
            )
        translated[code] = texts
    outcomes = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not _text(entry.get("text")):
            raise ContentFileError(f"{path}: outcome {position} has no `text`.")
        _unknown_entry_keys(path, f"outcome {position}", entry, {"text", "source"})
        values = {
            "order": position * 10,
            "source_number": _source_number(
                path, f"outcome {position}", entry.get("source"), numbers
            ),
        }
        for code, _name in settings.LANGUAGES:
            if code == SOURCE_LANGUAGE:
                text = entry["text"]
            else:
                texts = translated.get(code, [])
                text = texts[position - 1] if len(texts) >= position else ""
            values[localized("text", code)] = _text(text)
        outcomes.append(Item("programme outcome", f"{slug} #{position}", values))
    return outcomes

"""Reads the shipped approved products and their label rules, therapy_info/content/products/<key>/
en.md (front matter only; see the README there), into the values load_content writes (and loads
like the other content: never over an editor's change).

A source is either a reference of an information page, written `approved-in-china [3]` (the page
and the reference's number, checked against the page's file), or a citation of its own:
`{citation: …, url: https://…, checked_on: 2026-11-28}`."""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from therapy_info.content_files import SLUG_RE, ContentFileError, Item, read_markdown
from therapy_info.products import ApprovedProduct, LabelRule

PAGE_REFERENCE_RE = re.compile(r"\A\s*([-a-z0-9_]+)\s*\[\s*(\d+)\s*\]\s*\Z")
PRODUCT_FIELDS = ("name", "generic_name", "target", "maker", "approval_note")
RULE_LIST_FIELDS = ("disease_statuses", "fitness")
RULE_NUMBER_FIELDS = ("minimum_prior_lines", "minimum_age", "maximum_age")
RULE_TEXT_FIELDS = ("indication", "disease", "prior_transplant", "prior_car_t", "target_required")


@dataclass
class ProductContent(Item):
    """An approved product and its label rules (Items of kind "label rule", in order)."""

    rules: list = field(default_factory=list)


def _text(value):
    return str(value).strip() if value is not None else ""


def _source(path, where, value, page_references):
    """The source columns of a product or rule; the page reference as "slug [number]"."""
    if isinstance(value, str):
        match = PAGE_REFERENCE_RE.match(value)
        if match is None:
            raise ContentFileError(
                f"{path}: {where}: `source` is “page [number]” or citation, url and checked_on."
            )
        slug, number = match.group(1), int(match.group(2))
        if number not in page_references.get(slug, set()):
            raise ContentFileError(
                f"{path}: {where}: the page {slug!r} has no reference [{number}] in its file."
            )
        return {
            "source_reference": f"{slug} [{number}]",
            "source_citation": "",
            "source_url": "",
            "source_checked_on": None,
        }
    if isinstance(value, dict):
        checked_on = value.get("checked_on")
        if not isinstance(checked_on, datetime.date):
            raise ContentFileError(f"{path}: {where}: `checked_on` is a date (2026-11-28).")
        url = _text(value.get("url"))
        if not url.startswith("https://") or not _text(value.get("citation")):
            raise ContentFileError(f"{path}: {where}: a source needs a citation and an https url.")
        return {
            "source_reference": "",
            "source_citation": _text(value.get("citation")),
            "source_url": url,
            "source_checked_on": checked_on,
        }
    raise ContentFileError(f"{path}: {where}: `source` is missing.")


def _checked(path, where, model, values):
    """Refuses values the model would refuse, with the file and the field named."""
    fields = {name: value for name, value in values.items() if name != "source_reference"}
    instance = model(**fields)
    if values["source_reference"]:
        # Checked against the page's file above (reading touches no database); the row is found
        # when loading.
        instance.source_reference_id = 0
    try:
        instance.full_clean(
            exclude=["product", "slug", "key", "source_reference"], validate_unique=False
        )
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
        raise ContentFileError(f"{path}: {where}: {problems}") from error


def read_product(folder, page_references):
    """products/<key>/en.md: the product and its rules (Items "approved product", "label rule")."""
    path = folder / "en.md"
    if not path.is_file():
        raise ContentFileError(f"{folder}: the product's file (en.md) is missing.")
    meta = read_markdown(path).meta
    if not SLUG_RE.match(folder.name):
        raise ContentFileError(f"{folder}: the folder name is the product's key (a slug).")
    approved_on = meta.get("approved_on")
    if approved_on is not None and not isinstance(approved_on, datetime.date):
        raise ContentFileError(f"{path}: `approved_on` is a date (2021-06-23) or left out.")
    values = {
        "slug": folder.name,
        **{name: _text(meta.get(name)) for name in PRODUCT_FIELDS},
        "approved_on": approved_on,
        **_source(path, "the product", meta.get("source"), page_references),
    }
    _checked(path, "the product", ApprovedProduct, values)
    return ProductContent(
        "approved product",
        folder.name,
        values,
        rules=_rules(path, folder.name, meta.get("rules"), page_references),
    )


def _rules(path, product_key, entries, page_references):
    if not isinstance(entries, list) or not entries:
        raise ContentFileError(f"{path}: `rules` lists the product's labelled indications.")
    rules, keys = [], set()
    for position, entry in enumerate(entries, start=1):
        key = _text(entry.get("key")) if isinstance(entry, dict) else ""
        where = f"rule {key or position}"
        if not SLUG_RE.match(key) or key in keys:
            raise ContentFileError(f"{path}: {where}: each rule needs a `key` of its own (a slug).")
        keys.add(key)
        values = {"key": key, "order": position * 10}
        values.update({name: _text(entry.get(name)) for name in RULE_TEXT_FIELDS})
        for name in RULE_NUMBER_FIELDS:
            number = entry.get(name)
            if number is not None and not isinstance(number, int):
                raise ContentFileError(f"{path}: {where}: `{name}` is a whole number or left out.")
            values[name] = number
        for name in RULE_LIST_FIELDS:
            listed = entry.get(name) or []
            if not isinstance(listed, list):
                raise ContentFileError(f"{path}: {where}: `{name}` is a list, e.g. [relapsed].")
            values[name] = [_text(value) for value in listed]
        questions = entry.get("conditions_not_asked") or []
        if not isinstance(questions, list):
            raise ContentFileError(f"{path}: {where}: `conditions_not_asked` is a list.")
        values["conditions_not_asked"] = "\n".join(_text(question) for question in questions)
        values["notes"] = _text(entry.get("notes"))
        values.update(_source(path, where, entry.get("source"), page_references))
        _checked(path, where, LabelRule, values)
        rules.append(Item("label rule", f"{product_key}/{key}", values))
    return rules


def read_products(root, pages):
    """Every product of content/products/, its sources checked against the pages' files."""
    page_references = {
        page.key: {reference.values["number"] for reference in page.references} for page in pages
    }
    folders = sorted(path for path in root.iterdir() if path.is_dir()) if root.is_dir() else []
    return [read_product(folder, page_references) for folder in folders]

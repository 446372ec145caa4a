"""Rows a panel of the enquiry page lists, brought in the enquiry's own query rather than a query
per kind of row: the enquiry page is held to 16 queries (tests/back_office/test_list_and_page.py),
which the page spent before it had referrals.

Each kind of row is a subquery of that query, the rows as JSON objects joined in one text
(StringAgg of JSONObject: the same SQL on SQLite and PostgreSQL), and back in Python they become
model instances as if loaded from the database: each field converted by the field itself, every
field not selected deferred, so that reading one costs a query the budget test would see."""

import json
from datetime import UTC
from decimal import Decimal

from django.db import models
from django.db.models import F, OuterRef, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, JSONObject, NullIf, Trim
from django.utils import timezone


def json_rows(queryset, to_enquiry, **fields):
    """A subquery for an annotation of the enquiry's query: the rows of `queryset` belonging to
    the enquiry (`to_enquiry`: the lookup from a row to its enquiry), each a JSON object of
    `fields` (name: expression), in one text (the inside of a JSON array), or NULL."""
    rows = (
        queryset.filter(**{to_enquiry: OuterRef("pk")})
        .order_by()
        .values(to_enquiry)
        .annotate(rows=StringAgg(Cast(JSONObject(**fields), TextField()), Value(",")))
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


def fields_of(model, *names):
    """The expressions of json_rows for these fields of `model`, keyed by their column names
    (a foreign key's `<name>_id`), as instances() reads them back."""
    return {
        model._meta.get_field(name).attname: F(model._meta.get_field(name).attname)
        for name in names
    }


def staff_name_of(user_lookup):
    """A staff member's name as the timeline names them (enquiries.models.staff_name): the full
    name, or the login when there is none; NULL for nobody."""
    full_name = Trim(
        Concat(
            F(f"{user_lookup}__first_name"),
            Value(" "),
            F(f"{user_lookup}__last_name"),
            output_field=models.CharField(),
        )
    )
    return Coalesce(NullIf(full_name, Value("")), F(f"{user_lookup}__username"))


def instances(model, text, *, order_by):
    """The rows of a json_rows annotation as instances of `model`, sorted by the fields named in
    `order_by`. A key that is no field of the model (a programme's name, a staff name) becomes
    an attribute of the instance."""
    if not text:
        return []
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    loaded = []
    for row in json.loads(f"[{text}]", parse_float=Decimal):
        selected = {
            key: _to_python(by_attname[key], value)
            for key, value in row.items()
            if key in by_attname
        }
        # In the order of the model's fields, as Model.from_db expects them.
        names = [
            field.attname for field in model._meta.concrete_fields if field.attname in selected
        ]
        instance = model.from_db("default", names, [selected[name] for name in names])
        for key, value in row.items():
            if key not in by_attname:
                setattr(instance, key, value)
        loaded.append(instance)
    loaded.sort(key=lambda instance: tuple(getattr(instance, name) for name in order_by))
    return loaded


def _to_python(field, value):
    if value is None:
        return None
    value = field.to_python(value)
    if isinstance(field, models.DateTimeField) and timezone.is_naive(value):
        # SQLite keeps date-times as UTC text without an offset.
        value = timezone.make_aware(value, UTC)
    return value

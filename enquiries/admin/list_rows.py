"""The enquiry list's rows, written directly: the same cells as Django's items_for_result (a test
compares them), without looking each column up again in every row. With 50 rows of 9 columns,
Django's per-cell lookups (a FieldDoesNotExist raised for each method column, a URL parsed and
re-encoded for each link) were the largest part of the list's CPU time."""

import datetime
import html

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    result_headers,
    results,
)
from django.contrib.admin.utils import display_for_field, display_for_value
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils.functional import Promise
from django.utils.safestring import SafeString


def escaped(value):
    """conditional_escape(value) as text, for the list's hundreds of cell parts: Django's escape
    first checks every argument for a lazy translation (keep_lazy), which costs five times the
    escaping itself."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def result_list(cl):
    """The context of Django's result_list tag, with our rows."""
    headers = list(result_headers(cl))
    results = list(rows(cl))
    if plain(cl):
        # Each row's cells as one: the template's loop would check, localise and escape each of
        # the 450 cells of a page again, at more cost than writing them.
        results = [ResultList(None, [SafeString("".join(row))]) for row in results]
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": results,
    }


def plain(cl):
    """Whether the list is the plain kind written here: no editable columns, no popup, columns
    named by strings without lookups across relations."""
    return not (
        cl.formset
        or cl.is_popup
        or cl.to_field
        or any(not isinstance(name, str) or LOOKUP_SEP in name for name in cl.list_display)
    )


def columns(cl):
    """Per column, once per page: how to read its value and how to write its cell."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    links = cl.list_display_links
    found = []
    first_link = True
    for name in cl.list_display:
        link = links is not None and ((first_link and not links) or name in links)
        try:
            field = cl.lookup_opts.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and not field.auto_created:
            method = None
            nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
            classes = f"field-{name}" + (" nowrap" if nowrap else "")
            shown_empty = empty
            boolean = False
        else:
            field = None
            method = getattr(model_admin, name)
            classes = "action-checkbox" if name == "action_checkbox" else f"field-{name}"
            shown_empty = getattr(method, "empty_value_display", empty)
            boolean = getattr(method, "boolean", False)
        tag = None
        if link:
            tag = "th" if first_link else "td"
            first_link = False
        found.append((name, field, method, boolean, classes, shown_empty, tag))
    return found


def rows(cl):
    if not plain(cl):
        yield from results(cl)
        return
    page_columns = columns(cl)
    preserved = cl.preserved_filters
    for result in cl.result_list:
        cells = []
        for name, field, method, boolean, classes, empty, tag in page_columns:
            row_classes = classes
            if field is not None:
                shown = display_for_field(getattr(result, name), field, empty, avoid_link=bool(tag))
            else:
                value = method(result)
                if isinstance(value, str) and not boolean:
                    # Text, most often markup the column wrote itself: what display_for_value
                    # gives back (markup unstripped), without its dozen type checks.
                    shown = (value if isinstance(value, SafeString) else value.strip()) or empty
                else:
                    shown = display_for_value(value, empty, boolean)
                    if isinstance(value, (datetime.date, datetime.time)):
                        row_classes += " nowrap"
            # f-strings around escaped parts: format_html per cell costs more than the cell.
            shown = escaped(shown)
            if tag:
                url = cl.url_for_result(result)
                if preserved:
                    url = f"{url}?{preserved}"
                link = f'<a href="{escaped(url)}">{shown}</a>'
                cells.append(SafeString(f'<{tag} class="{row_classes}">{link}</{tag}>'))
            else:
                cells.append(SafeString(f'<td class="{row_classes}">{shown}</td>'))
        yield ResultList(None, cells)

"""Search every text value of every table for strings: each model's CharField, TextField and
JSONField (history tables, the task queue's arguments and results, the admin's LogEntry, the
audit log included), and the decoded contents of every session."""

import json

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def text_columns():
    for model in apps.get_models(include_auto_created=True):
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if names:
            yield model, names


def find_anywhere(needles):
    """[(table, column, needle)] for each needle found in some row (case-insensitive)."""
    needles = [needle.casefold() for needle in needles]
    found = set()
    for model, names in text_columns():
        for row in model._base_manager.values_list(*names):
            for name, value in zip(names, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                for needle in needles:
                    if needle in text.casefold():
                        found.add((model._meta.db_table, name, needle))
    for session in Session.objects.all():
        text = json.dumps(session.get_decoded(), ensure_ascii=False, default=str).casefold()
        for needle in needles:
            if needle in text:
                found.add(("django_session (decoded)", "session_data", needle))
    return sorted(found)

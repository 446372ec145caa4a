"""Which content texts have a column per language (django-modeltranslation), and the revision
history of the content models, registered here because it must see those columns.

django-simple-history builds a model's history table when the model class is created, which is
before modeltranslation adds the language columns; registering the history after the translation
options keeps every language's text in each revision (and revert restores all of them).
"""

import simple_history
from django.conf import settings
from django.db import models
from django.dispatch import receiver
from modeltranslation.translator import TranslationOptions, register
from simple_history.signals import pre_create_historical_record

from therapy_info.editorial import PageReview
from therapy_info.models import FaqEntry, KeyFigure, Page, PrivacyNotice, Reference, localized
from therapy_info.programmes import (
    City,
    Programme,
    ProgrammeOffer,
    ProgrammeOutcome,
    ProgrammeSource,
)
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist


@register(Page)
class PageTranslation(TranslationOptions):
    # An empty text means "not translated yet": readers get the English (the fallback language).
    fields = ("title", "summary", "body", "body_html", "table_of_contents")


@register(Reference)
class ReferenceTranslation(TranslationOptions):
    fields = ("citation",)


@register(KeyFigure)
class KeyFigureTranslation(TranslationOptions):
    # The figure too: "83%" is written "83 %" in Russian.
    fields = ("value", "label")


@register(FaqEntry)
class FaqEntryTranslation(TranslationOptions):
    fields = ("question", "answer", "answer_html")


@register(PrivacyNotice)
class PrivacyNoticeTranslation(TranslationOptions):
    fields = ("body", "body_html")


@register(RecordsChecklist)
class RecordsChecklistTranslation(TranslationOptions):
    fields = ("title", "introduction")


@register(City)
class CityTranslation(TranslationOptions):
    # The form offers the cities in each language (an empty one falls back to the English).
    fields = ("name",)


@register(Programme)
class ProgrammeTranslation(TranslationOptions):
    fields = Programme.TRANSLATED_TEXTS


@register(ProgrammeOutcome)
class ProgrammeOutcomeTranslation(TranslationOptions):
    fields = ("text",)


@register(ChecklistItem)
class ChecklistItemTranslation(TranslationOptions):
    fields = ("label", "explanation")


def _rendered_columns(*names):
    return [localized(name, code) for name in names for code, _name in settings.LANGUAGES]


class PageRelatedContentInHistory(models.Model):
    """Each revision of a page also keeps its references and key figures (therapy_info.editorial
    snapshot_of_related), which are rows of their own: revert restores them with the page."""

    # Null: revisions from before it existed, and the old data migrations' inserts, have none.
    related_content = models.JSONField(default=dict, blank=True, null=True)

    class Meta:
        abstract = True


@receiver(pre_create_historical_record, sender=None)
def _snapshot_related_content(sender, instance, history_instance, **kwargs):
    if isinstance(instance, Page) and instance.pk:
        from therapy_info.editorial import snapshot_of_related

        history_instance.related_content = snapshot_of_related(instance)


# Revisions keep what editors typed; the rendered HTML is derived again on save and revert.
simple_history.register(
    Page,
    bases=[PageRelatedContentInHistory],
    excluded_fields=[
        "body_html",
        "table_of_contents",
        "updated_at",
        *_rendered_columns("body_html", "table_of_contents"),
    ],
)
simple_history.register(PageReview, app="therapy_info")
simple_history.register(Reference)
simple_history.register(KeyFigure)
simple_history.register(
    PrivacyNotice, excluded_fields=["body_html", "updated_at", *_rendered_columns("body_html")]
)
simple_history.register(
    FaqEntry, excluded_fields=["answer_html", "updated_at", *_rendered_columns("answer_html")]
)
# app=: their revision models live in therapy_info.models beside the others (by default
# simple-history puts them in the app's package, where `manage.py shell` cannot find them).
simple_history.register(RecordsChecklist, app="therapy_info", excluded_fields=["updated_at"])
simple_history.register(ChecklistItem, app="therapy_info")
# A programme's facts and their sources, with who changed what when (the admin's history).
simple_history.register(Programme, app="therapy_info", excluded_fields=["updated_at"])
simple_history.register(ProgrammeSource, app="therapy_info")
simple_history.register(ProgrammeOffer, app="therapy_info")
simple_history.register(ProgrammeOutcome, app="therapy_info")

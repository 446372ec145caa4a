"""Records checklists: per diagnosis, the records that help a hospital decide on CAR-T, written by
content editors in every language, and checklist_for(), which the patient's case page calls.

A checklist belongs to one diagnosis, named by its key: the value the enquiry form stores
("multiple_myeloma", "b_all", …; therapy_info never imports enquiries, so callers pass the string).
The checklist keyed "general" serves every diagnosis without its own (other, not_sure, …). Its
items come in `order`; each has a `key`, unique in its checklist, that never changes once saved:
the files a patient uploads are labelled with it.

Texts have a column per language (registered in translation.py, like the pages'): reading
`item.label` gives the active language's text, or the English when that translation is missing.
The checklist tracks its translations as a whole, its items' texts included: one medical review
covers the checklist a patient reads.

The case page's API:

    checklist = checklist_for(enquiry.diagnosis)   # two queries; None if nothing is published
    checklist.title, checklist.introduction        # active language, English fallback
    for item, sent in checklist.ticked(sent_item_keys):   # the items in order, no more queries
        item.key, item.label, item.explanation, item.required, sent
    checklist.is_translated(), checklist.is_translation_reviewed()   # for the language notices
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from therapy_info import content_cache
from therapy_info.models import (
    SOURCE_LANGUAGE,
    TRANSLATION_LANGUAGES,
    TranslationTracking,
    localized,
)

# The checklist for every diagnosis that has none of its own.
GENERAL = "general"
# An introduction is a few sentences and an explanation one or two: room for a translation that
# runs longer than the English, not for a pasted document.
INTRODUCTION_MAX_LENGTH = 2_000
EXPLANATION_MAX_LENGTH = 1_000


class RecordsChecklistQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_items_in_order(self):
        return self.prefetch_related(_items_in_order())


class RecordsChecklist(TranslationTracking):
    """The records that help a hospital decide, for one diagnosis."""

    diagnosis = models.SlugField(
        _("diagnosis"),
        max_length=50,
        unique=True,
        help_text=_(
            "The diagnosis as the enquiry form stores it, e.g. multiple_myeloma or b_all. "
            "The checklist “general” is shown for every diagnosis without its own."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(
        _("introduction"),
        max_length=INTRODUCTION_MAX_LENGTH,
        help_text=_("A few plain sentences shown above the list (no Markdown)."),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_(
            "Patients see only published checklists; until this one is published, patients "
            "with this diagnosis see the general checklist."
        ),
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    # Revision history: registered in translation.py, after the language columns exist.
    objects = RecordsChecklistQuerySet.as_manager()
    TRANSLATED_TEXTS = ("title", "introduction")
    # The items' texts that a translation of the checklist covers too.
    ITEM_TEXTS = ("label", "explanation")

    class Meta:
        verbose_name = _("records checklist")
        verbose_name_plural = _("records checklists")
        ordering = ["diagnosis"]

    def __str__(self):
        return f"{self.diagnosis}: {self.title}"

    def _items(self):
        # items.all() reads the prefetched items when there are; an unsaved checklist has none.
        return list(self.items.all()) if self.pk else []

    def english_fingerprint(self):
        """The English of the checklist and of its items: an item's English changed, added or
        removed makes every translation of the checklist outdated."""
        parts = [
            getattr(self, localized(name, SOURCE_LANGUAGE)) or "" for name in self.TRANSLATED_TEXTS
        ]
        for item in sorted(self._items(), key=lambda item: item.key):
            parts.append(item.key)
            parts.extend(
                getattr(item, localized(name, SOURCE_LANGUAGE)) or "" for name in self.ITEM_TEXTS
            )
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def is_translated(self, language=None):
        """Has every text in this language, its items' texts included (English always has)."""
        language = language or get_language()
        if language == SOURCE_LANGUAGE or language not in TRANSLATION_LANGUAGES:
            return True
        return super().is_translated(language) and all(
            getattr(item, localized(name, language))
            for item in self._items()
            for name in self.ITEM_TEXTS
        )

    def ticked(self, sent_item_keys):
        """(item, whether a file labelled with its key was sent) for each item, in order."""
        sent = set(sent_item_keys)
        return [(item, item.key in sent) for item in self._items()]


class ChecklistItem(models.Model):
    """One record a hospital looks for: what it is, and why it helps or what to look for."""

    checklist = models.ForeignKey(
        RecordsChecklist,
        on_delete=models.CASCADE,
        related_name="items",
        verbose_name=_("records checklist"),
    )
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_(
            "A short name that never changes, e.g. pathology_report: the files patients send "
            "for this item are labelled with it."
        ),
    )
    label = models.CharField(_("what to send"), max_length=200)
    explanation = models.TextField(
        _("why it helps, what to look for"),
        max_length=EXPLANATION_MAX_LENGTH,
        help_text=_("One or two plain sentences (no Markdown)."),
    )
    required = models.BooleanField(
        _("needed"),
        default=False,
        help_text=_(
            "Ticked: the hospital needs it to decide. Not ticked: it helps if they have it."
        ),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), default=100, help_text=_("Lower numbers come first.")
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "key"],
                name="unique_item_key_per_checklist",
                violation_error_message=_("This checklist already has an item with this key."),
            )
        ]

    def __str__(self):
        return self.label

    def clean(self):
        if self.pk is not None:
            saved_key = (
                ChecklistItem.objects.filter(pk=self.pk).values_list("key", flat=True).first()
            )
            if saved_key is not None and saved_key != self.key:
                raise ValidationError(
                    {
                        "key": _(
                            "The key of a saved item never changes: the files patients sent for "
                            "it are labelled with it. Add a new item instead."
                        )
                    },
                    code="key_changed",
                )


def checklist_for(diagnosis_key):
    """The published checklist of this diagnosis, else the published general one, else None;
    its items prefetched in order. Two queries."""
    wanted = [diagnosis_key, GENERAL]
    checklists = {
        checklist.diagnosis: checklist
        for checklist in RecordsChecklist.objects.published().filter(diagnosis__in=wanted)
    }
    checklist = checklists.get(diagnosis_key) or checklists.get(GENERAL)
    if checklist is None:
        return None
    models.prefetch_related_objects([checklist], _items_in_order())
    return checklist


def cached_checklist_for(diagnosis_key):
    """checklist_for() from the cache (therapy_info.content_cache): no query until the content
    changes, which any checklist's save does (therapy_info.signals)."""
    return content_cache.cached(
        f"records-checklist:{diagnosis_key}", lambda: checklist_for(diagnosis_key)
    )


def _items_in_order():
    return Prefetch("items", queryset=ChecklistItem.objects.order_by("order", "pk"))

"""The medical review workflow of the information pages: per-language medical reviews, pending
revisions of published pages (previewed by staff, then published in one step), and the snapshot of
a page's references and key figures that each revision of its history keeps for revert.

Editors change a published page through a PageRevision: the live page stays as it is until someone
with therapy_info.publish_page publishes the revision. Publishing a change to a language's medical
text clears that language's review; only a reviewer (therapy_info.review_medical_content) records
one, in the admin's "Medical reviews" inline.
"""

import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import page_cache
from therapy_info.models import (
    FaqEntry,
    KeyFigure,
    Page,
    Reference,
    localized,
    normalise_line_endings,
    pages_rendered_later,
    render_each_language,
)

# A review older than this is due again (shown to staff only).
REVIEW_DUE_AFTER = datetime.timedelta(days=365)
LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]

# What a snapshot holds of a page's references and key figures: the columns editors write.
REFERENCE_TEXTS = ("citation",)
REFERENCE_SHARED = ("number", "url", "reviewer_note")
KEY_FIGURE_TEXTS = ("value", "label")
KEY_FIGURE_SHARED = ("show_on_home_page", "order")
# What a reader of any language sees the same: changing it changes every language's medical text.
MEDICAL_SHARED = {"references": ("number", "url"), "key_figures": ("reference_number",)}


def review_due_before(today=None):
    """A review made before this day is due again."""
    return (today or timezone.localdate()) - REVIEW_DUE_AFTER


def _columns(names):
    return [localized(name, code) for name in names for code in LANGUAGE_CODES]


def page_text_columns():
    return _columns(Page.TRANSLATED_TEXTS)


def snapshot_of_related(page):
    """The page's references and key figures as plain data (JSON), in a stable order."""
    # An untranslated text is None or "" alike (the admin's forms post "").
    references = [
        {
            **{name: getattr(ref, name) for name in REFERENCE_SHARED},
            **{name: getattr(ref, name) or "" for name in _columns(REFERENCE_TEXTS)},
        }
        for ref in page.references.order_by("number")
    ]
    key_figures = [
        {
            **{name: getattr(figure, name) for name in KEY_FIGURE_SHARED},
            **{name: getattr(figure, name) or "" for name in _columns(KEY_FIGURE_TEXTS)},
            "reference_number": figure.reference.number if figure.reference_id else None,
        }
        for figure in page.key_figures.select_related("reference").order_by("order", "pk")
    ]
    return {"references": references, "key_figures": key_figures}


def restore_related(page, snapshot):
    """Makes the page's references and key figures what the snapshot says (the caller renders
    the page afterwards)."""
    with pages_rendered_later():
        wanted = {ref["number"]: ref for ref in snapshot.get("references", [])}
        for reference in page.references.exclude(number__in=wanted):
            reference.delete()
        for number, values in wanted.items():
            Reference.objects.update_or_create(page=page, number=number, defaults=values)
        page.key_figures.all().delete()
        by_number = {ref.number: ref for ref in page.references.all()}
        for values in snapshot.get("key_figures", []):
            values = dict(values)
            number = values.pop("reference_number", None)
            KeyFigure.objects.create(page=page, reference=by_number.get(number), **values)


def languages_with_changed_medical_text(before, after):
    """The languages whose medical text differs between two states of a page, each a dict of the
    page's text columns plus its "references" and "key_figures" (snapshot_of_related)."""
    changed = set()
    for code in LANGUAGE_CODES:
        for name in Page.TRANSLATED_TEXTS:
            column = localized(name, code)
            if normalise_line_endings(before.get(column) or "") != normalise_line_endings(
                after.get(column) or ""
            ):
                changed.add(code)
    for kind, texts in (("references", REFERENCE_TEXTS), ("key_figures", KEY_FIGURE_TEXTS)):
        old, new = before.get(kind, []), after.get(kind, [])
        shared = MEDICAL_SHARED[kind]
        if [[row.get(name) for name in shared] for row in old] != [
            [row.get(name) for name in shared] for row in new
        ]:
            # A source or a figure's reference changed: every reader sees it.
            return set(LANGUAGE_CODES)
        for code in LANGUAGE_CODES:
            columns = [localized(name, code) for name in texts]
            if [[row.get(c) or "" for c in columns] for row in old] != [
                [row.get(c) or "" for c in columns] for row in new
            ]:
                changed.add(code)
    return changed


def medical_state(page):
    """What languages_with_changed_medical_text compares, of a page as stored."""
    return {
        **{column: getattr(page, column) for column in page_text_columns()},
        **snapshot_of_related(page),
    }


def clear_reviews(page, languages):
    PageReview.objects.filter(page=page, language__in=languages).delete()


def with_review_in(pages, language):
    """Pages with their review in a language read in the same query (review_read_with())."""
    review = PageReview.objects.filter(page=models.OuterRef("pk"), language=language)
    return pages.annotate(
        review_reviewed_on=models.Subquery(review.values("reviewed_on")[:1]),
        review_reviewer_name=models.Subquery(review.values("reviewer_name")[:1]),
    )


def review_read_with(page, language):
    """The review with_review_in() read with the page, or None."""
    if page.review_reviewed_on is None:
        return None
    return PageReview(
        page=page,
        language=language,
        reviewed_on=page.review_reviewed_on,
        reviewer_name=page.review_reviewer_name or "",
    )


class PageReviewQuerySet(models.QuerySet):
    def due(self, today=None):
        return self.filter(reviewed_on__lt=review_due_before(today))


class PageReview(models.Model):
    """A medical reviewer's check of one language of a page: the public page shows "Medically
    reviewed on … by …" in that language. Cleared when that language's medical text changes."""

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("page")
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    reviewed_on = models.DateField(_("medically reviewed on"))
    reviewer_name = models.CharField(
        _("medically reviewed by"),
        max_length=200,
        help_text=_("Name and qualification, e.g. “Dr. A. Example, haematologist”."),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = PageReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("medical review")
        verbose_name_plural = _("medical reviews")
        ordering = ["page", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "language"],
                name="one_medical_review_per_page_language",
                violation_error_message=_("This language of the page already has a review."),
            )
        ]

    def __str__(self):
        return f"{self.page} ({self.language}): {self.reviewed_on}"

    @property
    def is_due(self):
        return self.reviewed_on < review_due_before()


class RevisionQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=PendingRevision.Status.PENDING)


class PendingRevision(models.Model):
    """What a page's and a question's pending revisions share: who saved it and when, whether
    it waits, was published (by whom, when) or was replaced by a newer one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be published")
        PUBLISHED = "published", _("published")
        DISCARDED = "discarded", _("discarded")

    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.PENDING, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def mark_published(self, user):
        self.status = self.Status.PUBLISHED
        self.published_by = user
        self.published_at = timezone.now()
        self.save(update_fields=["status", "published_by", "published_at"])

    def discard(self):
        self.status = self.Status.DISCARDED
        self.save(update_fields=["status"])


class PageRevision(PendingRevision):
    """A change to a published page, waiting to be published: the page's fields and its
    references and key figures as the editor left them. At most one is pending per page; a new
    save replaces it."""

    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("page")
    )
    # The page's own columns (texts of every language, slug, order, translation bookkeeping).
    values = models.JSONField(_("page fields"), default=dict)
    # snapshot_of_related(): the references and key figures.
    related = models.JSONField(_("references and key figures"), default=dict)

    class Meta(PendingRevision.Meta):
        verbose_name = _("pending page revision")
        verbose_name_plural = _("pending page revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["page"],
                condition=models.Q(status="pending"),
                name="one_pending_revision_per_page",
            )
        ]

    def __str__(self):
        return f"{self.page} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def save_pending(cls, page, values, related, author):
        """Keeps an editor's change of a published page for later: replaces the pending one."""
        values = {name: normalise_line_endings(value) for name, value in values.items()}
        with transaction.atomic():
            cls.objects.pending().filter(page=page).update(status=cls.Status.DISCARDED)
            return cls.objects.create(page=page, values=values, related=related, author=author)

    def preview_page(self):
        """An unsaved copy of the live page with this revision's fields, rendered."""
        page = Page.objects.get(pk=self.page_id)
        for name, value in self.values.items():
            setattr(page, name, value)
        page.upcoming_reference_numbers = {ref["number"] for ref in self.related["references"]}
        page.render()
        return page

    def preview_related(self, page):
        """Unsaved references and key figures for the preview, as the page template reads them."""
        references = {
            ref["number"]: Reference(page=page, **ref) for ref in self.related["references"]
        }
        figures = []
        for values in self.related["key_figures"]:
            values = dict(values)
            number = values.pop("reference_number", None)
            figures.append(KeyFigure(page=page, reference=references.get(number), **values))
        return list(references.values()), figures

    def publish(self, user):
        """Applies the revision to the live page in one transaction: its fields, references and
        key figures; records a revision in the history; clears the review of each language whose
        medical text changed; makes cached pages stale."""
        with transaction.atomic():
            page = Page.objects.select_for_update().get(pk=self.page_id)
            before = medical_state(page)
            restore_related(page, self.related)
            for name, value in self.values.items():
                setattr(page, name, value)
            page._history_user = user
            page._change_reason = "Published a pending revision"
            # The history's snapshot of references and key figures is taken now, after them.
            page.save()
            clear_reviews(page, languages_with_changed_medical_text(before, medical_state(page)))
            self.mark_published(user)
            page_cache.bump_version()
        return page


class FaqEntryRevision(PendingRevision):
    """A change to a published question and answer, waiting to be published (as PageRevision is
    for a page): the entry's texts of every language and its order and translation bookkeeping."""

    entry = models.ForeignKey(
        FaqEntry, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("question")
    )
    values = models.JSONField(_("fields"), default=dict)

    class Meta(PendingRevision.Meta):
        verbose_name = _("pending question revision")
        verbose_name_plural = _("pending question revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["entry"],
                condition=models.Q(status="pending"),
                name="one_pending_revision_per_question",
            )
        ]

    def __str__(self):
        return f"{self.entry} ({self.get_status_display()}, {self.created_at:%Y-%m-%d %H:%M})"

    @classmethod
    def save_pending(cls, entry, values, author):
        values = {name: normalise_line_endings(value) for name, value in values.items()}
        with transaction.atomic():
            cls.objects.pending().filter(entry=entry).update(status=cls.Status.DISCARDED)
            return cls.objects.create(entry=entry, values=values, author=author)

    def preview_entry(self):
        """An unsaved copy of the live entry with this revision's texts, rendered."""
        entry = FaqEntry.objects.get(pk=self.entry_id)
        for name, value in self.values.items():
            setattr(entry, name, value)
        render_each_language("answer", "answer_html", entry)
        return entry

    def publish(self, user):
        with transaction.atomic():
            entry = FaqEntry.objects.select_for_update().get(pk=self.entry_id)
            for name, value in self.values.items():
                setattr(entry, name, value)
            entry._history_user = user
            entry._change_reason = "Published a pending revision"
            entry.save()
            self.mark_published(user)
            page_cache.bump_version()
        return entry

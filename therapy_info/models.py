"""CAR-T information pages, their references and key figures, old page addresses, and the FAQ.

Texts have a column per language (django-modeltranslation, registered in translation.py, which also
registers their revision history once those columns exist); reading `page.title` gives the active
language's text, or the English when that translation is missing.
"""

import contextvars
import hashlib
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from portal import page_cache
from therapy_info.rendering import render_markdown

# A long article is a few thousand words; 100,000 characters stops a pasted 1 MB blob early.
BODY_MAX_LENGTH = 100_000
# Paths under /car-t/ that are not pages: a page with such a slug could never be reached.
RESERVED_SLUGS = {"questions"}
# English is the source every translation is made from and checked against.
SOURCE_LANGUAGE = "en"
TRANSLATION_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def normalise_line_endings(text):
    """Browsers post CRLF; files and the database hold LF. The same words are the same text."""
    if isinstance(text, str):
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def localized(field_name, language):
    """The column of one language: localized("title", "zh-hans") == "title_zh_hans"."""
    return build_localized_fieldname(field_name, language)


class TranslationTracking(models.Model):
    """Per translation: which English text it was made from, and whether a medical reviewer has
    checked it. The English changed since → the translation is outdated; edited → unreviewed.

    The two columns per language (translated_from_ru, translation_reviewed_ru, …) are added below
    for each language of settings.LANGUAGES but the English."""

    # The texts a reader needs in their language; the English of these is what is tracked.
    TRANSLATED_TEXTS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def english_fingerprint(self):
        # Line endings are not words: the browser posts CRLF where the files hold LF.
        english = "\x1f".join(
            normalise_line_endings(getattr(self, localized(name, SOURCE_LANGUAGE)) or "")
            for name in self.TRANSLATED_TEXTS
        )
        return hashlib.sha256(english.encode()).hexdigest()

    def is_translated(self, language=None):
        """Has every text in this language (English always has)."""
        language = language or get_language()
        if language == SOURCE_LANGUAGE or language not in TRANSLATION_LANGUAGES:
            return True
        return all(getattr(self, localized(name, language)) for name in self.TRANSLATED_TEXTS)

    def is_translation_reviewed(self, language=None):
        language = language or get_language()
        if language not in TRANSLATION_LANGUAGES:
            return True
        return getattr(self, localized("translation_reviewed", language))

    def translation_state(self, language):
        """ "missing", "outdated" (the English changed since it was translated) or "current"."""
        if not self.is_translated(language):
            return "missing"
        if getattr(self, localized("translated_from", language)) != self.english_fingerprint():
            return "outdated"
        return "current"

    def record_translation(self, language, *, reviewed=False):
        """This language's text now matches the current English; a new text needs a new review."""
        setattr(self, localized("translated_from", language), self.english_fingerprint())
        setattr(self, localized("translation_reviewed", language), reviewed)


def _add_translation_tracking_columns():
    names = dict(settings.LANGUAGES)
    for code in TRANSLATION_LANGUAGES:
        # Hash of the English texts (TRANSLATED_TEXTS) when this language's text was last saved.
        TranslationTracking.add_to_class(
            localized("translated_from", code),
            models.CharField(max_length=64, blank=True, editable=False),
        )
        TranslationTracking.add_to_class(
            localized("translation_reviewed", code),
            models.BooleanField(
                format_lazy(_("{language} translation medically reviewed"), language=names[code]),
                default=False,
            ),
        )


# Before any model inherits from it: subclasses copy an abstract model's columns when created.
_add_translation_tracking_columns()


def render_each_language(text_field, html_field, obj, reference_numbers=(), toc_field=None):
    """Renders the Markdown of every language into its own HTML column; returns the columns."""
    changed = []
    for code, _name in settings.LANGUAGES:
        rendered = render_markdown(
            getattr(obj, localized(text_field, code)) or "", reference_numbers
        )
        setattr(obj, localized(html_field, code), rendered.html)
        changed.append(localized(html_field, code))
        if toc_field:
            setattr(obj, localized(toc_field, code), rendered.table_of_contents)
            changed.append(localized(toc_field, code))
    return changed


# Set while a page and its references are saved together (the admin's change form, load_content):
# their saves leave the page's HTML to one rendering at the end instead of one per reference.
_rendering_later = contextvars.ContextVar("therapy_info_rendering_later", default=False)


@contextmanager
def pages_rendered_later():
    """Page and reference saves inside do not render the page; the caller renders each page it
    saved once afterwards, in the same transaction (Page.refresh_rendering)."""
    token = _rendering_later.set(True)
    try:
        yield
    finally:
        _rendering_later.reset(token)


def also_update(kwargs, derived_fields):
    """A save(update_fields=…) writes the columns save() derived from them too."""
    if kwargs.get("update_fields") is not None:
        kwargs["update_fields"] = {*kwargs["update_fields"], *derived_fields}


def validate_not_reserved_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(
            _("“%(slug)s” is the address of another part of the site. Please choose another."),
            params={"slug": value},
            code="reserved_slug",
        )


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Page.Status.PUBLISHED)

    def in_navigation_order(self):
        return self.order_by("navigation_order", "title")


class Page(TranslationTracking):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (only staff can see it)")
        PUBLISHED = "published", _("Published (everyone can see it)")

    class SpecialSection(models.TextChoices):
        """What the page shows besides its text, drawn by a template rather than written."""

        NONE = "", _("None: the text only")
        TREATMENT_JOURNEY = "treatment_journey", _("The treatment journey, as a step diagram")
        RECORDS_CHECKLISTS = "records_checklists", _("The published records checklists")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("address (slug)"),
        max_length=100,
        unique=True,
        validators=[validate_not_reserved_slug],
        help_text=_(
            "The last part of the page's web address. Changing it later is safe: "
            "the old address keeps working and forwards readers here."
        ),
    )
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_(
            "One or two sentences shown in lists and in search engine results "
            "(best under 160 characters)."
        ),
    )
    body = models.TextField(
        _("text"),
        max_length=BODY_MAX_LENGTH,
        help_text=_(
            "Markdown: ## for a section heading, ### for a sub-heading, **bold**, "
            "[link text](https://…). Write [2] to cite reference number 2 of this page."
        ),
    )
    body_html = models.TextField(editable=False, default="")
    table_of_contents = models.JSONField(editable=False, default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, db_index=True
    )
    navigation_order = models.PositiveSmallIntegerField(
        _("order in lists"), default=100, help_text=_("Lower numbers come first.")
    )
    special_section = models.CharField(
        _("special section"),
        max_length=30,
        choices=SpecialSection,
        blank=True,
        default=SpecialSection.NONE,
        # In the database too: code that predates the column (old data migrations) still inserts.
        db_default=SpecialSection.NONE,
        help_text=_(
            "Shown with the text: the step diagram of the treatment journey (before the text) or "
            "the records checklists of every diagnosis (after it)."
        ),
    )
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    # Revision history: registered in translation.py, after the language columns exist.
    objects = PageQuerySet.as_manager()
    TRANSLATED_TEXTS = ("title", "summary", "body")
    # The admin's reference formset sets the numbers the page will have once its references are
    # saved, so that saving the page renders its citation links once, and right.
    upcoming_reference_numbers = None
    # The reference numbers of the last render() of this instance; None before one.
    rendered_reference_numbers = None

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")
        ordering = ["navigation_order", "title"]
        permissions = [
            ("publish_page", "Can publish pages, questions and their pending revisions"),
            ("review_medical_content", "Can record the medical review of a page"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        rendered_fields = [] if _rendering_later.get() else self.render()
        if self.is_published and self.published_at is None:
            self.published_at = timezone.now()
        also_update(kwargs, [*rendered_fields, "published_at"])
        with transaction.atomic():
            # Read here, not remembered at load time: correct however this instance was made.
            old_slug = (
                Page.objects.filter(pk=self.pk).values_list("slug", flat=True).first()
                if self.pk
                else None
            )
            super().save(*args, **kwargs)
            # This page now owns its slug, even if another page once had it.
            PageSlugRedirect.objects.filter(old_slug=self.slug).delete()
            if old_slug and old_slug != self.slug:
                PageSlugRedirect.objects.update_or_create(
                    old_slug=old_slug, defaults={"page": self}
                )

    def get_absolute_url(self):
        return reverse("therapy_info:page", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def record_related_in_history(self):
        """The latest revision in the history keeps the references and key figures as they are
        now (saved after the page by the admin and load_content), so revert restores them."""
        from therapy_info.editorial import snapshot_of_related

        latest = self.history.order_by("-history_date", "-history_id").first()
        if latest is not None:
            latest.related_content = snapshot_of_related(self)
            latest.save(update_fields=["related_content"])

    def render(self):
        """Renders the Markdown text of every language, linking the citations that have a
        reference on this page. Returns the names of the rendered columns."""
        numbers = self.upcoming_reference_numbers
        if numbers is None:
            numbers = self.reference_numbers()
        # What the links were rendered for: a save of references that keeps them needs no render.
        self.rendered_reference_numbers = set(numbers)
        return render_each_language("body", "body_html", self, numbers, "table_of_contents")

    def reference_numbers(self):
        return set(self.references.values_list("number", flat=True)) if self.pk else set()

    def refresh_rendering(self):
        """Re-renders after the references changed, without adding a revision of the page."""
        rendered_fields = self.render()
        Page.objects.filter(pk=self.pk).update(
            **{name: getattr(self, name) for name in rendered_fields}
        )
        self.record_related_in_history()
        # update() sends no signal: make cached copies stale here.
        page_cache.bump_version()

    def publish(self):
        self.status = self.Status.PUBLISHED
        self.save()

    def unpublish(self):
        self.status = self.Status.DRAFT
        self.save()

    def structured_data(self, url, review, language_code, publisher_name):
        """schema.org MedicalWebPage for search engines (JSON-LD)."""
        data = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "name": self.title,
            "headline": self.title,
            "description": self.summary,
            "url": url,
            "inLanguage": language_code,
            "dateModified": self.updated_at.isoformat(),
            "publisher": {"@type": "Organization", "name": publisher_name},
        }
        if self.published_at:
            data["datePublished"] = self.published_at.isoformat()
        if review is not None:
            data["lastReviewed"] = review.reviewed_on.isoformat()
            if review.reviewer_name:
                data["reviewedBy"] = {"@type": "Person", "name": review.reviewer_name}
        return data


class PageSlugRedirect(models.Model):
    """An address a page had before its slug changed: it forwards readers to the page."""

    old_slug = models.SlugField(_("old address (slug)"), max_length=100, unique=True)
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="old_slugs", verbose_name=_("page")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old page address")
        verbose_name_plural = _("old page addresses")

    def __str__(self):
        return f"{self.old_slug} → {self.page.slug}"


class Reference(models.Model):
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="references", verbose_name=_("page")
    )
    number = models.PositiveSmallIntegerField(
        _("number"),
        validators=[MinValueValidator(1)],
        help_text=_("Cited in the text as [number]."),
    )
    citation = models.TextField(
        _("citation"), help_text=_("Authors, title, journal, year — as it should be shown.")
    )
    url = models.URLField(_("link"), blank=True, max_length=500)
    # For staff only: the public templates never show it (tests/therapy_info/test_references.py).
    reviewer_note = models.TextField(
        _("note for the medical reviewer"),
        blank=True,
        # In the database too: code that predates the column (old data migrations) still inserts.
        db_default="",
        help_text=_(
            "Never shown on the site. E.g. where the text's figure differs from what the source "
            "reports, and why."
        ),
    )

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["page", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "number"],
                name="unique_reference_number_per_page",
                violation_error_message=_("This page already has a reference with this number."),
            )
        ]

    def __str__(self):
        return f"[{self.number}] {self.citation[:60]}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The page's citation links depend on which references exist.
        if not _rendering_later.get():
            self.page.refresh_rendering()

    def get_absolute_url(self):
        return f"{self.page.get_absolute_url()}#ref-{self.number}"

    @property
    def citation_is_in_english_only(self):
        """A reader of another language gets the English citation (most are never translated: a
        publication is cited in its own language), which the page marks as English."""
        language = get_language() or SOURCE_LANGUAGE
        if language == SOURCE_LANGUAGE or language not in TRANSLATION_LANGUAGES:
            return False
        return not getattr(self, localized("citation", language))

    def delete(self, *args, **kwargs):
        page = self.page
        result = super().delete(*args, **kwargs)
        if not _rendering_later.get():
            page.refresh_rendering()
        return result


class KeyFigureQuerySet(models.QuerySet):
    def for_home_page(self):
        return (
            self.filter(show_on_home_page=True, page__status=Page.Status.PUBLISHED)
            .select_related("page", "reference__page")
            .order_by("order", "pk")
        )


class KeyFigure(models.Model):
    page = models.ForeignKey(
        Page, on_delete=models.CASCADE, related_name="key_figures", verbose_name=_("page")
    )
    value = models.CharField(_("figure"), max_length=30, help_text=_("E.g. “83%”."))
    label = models.CharField(
        _("what it means"),
        max_length=200,
        help_text=_("E.g. “of lymphoma patients achieve remission”."),
    )
    reference = models.ForeignKey(
        Reference,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="key_figures",
        verbose_name=_("source (reference)"),
        help_text=_("The reference of this page that backs the figure."),
    )
    show_on_home_page = models.BooleanField(_("show on the home page"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = KeyFigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.value} {self.label}"

    def clean(self):
        if self.reference_id and self.page_id and self.reference.page_id != self.page_id:
            raise ValidationError(
                {"reference": _("Choose a reference of the same page as the figure.")}
            )


class FaqEntryQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True).order_by("order", "pk")


class FaqEntry(TranslationTracking):
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(
        _("answer"), max_length=10_000, help_text=_("Markdown, like the text of a page.")
    )
    answer_html = models.TextField(editable=False, default="")
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = FaqEntryQuerySet.as_manager()
    TRANSLATED_TEXTS = ("question", "answer")

    class Meta:
        verbose_name = _("question and answer")
        verbose_name_plural = _("questions and answers")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        rendered_fields = render_each_language("answer", "answer_html", self)
        also_update(kwargs, rendered_fields)
        super().save(*args, **kwargs)


class PrivacyNoticeQuerySet(models.QuerySet):
    def in_effect(self, on=None):
        """Versions whose effective date has come, the one in force first."""
        on = on or timezone.localdate()
        return self.filter(effective_on__lte=on).order_by("-effective_on", "-pk")

    def current(self, on=None):
        return self.in_effect(on).first()


class PrivacyNotice(models.Model):
    """One version of the privacy notice. Patients see the latest version in effect, and each
    enquiry records the label of the version in force when it was sent, so a version's text is
    frozen once it takes effect: a change is a new version."""

    version = models.CharField(
        _("version"),
        max_length=20,
        unique=True,
        help_text=_("A short label that never changes, e.g. “2026-03”. Enquiries record it."),
    )
    effective_on = models.DateField(
        _("in effect from"),
        help_text=_("Shown to patients from this day; the latest version in effect is shown."),
    )
    body = models.TextField(
        _("text"),
        max_length=BODY_MAX_LENGTH,
        help_text=_("Markdown, like the text of a page: ## for a section heading."),
    )
    body_html = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("privacy notice version")
        verbose_name_plural = _("privacy notice versions")
        ordering = ["-effective_on", "-pk"]

    def __str__(self):
        return self.version

    def save(self, *args, **kwargs):
        rendered_fields = render_each_language("body", "body_html", self)
        also_update(kwargs, rendered_fields)
        super().save(*args, **kwargs)

    @property
    def is_in_effect(self):
        """Patients may have seen it: its text must not change any more."""
        return self.pk is not None and self.effective_on <= timezone.localdate()


class LoadedContent(models.Model):
    """What load_content last wrote for one item of therapy_info/content/ (a page, reference, key
    figure, question or privacy notice version): the row it became, and a hash of the values the
    files own. The row's values no longer hashing the same means an editor changed them."""

    key = models.CharField(max_length=300, unique=True)
    object_id = models.PositiveBigIntegerField()
    content_hash = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loaded content item")
        verbose_name_plural = _("loaded content items")

    def __str__(self):
        return self.key


# The records checklists, programmes, approved products and trials live in their own modules (by
# concept); importing them here registers their models with the app, wherever the app's models are
# loaded from. A plain module import works whichever of the two modules is imported first.
import therapy_info.editorial  # noqa: E402
import therapy_info.products  # noqa: E402
import therapy_info.programmes  # noqa: E402
import therapy_info.records_checklists  # noqa: E402
import therapy_info.trials  # noqa: E402, F401

"""Admin for content editors: write, preview, publish and revert pages, references, key figures,
questions and the records checklists, with the full revision history of django-simple-history, and
their translations: a column per language, and which translations are missing, outdated or not yet
reviewed."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from therapy_info.editorial import (
    LANGUAGE_CODES,
    FaqEntryRevision,
    PageReview,
    PageRevision,
    clear_reviews,
    languages_with_changed_medical_text,
    medical_state,
    page_text_columns,
    restore_related,
    review_due_before,
    snapshot_of_related,
)
from therapy_info.models import (
    TRANSLATION_LANGUAGES,
    FaqEntry,
    KeyFigure,
    Page,
    PageSlugRedirect,
    PrivacyNotice,
    Reference,
    localized,
    normalise_line_endings,
    pages_rendered_later,
)
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist
from therapy_info.rendering import citation_numbers
from therapy_info.word_diff import word_diff_html

# What the text widgets of each language's column say about their script: Arabic is written right
# to left; the lang attribute picks the fonts and the browser's spelling checker.
LANGUAGE_ATTRIBUTES = {
    "en": {"lang": "en"},
    "zh-hans": {"lang": "zh-Hans"},
    "ru": {"lang": "ru"},
    "ar": {"lang": "ar", "dir": "rtl"},
}
PUBLISH_PERMISSION = "therapy_info.publish_page"
REVIEW_PERMISSION = "therapy_info.review_medical_content"


def language_of_column(name):
    """ "body_zh_hans" → "zh-hans"; None for a column that is not one language's."""
    for code, _name in settings.LANGUAGES:
        if name.endswith("_" + code.replace("-", "_")):
            return code
    return None


class LineEndingsNormalisedForm(forms.ModelForm):
    """Browsers post CRLF in text areas where the files and the database hold LF: without this,
    the first save of a shipped page counts every text as changed (and its translations as made
    from the new English)."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for key, values in data.lists():
                data.setlist(key, [normalise_line_endings(value) for value in values])
        super().__init__(data, *args, **kwargs)


class LanguageWidgetsMixin:
    """Each language's text is edited in its own script direction and language."""

    form = LineEndingsNormalisedForm

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        language = language_of_column(db_field.name)
        if (
            field is not None
            and language
            and isinstance(field.widget, (forms.widgets.Input, forms.Textarea))
        ):
            field.widget.attrs.update(LANGUAGE_ATTRIBUTES[language])
        return field


class ReferenceInlineFormSet(BaseInlineFormSet):
    """Checks the page text against the references as they will be after this save."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers = {
            form.cleaned_data["number"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("number")
        }
        # The page renders its citation links once, for the references it is about to have.
        self.instance.upcoming_reference_numbers = numbers
        missing = sorted(citation_numbers(self.instance.body) - numbers)
        if missing:
            listed = ", ".join(f"[{number}]" for number in missing)
            raise ValidationError(
                ngettext(
                    "The text cites %(numbers)s, but this page has no reference with that "
                    "number. Add the reference below or remove the marker from the text.",
                    "The text cites %(numbers)s, but this page has no references with those "
                    "numbers. Add the references below or remove the markers from the text.",
                    len(missing),
                )
                % {"numbers": listed},
                code="missing_reference",
            )


class ReferenceInline(LanguageWidgetsMixin, TranslationTabularInline):
    model = Reference
    formset = ReferenceInlineFormSet
    fields = ["number", "citation", "url", "reviewer_note"]
    extra = 0


class KeyFigureInline(LanguageWidgetsMixin, TranslationTabularInline):
    model = KeyFigure
    fields = ["value", "label", "reference", "show_on_home_page", "order"]
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reference":
            # Only the references of the page being edited (none yet on a new page).
            page_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Reference.objects.filter(page_id=page_id).order_by("number")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


TRANSLATION_STATE_LABELS = {
    "missing": _("missing"),
    "outdated": _("older than the English"),
    "current": _("up to date"),
}


class TranslationStatusAdmin(LanguageWidgetsMixin, TranslationAdmin, SimpleHistoryAdmin):
    """Shows each translation's state and keeps its bookkeeping: saving a language's text records
    the English it was made from, and asks for a new medical review unless the editor confirms it
    in the same save."""

    @admin.display(description=_("translations"))
    def translation_status(self, obj):
        names = dict(settings.LANGUAGES)
        rows = []
        for code in TRANSLATION_LANGUAGES:
            state = obj.translation_state(code)
            reviewed = state != "missing" and obj.is_translation_reviewed(code)
            rows.append(
                (
                    f"translation-{state}",
                    names[code],
                    TRANSLATION_STATE_LABELS[state],
                    _(", medically reviewed") if reviewed else "",
                )
            )
        return format_html_join("", '<div class="{}">{}: {}{}</div>', rows)

    def save_model(self, request, obj, form, change):
        self.track_translations(obj, form)
        super().save_model(request, obj, form, change)

    def track_translations(self, obj, form):
        for code in TRANSLATION_LANGUAGES:
            texts = {localized(name, code) for name in obj.TRANSLATED_TEXTS}
            if texts & set(form.changed_data):
                reviewed_field = localized("translation_reviewed", code)
                confirmed = reviewed_field in form.changed_data and form.cleaned_data.get(
                    reviewed_field
                )
                obj.record_translation(code, reviewed=bool(confirmed))

    @admin.action(
        description=_("Mark the translations as matching the current English"),
        permissions=["change"],
    )
    def confirm_translations_current(self, request, queryset):
        # For an English change that needs no new translation (a typo fixed, a link updated).
        count = 0
        for obj in queryset:
            for code in TRANSLATION_LANGUAGES:
                if obj.is_translated(code):
                    obj.record_translation(code, reviewed=obj.is_translation_reviewed(code))
            obj.save()
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d item marked as translated from the current English.",
                "%(count)d items marked as translated from the current English.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


TRANSLATION_REVIEW_FIELDS = [
    localized("translation_reviewed", code) for code in TRANSLATION_LANGUAGES
]


class PageReviewInline(admin.TabularInline):
    """The medical reviews, per language. Only reviewers add, change or remove them; everyone
    who edits pages sees them (Django ignores what a read-only inline posts)."""

    model = PageReview
    fields = ["language", "reviewed_on", "reviewer_name", "recorded_by", "review_due"]
    readonly_fields = ["recorded_by", "review_due"]
    extra = 0

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("therapy_info.view_page")

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(REVIEW_PERMISSION)

    @admin.display(description=_("recorded by"))
    def recorded_by(self, review):
        return review.reviewed_by or "—"

    @admin.display(description=_("review due"), boolean=True)
    def review_due(self, review):
        return review.is_due if review.pk else None


class WordDiffHistoryContextHelper(HistoricalRecordContextHelper):
    """Each changed text of a revision as a word difference (its label names the language), and
    for a page the references and key figures kept with it, when they changed."""

    def context_for_delta_changes(self, delta):
        changes = super().context_for_delta_changes(delta)
        for entry, change in zip(changes, delta.changes, strict=True):
            if isinstance(change.old, str) or isinstance(change.new, str):
                entry["diff"] = word_diff_html(str(change.old or ""), str(change.new or ""))
        old_related = getattr(delta.old_record, "related_content", None) or {}
        new_related = getattr(delta.new_record, "related_content", None) or {}
        for kind, label in (("references", _("References")), ("key_figures", _("Key figures"))):
            old_text = related_as_text(old_related.get(kind, []))
            new_text = related_as_text(new_related.get(kind, []))
            if old_text != new_text:
                changes.append(
                    {
                        "field": label,
                        "old": "",
                        "new": "",
                        "diff": word_diff_html(old_text, new_text),
                    }
                )
        return changes


class MedicalReviewFilter(admin.SimpleListFilter):
    title = _("medical review (English)")
    parameter_name = "medical_review"

    def lookups(self, request, model_admin):
        return [
            ("current", _("reviewed in the last 12 months")),
            ("due", _("review due (older than 12 months)")),
            ("none", _("not yet medically reviewed")),
        ]

    def queryset(self, request, queryset):
        english = PageReview.objects.filter(page=OuterRef("pk"), language="en")
        due = english.filter(reviewed_on__lt=review_due_before())
        if self.value() == "current":
            return queryset.filter(Exists(english)).exclude(Exists(due))
        if self.value() == "due":
            return queryset.filter(Exists(due))
        if self.value() == "none":
            return queryset.exclude(Exists(english))
        return queryset


@admin.register(Page)
class PageAdmin(TranslationStatusAdmin):
    """A published page is never changed in place: saving it keeps the change as a pending
    revision (PageRevision) to preview and publish. Drafts are edited directly."""

    list_display = [
        "title",
        "status",
        "medical_review",
        "has_pending_revision",
        "translation_status",
        "updated_at",
        "last_changed_by",
        "public_link",
    ]
    list_filter = ["status", MedicalReviewFilter, "updated_at"]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [
        "published_at",
        "updated_at",
        "public_link",
        "translation_status",
        "pending_revision",
    ]
    inlines = [ReferenceInline, KeyFigureInline, PageReviewInline]
    actions = ["publish", "unpublish", "confirm_translations_current"]
    history_list_display = ["status"]
    object_history_list_template = "admin/therapy_info/page/object_history_list.html"
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["pending_revision", "title", "slug", "summary", "body"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "navigation_order",
                    "special_section",
                    "public_link",
                    "published_at",
                    "updated_at",
                ]
            },
        ),
        (
            _("Translations"),
            {
                "fields": ["translation_status", *TRANSLATION_REVIEW_FIELDS],
                "description": _(
                    "Each translation is shown to readers as “not yet medically reviewed” until "
                    "its box is ticked. Changing a translation clears its box."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        last_revision = Page.history.filter(id=OuterRef("pk")).order_by("-history_date")
        return (
            super()
            .get_queryset(request)
            .annotate(
                last_changed_by_name=Subquery(last_revision.values("history_user__username")[:1]),
                has_pending=Exists(PageRevision.objects.pending().filter(page=OuterRef("pk"))),
            )
            .prefetch_related("reviews")
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/pending/<int:revision_id>/",
                self.admin_site.admin_view(self.pending_revision_view),
                name="therapy_info_page_pending_revision",
            ),
            *super().get_urls(),
        ]

    # Saving: directly for a draft, as a pending revision for a published page.

    def _is_live(self, obj):
        return obj.pk is not None and Page.objects.published().filter(pk=obj.pk).exists()

    def save_model(self, request, obj, form, change):
        request.page_medical_state_before = medical_state(obj) if obj.pk else None
        request.page_is_live = self._is_live(obj)
        if not request.page_is_live:
            super().save_model(request, obj, form, change)
            return
        # The live row stays as it is: what the form holds is kept in save_related.
        self.track_translations(obj, form)

    def save_related(self, request, form, formsets, change):
        page = form.instance
        if getattr(request, "page_is_live", False):
            self._save_pending_revision(request, page, form, formsets)
            return
        # The page was rendered when saved, for the references its formset was about to save:
        # saving them renders nothing more, unless the numbers turned out otherwise.
        with pages_rendered_later():
            super().save_related(request, form, formsets, change)
        page.upcoming_reference_numbers = None
        if page.reference_numbers() != page.rendered_reference_numbers:
            page.refresh_rendering()
        page.record_related_in_history()
        before = getattr(request, "page_medical_state_before", None)
        if before is not None:
            clear_reviews(page, languages_with_changed_medical_text(before, medical_state(page)))

    def _save_pending_revision(self, request, page, form, formsets):
        tracking = [
            localized(column, code)
            for column in ("translated_from", "translation_reviewed")
            for code in TRANSLATION_LANGUAGES
        ]
        values = {
            name: getattr(page, name)
            for name in [
                *page_text_columns(),
                "slug",
                "navigation_order",
                "special_section",
                "status",
                *tracking,
            ]
        }
        # Reviews are recorded on the live page, not in a revision.
        for formset in formsets:
            if formset.model is PageReview:
                self.save_formset(request, form, formset, change=True)
        related = snapshot_of_related(page)
        for formset in formsets:
            kind = {Reference: "references", KeyFigure: "key_figures"}.get(formset.model)
            if kind is None:
                continue
            related[kind] = self._rows_of(formset, kind)
            # Nothing of it is saved now (construct_change_message reads these).
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not form.has_changed() and related == snapshot_of_related(page):
            # Nothing to publish (a reviewer recording a review, a save without changes).
            return
        request.pending_revision = PageRevision.save_pending(page, values, related, request.user)

    def _rows_of(self, formset, kind):
        """What the formset's forms will make of the references or key figures."""
        rows = []
        for form in formset.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            if kind == "references":
                row = {name: data.get(name) or "" for name in ("url", "reviewer_note")}
                row["number"] = data["number"]
                for code, _name in settings.LANGUAGES:
                    row[localized("citation", code)] = data.get(localized("citation", code)) or ""
            else:
                reference = data.get("reference")
                row = {
                    "show_on_home_page": bool(data.get("show_on_home_page")),
                    "order": data.get("order") or 0,
                    "reference_number": reference.number if reference else None,
                }
                for name in ("value", "label"):
                    for code, _name in settings.LANGUAGES:
                        row[localized(name, code)] = data.get(localized(name, code)) or ""
            rows.append(row)
        if kind == "references":
            rows.sort(key=lambda row: row["number"])
        else:
            rows.sort(key=lambda row: row["order"])
        return rows

    def save_formset(self, request, form, formset, change):
        if formset.model is not PageReview:
            return super().save_formset(request, form, formset, change)
        reviews = formset.save(commit=False)
        for review in reviews:
            review.reviewed_by = request.user
            review.save()
        for review in formset.deleted_objects:
            review.delete()

    def response_change(self, request, obj):
        revision = getattr(request, "pending_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _(
                "Your change is saved as a pending revision. The live page is unchanged until "
                "the revision is published."
            ),
            messages.WARNING,
        )
        return HttpResponseRedirect(
            reverse("admin:therapy_info_page_pending_revision", args=[obj.pk, revision.pk])
        )

    # Reverting restores the references and key figures of that revision too.

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.reverting_to = get_object_or_404(
            Page.history.model, id=object_id, history_id=version_id
        )
        return super().history_form_view(request, object_id, version_id, extra_context)

    def log_change(self, request, obj, message):
        # history_form_view saves the page only (no formsets): the revision's references and key
        # figures follow here, or go into the pending revision of a live page.
        record = getattr(request, "reverting_to", None)
        if record is not None and request.method == "POST":
            self._restore_related_of(request, obj, record)
        return super().log_change(request, obj, message)

    def _restore_related_of(self, request, page, record):
        snapshot = record.related_content or snapshot_of_related(page)
        if getattr(request, "page_is_live", False):
            values = {
                name: getattr(page, name)
                for name in [
                    *page_text_columns(),
                    "slug",
                    "navigation_order",
                    "special_section",
                    "status",
                ]
            }
            request.pending_revision = PageRevision.save_pending(
                page, values, snapshot, request.user
            )
            return
        with transaction.atomic():
            restore_related(page, snapshot)
            page.refresh_rendering()
            page.record_related_in_history()
        before = getattr(request, "page_medical_state_before", None)
        if before is not None:
            clear_reviews(page, languages_with_changed_medical_text(before, medical_state(page)))

    def get_historical_record_context_helper(self, request, historical_record):
        return WordDiffHistoryContextHelper(self.model, historical_record)

    # The pending revision: preview, publish, discard.

    def pending_revision_view(self, request, object_id, revision_id):
        page = self.get_object(request, object_id)
        if page is None or not self.has_view_permission(request, page):
            raise PermissionDenied
        revision = get_object_or_404(PageRevision, pk=revision_id, page=page)
        can_publish = request.user.has_perm(PUBLISH_PERMISSION)
        if request.method == "POST" and revision.status == PageRevision.Status.PENDING:
            if "publish" in request.POST:
                if not can_publish:
                    raise PermissionDenied
                revision.publish(request.user)
                self.message_user(request, _("The revision is published."), messages.SUCCESS)
            elif "discard" in request.POST:
                if not self.has_change_permission(request, page):
                    raise PermissionDenied
                revision.discard()
                self.message_user(request, _("The revision is discarded."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:therapy_info_page_change", args=[page.pk]))
        changes = self._revision_changes(page, revision)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Pending revision of “%(page)s”") % {"page": page},
            "original": page,
            "revision": revision,
            "changes": changes,
            "can_publish": can_publish and revision.status == PageRevision.Status.PENDING,
            "can_discard": self.has_change_permission(request, page)
            and revision.status == PageRevision.Status.PENDING,
            "preview_url": reverse(
                "therapy_info:pending_revision",
                kwargs={"slug": page.slug, "revision_id": revision.pk},
            ),
        }
        return TemplateResponse(request, "admin/therapy_info/page/pending_revision.html", context)

    def _revision_changes(self, page, revision):
        """What publishing would change, field by field, as word differences."""
        changes = []
        for name, new in revision.values.items():
            old = getattr(page, name)
            if name in page_text_columns() and (old or "") != (new or ""):
                field = Page._meta.get_field(name)
                changes.append((field.verbose_name, word_diff_html(old or "", new or "")))
        old_related, new_related = snapshot_of_related(page), revision.related
        for kind, label in (("references", _("references")), ("key_figures", _("key figures"))):
            old_text = related_as_text(old_related.get(kind, []))
            new_text = related_as_text(new_related.get(kind, []))
            if old_text != new_text:
                changes.append((label, word_diff_html(old_text, new_text)))
        return changes

    # The list and the form.

    @admin.display(description=_("pending revision"))
    def pending_revision(self, page):
        revision = page.revisions.pending().first() if page.pk else None
        if revision is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> — {}',
            reverse("admin:therapy_info_page_pending_revision", args=[page.pk, revision.pk]),
            _("A change waits to be published: preview, publish or discard it"),
            _("saving this form replaces it."),
        )

    @admin.display(description=_("change waiting"), boolean=True)
    def has_pending_revision(self, page):
        return page.has_pending

    @admin.display(description=_("medical review"))
    def medical_review(self, page):
        reviews = {review.language: review for review in page.reviews.all()}
        rows = []
        for code, name in settings.LANGUAGES:
            review = reviews.get(code)
            if review is None:
                rows.append(("review-missing", name, _("not reviewed"), ""))
            else:
                due = _(" — review due") if review.is_due else ""
                css = "review-due" if review.is_due else "review-current"
                rows.append((css, name, review.reviewed_on.isoformat(), due))
        return format_html_join("", '<div class="{}">{}: {}{}</div>', rows)

    @admin.display(description=_("changed by"), ordering="last_changed_by_name")
    def last_changed_by(self, page):
        return getattr(page, "last_changed_by_name", None) or "—"

    @admin.display(description=_("on the site"))
    def public_link(self, page):
        if not page.pk:
            return "—"
        label = _("View") if page.is_published else _("Preview")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', page.get_absolute_url(), label
        )

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    @admin.action(
        description=_("Publish the selected pages and their pending revisions"),
        permissions=["publish"],
    )
    def publish(self, request, queryset):
        # One save per page, not queryset.update(): each change gets a revision, and
        # HistoryRequestMiddleware records the editor as its author.
        pages = list(queryset.exclude(status=Page.Status.PUBLISHED))
        for page in pages:
            page.publish()
        revisions = list(
            PageRevision.objects.pending().filter(page__in=queryset).select_related("page")
        )
        for revision in revisions:
            revision.publish(request.user)
        count = len(pages) + len(revisions)
        self.message_user(
            request,
            ngettext("%(count)d page published.", "%(count)d pages published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish the selected pages (back to draft)"), permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        pages = list(queryset.filter(status=Page.Status.PUBLISHED))
        for page in pages:
            page.unpublish()
        self.message_user(
            request,
            ngettext("%(count)d page unpublished.", "%(count)d pages unpublished.", len(pages))
            % {"count": len(pages)},
            messages.SUCCESS,
        )


def related_as_text(rows):
    """References or key figures as lines of text, for a word difference."""
    return "\n".join(
        " · ".join(str(value) for _name, value in sorted(row.items()) if value not in ("", None))
        for row in rows
    )


@admin.register(FaqEntry)
class FaqEntryAdmin(TranslationStatusAdmin):
    """Like a page: a change to a published question waits as a pending revision
    (FaqEntryRevision) to preview and publish; unpublished ones are edited directly."""

    list_display = [
        "question",
        "is_published",
        "has_pending_revision",
        "translation_status",
        "order",
        "updated_at",
    ]
    list_editable = ["order"]
    list_filter = ["is_published"]
    search_fields = ["question", "answer"]
    fields = [
        "pending_revision",
        "question",
        "answer",
        "is_published",
        "order",
        *TRANSLATION_REVIEW_FIELDS,
    ]
    readonly_fields = ["pending_revision"]
    actions = ["confirm_translations_current"]
    object_history_list_template = "admin/therapy_info/page/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return WordDiffHistoryContextHelper(self.model, historical_record)

    def get_queryset(self, request):
        pending = FaqEntryRevision.objects.pending().filter(entry=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_pending=Exists(pending))

    def get_urls(self):
        return [
            path(
                "<path:object_id>/pending/<int:revision_id>/",
                self.admin_site.admin_view(self.pending_revision_view),
                name="therapy_info_faqentry_pending_revision",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        is_live = (
            obj.pk is not None and FaqEntry.objects.filter(pk=obj.pk, is_published=True).exists()
        )
        # Its place in the list (list_editable) is no medical text: changed directly.
        if not is_live or set(form.changed_data) <= {"order"}:
            super().save_model(request, obj, form, change)
            return
        self.track_translations(obj, form)
        tracking = [
            localized(column, code)
            for column in ("translated_from", "translation_reviewed")
            for code in TRANSLATION_LANGUAGES
        ]
        texts = [localized(name, code) for name in obj.TRANSLATED_TEXTS for code in LANGUAGE_CODES]
        values = {name: getattr(obj, name) for name in [*texts, "is_published", "order", *tracking]}
        request.pending_revision = FaqEntryRevision.save_pending(obj, values, request.user)

    def response_change(self, request, obj):
        revision = getattr(request, "pending_revision", None)
        if revision is None:
            return super().response_change(request, obj)
        self.message_user(
            request,
            _(
                "Your change is saved as a pending revision. The live question is unchanged "
                "until the revision is published."
            ),
            messages.WARNING,
        )
        return HttpResponseRedirect(
            reverse("admin:therapy_info_faqentry_pending_revision", args=[obj.pk, revision.pk])
        )

    def pending_revision_view(self, request, object_id, revision_id):
        entry = self.get_object(request, object_id)
        if entry is None or not self.has_view_permission(request, entry):
            raise PermissionDenied
        revision = get_object_or_404(FaqEntryRevision, pk=revision_id, entry=entry)
        is_pending = revision.status == PageRevision.Status.PENDING
        can_publish = request.user.has_perm(PUBLISH_PERMISSION) and is_pending
        can_discard = self.has_change_permission(request, entry) and is_pending
        if request.method == "POST" and is_pending:
            if "publish" in request.POST:
                if not can_publish:
                    raise PermissionDenied
                revision.publish(request.user)
                self.message_user(request, _("The revision is published."), messages.SUCCESS)
            elif "discard" in request.POST:
                if not can_discard:
                    raise PermissionDenied
                revision.discard()
                self.message_user(request, _("The revision is discarded."), messages.SUCCESS)
            return HttpResponseRedirect(
                reverse("admin:therapy_info_faqentry_change", args=[entry.pk])
            )
        changes = []
        for name, new in revision.values.items():
            old = getattr(entry, name)
            if isinstance(new, str) and (old or "") != (new or ""):
                label = FaqEntry._meta.get_field(name).verbose_name
                changes.append((label, word_diff_html(old or "", new or "")))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Pending revision of “%(page)s”") % {"page": entry},
            "original": entry,
            "revision": revision,
            "changes": changes,
            "can_publish": can_publish,
            "can_discard": can_discard,
            "preview_url": reverse(
                "therapy_info:pending_question_revision", kwargs={"revision_id": revision.pk}
            ),
        }
        return TemplateResponse(request, "admin/therapy_info/page/pending_revision.html", context)

    @admin.display(description=_("pending revision"))
    def pending_revision(self, entry):
        revision = entry.revisions.pending().first() if entry.pk else None
        if revision is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> — {}',
            reverse("admin:therapy_info_faqentry_pending_revision", args=[entry.pk, revision.pk]),
            _("A change waits to be published: preview, publish or discard it"),
            _("saving this form replaces it."),
        )

    @admin.display(description=_("change waiting"), boolean=True)
    def has_pending_revision(self, entry):
        return entry.has_pending


@admin.register(PageSlugRedirect)
class PageSlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "page", "created_at"]
    list_select_related = ["page"]
    search_fields = ["old_slug", "page__title"]
    raw_id_fields = ["page"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(LanguageWidgetsMixin, TranslationAdmin, SimpleHistoryAdmin):
    """A version is edited until it takes effect, then frozen: enquiries say which version the
    patient saw. A new version starts as a copy of the one in force."""

    list_display = ["version", "effective_on", "in_force", "updated_at"]
    fields = ["version", "effective_on", "body"]

    def get_queryset(self, request):
        # One subquery for the whole list, not a query per row.
        in_force_pk = PrivacyNotice.objects.in_effect().values("pk")[:1]
        return super().get_queryset(request).annotate(is_in_force=Q(pk=Subquery(in_force_pk)))

    @admin.display(description=_("shown to patients now"), boolean=True)
    def in_force(self, notice):
        # NULL (no version in effect yet) means no.
        return bool(notice.is_in_force)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_in_effect:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_in_effect:
            return False
        return super().has_delete_permission(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        current = PrivacyNotice.objects.current()
        if current is not None:
            for code, _name in settings.LANGUAGES:
                column = localized("body", code)
                initial.setdefault(column, getattr(current, column))
        return initial


class ChecklistItemInline(LanguageWidgetsMixin, TranslationStackedInline):
    model = ChecklistItem
    fields = [("key", "required", "order"), "label", "explanation"]
    extra = 0


@admin.register(RecordsChecklist)
class RecordsChecklistAdmin(TranslationStatusAdmin):
    """A checklist and its items on one page. Its translations are tracked as a whole: changing
    an item's text in a language asks for a new review of the checklist in that language."""

    list_display = [
        "diagnosis",
        "title",
        "is_published",
        "item_count",
        "translation_status",
        "updated_at",
    ]
    list_filter = ["is_published"]
    search_fields = ["diagnosis", "title"]
    readonly_fields = ["translation_status", "updated_at"]
    inlines = [ChecklistItemInline]
    actions = ["confirm_translations_current"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["diagnosis", "title", "introduction", "is_published", "updated_at"]}),
        (
            _("Translations"),
            {
                "fields": ["translation_status", *TRANSLATION_REVIEW_FIELDS],
                "description": _(
                    "Each translation of the checklist, its items included, is shown to patients "
                    "as “not yet medically reviewed” until its box is ticked. Changing a "
                    "translated text of the checklist or of an item clears its box."
                ),
            },
        ),
    ]

    def get_queryset(self, request):
        # The list's translation states read every checklist's items: one query for all.
        return super().get_queryset(request).with_items_in_order()

    @admin.display(description=_("items"))
    def item_count(self, checklist):
        return len(checklist.items.all())

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The English the translations are made from includes the items, saved only now.
        changed = set(form.changed_data)
        for formset in formsets:
            for item_form in formset.forms:
                changed.update(item_form.changed_data)
        checklist = RecordsChecklist.objects.get(pk=form.instance.pk)
        tracking = {}
        for code in TRANSLATION_LANGUAGES:
            texts = {
                localized(name, code)
                for name in (*RecordsChecklist.TRANSLATED_TEXTS, *RecordsChecklist.ITEM_TEXTS)
            }
            if texts & changed:
                reviewed_field = localized("translation_reviewed", code)
                confirmed = reviewed_field in form.changed_data and form.cleaned_data.get(
                    reviewed_field
                )
                checklist.record_translation(code, reviewed=bool(confirmed))
                for name in ("translated_from", "translation_reviewed"):
                    tracking[localized(name, code)] = getattr(checklist, localized(name, code))
        if tracking:
            # update(): the save a moment ago already made this change's revision.
            RecordsChecklist.objects.filter(pk=checklist.pk).update(**tracking)

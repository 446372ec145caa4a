"""Admin for content editors: write, preview, publish and revert pages, references, key figures,
questions and the records checklists, with the full revision history of django-simple-history, and
their translations: a column per language, and which translations are missing, outdated or not yet
reviewed."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from simple_history.admin import SimpleHistoryAdmin

from therapy_info.models import (
    TRANSLATION_LANGUAGES,
    FaqEntry,
    KeyFigure,
    Page,
    PageSlugRedirect,
    PrivacyNotice,
    Reference,
    localized,
    pages_rendered_later,
)
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist
from therapy_info.rendering import citation_numbers


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


class ReferenceInline(TranslationTabularInline):
    model = Reference
    formset = ReferenceInlineFormSet
    fields = ["number", "citation", "url", "reviewer_note"]
    extra = 0


class KeyFigureInline(TranslationTabularInline):
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


class TranslationStatusAdmin(TranslationAdmin, SimpleHistoryAdmin):
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
        for code in TRANSLATION_LANGUAGES:
            texts = {localized(name, code) for name in obj.TRANSLATED_TEXTS}
            if texts & set(form.changed_data):
                reviewed_field = localized("translation_reviewed", code)
                confirmed = reviewed_field in form.changed_data and form.cleaned_data.get(
                    reviewed_field
                )
                obj.record_translation(code, reviewed=bool(confirmed))
        super().save_model(request, obj, form, change)

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


@admin.register(Page)
class PageAdmin(TranslationStatusAdmin):
    list_display = [
        "title",
        "status",
        "is_reviewed",
        "translation_status",
        "updated_at",
        "last_changed_by",
        "public_link",
    ]
    list_filter = [
        "status",
        ("reviewed_on", admin.EmptyFieldListFilter),
        "updated_at",
    ]
    search_fields = ["title", "slug", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["published_at", "updated_at", "public_link", "translation_status"]
    inlines = [ReferenceInline, KeyFigureInline]
    actions = ["publish", "unpublish", "confirm_translations_current"]
    history_list_display = ["status"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (
            _("Publishing"),
            {"fields": ["status", "navigation_order", "public_link", "published_at", "updated_at"]},
        ),
        (_("Medical review"), {"fields": ["reviewed_on", "reviewed_by"]}),
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
                last_changed_by_name=Subquery(last_revision.values("history_user__username")[:1])
            )
        )

    def save_related(self, request, form, formsets, change):
        # The page was rendered when saved, for the references its formset was about to save:
        # saving them renders nothing more, unless the numbers turned out otherwise.
        page = form.instance
        with pages_rendered_later():
            super().save_related(request, form, formsets, change)
        page.upcoming_reference_numbers = None
        if page.reference_numbers() != page.rendered_reference_numbers:
            page.refresh_rendering()

    @admin.display(description=_("changed by"), ordering="last_changed_by_name")
    def last_changed_by(self, page):
        return getattr(page, "last_changed_by_name", None) or "—"

    @admin.display(description=_("medically reviewed"), boolean=True)
    def is_reviewed(self, page):
        return page.is_reviewed

    @admin.display(description=_("on the site"))
    def public_link(self, page):
        if not page.pk:
            return "—"
        label = _("View") if page.is_published else _("Preview")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', page.get_absolute_url(), label
        )

    @admin.action(description=_("Publish the selected pages"), permissions=["change"])
    def publish(self, request, queryset):
        # One save per page, not queryset.update(): each change gets a revision, and
        # HistoryRequestMiddleware records the editor as its author.
        pages = list(queryset.exclude(status=Page.Status.PUBLISHED))
        for page in pages:
            page.publish()
        self.message_user(
            request,
            ngettext("%(count)d page published.", "%(count)d pages published.", len(pages))
            % {"count": len(pages)},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish the selected pages (back to draft)"), permissions=["change"]
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


@admin.register(FaqEntry)
class FaqEntryAdmin(TranslationStatusAdmin):
    list_display = ["question", "is_published", "translation_status", "order", "updated_at"]
    list_editable = ["order"]
    list_filter = ["is_published"]
    search_fields = ["question", "answer"]
    fields = ["question", "answer", "is_published", "order", *TRANSLATION_REVIEW_FIELDS]
    actions = ["confirm_translations_current"]


@admin.register(PageSlugRedirect)
class PageSlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "page", "created_at"]
    list_select_related = ["page"]
    search_fields = ["old_slug", "page__title"]
    raw_id_fields = ["page"]


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(TranslationAdmin, SimpleHistoryAdmin):
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


class ChecklistItemInline(TranslationStackedInline):
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

"""Public views: the home page, the index of topics, a page (with draft preview for staff), the
questions, the privacy notice."""

from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language

from therapy_info import content_cache
from therapy_info.editorial import (
    FaqEntryRevision,
    PageReview,
    PageRevision,
    review_read_with,
    with_review_in,
)
from therapy_info.models import FaqEntry, KeyFigure, Page, PageSlugRedirect, Reference
from therapy_info.privacy_notice import current_notice
from therapy_info.records_checklists import GENERAL, RecordsChecklist


@dataclass
class PageContent:
    """Everything a page view shows, read in a fixed number of queries and cacheable as one."""

    page: Page
    references: list[Reference] = field(default_factory=list)
    key_figures: list[KeyFigure] = field(default_factory=list)
    # The page's special section "records_checklists": every published checklist, general last.
    records_checklists: list[RecordsChecklist] = field(default_factory=list)
    # The medical review of the reader's language (the cache is per language).
    review: PageReview | None = None

    @classmethod
    def load(cls, page):
        """A page read with_review_in() the active language (no query more for its review)."""
        return cls(
            page=page,
            references=list(page.references.all()),
            key_figures=list(page.key_figures.select_related("reference").order_by("order", "pk")),
            records_checklists=(
                _published_checklists()
                if page.special_section == Page.SpecialSection.RECORDS_CHECKLISTS
                else []
            ),
            review=review_read_with(page, get_language()),
        )


def _published_checklists():
    checklists = RecordsChecklist.objects.published().with_items_in_order()
    # The general checklist serves every other diagnosis: after the diagnoses it does not name.
    return sorted(checklists, key=lambda checklist: (checklist.diagnosis == GENERAL,))


def home(request):
    pages = list(Page.objects.published().in_navigation_order())
    context = {
        "key_figures": KeyFigure.objects.for_home_page(),
        "pages": pages,
        # The short journey links to the page that tells it in full; no page, no short version.
        "journey_page": next(
            (
                page
                for page in pages
                if page.special_section == Page.SpecialSection.TREATMENT_JOURNEY
            ),
            None,
        ),
    }
    return render(request, "therapy_info/home.html", context)


def privacy(request):
    """The privacy notice in force, as content editors maintain it (PrivacyNotice)."""
    notice = current_notice()
    if notice is None:
        raise Http404
    return render(request, "therapy_info/privacy.html", {"notice": notice})


def _published_page_content(slug):
    def build():
        page = with_review_in(Page.objects.published().filter(slug=slug), get_language()).first()
        return PageContent.load(page) if page else None

    return content_cache.cached(f"page:{slug}", build)


def can_preview(user):
    return user.is_active and user.is_staff and user.has_perm("therapy_info.view_page")


def index(request):
    pages = content_cache.cached(
        "index", lambda: list(Page.objects.published().in_navigation_order())
    )
    return render(request, "therapy_info/index.html", {"pages": pages})


def page_detail(request, slug):
    content = _published_page_content(slug)
    if content is None:
        return _unpublished_page(request, slug)
    return _render_page(request, content, is_preview=False)


def _unpublished_page(request, slug):
    old_address = PageSlugRedirect.objects.select_related("page").filter(old_slug=slug).first()
    if old_address and (old_address.page.is_published or can_preview(request.user)):
        return redirect(old_address.page, permanent=True)
    if can_preview(request.user):
        page = with_review_in(Page.objects.filter(slug=slug), get_language()).first()
        if page is not None:
            response = _render_page(request, PageContent.load(page), is_preview=True)
            # A draft must not end up in a shared or browser cache.
            add_never_cache_headers(response)
            return response
    raise Http404


def pending_revision(request, slug, revision_id):
    """A page as readers would see it once a pending revision is published: staff only, never
    cached, never indexed."""
    if not can_preview(request.user):
        raise Http404
    revision = (
        PageRevision.objects.pending()
        .select_related("page")
        .filter(pk=revision_id, page__slug=slug)
        .first()
    )
    if revision is None:
        raise Http404
    page = revision.preview_page()
    references, key_figures = revision.preview_related(page)
    content = PageContent(
        page=page,
        references=references,
        key_figures=key_figures,
        review=page.reviews.filter(language=get_language()).first(),
    )
    response = _render_page(request, content, is_preview=True, is_pending_revision=True)
    add_never_cache_headers(response)
    return response


def _render_page(request, content, is_preview, is_pending_revision=False):
    page = content.page
    canonical_url = request.build_absolute_uri(page.get_absolute_url())
    context = {
        "page": page,
        "references": content.references,
        "key_figures": content.key_figures,
        "records_checklists": content.records_checklists,
        "review": content.review,
        "is_preview": is_preview,
        "is_pending_revision": is_pending_revision,
        "canonical_url": canonical_url,
        "structured_data": page.structured_data(
            canonical_url,
            content.review,
            # An untranslated page is shown in English, and says so to search engines too.
            get_language() if page.is_translated() else settings.LANGUAGE_CODE,
            settings.SITE_NAME,
        ),
    }
    return render(request, "therapy_info/page.html", context)


def faq(request):
    entries = content_cache.cached("faq", lambda: list(FaqEntry.objects.published()))
    return _render_faq(request, entries)


def pending_question_revision(request, revision_id):
    """The questions as readers would see them once a pending revision of one is published:
    staff only, never cached, never indexed."""
    if not can_preview(request.user):
        raise Http404
    revision = FaqEntryRevision.objects.pending().filter(pk=revision_id).first()
    if revision is None:
        raise Http404
    changed = revision.preview_entry()
    entries = [
        changed if entry.pk == changed.pk else entry for entry in FaqEntry.objects.published()
    ]
    if not changed.is_published:
        entries = [entry for entry in entries if entry.pk != changed.pk]
    response = _render_faq(request, entries, is_pending_revision=True)
    add_never_cache_headers(response)
    return response


def _render_faq(request, entries, is_pending_revision=False):
    structured_data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "inLanguage": get_language(),
        "mainEntity": [
            {
                "@type": "Question",
                "name": entry.question,
                "acceptedAnswer": {"@type": "Answer", "text": entry.answer_html},
            }
            for entry in entries
        ],
    }
    translated = [entry for entry in entries if entry.is_translated()]
    context = {
        "entries": entries,
        "structured_data": structured_data,
        "some_untranslated": len(translated) < len(entries),
        "some_unreviewed": any(not entry.is_translation_reviewed() for entry in translated),
        "is_pending_revision": is_pending_revision,
    }
    return render(request, "therapy_info/faq.html", context)

"""The patient's side of the enquiry form: show it, take a submission, say thank you."""

import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from enquiries import intake, ratelimit, records
from enquiries.forms import (
    UTM_FIELDS,
    EnquiryForm,
    UncheckedEnquiryForm,
    clean_campaign_value,
    empty_form_cache_version,
    published_programme_slug,
)
from enquiries.matching import sent_checklist_items, sent_item_keys
from enquiries.models import CaseLink, Enquiry, new_reference
from enquiries.starting_point import ANSWER_FIELDS as STARTING_POINT_FIELDS
from enquiries.starting_point import starting_point
from therapy_info.records_checklists import cached_checklist_for

logger = logging.getLogger(__name__)

SESSION_REFERENCE = "enquiries:reference"
SESSION_FILES_SENT_AGAIN = "enquiries:files-sent-again"
# What can fail while a submission is stored: the database, and the records storage.
SUBMISSION_FAILURES = (DatabaseError, *records.STORAGE_ERRORS)


@csrf_exempt
def start(request):
    # The upload handler must be in place before anything reads the body, and the CSRF check
    # reads it; so CSRF is checked just after, by the csrf_protect on _start (Django's documented
    # pattern for custom upload handlers).
    if request.method == "POST":
        # Every post counts, valid or not, before its body is read: beyond the limit, an abusive
        # (or 50 MB) post costs one counter and a page, and a large body is never parsed; a small
        # one (a patient's answers) is, so that nothing typed is lost.
        if ratelimit.count_post(request):
            logger.info("Enquiry form post refused: post limit reached for a client address")
            if _small_enough_to_read(request):
                # Read for the answers only: the files are skipped, never stored.
                return _refuse_post_with_answers(request, records.skip_uploads(request))
            return _refuse_post(request)
        return _start(request, records.receive_uploads(request))
    return _start(request)


def _small_enough_to_read(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return 0 < length <= settings.ENQUIRY_FORM_REFUSED_POST_READ_BYTES


@never_cache
def _refuse_post(request):
    return _render_form(request, EnquiryForm(initial=_came_from(request)), rate_limited=True)


@never_cache
@csrf_protect
def _refuse_post_with_answers(request, receipt):
    # CSRF-checked like a post that is taken: a page of another site cannot have its own values
    # shown back in our form for the patient to send.
    return _render_form(
        request,
        UncheckedEnquiryForm(request.POST),
        rate_limited=True,
        post_limited=True,
        files_skipped=receipt.files_skipped,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@csrf_protect
def _start(request, receipt=None):
    """The form, or a post of it with the receipt of its files (start put the limits in place)."""
    if request.method != "POST":
        return _render_form(request, EnquiryForm(initial=_came_from(request)))

    form = EnquiryForm(request.POST, request.FILES, upload_receipt=receipt)

    if form.looks_like_a_bot:
        # Looks like success to the bot, so it learns nothing; nothing is stored.
        ratelimit.count_enquiry(request)
        logger.info("Enquiry dropped: the honeypot field was filled")
        context = {"reference": new_reference()}
        return render(request, "enquiries/thank_you.html", context)

    if receipt.incomplete:
        # A dropped connection: what arrived is shown again, nothing is stored.
        logger.info("Enquiry refused: the request body arrived incomplete")
        return _render_form(request, form, upload_incomplete=True)

    # Every step that reads or writes the database or the records storage is in here, so a
    # failure at any of them gives the calm page with everything typed, never a 500.
    try:
        if existing := intake.already_received(form.submission_token_sent):
            return _sent_again(request, form, existing)
        if not form.is_valid():
            return _render_form(request, form)
        # Counted before it is stored, so parallel posts cannot all slip under the limit; the
        # patient gets the form back with everything typed.
        if ratelimit.count_enquiry(
            request,
            email=form.cleaned_data.get("email") or "",
            submission_token=form.cleaned_data["submission_token"],
        ):
            logger.info("Enquiry refused: a rate limit was reached")
            return _render_form(request, form, rate_limited=True)
        enquiry = intake.receive_enquiry(form, language=request.LANGUAGE_CODE)
    except SUBMISSION_FAILURES as error:
        failure = error
        # The same form posted twice at once: the other request stored it first.
        if isinstance(error, IntegrityError):
            try:
                if existing := intake.already_received(form.submission_token_sent):
                    return _sent_again(request, form, existing)
            except SUBMISSION_FAILURES as again:
                failure = again
        # The class only: a database's message can quote the values it refused.
        logger.error("Enquiry could not be stored: %s", type(failure).__name__)
        return _render_form(request, form, database_failed=True)

    logger.info("Enquiry %s received", enquiry.pk)
    return _thank(request, enquiry)


def _sent_again(request, form, enquiry):
    """The form of an enquiry already stored, posted again (a double-click, a refresh, a resend
    after a dropped connection): files it does not hold yet are attached, never dropped."""
    form.is_valid()
    if form.has_error("record_files"):
        return _render_form(request, form, already_stored=True)
    files = form.cleaned_data.get("record_files") or []
    if files:
        outcome = enquiry.attach_record_files(files)
        if outcome.enquiry_closed:
            logger.info("Enquiry %s sent again with files, refused: it is closed", enquiry.pk)
        else:
            logger.info("Enquiry %s sent again: %d file(s) added", enquiry.pk, outcome.added)
        request.session[SESSION_FILES_SENT_AGAIN] = {
            "added": outcome.added,
            "not_added": outcome.over_the_limit,
            "enquiry_closed": outcome.enquiry_closed,
        }
    return _thank(request, enquiry)


def _came_from(request):
    """The content page, campaign and programme that sent the patient here (plain text, never an
    import), without any value the form would refuse back: such a link still sends the form."""
    initial = {
        "source_page_slug": clean_campaign_value("source_page_slug", request.GET.get("from", ""))
    }
    for name in UTM_FIELDS:
        initial[name] = clean_campaign_value(name, request.GET.get(name, ""))
    # "Start my treatment here" on a programme's page: that hospital, if it is published.
    if programme := published_programme_slug(request.GET.get("programme", "")):
        initial["preferred_programme"] = programme
    return initial


def _render_form(
    request,
    form,
    *,
    database_failed=False,
    rate_limited=False,
    upload_incomplete=False,
    already_stored=False,
    post_limited=False,
    files_skipped=False,
):
    context = {
        "form": form,
        "empty_form_cache_version": empty_form_cache_version(),
        # Part of the cached empty form's key: one per published programme at most.
        "preselected_programme": ""
        if form.is_bound
        else form.initial.get("preferred_programme", ""),
        "database_failed": database_failed,
        "rate_limited": rate_limited,
        "upload_incomplete": upload_incomplete,
        "already_stored": already_stored,
        "post_limited": post_limited,
        # Only a bound form's files: reading an unbound post's FILES would parse its body.
        "files_were_sent": (form.is_bound and bool(request.FILES))
        or upload_incomplete
        or files_skipped,
    }
    if database_failed:
        form.offer_remembered_choices()
        status = 503
    elif rate_limited:
        status = 429
    elif upload_incomplete:
        status = 400
    else:
        status = 200
    return render(request, "enquiries/start.html", context, status=status)


def _thank(request, enquiry):
    # The reference travels in the session, never in the URL.
    request.session[SESSION_REFERENCE] = enquiry.reference
    return redirect("enquiries:thank_you")


@never_cache
@require_GET
def thank_you(request):
    reference = request.session.get(SESSION_REFERENCE)
    if reference is None:
        return redirect("enquiries:start")
    enquiry = (
        Enquiry.objects.filter(reference=reference)
        .only("pk", "status", "anonymised_at", *STARTING_POINT_FIELDS)
        .annotate(sent_checklist_items=sent_checklist_items())
        .first()
    )
    context = {
        "reference": reference,
        "files_sent_again": request.session.pop(SESSION_FILES_SENT_AGAIN, None),
        "max_files": records.MAX_FILES,
        "case_url": _new_case_link(enquiry),
        "starting_point": _starting_point(enquiry),
    }
    response = render(request, "enquiries/thank_you.html", context)
    # The page holds a private link: it must not travel in a Referer either.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _starting_point(enquiry):
    """What the doctors will look at and which records help, for an open enquiry (the records
    checklist from the cache: no query until the content changes)."""
    if enquiry is None or not enquiry.takes_files_sent_again:
        return None
    checklist = cached_checklist_for(enquiry.diagnosis)
    return starting_point(enquiry, checklist, sent_item_keys(enquiry))


def _new_case_link(enquiry):
    """A fresh link to the enquiry's case page, made for this page only (a link's token is
    never stored, so the one in the email cannot be shown again), or "" when it has none."""
    if enquiry is None or not enquiry.has_case_page:
        return ""
    try:
        return reverse("case:page", kwargs={"token": CaseLink.issue(enquiry)})
    except DatabaseError:
        # The enquiry is safe and the email carries a link: the page can do without one.
        logger.warning("Case link for the thank-you page not stored (database error)")
        return ""

"""The patient's side of the enquiry form: show it, take a submission, say thank you."""

import logging

from django.conf import settings
from django.db import DatabaseError, IntegrityError
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from enquiries import ratelimit
from enquiries.forms import UTM_FIELDS, EnquiryForm, empty_form_cache_version
from enquiries.models import new_reference
from enquiries.uploads import LimitedUploadHandler

logger = logging.getLogger(__name__)

SESSION_REFERENCE = "enquiries:reference"


@csrf_exempt
def start(request):
    # The upload handler must be in place before anything reads the body, and the CSRF check
    # reads it; so CSRF is checked just after, by the csrf_protect on _start (Django's documented
    # pattern for custom upload handlers).
    if request.method == "POST":
        # Every post counts, valid or not, before its body is read: beyond the limit, an abusive
        # (or 50 MB) post costs one counter and a page, and its body is never parsed.
        if ratelimit.count_post(request):
            logger.info("Enquiry form post refused: post limit reached for a client address")
            return _refuse_post(request)
        request.upload_handlers.insert(0, LimitedUploadHandler(request))
    return _start(request)


@never_cache
def _refuse_post(request):
    return _render_form(request, EnquiryForm(initial=_came_from(request)), rate_limited=True)


@never_cache
@require_http_methods(["GET", "POST"])
@csrf_protect
def _start(request):
    if request.method != "POST":
        return _render_form(request, EnquiryForm(initial=_came_from(request)))

    upload_limits = next(
        (h for h in request.upload_handlers if isinstance(h, LimitedUploadHandler)), None
    )
    form = EnquiryForm(request.POST, request.FILES, upload_limits=upload_limits)

    if form.looks_like_a_bot:
        # Looks like success to the bot, so it learns nothing; nothing is stored.
        ratelimit.count_enquiry(request)
        logger.info("Enquiry dropped: the honeypot field was filled")
        context = {
            "reference": new_reference(),
            "promise_hours": settings.FIRST_REPLY_PROMISE_HOURS,
        }
        return render(request, "enquiries/thank_you.html", context)

    if existing := form.existing_enquiry():
        return _thank(request, existing)

    if not form.is_valid():
        return _render_form(request, form)

    # Counted before it is stored, so parallel posts cannot all slip under the limit; the patient
    # gets the form back with everything typed.
    if ratelimit.count_enquiry(
        request,
        email=form.cleaned_data.get("email") or "",
        submission_token=form.cleaned_data["submission_token"],
    ):
        logger.info("Enquiry refused: a rate limit was reached")
        return _render_form(request, form, rate_limited=True)

    try:
        enquiry = form.submit(language=request.LANGUAGE_CODE)
    except DatabaseError as error:
        # The same form posted twice at once: the other request stored it first.
        if isinstance(error, IntegrityError) and (existing := form.existing_enquiry()):
            return _thank(request, existing)
        # The class only: a database's message can quote the values it refused.
        logger.error("Enquiry could not be stored: %s", type(error).__name__)
        return _render_form(request, form, database_failed=True)

    logger.info("Enquiry %s received", enquiry.pk)
    return _thank(request, enquiry)


def _came_from(request):
    """The content page and campaign that sent the patient here (plain text, never an import)."""
    initial = {"source_page_slug": request.GET.get("from", "")[:200]}
    for name in UTM_FIELDS:
        initial[name] = request.GET.get(name, "")[:200]
    return initial


def _render_form(request, form, *, database_failed=False, rate_limited=False):
    context = {
        "form": form,
        "empty_form_cache_version": empty_form_cache_version(),
        "database_failed": database_failed,
        "rate_limited": rate_limited,
        # Only a bound form's files: reading an unbound post's FILES would parse its body.
        "files_were_sent": form.is_bound and bool(request.FILES),
    }
    status = 503 if database_failed else 429 if rate_limited else 200
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
    context = {"reference": reference, "promise_hours": settings.FIRST_REPLY_PROMISE_HOURS}
    return render(request, "enquiries/thank_you.html", context)

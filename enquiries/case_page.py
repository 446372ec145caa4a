"""The patient's private case page (from the link in their emails) and the "find my enquiry" page
that emails a fresh link. Every answer is private and never stored by a cache or a search engine."""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enquiries import case, records
from enquiries.case_forms import CaseFilesForm, FindEnquiryForm, PatientMessageForm
from enquiries.models import AuditEntry, CaseLink
from portal.ratelimit import FixedWindowLimit
from portal.service_promise import promise_in_words
from therapy_info.records_checklists import checklist_for

logger = logging.getLogger(__name__)

HOUR = 60 * 60

_link_requests_per_address = FixedWindowLimit(
    "case-link-requests", window_seconds=HOUR, limit=lambda: settings.CASE_LINK_REQUESTS_PER_HOUR
)
_link_requests_per_email = FixedWindowLimit(
    "case-link-requests-email",
    window_seconds=HOUR,
    limit=lambda: settings.CASE_LINK_REQUESTS_PER_EMAIL_PER_HOUR,
)
_messages_per_enquiry = FixedWindowLimit(
    "case-messages", window_seconds=HOUR, limit=lambda: settings.CASE_MESSAGES_PER_HOUR
)


def private_page(view):
    """Never cached anywhere, never indexed, and the link's token never leaves in a Referer."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # A Referer of the site's address alone, never the path that holds the token. Not
        # "no-referrer": under it browsers send "Origin: null" with a form's POST, and Django's
        # CSRF check refuses every upload, message and request for a fresh link.
        response["Referrer-Policy"] = "strict-origin"
        return response

    return wrapped


def _open_case(token):
    """The case link of a token that opens a page, or an answer for one that does not: 404 for a
    wrong or tampered token (nothing about any case), the expired-link page for an old one."""
    found, link = CaseLink.find(token)
    if found is CaseLink.Found.UNKNOWN:
        raise Http404
    return found, link


@private_page
@csrf_protect
@require_http_methods(["GET", "POST"])
def case_page(request, token):
    found, link = _open_case(token)
    if found is CaseLink.Found.EXPIRED:
        return _expired(request)
    link.touch()
    enquiry = link.enquiry
    message_form = PatientMessageForm()
    if request.method == "POST":
        message_form = PatientMessageForm(request.POST)
        if not enquiry.takes_files_sent_again:
            message_form.add_error(None, _("This enquiry is closed: it takes no new messages."))
        elif _messages_per_enquiry.exceeded(request, identity=f"enquiry:{enquiry.pk}"):
            message_form.add_error(
                None,
                _(
                    "You have sent many messages in the last hour. "
                    "Please wait a little and try again."
                ),
            )
        elif message_form.is_valid():
            case.send_message_from_patient(
                enquiry,
                message_form.cleaned_data["text"],
                form_token=message_form.cleaned_data["form_token"],
            )
            messages.success(request, _("Your message has been sent to your coordinator."))
            return redirect(request.path)
    else:
        case.record_patient_action(enquiry, AuditEntry.Action.PATIENT_OPENED_CASE_PAGE)
    return _render_case(
        request,
        enquiry,
        checklist_for(enquiry.diagnosis),
        message_form=message_form,
        status=400 if message_form.is_bound else 200,
    )


def _expired(request):
    return render(request, "enquiries/case/expired.html", {"form": FindEnquiryForm()}, status=410)


@csrf_exempt
def case_files(request, token):
    # The upload limits must be in place before anything reads the body, and the CSRF check
    # reads it; so CSRF is checked just after, by the csrf_protect on _case_files (as the
    # enquiry form does).
    receipt = records.receive_uploads(request) if request.method == "POST" else None
    return _case_files(request, token, receipt)


@private_page
@require_POST
@csrf_protect
def _case_files(request, token, receipt):
    found, link = _open_case(token)
    if found is CaseLink.Found.EXPIRED:
        return _expired(request)
    link.touch()
    enquiry = link.enquiry
    checklist = checklist_for(enquiry.diagnosis)
    form = CaseFilesForm(request.POST, request.FILES, upload_receipt=receipt, checklist=checklist)
    status = 400
    if receipt.incomplete:
        form.add_error(
            None,
            _(
                "Your files did not arrive completely: the connection was interrupted, so we "
                "have saved nothing. Please choose them and send them again."
            ),
        )
    elif not enquiry.takes_files_sent_again:
        form.add_error(None, _("This enquiry is closed: it takes no new files."))
    elif form.is_valid():
        try:
            outcome = case.receive_files_from_patient(
                enquiry,
                form.cleaned_data["files"],
                checklist_item=form.cleaned_data["checklist_item"],
            )
        except (DatabaseError, *records.STORAGE_ERRORS) as error:
            logger.warning("Case page upload not stored (%s)", type(error).__name__)
            form.add_error(
                None, _("We could not save your files just now. Please try again in a minute.")
            )
            status = 503
        else:
            if outcome.enquiry_closed:
                form.add_error(None, _("This enquiry is closed: it takes no new files."))
            elif outcome.over_file_limit or outcome.over_size_limit:
                form.add_error(
                    "files",
                    ngettext(
                        "Your enquiry can hold up to %(files)d file and %(megabytes)d MB in "
                        "all, so these were not added. Please send only the records your "
                        "coordinator asks for, or write to your coordinator below.",
                        "Your enquiry can hold up to %(files)d files and %(megabytes)d MB in "
                        "all, so these were not added. Please send only the records your "
                        "coordinator asks for, or write to your coordinator below.",
                        settings.CASE_MAX_FILES_PER_ENQUIRY,
                    )
                    % {
                        "files": settings.CASE_MAX_FILES_PER_ENQUIRY,
                        "megabytes": settings.CASE_MAX_MEGABYTES_PER_ENQUIRY,
                    },
                )
            else:
                messages.success(request, _files_received_message(outcome))
                return redirect("case:page", token=token)
    return _render_case(request, enquiry, checklist, files_form=form, status=status)


def _files_received_message(outcome):
    if outcome.added and outcome.already_there:
        return _("Your files have been added; those we already had were not added twice.")
    if outcome.added:
        return _("Your files have been added to your enquiry.")
    return _("We already had these files: nothing was added twice.")


def _render_case(request, enquiry, checklist, *, message_form=None, files_form=None, status=200):
    context = _case_context(
        enquiry,
        checklist,
        message_form or PatientMessageForm(),
        files_form or CaseFilesForm(checklist=checklist),
    )
    context["token"] = request.resolver_match.kwargs["token"]
    return render(request, "enquiries/case/page.html", context, status=status)


def _case_context(enquiry, checklist, message_form, files_form):
    conversation = list(enquiry.messages.select_related(None).order_by("sent_at", "pk"))
    case.mark_replies_read(enquiry, conversation)
    title, explanation = case.status_for_patient(enquiry)
    coordinator = enquiry.assigned_to
    files = list(
        enquiry.record_files.only("original_name", "size", "uploaded_at", "checklist_item")
    )
    return {
        "enquiry": enquiry,
        "status_title": title,
        "status_explanation": explanation,
        # A first name only: the patient needs a person, not the staff directory.
        "coordinator_first_name": coordinator.first_name if coordinator else "",
        "promise": promise_in_words(),
        "files": files,
        "checklist": checklist,
        "checklist_rows": checklist.ticked(f.checklist_item for f in files) if checklist else [],
        "conversation": conversation,
        "message_form": message_form,
        "files_form": files_form,
        "room_left": case.room_left(files),
        "takes_more": enquiry.takes_files_sent_again,
    }


@private_page
@csrf_protect
@require_http_methods(["GET", "POST"])
def find_enquiry(request):
    """A fresh link by email for a patient who lost theirs or let it expire. The answer is the
    same whether or not the email and reference match an enquiry, and the work behind it (one
    task queued) too: the page cannot be used to learn who wrote to us."""
    form = FindEnquiryForm(request.POST or None)
    if request.method == "POST":
        if _link_requests_per_address.exceeded(request):
            logger.info("Case link request refused: limit reached for a client address")
            form.add_error(
                None, _("Too many requests from your connection. Please try again in an hour.")
            )
        elif form.is_valid():
            email = form.cleaned_data["email"]
            if not _link_requests_per_email.exceeded(request, identity=email.strip().casefold()):
                from enquiries.tasks import send_fresh_case_link

                send_fresh_case_link.enqueue(
                    form.cleaned_data["reference"], case.email_digest(email)
                )
            # Over the per-address limit of one email, nothing more is sent, and nothing says so.
            return redirect("case:link_sent")
    return render(
        request, "enquiries/case/find.html", {"form": form}, status=400 if form.errors else 200
    )


@private_page
@require_GET
def link_sent(request):
    return render(
        request, "enquiries/case/link_sent.html", {"link_idle_days": settings.CASE_LINK_IDLE_DAYS}
    )

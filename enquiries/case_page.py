"""The patient's private case page (from the link in their emails), what they do from it (send
records and messages, agree to sharing with hospitals, accept, decline or ask about a treatment
plan, download documents), and the "find my enquiry" page that emails a fresh link. Every answer
is private and never stored by a cache or a search engine."""

import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enquiries import case, records
from enquiries.case_forms import (
    CaseFilesForm,
    FindEnquiryForm,
    HospitalSharingConsentForm,
    PatientMessageForm,
)
from enquiries.models import AuditEntry, CaseLink
from enquiries.starting_point import starting_point
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


def _render_case(
    request,
    enquiry,
    checklist,
    *,
    message_form=None,
    files_form=None,
    consent_form=None,
    status=200,
):
    context = _case_context(
        enquiry,
        checklist,
        message_form or PatientMessageForm(),
        files_form or CaseFilesForm(checklist=checklist),
        language=request.LANGUAGE_CODE,
    )
    if consent_form is not None:
        context["consent_form"] = consent_form
    context["token"] = request.resolver_match.kwargs["token"]
    return render(request, "enquiries/case/page.html", context, status=status)


def _case_context(enquiry, checklist, message_form, files_form, *, language):
    conversation = list(enquiry.messages.select_related(None).order_by("sent_at", "pk"))
    case.mark_replies_read(enquiry, conversation)
    title, explanation = case.status_for_patient(enquiry)
    coordinator = enquiry.assigned_to
    files = list(
        enquiry.record_files.only("original_name", "size", "uploaded_at", "checklist_item")
    )
    # Only when a coordinator asked: the page of a patient never asked reads no consent.
    sharing = (
        case.hospital_sharing_consent(enquiry)
        if enquiry.hospital_sharing_requested_at is not None
        else None
    )
    documents = case.documents_for_patient(case.documents_of(enquiry))
    plans = case.plans_for_patient(enquiry, case.plans_of(enquiry), documents, language=language)
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
        "asks_for_hospital_sharing": case.asks_for_hospital_sharing(enquiry, sharing),
        "hospital_sharing_given": sharing if sharing is not None and sharing.given else None,
        "consent_form": HospitalSharingConsentForm(),
        "plans": plans,
        "accepted_plan": next((shown for shown in plans if shown.accepted), None),
        "documents": documents,
        # From what the page read already: the enquiry's answers, its checklist and files.
        "starting_point": (
            starting_point(enquiry, checklist, {file.checklist_item for file in files})
            if enquiry.takes_files_sent_again
            else None
        ),
    }


# Sharing with hospitals, treatment plans and documents.


def _open_case_or_expired(request, token):
    """(the enquiry, None) for a link that opens the case page, or (None, the expired-link page);
    404 for a wrong one (_open_case)."""
    found, link = _open_case(token)
    if found is CaseLink.Found.EXPIRED:
        return None, _expired(request)
    link.touch()
    return link.enquiry, None


def _back_to_the_page(token, section):
    return redirect(reverse("case:page", kwargs={"token": token}) + f"#{section}")


@private_page
@require_POST
@csrf_protect
def hospital_sharing(request, token):
    """The patient agrees to sharing with hospitals, when a coordinator asked (the box on the
    case page). Posted twice, it is recorded once."""
    enquiry, expired = _open_case_or_expired(request, token)
    if expired:
        return expired
    consent = case.hospital_sharing_consent(enquiry)
    if consent is not None and consent.given:
        messages.success(request, _("Thank you: you have agreed to sharing your case."))
        return _back_to_the_page(token, "hospital-sharing-title")
    if not case.asks_for_hospital_sharing(enquiry, consent):
        # Nobody asked, or the enquiry is closed: the page shows no box, so nothing to record.
        return _back_to_the_page(token, "status-title")
    form = HospitalSharingConsentForm(request.POST)
    if not form.is_valid():
        return _render_case(
            request, enquiry, checklist_for(enquiry.diagnosis), consent_form=form, status=400
        )
    case.give_hospital_sharing_consent(enquiry, language=request.LANGUAGE_CODE)
    messages.success(request, _("Thank you: you have agreed to sharing your case."))
    return _back_to_the_page(token, "hospital-sharing-title")


def _plan_of(enquiry, plan_id):
    """The enquiry's plan of this id, or 404 (another enquiry's plan is no plan here)."""
    return get_object_or_404(case.plans_of(enquiry), pk=plan_id)


def _plan_decision(request, token, plan_id, *, decide, accepting, done):
    enquiry, expired = _open_case_or_expired(request, token)
    if expired:
        return expired
    plan = _plan_of(enquiry, plan_id)
    refused = False
    if request.method == "POST":
        try:
            decide(plan, language=request.LANGUAGE_CODE)
        except ValidationError:
            # The page says why, from the plan as it is now (expired, another one chosen…).
            refused = True
        else:
            messages.success(request, done)
            return _back_to_the_page(token, "plans-title")
    context = {
        "enquiry": enquiry,
        "token": token,
        "shown": case.plan_for_patient(enquiry, plan, language=request.LANGUAGE_CODE),
        "refused": refused,
        "accepting": accepting,
    }
    return render(
        request, "enquiries/case/plan_decision.html", context, status=400 if refused else 200
    )


@private_page
@csrf_protect
@require_http_methods(["GET", "POST"])
def accept_plan(request, token, plan_id):
    """GET: the plan's summary and "Yes, I choose this plan"; POST: the choice, made once (a
    double click is one choice), refused with the reason when it cannot be made."""
    return _plan_decision(
        request,
        token,
        plan_id,
        decide=case.accept_plan,
        accepting=True,
        done=_(
            "You have chosen this plan. Your coordinator will write to you about what comes next."
        ),
    )


@private_page
@csrf_protect
@require_http_methods(["GET", "POST"])
def decline_plan(request, token, plan_id):
    """GET: the plan's summary and "Decline this plan"; POST: the decline, made once."""
    return _plan_decision(
        request,
        token,
        plan_id,
        decide=case.decline_plan,
        accepting=False,
        done=_("You have declined this plan. Your coordinator has been told."),
    )


@private_page
@csrf_protect
@require_http_methods(["GET", "POST"])
def plan_question(request, token, plan_id):
    """A question about a plan: a message in the case's conversation that names the plan."""
    enquiry, expired = _open_case_or_expired(request, token)
    if expired:
        return expired
    plan = _plan_of(enquiry, plan_id)
    form = PatientMessageForm(request.POST or None)
    if request.method == "POST":
        if not enquiry.takes_files_sent_again:
            form.add_error(None, _("This enquiry is closed: it takes no new messages."))
        elif _messages_per_enquiry.exceeded(request, identity=f"enquiry:{enquiry.pk}"):
            form.add_error(
                None,
                _(
                    "You have sent many messages in the last hour. "
                    "Please wait a little and try again."
                ),
            )
        elif form.is_valid():
            case.ask_about_plan(
                enquiry,
                plan,
                form.cleaned_data["text"],
                form_token=form.cleaned_data["form_token"],
                language=request.LANGUAGE_CODE,
            )
            messages.success(request, _("Your question has been sent to your coordinator."))
            return _back_to_the_page(token, "conversation-title")
    context = {
        "enquiry": enquiry,
        "token": token,
        "shown": case.plan_for_patient(enquiry, plan, language=request.LANGUAGE_CODE),
        "form": form,
    }
    return render(
        request, "enquiries/case/plan_question.html", context, status=400 if form.errors else 200
    )


@private_page
@require_GET
def case_document(request, token, document_id):
    """A document a coordinator gave the patient, to the holder of the case link only: always
    as an attachment, never sniffed into something the browser runs, audited."""
    enquiry, expired = _open_case_or_expired(request, token)
    if expired:
        return expired
    document = get_object_or_404(enquiry.case_documents, pk=document_id)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=case.document_download_name(document),
        content_type=case.served_content_type(document),
    )
    response["X-Content-Type-Options"] = "nosniff"
    case.record_patient_action(
        enquiry, AuditEntry.Action.PATIENT_DOWNLOADED_DOCUMENT, document=document.pk
    )
    return response


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

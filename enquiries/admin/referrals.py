"""Referrals from the enquiry page: the "Referrals" panel, the page that refers the case to
programmes (or asks the patient to agree to it first), the page that records a programme's answer
and its plan, the page that gives the patient a document, and the permission-checked, audited
downloads of a referral's summary and of those documents. The rules are enquiries.referrals' and
the models'; these views only ask and show."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from enquiries import records, referrals
from enquiries.admin.panel_rows import fields_of, instances, json_rows, staff_name_of
from enquiries.admin.replies import posted_form_token
from enquiries.forms import check_record_file
from enquiries.models import (
    AuditEntry,
    CaseDocument,
    Consent,
    Enquiry,
    RecordFile,
    Referral,
    ReferralFile,
    TreatmentPlan,
)
from therapy_info.money import format_money
from therapy_info.programmes import Programme

# How much of a SHA-256 the panel shows: enough to tell files apart and to compare with what a
# hospital reads out; the full hash is in the summary and the export.
SHORT_HASH = 12


class ProgrammeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, programme):
        if programme.international_office_email:
            how = _("international office: %(email)s") % {
                "email": programme.international_office_email
            }
        else:
            how = _("no international office email: by other means only")
        return f"{programme.name} · {programme.city.name} · {how}"


class RecordFileChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, record):
        return f"{record.original_name} ({record.kind_and_size()})"


class OneTimeForm(forms.Form):
    """A form that acts once however often it is posted: a new random token each time the page
    shows it, recorded with what the post made, so the same form posted twice (a double click)
    makes nothing more."""

    form_token = forms.CharField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    def clean_form_token(self):
        return posted_form_token(self.cleaned_data["form_token"])


class ReferForm(OneTimeForm):
    programmes = ProgrammeChoiceField(
        label=_("Refer to"),
        queryset=Programme.objects.published().select_related("city"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one programme.")},
    )
    share_answers = forms.BooleanField(
        label=_("Share the answers to the form"),
        required=False,
        initial=True,
        help_text=_(
            "Gender, year of birth, country, the medical answers and when they hope to travel, "
            "in English and Chinese. Never the patient's name or contact details: the reference "
            "identifies the case."
        ),
    )
    record_files = RecordFileChoiceField(
        label=_("Medical records to send"),
        queryset=RecordFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(
        label=_("How it is sent"),
        choices=Referral.Method.choices,
        widget=forms.RadioSelect,
    )
    sent_by_other_means = forms.CharField(
        label=_("How and to whom, if by other means"),
        required=False,
        max_length=Referral._meta.get_field("sent_to").max_length,
        help_text=_("E.g. “Uploaded to the hospital's referral portal for Dr Wang's team”."),
    )

    def __init__(self, *args, enquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_files"].queryset = enquiry.record_files.all()
        if not enquiry.record_files.exists():
            # An empty group of boxes reads as a page that failed to load.
            self.fields["record_files"].help_text = _(
                "The patient has sent no files yet: the package holds the summary only."
            )


class AnswerForm(OneTimeForm):
    status = forms.ChoiceField(
        label=_("The programme's answer"),
        choices=[
            (status, label)
            for status, label in Referral.Status.choices
            if status != Referral.Status.SENT
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the programme answered.")},
    )
    note = forms.CharField(
        label=_("In the programme's words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        help_text=_(
            "Why it declined, or what more it needs (required then); remarks on its plan. The "
            "patient does not see this."
        ),
    )


class PlanForm(forms.ModelForm):
    class Meta:
        model = TreatmentPlan
        fields = [
            "proposal",
            "proposed_start",
            "proposed_end",
            "estimated_cost",
            "currency",
            "includes",
            "excludes",
            "valid_until",
        ]
        widgets = {
            "proposed_start": forms.DateInput(attrs={"type": "date"}),
            "proposed_end": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "includes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
            "excludes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }
        error_messages = {
            "currency": {"required": _("An estimated cost needs its currency.")},
            "estimated_cost": {"required": _("Enter the estimated cost the programme gave.")},
            "valid_until": {"required": _("Enter until when the programme's offer is valid.")},
        }


class DocumentForm(OneTimeForm):
    title = forms.CharField(
        label=_("What it is"),
        max_length=CaseDocument._meta.get_field("title").max_length,
        help_text=_("As the patient will read it, e.g. “Visa invitation letter”."),
    )
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, up to 10 MB)"))
    plan = forms.ModelChoiceField(
        label=_("With the treatment plan"),
        queryset=TreatmentPlan.objects.none(),
        required=False,
        empty_label=_("None (a document of the enquiry)"),
    )

    def __init__(self, *args, enquiry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = TreatmentPlan.objects.filter(
            referral__enquiry=enquiry
        ).select_related("referral__programme")
        self.fields["plan"].label_from_instance = lambda plan: (
            f"{plan.referral.programme.name}: {plan.proposal}"
        )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        check_record_file(uploaded)
        return uploaded


def add_errors(form, error, *, other_form=None):
    """Put a ValidationError from the model's rules on the form's fields it names (on
    `other_form`'s when they are its fields), or on the form as a whole."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, field_errors)
        elif other_form is not None and field in other_form.fields:
            other_form.add_error(field, field_errors)
        else:
            form.add_error(None, field_errors)


# The panel's rows, in the enquiry's own query (enquiries.admin.panel_rows).


def panel_annotations():
    """The annotations of EnquiryAdmin.get_object that hold the Referrals panel: referrals, the
    files each sent, plans, documents, and the patient's latest answer on sharing with
    hospitals."""
    return {
        "referral_rows": json_rows(
            Referral.objects.all(),
            "enquiry",
            **fields_of(
                Referral,
                "id",
                "status",
                "method",
                "sent_to",
                "shared_answers",
                "summary_document",
                "summary_sha256",
                "package_size",
                "email",
                "sent_at",
                "answered_at",
                "answer_note",
            ),
            programme_name=F("programme__name"),
            city_name=F("programme__city__name"),
            sent_by_name=staff_name_of("sent_by"),
        ),
        "referral_file_rows": json_rows(
            ReferralFile.objects.all(),
            "referral__enquiry",
            **fields_of(ReferralFile, "id", "referral", "name", "size", "sha256"),
        ),
        "plan_rows": json_rows(
            TreatmentPlan.objects.all(),
            "referral__enquiry",
            **fields_of(
                TreatmentPlan,
                "id",
                "referral",
                "proposal",
                "proposed_start",
                "proposed_end",
                "estimated_cost",
                "currency",
                "includes",
                "excludes",
                "valid_until",
                "recorded_at",
                "decision",
                "decided_at",
            ),
            recorded_by_name=staff_name_of("recorded_by"),
        ),
        "document_rows": json_rows(
            CaseDocument.objects.all(),
            "enquiry",
            **fields_of(
                CaseDocument,
                "id",
                "plan",
                "title",
                "original_name",
                "content_type",
                "size",
                "sha256",
                "added_at",
            ),
            added_by_name=staff_name_of("added_by"),
        ),
        "hospital_sharing_given": Subquery(
            Consent.objects.filter(enquiry=OuterRef("pk"), kind=Consent.Kind.HOSPITAL_SHARING)
            .order_by("-given_at", "-pk")
            .values("given")[:1]
        ),
    }


class EnquiryReferrals:
    """The referral pages of EnquiryAdmin (mixed into it), and the panel of its enquiry page."""

    def get_urls(self):
        admin_view = self.admin_site.admin_view
        urls = [
            path(
                "<int:enquiry_id>/refer/",
                admin_view(self.refer_view),
                name="enquiries_enquiry_refer",
            ),
            path(
                "<int:enquiry_id>/ask-for-hospital-sharing/",
                admin_view(self.ask_for_hospital_sharing_view),
                name="enquiries_enquiry_ask_for_hospital_sharing",
            ),
            path(
                "<int:enquiry_id>/referrals/<int:referral_id>/answer/",
                admin_view(self.answer_view),
                name="enquiries_referral_answer",
            ),
            path(
                "<int:enquiry_id>/referrals/<int:referral_id>/summary/",
                admin_view(self.download_summary_view),
                name="enquiries_referral_summary",
            ),
            path(
                "<int:enquiry_id>/documents/add/",
                admin_view(self.add_document_view),
                name="enquiries_casedocument_add",
            ),
            path(
                "<int:enquiry_id>/documents/<int:document_id>/download/",
                admin_view(self.download_document_view),
                name="enquiries_casedocument_download",
            ),
        ]
        return urls + super().get_urls()

    # Who may do what: coordinators and leads (migration 0026); content editors never.

    def may_refer(self, request, enquiry):
        return self.has_change_permission(request, enquiry) and request.user.has_perm(
            "enquiries.add_referral"
        )

    def may_record_answers(self, request, enquiry):
        return self.has_change_permission(request, enquiry) and request.user.has_perm(
            "enquiries.change_referral"
        )

    def may_add_documents(self, request, enquiry):
        return self.has_change_permission(request, enquiry) and request.user.has_perm(
            "enquiries.add_casedocument"
        )

    @staticmethod
    def may_download_referral_files(request):
        """The right to the files of a case: the same as for the patient's record files."""
        user = request.user
        return user.has_perm("enquiries.view_enquiry") and user.has_perm(
            "enquiries.download_record_files"
        )

    # The panel of the enquiry page.

    def referrals_panel(self, request, enquiry):
        """What the "Referrals" panel shows, from the enquiry of the page (EnquiryAdmin.get_object
        brings its rows, panel_annotations): no query of its own. None for whoever may not see
        referrals."""
        if not request.user.has_perm("enquiries.view_referral"):
            return None
        referrals_made = instances(Referral, enquiry.referral_rows, order_by=("sent_at", "id"))
        by_pk = {referral.pk: referral for referral in referrals_made}
        # The enquiry's emails came with it (get_object prefetches them for the page).
        emails = {email.pk: email for email in enquiry.emails.all()}
        for referral in referrals_made:
            referral.files_sent, referral.plans_offered = [], []
            referral.email_sent = emails.get(referral.email_id)
            referral.short_summary_sha256 = referral.summary_sha256[:SHORT_HASH]
        for sent in instances(ReferralFile, enquiry.referral_file_rows, order_by=("id",)):
            sent.short_sha256 = sent.sha256[:SHORT_HASH]
            by_pk[sent.referral_id].files_sent.append(sent)
        plans = {}
        for plan in instances(TreatmentPlan, enquiry.plan_rows, order_by=("recorded_at", "id")):
            plan.cost = format_money(plan.estimated_cost, plan.currency)
            plan.programme_name = by_pk[plan.referral_id].programme_name
            by_pk[plan.referral_id].plans_offered.append(plan)
            plans[plan.pk] = plan
        documents = instances(CaseDocument, enquiry.document_rows, order_by=("added_at", "id"))
        for document in documents:
            document.short_sha256 = document.sha256[:SHORT_HASH]
            document.with_plan = plans.get(document.plan_id)
        may_refer = self.may_refer(request, enquiry)
        return {
            "referrals": referrals_made,
            "documents": documents,
            # True, False (refused or withdrawn) or None (never asked on the form or since).
            "sharing_given": enquiry.hospital_sharing_given,
            "sharing_requested_at": enquiry.hospital_sharing_requested_at,
            "refer_url": (
                reverse("admin:enquiries_enquiry_refer", args=[enquiry.pk]) if may_refer else None
            ),
            "add_document_url": (
                reverse("admin:enquiries_casedocument_add", args=[enquiry.pk])
                if self.may_add_documents(request, enquiry)
                else None
            ),
            "may_record_answers": self.may_record_answers(request, enquiry),
            "may_download": self.may_download_referral_files(request),
        }

    # Referring.

    def refer_view(self, request, enquiry_id):
        """Choose the programmes, what to share and how it goes, and refer; without the
        patient's consent to sharing with hospitals, the page says so and offers to ask them."""
        enquiry = get_object_or_404(
            Enquiry.objects.select_related("preferred_programme"), pk=enquiry_id
        )
        if not self.may_refer(request, enquiry):
            raise PermissionDenied
        refusal = referrals.why_no_referral(enquiry)
        consent = referrals.hospital_sharing_consent(enquiry)
        consented = consent is not None and consent.given
        form = None
        if refusal is None and consented:
            if request.method == "POST":
                form = ReferForm(request.POST, enquiry=enquiry)
                if form.is_valid():
                    data = form.cleaned_data
                    try:
                        made = referrals.refer(
                            enquiry,
                            programmes=data["programmes"],
                            record_files=data["record_files"],
                            share_answers=data["share_answers"],
                            method=data["method"],
                            sent_by_other_means=data["sent_by_other_means"],
                            by=request.user,
                            form_token=data["form_token"],
                        )
                    except ValidationError as error:
                        add_errors(form, error)
                    else:
                        self._confirm_referrals(request, made)
                        return redirect(
                            reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])
                            + "#referrals"
                        )
            else:
                form = ReferForm(enquiry=enquiry, initial=self._refer_initially(enquiry))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refer to programmes"),
            "subtitle": enquiry.reference,
            "opts": self.opts,
            "original": enquiry,
            "has_view_permission": self.has_view_permission(request, enquiry),
            "refusal": refusal,
            "consent": consent,
            "form": form,
            "ask_url": reverse(
                "admin:enquiries_enquiry_ask_for_hospital_sharing", args=[enquiry.pk]
            ),
            "package_limit": referrals.megabytes(settings.REFERRAL_PACKAGE_MAX_BYTES),
        }
        return TemplateResponse(request, "enquiries/admin/refer.html", context)

    @staticmethod
    def _refer_initially(enquiry):
        """The patient's preferred programme chosen (a published one not referred to yet: a
        second package to the same hospital is a choice, never the default), every record file,
        the answers shared, by email unless that programme has no address."""
        preferred = enquiry.preferred_programme
        if preferred is not None and (
            preferred.status != Programme.Status.PUBLISHED
            or enquiry.referrals.filter(programme=preferred).exists()
        ):
            preferred = None
        chosen = [preferred.pk] if preferred is not None else []
        by_email = preferred is None or bool(preferred.international_office_email)
        return {
            "programmes": chosen,
            "record_files": list(enquiry.record_files.values_list("pk", flat=True)),
            "share_answers": True,
            "method": Referral.Method.EMAIL if by_email else Referral.Method.OTHER_MEANS,
        }

    def _confirm_referrals(self, request, made):
        names = ", ".join(str(referral.programme.name) for referral in made)
        by_email = sum(referral.method == Referral.Method.EMAIL for referral in made)
        text = ngettext(
            "Referred to %(names)s.", "Referred to %(count)d programmes: %(names)s.", len(made)
        ) % {"names": names, "count": len(made)}
        if by_email:
            text += " " + str(
                _("The emails to the international offices go out in a moment (see Emails).")
            )
        self.message_user(request, text, messages.SUCCESS)

    def ask_for_hospital_sharing_view(self, request, enquiry_id):
        """The "Ask the patient on their case page" button of the refer page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        enquiry = get_object_or_404(Enquiry, pk=enquiry_id)
        if not self.may_refer(request, enquiry):
            raise PermissionDenied
        try:
            asked = referrals.ask_for_hospital_sharing(enquiry, by=request.user)
        except ValidationError as error:
            for text in error.messages:
                self.message_user(request, text, messages.ERROR)
        else:
            if asked:
                self.message_user(
                    request,
                    _(
                        "The patient is asked on their case page. They get an email saying "
                        "something waits for them there; it says nothing of their case."
                    ),
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request, _("The patient has agreed already: you can refer."), messages.INFO
                )
        return redirect("admin:enquiries_enquiry_refer", enquiry.pk)

    # The programme's answer.

    def answer_view(self, request, enquiry_id, referral_id):
        referral = get_object_or_404(
            Referral.objects.select_related("enquiry", "programme"),
            pk=referral_id,
            enquiry_id=enquiry_id,
        )
        enquiry = referral.enquiry
        if not self.may_record_answers(request, enquiry):
            raise PermissionDenied
        answer = AnswerForm(request.POST or None)
        plan_form = PlanForm(prefix="plan")
        if request.method == "POST" and answer.is_valid():
            status = answer.cleaned_data["status"]
            plan = None
            if status == Referral.Status.PLAN_OFFERED:
                plan_form = PlanForm(request.POST, prefix="plan")
                plan = plan_form.save(commit=False) if plan_form.is_valid() else None
            if plan is not None or status != Referral.Status.PLAN_OFFERED:
                try:
                    referral.record_answer(
                        status,
                        by=request.user,
                        note=answer.cleaned_data["note"],
                        plan=plan,
                        form_token=answer.cleaned_data["form_token"],
                    )
                except ValidationError as error:
                    add_errors(answer, error, other_form=plan_form)
                else:
                    self.message_user(
                        request,
                        _("The answer of %(programme)s is recorded.")
                        % {"programme": referral.programme.name},
                        messages.SUCCESS,
                    )
                    return redirect(
                        reverse("admin:enquiries_enquiry_change", args=[enquiry.pk]) + "#referrals"
                    )
        elif request.method == "POST" and request.POST.get("status") == (
            Referral.Status.PLAN_OFFERED
        ):
            plan_form = PlanForm(request.POST, prefix="plan")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record the answer of %(programme)s")
            % {"programme": referral.programme.name},
            "subtitle": enquiry.reference,
            "opts": self.opts,
            "original": enquiry,
            "has_view_permission": self.has_view_permission(request, enquiry),
            "referral": referral,
            "answer": answer,
            "plan_form": plan_form,
        }
        return TemplateResponse(request, "enquiries/admin/referral_answer.html", context)

    # Documents for the patient.

    def add_document_view(self, request, enquiry_id):
        enquiry = get_object_or_404(Enquiry, pk=enquiry_id)
        if not self.may_add_documents(request, enquiry):
            raise PermissionDenied
        form = DocumentForm(request.POST or None, request.FILES or None, enquiry=enquiry)
        if request.method == "POST" and form.is_valid():
            try:
                referrals.add_document(
                    enquiry,
                    form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    plan=form.cleaned_data["plan"],
                    by=request.user,
                    form_token=form.cleaned_data["form_token"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                self.message_user(
                    request,
                    _("The document is on the patient's case page."),
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:enquiries_enquiry_change", args=[enquiry.pk]) + "#referrals"
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add a document for the patient"),
            "subtitle": enquiry.reference,
            "opts": self.opts,
            "original": enquiry,
            "has_view_permission": self.has_view_permission(request, enquiry),
            "form": form,
        }
        return TemplateResponse(request, "enquiries/admin/add_document.html", context)

    # Downloads: only as attachments, audited. (admin_view adds Cache-Control: no-store.)

    def download_summary_view(self, request, enquiry_id, referral_id):
        if not self.may_download_referral_files(request):
            raise PermissionDenied
        referral = get_object_or_404(
            Referral.objects.select_related("enquiry"), pk=referral_id, enquiry_id=enquiry_id
        )
        if not referral.summary_document:
            raise Http404
        response = _attachment(
            referral.summary_document, referral.summary_file_name, "text/html; charset=utf-8"
        )
        AuditEntry.record(
            request.user,
            AuditEntry.Action.DOWNLOADED_REFERRAL_SUMMARY,
            enquiry=referral.enquiry,
            referral=referral.pk,
        )
        return response

    def download_document_view(self, request, enquiry_id, document_id):
        if not self.may_download_referral_files(request):
            raise PermissionDenied
        document = get_object_or_404(
            CaseDocument.objects.select_related("enquiry"), pk=document_id, enquiry_id=enquiry_id
        )
        name = records.safe_file_name(
            document.original_name, document.content_type, fallback=f"document-{document.pk}"
        )
        response = _attachment(document.file, name, document.content_type)
        AuditEntry.record(
            request.user,
            AuditEntry.Action.DOWNLOADED_PATIENT_DOCUMENT,
            enquiry=document.enquiry,
            document=document.pk,
        )
        return response


def _attachment(field_file, name, content_type):
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)
    return response

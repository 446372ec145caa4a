"""Writing to the patient from the enquiry page (the "Reply to the patient" form and its page), and
the reply templates lead coordinators keep for it."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from enquiries import replies
from enquiries.models import CaseMessage, Enquiry, ReplyTemplate
from enquiries.models.replies import PLACEHOLDERS, text_field_name


def placeholders_help():
    return format_html(
        "{}<ul>{}</ul>",
        _("A template may use these placeholders, each filled in when a coordinator uses it:"),
        format_html_join(
            "",
            "<li><code>{{{}}}</code>: {}</li>",
            PLACEHOLDERS.items(),
        ),
    )


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["name", *(text_field_name(code) for code, _name in settings.LANGUAGES)]
        # Each text box in its language and direction, so Arabic is written right to left.
        widgets = {
            text_field_name(code): forms.Textarea(
                attrs={"rows": 8, "lang": code, "dir": "rtl" if code == "ar" else "ltr"}
            )
            for code, _name in settings.LANGUAGES
        }


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Lead coordinators add, change and delete templates; coordinators read them here and use
    them on the enquiry page (permissions from migration 0016)."""

    form = ReplyTemplateForm
    list_display = ["name", "languages_written", "updated_at"]
    search_fields = ["name"]

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["name"]}),
            (
                _("Texts"),
                {
                    "fields": [text_field_name(code) for code, _name in settings.LANGUAGES],
                    "description": format_html(
                        "{}<p>{}</p>",
                        placeholders_help(),
                        _(
                            "English is required. Where a language has no text, a coordinator "
                            "who chooses it is told so and gets the English text to translate."
                        ),
                    ),
                },
            ),
        ]

    @admin.display(description=_("languages"))
    def languages_written(self, template):
        names = dict(settings.LANGUAGES)
        return ", ".join(str(names[code]) for code in template.languages)


class ReplyForm(forms.Form):
    """A coordinator's message to the patient, as the patient will read it on their case page."""

    text = forms.CharField(
        label=_("Message to the patient"),
        max_length=CaseMessage.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
        help_text=_(
            "The patient reads it on their case page. They get an email saying a message is "
            "waiting, with a link to that page; the email never holds your text."
        ),
        error_messages={
            "required": _("Write the message to the patient."),
            "max_length": _(
                "Keep the message under %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    # A new random id each time the form is shown: the same form posted twice is one message.
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def clean_text(self):
        text = self.cleaned_data["text"]
        unfilled = list(dict.fromkeys(replies.UNFILLED_PLACEHOLDER.findall(text)))
        if unfilled:
            raise forms.ValidationError(
                _("Write over %(placeholders)s before sending: the patient would read it as it is.")
                % {"placeholders": ", ".join(f"{{{name}}}" for name in unfilled)}
            )
        return text


class TemplateChoiceForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Template"),
        queryset=ReplyTemplate.objects.only("pk", "name"),
        error_messages={"required": _("Choose a template.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("The patient's language is chosen to start with."),
    )


def posted_form_token(value):
    """The form token a post carried, so a form filled in again stays one message; a new one if
    it carried none (or not a token)."""
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return uuid.uuid4()


class EnquiryReplies:
    """The reply form of EnquiryAdmin (mixed into it): a section of the enquiry page, and a page
    of its own to fill a template in and to show what was wrong with a message."""

    def get_urls(self):
        urls = [
            path(
                "<int:enquiry_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="enquiries_enquiry_reply",
            ),
        ]
        return urls + super().get_urls()

    def reply_section(self, request, enquiry):
        """What the enquiry page shows under "Reply to the patient", for whoever may work the
        enquiry; None for anyone else. It costs no query: the templates are listed on the reply
        page, which "Use a template" opens with what was typed so far."""
        if not self.has_change_permission(request, enquiry):
            return None
        return {
            "url": reverse("admin:enquiries_enquiry_reply", args=[enquiry.pk]),
            "refusal": replies.why_no_reply(enquiry),
            "form": ReplyForm(prefix="reply"),
            "may_use_templates": request.user.has_perm("enquiries.view_replytemplate"),
        }

    def reply_view(self, request, enquiry_id):
        enquiry = get_object_or_404(Enquiry, pk=enquiry_id)
        if not self.has_change_permission(request, enquiry):
            raise PermissionDenied
        may_use_templates = request.user.has_perm("enquiries.view_replytemplate")
        picker = TemplateChoiceForm(initial={"language": replies.default_language(enquiry)})
        form = ReplyForm(prefix="reply")
        notices = []
        refusal = replies.why_no_reply(enquiry)
        if request.method == "POST":
            data = request.POST
            draft = {
                "text": data.get("reply-text", ""),
                "form_token": posted_form_token(data.get("reply-form_token")),
            }
            if "use_template" in data or "fill" in data:
                # "Use a template…" on the enquiry page, or "Fill in the message" here: the page
                # again with the draft (or the template filled in); nothing is stored.
                form = ReplyForm(prefix="reply", initial=draft)
                if "fill" in data and may_use_templates:
                    picker = TemplateChoiceForm(data)
                    if picker.is_valid():
                        filled = replies.fill(
                            picker.cleaned_data["template"],
                            picker.cleaned_data["language"],
                            enquiry=enquiry,
                            coordinator=request.user,
                        )
                        form = ReplyForm(prefix="reply", initial={**draft, "text": filled.text})
                        notices = self._fill_notices(filled, picker.cleaned_data, enquiry)
            else:
                form = ReplyForm(data, prefix="reply")
                if refusal is None and form.is_valid():
                    try:
                        _message, created = replies.send_reply(
                            enquiry,
                            form.cleaned_data["text"],
                            by=request.user,
                            form_token=form.cleaned_data["form_token"],
                        )
                    except replies.ReplyRefused as refused:
                        refusal = refused.reason
                    else:
                        self._confirm(request, created)
                        return redirect(
                            reverse("admin:enquiries_enquiry_change", args=[enquiry.pk]) + "#reply"
                        )
        elif refusal is not None:
            # Nothing to write in; a refused post above keeps its text on the page to copy.
            form = None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reply to the patient"),
            "subtitle": enquiry.reference,
            "opts": self.opts,
            "original": enquiry,
            "has_view_permission": self.has_view_permission(request, enquiry),
            "refusal": refusal,
            "form": form,
            "picker": picker if may_use_templates and refusal is None else None,
            "notices": notices,
            "conversation": enquiry.messages.select_related("author"),
        }
        return TemplateResponse(request, "enquiries/admin/reply.html", context)

    def _confirm(self, request, created):
        if created:
            self.message_user(
                request,
                _(
                    "Your message was sent. The patient gets an email saying a message is "
                    "waiting on their case page."
                ),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                _("This message had been sent already: it was not sent twice."),
                messages.WARNING,
            )

    @staticmethod
    def _fill_notices(filled, chosen, enquiry):
        """What the coordinator must know before sending a filled-in template."""
        names = dict(settings.LANGUAGES)
        notices = []
        if filled.missing_translation:
            notices.append(
                _(
                    "“%(template)s” has no %(language)s text: the English text is filled in "
                    "instead. Translate it before sending, or ask a lead coordinator to add it."
                )
                % {"template": chosen["template"].name, "language": names[chosen["language"]]}
            )
        if "first_name" in filled.unfilled:
            notices.append(
                _(
                    "The patient's first name cannot be told for sure from “%(name)s”: write it "
                    "over {first_name}."
                )
                % {"name": enquiry.patient_name}
            )
        if "coordinator_name" in filled.unfilled:
            notices.append(
                _("Your account has no first name: write your name over {coordinator_name}.")
            )
        return notices

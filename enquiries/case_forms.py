"""The forms of the patient's case page: a message to the coordinator, agreeing to sharing with
hospitals, and the "find my enquiry" request for a fresh link."""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from enquiries import consents
from enquiries.forms import (
    INCOMPLETE_PAGE_MESSAGES,
    RecordFilesField,
    check_what_the_upload_skipped,
)
from enquiries.models import REFERENCE_ALPHABET, CaseMessage, Consent

REFERENCE_PATTERN = re.compile(rf"CT-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}")


def normalise_reference(value):
    """The reference as we print it (CT-7KQ4-M2XP), however it was typed: lower case, spaces,
    without the dashes or the CT prefix."""
    symbols = re.sub(r"[^0-9A-Z]", "", value.upper())
    if symbols.startswith("CT") and len(symbols) == 10:
        symbols = symbols[2:]
    return f"CT-{symbols[:4]}-{symbols[4:]}" if len(symbols) == 8 else value.strip().upper()


class PatientMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=CaseMessage.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Please write your message."),
            "max_length": _("Please keep your message to %(limit_value)d characters or fewer."),
        },
    )
    # A new random id each time the page shows the form: the same form posted twice is one message.
    form_token = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, error_messages=INCOMPLETE_PAGE_MESSAGES
    )


class HospitalSharingConsentForm(forms.Form):
    """The consent to sharing with hospitals a coordinator asked for: the enquiry form's wording."""

    agree = forms.BooleanField(
        label=consents.CONSENT_TEXTS[Consent.Kind.HOSPITAL_SHARING],
        error_messages={
            "required": _(
                "Please tick the box if you agree that your case is shared with partner hospitals."
            )
        },
    )
    # The wording's version as the page showed it: agreeing to a wording since replaced would
    # store words the patient never read.
    text_version = forms.CharField(
        widget=forms.HiddenInput, initial=consents.CONSENT_TEXT_VERSION, required=False
    )

    def clean_text_version(self):
        if self.cleaned_data["text_version"] != consents.CONSENT_TEXT_VERSION:
            raise forms.ValidationError(
                _("The wording has just been updated: please read it again before agreeing.")
            )
        return self.cleaned_data["text_version"]


class FindEnquiryForm(forms.Form):
    email = forms.EmailField(
        label=_("The email address you gave in the enquiry"),
        max_length=254,
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter an email address such as name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    reference = forms.CharField(
        label=_("Your reference"),
        help_text=_("It is in the email we sent you, and looks like CT-7KQ4-M2XP."),
        max_length=20,
        error_messages={"required": _("Please enter your reference.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "dir": "ltr"}
        ),
    )

    def clean_reference(self):
        reference = normalise_reference(self.cleaned_data["reference"])
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise forms.ValidationError(
                _("A reference looks like CT-7KQ4-M2XP: please check it in our email.")
            )
        return reference


class CaseFilesForm(forms.Form):
    """More medical records, sent from the case page: the same checks as the enquiry form."""

    files = RecordFilesField(
        label=_("Choose files"),
        help_text=_("PDF, JPEG or PNG; up to 5 files at a time, 10 MB each."),
        error_messages={"required": _("Please choose at least one file.")},
    )

    checklist_item = forms.ChoiceField(
        label=_("What are these files?"),
        required=False,
        help_text=_("Choose the record from the list above; it helps us tick it off."),
    )

    field_order = ["checklist_item", "files"]

    def __init__(self, *args, upload_receipt=None, checklist=None, **kwargs):
        super().__init__(*args, **kwargs)
        # What the upload handler skipped before the field saw the files (enquiries.records).
        self.upload_receipt = upload_receipt
        items = (
            [(item.key, item.label) for item, _sent in checklist.ticked(())] if checklist else []
        )
        self.fields["checklist_item"].choices = [("", _("Something else, or not sure")), *items]

    def clean_files(self):
        check_what_the_upload_skipped(self.upload_receipt)
        files = self.cleaned_data["files"]
        if not files:
            raise forms.ValidationError(self.fields["files"].error_messages["required"])
        return files

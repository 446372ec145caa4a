"""The public "Start My Medical Treatment" form: what a patient fills in and how each answer is
checked (enquiries.intake stores a valid one)."""

import re
import unicodedata
import uuid

import phonenumbers
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import DatabaseError
from django.forms.models import ModelChoiceIterator
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from enquiries import consents, records
from enquiries.models import Consent, Enquiry
from therapy_info.programmes import City, Programme

# The form's consent boxes and what each one agrees to.
CONSENT_FIELDS = {
    "consent_health_data": Consent.Kind.HEALTH_DATA_PROCESSING,
    "consent_hospital_sharing": Consent.Kind.HOSPITAL_SHARING,
    "consent_marketing": Consent.Kind.MARKETING_EMAIL,
}
UTM_FIELDS = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"]
# What a link to the form carries (hidden fields): never typed by the patient.
CAMPAIGN_FIELDS = ["source_page_slug", *UTM_FIELDS]
# C0 and C1 controls: nothing a keyboard types into a short answer.
CONTROLS = "\x00-\x1f\x7f-\x9f"
CONTROL_CHARACTERS = re.compile(f"[{CONTROLS}]")

# The patient's answers in the form's sections and order. The back office shows a stored enquiry
# grouped the same way (enquiries.admin), so the two cannot drift apart.
ANSWER_SECTIONS = {
    "enquirer": ["relationship", "enquirer_name", "referring_hospital"],
    "patient": ["patient_name", "gender", "birth_year", "birth_date", "country"],
    "contact": [
        "email",
        "phone",
        "preferred_contact_channel",
        "messenger_id",
        "preferred_language",
        "best_time_to_reach",
        "time_zone",
    ],
    "medical": [
        "diagnosis",
        "diagnosis_details",
        "disease_status",
        "prior_treatment_lines",
        "prior_stem_cell_transplant",
        "prior_car_t",
        "target_tested",
        "daily_self_care",
        "medical_summary",
    ],
    "treatment": [
        "preferred_cities",
        "no_city_preference",
        "preferred_programme",
        "travel_timeframe",
        "companion_travelling",
    ],
}
# UTC offsets, not zone names: "UTC+08:00" is what a patient recognises.
TIME_ZONE_CHOICES = [("", _("Choose your time zone"))] + [
    (value, value)
    for value in [f"UTC{h:+03d}:00" for h in range(-12, 15)]
    + ["UTC-09:30", "UTC-03:30", "UTC+03:30", "UTC+04:30", "UTC+05:30", "UTC+05:45", "UTC+06:30"]
    + ["UTC+09:30", "UTC+10:30", "UTC+12:45"]
]
TIME_ZONE_CHOICES[1:] = sorted(
    TIME_ZONE_CHOICES[1:],
    key=lambda choice: (
        (1 if choice[0][3] == "+" else -1) * (int(choice[0][4:6]) * 60 + int(choice[0][7:9]))
    ),
)
SLUG_VALIDATOR = RegexValidator(r"^[-a-zA-Z0-9_]*$", _("This link is not valid."))

# In a name, these reorder or hide what is shown (bidi embeddings, overrides and isolates, as in
# "Trojan Source"), or are controls (escape, line breaks) that no keyboard types into a name.
REFUSED_IN_NAMES = re.compile(f"[{CONTROLS}\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Invisible characters that copying from a web page or a document brings along, and that mean
# nothing in a name: zero-width space, word joiner, byte-order mark, soft hyphen, direction marks.
INVISIBLE_IN_NAMES = re.compile(r"[\u00ad\u061c\u180e\u200b\u200e\u200f\u2060-\u2064\ufeff]")
JOINERS = {"\u200c", "\u200d"}
# A WeChat ID or Telegram username as the app shows it (a Telegram one may start with @), or
# the phone number the account was opened with (both apps find people by it).
MESSENGER_ID = re.compile(r"@?[A-Za-z][A-Za-z0-9_.-]{2,62}|\+?[0-9][0-9 ()-]{4,30}")


def _joins_a_script(char):
    """Whether a zero-width (non-)joiner next to this character can change how text is drawn:
    letters, marks and symbols beyond ASCII (Persian, Arabic, Indic scripts, emoji sequences)."""
    return char is not None and not char.isascii() and unicodedata.category(char)[0] in "LMS"


def clean_name_text(value):
    """A name as the patient sees it: every real script kept, invisible characters removed.

    Invisible characters are removed rather than refused: the patient cannot see them, so could
    not find what to fix, and removing them changes nothing anyone sees, while they would hide a
    duplicate from the back office's search. Controls and bidi overrides are refused instead:
    they change what is shown, so removing them would store something the patient did not see.
    The zero-width joiner and non-joiner stay where a script uses them (Persian "علی‌رضا",
    Devanagari conjuncts, emoji), between two such characters, and go elsewhere."""
    if REFUSED_IN_NAMES.search(value):
        raise forms.ValidationError(
            _(
                "This contains hidden control characters, perhaps copied with the text. "
                "Please type it again."
            ),
            code="control_characters",
        )
    value = INVISIBLE_IN_NAMES.sub("", value)
    kept = []
    for index, char in enumerate(value):
        if char in JOINERS:
            following = value[index + 1] if index + 1 < len(value) else None
            if not (_joins_a_script(kept[-1] if kept else None) and _joins_a_script(following)):
                continue
        kept.append(char)
    return "".join(kept).strip()


def optional_choice(choices, label, *, widget=forms.Select, help_text=""):
    """A skippable choice: a blank option (select) or simply none ticked (radio buttons)."""
    blank = [] if widget is forms.RadioSelect else [("", _("Choose…"))]
    return forms.ChoiceField(
        label=label,
        choices=blank + list(choices),
        required=False,
        widget=widget,
        help_text=help_text,
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class RecordFilesField(forms.FileField):
    """Up to MAX_FILES PDF, JPEG or PNG files of MAX_FILE_SIZE each, checked by their content."""

    def __init__(self, **kwargs):
        # The exact types, not "image/*": given those, an iPhone turns a HEIC photo picked from
        # its library into a JPEG before sending it (WebKit transcodes to an accepted type).
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data or []) if item]
        if len(files) > records.MAX_FILES:
            raise forms.ValidationError(
                ngettext_lazy(
                    "You can attach up to %(max)d file; you chose %(count)d.",
                    "You can attach up to %(max)d files; you chose %(count)d.",
                    "max",
                ),
                code="too_many",
                params={"max": records.MAX_FILES, "count": len(files)},
            )
        errors = []
        for uploaded in files:
            super().clean(uploaded, initial)
            try:
                check_record_file(uploaded)
            except forms.ValidationError as error:
                errors.append(error)
        if errors:
            raise forms.ValidationError(errors)
        return files


def check_record_file(uploaded):
    """Raise the ValidationError that says why an upload is not a file we keep: larger than
    MAX_FILE_SIZE, an iPhone photo in HEIC, or not a PDF, JPEG or PNG by its content. The one
    check of every file stored with an enquiry (the form's records, a document for the patient)."""
    if uploaded.size > records.MAX_FILE_SIZE:
        raise forms.ValidationError(
            _("“%(name)s” is larger than 10 MB."),
            code="too_large",
            params={"name": uploaded.name},
        )
    if records.is_heic(uploaded):
        raise forms.ValidationError(
            _(
                "“%(name)s” is an iPhone photo in the HEIC format, which we cannot "
                "read. Please send it as JPEG: choose it again from “Photos” (not "
                "from “Files”), and the iPhone sends a JPEG; or, in Settings > "
                "Camera > Formats, choose “Most Compatible” before taking the photo."
            ),
            code="heic",
            params={"name": uploaded.name},
        )
    if records.detect_content_type(uploaded) is None:
        raise forms.ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file."),
            code="wrong_type",
            params={"name": uploaded.name},
        )


def check_what_the_upload_skipped(receipt):
    """The field error for files the upload handler stopped reading (enquiries.records), which
    the field itself never sees: too many, or too large."""
    if receipt is not None and receipt.skipped_too_many:
        raise forms.ValidationError(
            ngettext_lazy(
                "You can attach up to %(max)d file.", "You can attach up to %(max)d files.", "max"
            ),
            params={"max": records.MAX_FILES},
        )
    if receipt is not None and receipt.skipped_too_large:
        raise forms.ValidationError(
            ngettext_lazy(
                "One file is larger than 10 MB.",
                "%(count)d files are larger than 10 MB.",
                "count",
            ),
            params={"count": receipt.skipped_too_large},
        )


FORM_CACHE_VERSION_KEY = "enquiries:empty-form-version"


def empty_form_cache_version():
    """Part of the cache key of the empty form's HTML: it changes when the cities change."""
    return cache.get_or_set(FORM_CACHE_VERSION_KEY, lambda: uuid.uuid4().hex, None)


def forget_cached_empty_form(**kwargs):
    cache.set(FORM_CACHE_VERSION_KEY, uuid.uuid4().hex, None)
    forget_cities()
    _remembered_programme_choices.clear()


# The active cities (id, name) as last read from the database, in the shared cache and in this
# process's memory: the page shown while the database is down offers them, so the cities a
# patient ticked are still ticked (views._render_form). The cache serves a process that has not
# drawn the cities itself (the empty form's HTML comes from the cache); the memory serves while
# the cache is down too. Both are rewritten each time the field is drawn from the database.
# Per language: the names are translated.
REMEMBERED_CITIES_KEY = "enquiries:active-cities"
_remembered_cities = {}


def remembered_cities_key(language):
    return f"{REMEMBERED_CITIES_KEY}:{language}"


def remember_cities(choices):
    language = get_language()
    _remembered_cities[language] = list(choices)
    cache.set(remembered_cities_key(language), _remembered_cities[language], None)


def forget_cities():
    _remembered_cities.clear()
    cache.delete_many([remembered_cities_key(code) for code, _name in settings.LANGUAGES])


def remembered_cities():
    """The active cities as last read in this language, without asking the database (empty if
    never read)."""
    language = get_language()
    return cache.get(remembered_cities_key(language)) or _remembered_cities.get(language, [])


class RememberingCityIterator(ModelChoiceIterator):
    def __iter__(self):
        read = []
        for value, label in super().__iter__():
            read.append((value.value, str(label)))
            yield value, label
        remember_cities(read)


class CityChoiceField(forms.ModelMultipleChoiceField):
    iterator = RememberingCityIterator


# The published programmes the "preferred hospital" offers, grouped by city, as last read: in the
# shared cache under the empty form's version (a programme or city changed, both are forgotten),
# and in this process's memory for the page shown while the database is down. Per language.
PROGRAMME_CHOICES_KEY = "enquiries:programme-choices"
PROGRAMME_CHOICES_SECONDS = 24 * 60 * 60
_remembered_programme_choices = {}


def published_programme_choices():
    """[(city name, [(slug, hospital name), …]), …] in the reader's language, the cities in the
    form's order: one query per form version and language, none when the database is down."""
    language = get_language()
    key = f"{PROGRAMME_CHOICES_KEY}:{empty_form_cache_version()}:{language}"
    choices = cache.get(key)
    if choices is None:
        try:
            choices = _programme_choices_from_the_database()
        except DatabaseError:
            return _remembered_programme_choices.get(language, [])
        cache.set(key, choices, PROGRAMME_CHOICES_SECONDS)
        _remembered_programme_choices[language] = choices
    return choices


def _programme_choices_from_the_database():
    programmes = sorted(
        Programme.objects.published().select_related("city"),
        key=lambda programme: (
            programme.city.order,
            programme.city.name,
            programme.name.casefold(),
        ),
    )
    by_city = {}
    for programme in programmes:
        by_city.setdefault(programme.city.name, []).append((programme.slug, programme.name))
    return list(by_city.items())


def published_programme_slug(value):
    """The slug when it is a published programme's ("" otherwise): a link's programme=… is
    preselected only then, and an unknown or unpublished one is simply ignored."""
    if not isinstance(value, str) or not value:
        return ""
    slugs = {slug for _city, group in published_programme_choices() for slug, _name in group}
    return value if value in slugs else ""


class PublishedProgrammeChoices(BaseChoiceIterator):
    """The field's options, read when the form is drawn (never for the cached empty form)."""

    def __init__(self, field):
        self.field = field

    def __iter__(self):
        yield ("", self.field.empty_label)
        yield from published_programme_choices()


class PreferredProgrammeField(forms.ModelChoiceField):
    """A published programme, chosen by its address (the slug): "Start my treatment here" on its
    page preselects it. One that is not (or no longer) published is dropped, never an error: the
    enquiry matters more than the choice."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Programme.objects.published(),
            to_field_name="slug",
            required=False,
            empty_label=_("No preference"),
            **kwargs,
        )

    def _get_choices(self):
        return PublishedProgrammeChoices(self)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    # Set on the page shown while the database is down (EnquiryForm.offer_remembered_choices).
    without_database = False

    def to_python(self, value):
        if self.without_database:
            # Nothing is stored from that page: the choice is only shown back as it was posted.
            return None
        try:
            return super().to_python(value)
        except forms.ValidationError:
            return None


# A hidden token missing or mangled: the page was cut short on the way (a proxy, a browser
# extension). Nothing the patient typed is at fault, so the message says what to do instead.
INCOMPLETE_PAGE_MESSAGES = {
    "required": _("This page reached us incomplete. Please check your answers and send it again."),
    "invalid": _("This page reached us incomplete. Please check your answers and send it again."),
}


class EnquiryForm(forms.ModelForm):
    submission_token = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, error_messages=INCOMPLETE_PAGE_MESSAGES
    )
    # A field people never see (hidden by CSS, skipped by keyboard and autofill): bots fill it.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    relationship = forms.ChoiceField(
        label=_("Who is filling in this form?"),
        choices=Enquiry.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tell us who is filling in the form.")},
    )
    gender = optional_choice(Enquiry.Gender.choices, _("Gender"), widget=forms.RadioSelect)
    # One question with its star: the year. The exact date is an optional extra, checked
    # against the year, never a way around it.
    birth_year = forms.IntegerField(
        label=_("Year of birth"),
        min_value=1900,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
        error_messages={"required": _("Enter the year the patient was born.")},
    )
    birth_date = forms.DateField(
        label=_("Date of birth (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday", "min": "1900-01-01"}),
    )
    time_zone = forms.ChoiceField(
        label=_("Your time zone"), choices=TIME_ZONE_CHOICES, required=False
    )
    diagnosis = optional_choice(Enquiry.Diagnosis.choices, _("Diagnosis"))
    disease_status = optional_choice(
        Enquiry.DiseaseStatus.choices, _("Disease status now"), widget=forms.RadioSelect
    )
    prior_treatment_lines = optional_choice(
        Enquiry.PriorTreatmentLines.choices,
        _("How many lines of treatment so far?"),
        help_text=_("A line is one treatment plan, e.g. R-CHOP counts as one."),
    )
    prior_stem_cell_transplant = optional_choice(
        Enquiry.YesNoNotSure.choices, _("A stem-cell transplant before?"), widget=forms.RadioSelect
    )
    prior_car_t = optional_choice(
        Enquiry.YesNoNotSure.choices, _("CAR-T therapy before?"), widget=forms.RadioSelect
    )
    target_tested = optional_choice(
        Enquiry.TargetTested.choices,
        _("Has a target been tested (CD19, BCMA)?"),
        widget=forms.RadioSelect,
    )
    daily_self_care = optional_choice(
        Enquiry.DailySelfCare.choices, _("How does the patient manage day to day?")
    )
    preferred_cities = CityChoiceField(
        label=_("Preferred cities in China"),
        queryset=City.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_programme = PreferredProgrammeField(
        label=_("Preferred hospital (optional)"),
        help_text=_("A coordinator can also suggest a hospital that suits the patient."),
    )
    travel_timeframe = optional_choice(
        Enquiry.TravelTimeframe.choices, _("When do you hope to travel?"), widget=forms.RadioSelect
    )
    companion_travelling = optional_choice(
        Enquiry.YesNoNotSure.choices,
        _("Will a family member or friend travel with the patient?"),
        widget=forms.RadioSelect,
    )
    record_files = RecordFilesField(
        label=_("Medical records (optional)"),
        required=False,
        help_text=_("Up to 5 files: PDF, JPEG or PNG, 10 MB each."),
    )
    consent_health_data = forms.BooleanField(
        label=consents.CONSENT_TEXTS[Consent.Kind.HEALTH_DATA_PROCESSING],
        error_messages={"required": _("We can only answer your enquiry if you agree to this.")},
    )
    consent_hospital_sharing = forms.BooleanField(
        label=consents.CONSENT_TEXTS[Consent.Kind.HOSPITAL_SHARING], required=False
    )
    consent_marketing = forms.BooleanField(
        label=consents.CONSENT_TEXTS[Consent.Kind.MARKETING_EMAIL], required=False
    )
    source_page_slug = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=200, validators=[SLUG_VALIDATOR]
    )

    class Meta:
        model = Enquiry
        fields = [
            *(name for section in ANSWER_SECTIONS.values() for name in section),
            "source_page_slug",
            *UTM_FIELDS,
        ]
        labels = {
            "enquirer_name": _("Your name, if you are not the patient"),
            "referring_hospital": _("Your hospital, if you are the patient's doctor"),
            "patient_name": _("Patient's full name"),
            "country": _("Country where the patient lives"),
            "email": _("Email address"),
            "phone": _("Phone number with country code"),
            "messenger_id": _("Your WeChat ID or Telegram username"),
            "preferred_contact_channel": _("How should we contact you?"),
            "preferred_language": _("Which language do you prefer?"),
            "best_time_to_reach": _("Best time to reach you"),
            "diagnosis_details": _("Diagnosis in your words (optional)"),
            "medical_summary": _("Anything else we should know? (optional)"),
            "no_city_preference": _("No preference: any city with a suitable centre"),
        }
        help_texts = {
            "patient_name": _("As in the passport. Any alphabet is fine."),
            "phone": _(
                "For example +44 20 7946 0958. Needed if you choose a phone call or WhatsApp."
            ),
            "messenger_id": _(
                "Needed if you choose WeChat or Telegram. The phone number the account uses "
                "works too."
            ),
            "preferred_language": _("For example English, Arabic, Russian."),
            "best_time_to_reach": _("For example: weekdays after 6 pm."),
            "medical_summary": _(
                "For example the treatments so far and how the patient responded. "
                "Please do not include passwords or bank details."
            ),
        }
        widgets = {
            **dict.fromkeys(UTM_FIELDS, forms.HiddenInput),
            "preferred_contact_channel": forms.RadioSelect,
            "patient_name": forms.TextInput(attrs={"autocomplete": "off"}),
            # Addresses and numbers read left to right, also on the Arabic form.
            "email": forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
            "messenger_id": forms.TextInput(attrs={"autocomplete": "off", "dir": "ltr"}),
            "medical_summary": forms.Textarea(attrs={"rows": 5}),
        }
        error_messages = {
            "patient_name": {"required": _("Enter the patient's full name.")},
            "country": {"required": _("Choose the country where the patient lives.")},
            "preferred_contact_channel": {"required": _("Choose how we should contact you.")},
            "email": {
                "required": _("Enter an email address so we can reply."),
                "invalid": _("Enter an email address like name@example.com."),
            },
        }

    def __init__(self, *args, upload_receipt=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # A campaign value the form would refuse never blocks a patient's enquiry: it is
            # dropped here, as the form page drops it from the link (views._came_from).
            self.data = self.data.copy()
            for name in CAMPAIGN_FIELDS:
                if (key := self.add_prefix(name)) in self.data:
                    self.data[key] = clean_campaign_value(name, self.data[key])
        # What was skipped before the form saw the files (see records.receive_uploads).
        self.upload_receipt = upload_receipt
        self.helper = self._build_helper()

    def _build_helper(self):
        helper = FormHelper()
        helper.form_tag = False
        helper.disable_csrf = True
        # The hidden fields (token, source page, campaign tags) differ per request: the template
        # renders them next to this layout, whose HTML it caches for an empty form.
        helper.layout = Layout(
            Div("website", css_class="enquiry-honeypot", aria_hidden="true"),
            Fieldset(_("About you"), *ANSWER_SECTIONS["enquirer"]),
            Fieldset(_("The patient"), *ANSWER_SECTIONS["patient"]),
            Fieldset(_("How we reach you"), *ANSWER_SECTIONS["contact"]),
            Fieldset(
                _("Medical situation (skip anything you are not sure about)"),
                *ANSWER_SECTIONS["medical"],
            ),
            Fieldset(_("Treatment in China"), *ANSWER_SECTIONS["treatment"]),
            Fieldset(
                _("Medical records"),
                HTML('{% include "enquiries/includes/records_checklist.html" %}'),
                "record_files",
            ),
            Fieldset(
                _("Your consent"),
                HTML('{% include "enquiries/includes/consent_privacy_link.html" %}'),
                "consent_health_data",
                "consent_hospital_sharing",
                "consent_marketing",
            ),
            Submit("submit", _("Send my enquiry"), css_class="btn-cta btn-lg"),
        )
        return helper

    def offer_remembered_choices(self):
        """For the page shown while the database is down: the cities and the preferred hospital
        offer what was last read (remembered_cities, published_programme_choices), and neither
        is drawn nor checked with a query."""
        self.fields["preferred_programme"].without_database = True
        field = self.fields["preferred_cities"]
        choices = remembered_cities()
        if not choices:
            # Nothing remembered (a fresh process, the cities just edited): the database may
            # answer this one query if only one statement failed.
            try:
                choices = [(value.value, label) for value, label in field.choices]
            except DatabaseError:
                choices = []
        self.fields["preferred_cities"] = forms.TypedMultipleChoiceField(
            label=field.label,
            required=False,
            widget=field.widget,
            coerce=int,
            choices=choices,
        )
        self._bound_fields_cache.pop("preferred_cities", None)

    @property
    def looks_like_a_bot(self):
        return bool(self.data.get(self.add_prefix("website")))

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year of birth cannot be in the future."))
        return year

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born is not None and born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born is not None and born.year < 1900:
            raise forms.ValidationError(_("Enter a date of birth in 1900 or later."))
        return born

    def clean_patient_name(self):
        name = clean_name_text(self.cleaned_data.get("patient_name", ""))
        if not name:
            raise forms.ValidationError(self.fields["patient_name"].error_messages["required"])
        return name

    def clean_enquirer_name(self):
        return clean_name_text(self.cleaned_data.get("enquirer_name", ""))

    def clean_referring_hospital(self):
        return clean_name_text(self.cleaned_data.get("referring_hospital", ""))

    def clean_messenger_id(self):
        messenger_id = self.cleaned_data.get("messenger_id", "").strip()
        if messenger_id and not MESSENGER_ID.fullmatch(messenger_id):
            raise forms.ValidationError(
                _(
                    "Enter the ID as the app shows it (letters, digits, _ and -; a Telegram "
                    "username may start with @), or the phone number the account uses."
                )
            )
        return messenger_id

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if not phone:
            return ""
        # Without a leading +, read the number as one of the patient's country of residence.
        region = str(self.cleaned_data.get("country") or "") or None
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(
                _("Enter a phone number with its country code, like +44 20 7946 0958.")
            )
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean_record_files(self):
        check_what_the_upload_skipped(self.upload_receipt)
        return self.cleaned_data.get("record_files") or []

    def clean(self):
        cleaned = super().clean()
        year, born = cleaned.get("birth_year"), cleaned.get("birth_date")
        if born and year and born.year != year:
            self.add_error("birth_date", _("The date of birth does not match the year of birth."))

        self._check_the_chosen_channel_is_reachable(cleaned)

        relationship = cleaned.get("relationship")
        if relationship == Enquiry.Relationship.DOCTOR:
            if not cleaned.get("enquirer_name"):
                self.add_error("enquirer_name", _("Enter your name, doctor."))
            if not cleaned.get("referring_hospital"):
                self.add_error("referring_hospital", _("Enter the name of your hospital."))
        return cleaned

    def _check_the_chosen_channel_is_reachable(self, cleaned):
        """A coordinator must be able to use the channel the patient chose."""
        channel = cleaned.get("preferred_contact_channel")
        Channel = Enquiry.ContactChannel
        needs = {
            Channel.PHONE: ("phone", _("Enter the phone number we should call.")),
            Channel.WHATSAPP: ("phone", _("Enter the phone number you use on WhatsApp.")),
            Channel.WECHAT: ("messenger_id", _("Enter your WeChat ID.")),
            Channel.TELEGRAM: ("messenger_id", _("Enter your Telegram username.")),
        }
        if channel in needs:
            field, message = needs[channel]
            if not cleaned.get(field) and not self.has_error(field):
                self.add_error(field, message)

    @property
    def submission_token_sent(self):
        """The submission token as posted, read before the answers are checked (None when it is
        missing or malformed): the enquiry this form already made is looked for first."""
        try:
            return uuid.UUID(str(self.data.get(self.add_prefix("submission_token"), "")))
        except ValueError:
            return None


def clean_campaign_value(name, value):
    """A link's campaign value as the form will accept it back, or "" when the form would refuse
    it (a space or slash in a page slug, a control character, over 200 characters): a bad link
    must never block the form it leads to, and an unusable tag is worth nothing to us."""
    if not isinstance(value, str) or CONTROL_CHARACTERS.search(value):
        return ""
    try:
        return EnquiryForm.base_fields[name].clean(value)
    except forms.ValidationError:
        return ""


class UncheckedEnquiryForm(EnquiryForm):
    """The answers of a post refused before they were checked (the post limit), shown back as
    they were typed. No error is shown, as none was looked for: checking reads the database,
    which a post beyond the limit must not cost."""

    def full_clean(self):
        self._errors = ErrorDict(renderer=self.renderer)
        self.cleaned_data = {}

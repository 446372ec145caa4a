"""Reply templates: the texts lead coordinators keep ready, per language, for coordinators to start
a message to a patient from, and the placeholders a template may hold."""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from enquiries.models.case import CaseMessage

# What a template may say in braces, and what each becomes when a coordinator uses it
# (enquiries.replies.fill). Nothing else is accepted: a typo such as {firstname} would otherwise
# reach a patient as it is.
PLACEHOLDERS = {
    "first_name": _("the patient's first name"),
    "reference": _("the enquiry's reference, such as CT-7KQ4-M2XP"),
    "coordinator_name": _("the first name of the coordinator who sends it"),
    "case_link": _(
        'the words "your case page" in the language of the message: the patient reads the '
        "message on that page, and the email about it carries the link"
    ),
}


def text_field_name(language):
    """The column holding a template's text in a language of settings.LANGUAGES ("zh-hans" →
    "text_zh_hans")."""
    return "text_" + language.replace("-", "_")


def placeholders_in(text):
    """The placeholders of a template text, each as written between its braces ("reference",
    "name!r"), in order. Raises ValueError on a lone brace. Doubled braces ("{{") are text."""
    found = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            continue
        written = name
        if conversion:
            written += f"!{conversion}"
        if spec:
            written += f":{spec}"
        found.append(written)
    return found


def check_template_text(text):
    """Refuse a text with a lone brace or a placeholder other than PLACEHOLDERS (with a format,
    a conversion or an attribute: "{reference:>10}", "{reference.upper}" are refused too)."""
    try:
        written = placeholders_in(text)
    except ValueError:
        raise ValidationError(
            _(
                "A brace on its own: write a placeholder whole, such as {reference}, or double "
                'the brace ("{{" or "}}") to show it as it is.'
            ),
            code="lone_brace",
        ) from None
    unknown = [name for name in written if name not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s: a template may use only %(known)s.")
            % {
                "unknown": ", ".join(f"{{{name}}}" for name in dict.fromkeys(unknown)),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
            code="unknown_placeholder",
        )


class ReplyTemplate(models.Model):
    """A message coordinators can start from, in English and, where a lead wrote them, in the
    other languages of the portal. A column per language, read by name (text_field_name): a
    missing translation must be seen by the coordinator, never filled in silently as
    modeltranslation's fallback would."""

    name = models.CharField(
        _("name"), max_length=100, unique=True, help_text=_("How coordinators find it in the list.")
    )
    text_en = models.TextField(_("English"), max_length=CaseMessage.MAX_LENGTH)
    text_zh_hans = models.TextField(
        _("Simplified Chinese"), max_length=CaseMessage.MAX_LENGTH, blank=True
    )
    text_ru = models.TextField(_("Russian"), max_length=CaseMessage.MAX_LENGTH, blank=True)
    text_ar = models.TextField(_("Arabic"), max_length=CaseMessage.MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for language, _name in settings.LANGUAGES:
            field = text_field_name(language)
            try:
                check_template_text(getattr(self, field))
            except ValidationError as error:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    def text_in(self, language):
        """The template's text in the language, or "" if a lead has not written it."""
        return getattr(self, text_field_name(language), "")

    @property
    def languages(self):
        """The codes of the languages the template has a text in."""
        return [code for code, _name in settings.LANGUAGES if self.text_in(code).strip()]

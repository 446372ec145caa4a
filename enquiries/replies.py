"""A coordinator's message to the patient: when an enquiry takes one, sending it (stored once, on
the timeline and in the audit log, the first reply recorded, an email saying it is waiting), and a
reply template filled in for one enquiry."""

import re
import string
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from enquiries import case, outbox
from enquiries.models import AuditEntry, CaseMessage, Enquiry, OutgoingEmail
from enquiries.models.replies import PLACEHOLDERS

# The language a template always has a text in (ReplyTemplate.text_en is required).
FALLBACK_LANGUAGE = "en"

# A placeholder still in a message about to be sent: the coordinator has something to write in.
UNFILLED_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


class ReplyRefused(Exception):
    """The enquiry takes no message from a coordinator; the reason says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def why_no_reply(enquiry):
    """Why a coordinator cannot write to the patient of this enquiry, or None if they can. The
    patient reads messages on their case page: a spam or anonymised enquiry has none, and a
    closed one takes no more messages either way."""
    if enquiry.anonymised_at is not None:
        return _("This enquiry was anonymised: there is no patient to write to any more.")
    if enquiry.status == Enquiry.Status.SPAM:
        return _("This enquiry is marked as spam: it has no case page to write on.")
    if not enquiry.is_open:
        return _(
            "This enquiry is closed (%(status)s): give it an open status first to write to "
            "the patient."
        ) % {"status": enquiry.get_status_display()}
    return None


def send_reply(enquiry, text, *, by, form_token):
    """Store a coordinator's message to the patient, once per form (a double click stores one):
    in the same transaction, its audit entry and timeline event, the first reply if it is the
    first, and the email telling the patient a message is waiting. Returns (message, whether it
    is new); raises ReplyRefused if the enquiry takes no message."""
    with transaction.atomic():
        locked = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
        existing = CaseMessage.objects.filter(form_token=form_token, enquiry=locked).first()
        if existing is not None:
            return existing, False
        reason = why_no_reply(locked)
        if reason is not None:
            raise ReplyRefused(reason)
        message = CaseMessage.objects.create(
            enquiry=locked,
            sender=CaseMessage.Sender.COORDINATOR,
            author=by,
            text=text,
            form_token=form_token,
        )
        AuditEntry.record(
            by, AuditEntry.Action.SENT_MESSAGE_TO_PATIENT, enquiry=locked, message=message.pk
        )
        locked.record_first_reply(by=by, at=message.sent_at)
        _let_the_patient_know(locked)
    return message, True


def _let_the_patient_know(enquiry):
    """One email while one is still waiting to go out: it says only that there is a message, so
    two messages sent a minute apart need one email, whose link shows both."""
    waiting = enquiry.emails.filter(
        kind=OutgoingEmail.Kind.MESSAGE_FROM_COORDINATOR,
        status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.RETRYING],
    )
    if not waiting.exists():
        outbox.queue_email(enquiry, OutgoingEmail.Kind.MESSAGE_FROM_COORDINATOR)


# Filling a template in.


@dataclass
class FilledReply:
    """A template's text filled in for one enquiry, and what the coordinator must know first."""

    text: str
    # The language of the text: the one asked for, or English when the template has no text in
    # it (`missing_translation`).
    language: str
    missing_translation: bool = False
    # Placeholders left in the text for the coordinator to write over (see first_name_of).
    unfilled: list = field(default_factory=list)


def default_language(enquiry):
    """The language a reply starts in: the patient's (their form's), if the portal has it."""
    codes = {code for code, _name in settings.LANGUAGES}
    return enquiry.language if enquiry.language in codes else FALLBACK_LANGUAGE


def fill(template, language, *, enquiry, coordinator):
    """The template's text in `language` (English if it has none there, said so) with the
    placeholders filled in. A value the code cannot be sure of (the patient's first name, a
    coordinator without a first name) is not guessed: its placeholder stays for the coordinator
    to write over, and the reply form refuses to send it as it is."""
    text = template.text_in(language)
    missing_translation = not text.strip()
    if missing_translation:
        language, text = FALLBACK_LANGUAGE, template.text_in(FALLBACK_LANGUAGE)
    with translation.override(language):
        # Never the link itself: the message is stored, and a link's token must not be (only
        # its hash is). The patient reads the message on that page; the email has the link.
        case_page = str(case.CASE_PAGE_WORDS)
    values = {
        "first_name": first_name_of(enquiry),
        "reference": enquiry.reference,
        "coordinator_name": coordinator.first_name.strip(),
        "case_link": case_page,
    }
    try:
        pieces = list(string.Formatter().parse(text))
    except ValueError:
        # Saved before templates were checked (ReplyTemplate.clean): taken as plain text.
        pieces = [(text, None, None, None)]
    parts, unfilled = [], []
    for literal, name, spec, conversion in pieces:
        parts.append(literal)
        if name is None:
            continue
        value = values.get(name) if not (spec or conversion) else None
        if value:
            parts.append(value)
        else:
            parts.append(f"{{{name}}}")
            if name in PLACEHOLDERS and name not in unfilled:
                unfilled.append(name)
    return FilledReply("".join(parts), language, missing_translation, unfilled)


# The patient's first name, only where the full name tells it for sure.

# Countries where names are written family name first, in Latin letters too ("Wang Xiaoming",
# "Nagy Péter", "Nguyen Van An"): there the first word is the family name.
FAMILY_NAME_FIRST_COUNTRIES = frozenset(
    {"CN", "HK", "MO", "TW", "SG", "JP", "KR", "KP", "VN", "KH", "MN", "HU"}
)
TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mme", "mlle", "herr", "frau"}
)
# A Russian patronymic ends so (Иванович, Ильич, Ивановна, Ильинична).
PATRONYMIC_ENDINGS = ("ич", "вна", "чна")


def _script(word):
    """LATIN or CYRILLIC when every letter of the word is of that script; else None."""
    scripts = {
        unicodedata.name(character, "").split(" ")[0] for character in word if character.isalpha()
    }
    return scripts.pop() if len(scripts) == 1 and scripts <= {"LATIN", "CYRILLIC"} else None


def _capitalised(word):
    # "ANNA" or "anna" as typed in a hurry reads "Anna"; "McKay" and "Anne-Marie" stay as typed.
    if word.isupper() or word.islower():
        return "-".join(part.capitalize() for part in word.split("-"))
    return word


def first_name_of(enquiry):
    """The patient's first name from the full name they typed, or "" when it cannot be told
    for sure. Names come in many orders (family name first in much of Asia and in Hungary,
    "Surname Name Patronymic" in Russian forms), and given names in many lengths ("Anna Maria",
    "José Luis", "Abd al-Rahman"), so only two shapes are trusted:

    - two words in Latin letters, no comma, no title or initial first, from a country that puts
      the given name first: the first word ("Anna Novak" → "Anna");
    - three words in Cyrillic with one patronymic, second or third: the name beside it
      ("Иванов Иван Иванович" → "Иван", "Иван Иванович Иванов" → "Иван").
    """
    name = enquiry.patient_name.strip()
    words = name.split()
    if "," in name or not words:
        return ""
    scripts = {_script(word) for word in words}
    if scripts == {"LATIN"} and len(words) == 2:
        first, last = words
        if enquiry.country and enquiry.country.code in FAMILY_NAME_FIRST_COUNTRIES:
            return ""
        if first.rstrip(".").casefold() in TITLES or len(first.rstrip(".")) < 2:
            return ""
        # "de Vries", "van Dijk": a particle, so no given name was written.
        if first.islower() and not last.islower():
            return ""
        return _capitalised(first)
    if scripts == {"CYRILLIC"} and len(words) == 3:
        patronymic = [word.casefold().endswith(PATRONYMIC_ENDINGS) for word in words]
        # A surname may end like a patronymic (Карпович): "Surname Name Patronymic" only needs
        # the name in the middle not to.
        if patronymic[1:] == [False, True]:
            return _capitalised(words[1])
        if patronymic == [False, True, False]:
            return _capitalised(words[0])
    return ""

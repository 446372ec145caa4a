"""What the patient sees of where their answers point, on the thank-you page and the case page:
the answers the doctors will look at, in plain words and the patient's language, and the records
of their diagnosis's checklist they have not sent yet. Never a product, a trial or a promise: those
are for the medical team to weigh (enquiries.matching, on the coordinators' enquiry page)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The answers shown, in the form's order, each with how the patient's page names it.
SHOWN_ANSWERS = [
    ("diagnosis", _("Diagnosis")),
    ("disease_status", _("The illness now")),
    ("prior_treatment_lines", _("Lines of treatment so far")),
    ("prior_stem_cell_transplant", _("A stem-cell transplant before")),
    ("prior_car_t", _("CAR-T therapy before")),
]
# What the enquiry's query must read for the page (with its reference and status).
ANSWER_FIELDS = [name for name, _label in SHOWN_ANSWERS]


@dataclass(frozen=True)
class StartingPoint:
    # (how the page names the question, the patient's answer in words), in the form's order.
    answers: tuple
    # The checklist's items no file was sent as, in the checklist's order.
    records_to_send: tuple
    has_checklist: bool


def starting_point(enquiry, checklist, sent_item_keys):
    """The patient's starting point: their answers in words ("Not answered" for a skipped one)
    and the records of `checklist` (None: none published) not among `sent_item_keys`."""
    answers = tuple(
        (label, getattr(enquiry, f"get_{name}_display")() if getattr(enquiry, name) else None)
        for name, label in SHOWN_ANSWERS
    )
    records = ()
    if checklist is not None:
        records = tuple(item for item, sent in checklist.ticked(sent_item_keys) if not sent)
    return StartingPoint(answers, records, checklist is not None)

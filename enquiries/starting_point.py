"""What the patient sees of where their answers point, on the thank-you page and the case page:
the answers the doctors will look at, in plain words and the patient's language, and the records
of their diagnosis's checklist they have not sent yet. Never a product, a trial or a promise: those
are for the medical team to weigh (enquiries.matching, on the coordinators' enquiry page)."""

from dataclasses import dataclass

from enquiries.forms import EnquiryForm

# The answers shown, in the form's order, each under the form's own question: the words the
# patient answered.
ANSWER_FIELDS = [
    "diagnosis",
    "disease_status",
    "prior_treatment_lines",
    "prior_stem_cell_transplant",
    "prior_car_t",
]


@dataclass(frozen=True)
class StartingPoint:
    # (the form's question, the patient's answer in words or None if skipped), in order.
    answers: tuple
    # The checklist's items no file was sent as, in the checklist's order.
    records_to_send: tuple
    has_checklist: bool


def starting_point(enquiry, checklist, sent_item_keys):
    """The patient's starting point: their answers in words ("Not answered" for a skipped one)
    and the records of `checklist` (None: none published) not among `sent_item_keys`."""
    answers = tuple(
        (
            EnquiryForm.base_fields[name].label,
            getattr(enquiry, f"get_{name}_display")() if getattr(enquiry, name) else None,
        )
        for name in ANSWER_FIELDS
    )
    records = ()
    if checklist is not None:
        records = tuple(item for item, sent in checklist.ticked(sent_item_keys) if not sent)
    return StartingPoint(answers, records, checklist is not None)

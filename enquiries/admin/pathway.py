"""The enquiry page's Pathway panel: the approved labels the patient's answers are consistent with,
the open trials that could take them, and what is still needed to decide (enquiries.matching).
It costs the page no query once the caches are warm: the catalogue and the records checklist come
from the cache, the checklist items the patient's files were sent as from the enquiry's own query
(sent_checklist_items, EnquiryAdmin.get_object); the page's budget is 16 queries."""

from django.db.models import OuterRef, StringAgg, Subquery, Value
from django.utils import timezone

from enquiries.matching import (
    ANSWER,
    LABEL_CONDITION,
    RECORD,
    Answers,
    Catalogue,
    match,
    missing_records,
)
from enquiries.models import RecordFile
from therapy_info.records_checklists import cached_checklist_for


def sent_checklist_items():
    """The checklist items the enquiry's files were sent as, as one text (a key is a slug: no
    spaces), in a subquery of the enquiry's own query."""
    keys = (
        RecordFile.objects.filter(enquiry=OuterRef("pk"))
        .exclude(checklist_item="")
        .order_by()
        .values("enquiry")
        .annotate(keys=StringAgg("checklist_item", Value(" ")))
        .values("keys")
    )
    return Subquery(keys)


def sent_item_keys(enquiry):
    if hasattr(enquiry, "sent_checklist_items"):
        return set((enquiry.sent_checklist_items or "").split())
    return set(
        enquiry.record_files.exclude(checklist_item="").values_list("checklist_item", flat=True)
    )


def pathway_panel(enquiry, today=None):
    """What the panel shows (templates/enquiries/admin/pathway_panel.html)."""
    today = today or timezone.localdate()
    checklist = missing_records(cached_checklist_for(enquiry.diagnosis), sent_item_keys(enquiry))
    pathway = match(Answers.of(enquiry), Catalogue.current(), today=today, checklist=checklist)
    needed = pathway.still_needed
    return {
        "pathway": pathway,
        "questions": [question for question in needed if question.kind == ANSWER],
        "label_conditions": [question for question in needed if question.kind == LABEL_CONDITION],
        "records": [question for question in needed if question.kind == RECORD],
    }

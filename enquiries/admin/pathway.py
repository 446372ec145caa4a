"""The enquiry page's Pathway panel: the approved labels the patient's answers are consistent with,
the open trials that could take them, and what is still needed to decide (enquiries.matching).
It costs the page no query once the caches are warm: the catalogue and the records checklist come
from the cache, the checklist items the patient's files were sent as from the enquiry's own query
(sent_checklist_items, EnquiryAdmin.get_object); the page's budget is 16 queries."""

from django.utils import timezone

from enquiries.matching import (
    ANSWER,
    LABEL_CONDITION,
    RECORD,
    Answers,
    Catalogue,
    match,
    missing_records,
    sent_item_keys,
)
from therapy_info.records_checklists import cached_checklist_for


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

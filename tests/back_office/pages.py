"""How the back-office tests reach the admin's pages: the list and enquiry page addresses, the
list's actions, and what the enquiry page's form posts."""

from django.urls import reverse

from enquiries.admin import WORKFLOW_FIELDS
from enquiries.models import Enquiry


def changelist_url(**params):
    url = reverse("admin:enquiries_enquiry_changelist")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def change_url(enquiry):
    return reverse("admin:enquiries_enquiry_change", args=[enquiry.pk])


def action(client, name, enquiries, **extra):
    """Posts a changelist action the way the admin's action bar does."""
    data = {"action": name, "index": 0, "_selected_action": [e.pk for e in enquiries], **extra}
    return client.post(changelist_url(), data)


def workflow_form(enquiry, **changes):
    """The change form's POST data, as a browser sends it for an untouched page, plus changes."""
    enquiry = Enquiry.objects.get(pk=enquiry.pk)
    data = {
        "status": enquiry.status,
        "assigned_to": enquiry.assigned_to_id or "",
        "priority": enquiry.priority,
        "next_follow_up_on": enquiry.next_follow_up_on or "",
        "notes-TOTAL_FORMS": 1,
        "notes-INITIAL_FORMS": enquiry.notes.count(),
        "notes-MIN_NUM_FORMS": 0,
        "notes-MAX_NUM_FORMS": 1000,
        "notes-0-text": "",
        "consents-TOTAL_FORMS": 0,
        "consents-INITIAL_FORMS": 0,
        "consents-MIN_NUM_FORMS": 0,
        "consents-MAX_NUM_FORMS": 0,
        "record_files-TOTAL_FORMS": 0,
        "record_files-INITIAL_FORMS": 0,
        "record_files-MIN_NUM_FORMS": 0,
        "record_files-MAX_NUM_FORMS": 0,
        "emails-TOTAL_FORMS": 0,
        "emails-INITIAL_FORMS": 0,
        "emails-MIN_NUM_FORMS": 0,
        "emails-MAX_NUM_FORMS": 0,
    }
    # The hidden copies of what the page showed (show_hidden_initial on the workflow fields).
    data.update({f"initial-{name}": data[name] for name in WORKFLOW_FIELDS})
    data.update(changes)
    return data

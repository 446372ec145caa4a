"""CSV export of enquiries for lead coordinators, safe to open in a spreadsheet."""

import csv

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a leading
# apostrophe makes it text, as OWASP recommends. Phone numbers (+44…) get it too, harmlessly.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def local_time(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


COLUMNS = [
    (_("Reference"), lambda e: e.reference),
    (_("Received"), lambda e: local_time(e.submitted_at)),
    (_("Status"), lambda e: e.get_status_display()),
    (_("Assigned coordinator"), lambda e: e.assigned_to.get_username() if e.assigned_to else ""),
    (_("Priority"), lambda e: e.get_priority_display()),
    (_("Next follow-up"), lambda e: e.next_follow_up_on or ""),
    (_("First replied"), lambda e: local_time(e.first_replied_at)),
    (_("Patient's full name"), lambda e: e.patient_name),
    (_("Gender"), lambda e: e.get_gender_display()),
    (_("Year of birth"), lambda e: e.birth_year),
    (_("Country"), lambda e: e.country.name),
    (_("Email"), lambda e: e.email),
    (_("Phone"), lambda e: e.phone),
    (_("Preferred contact channel"), lambda e: e.get_preferred_contact_channel_display()),
    (_("WeChat or Telegram ID"), lambda e: e.messenger_id),
    (_("Language of the form"), lambda e: e.language),
    (_("Diagnosis"), lambda e: e.get_diagnosis_display()),
    (_("Diagnosis in their words"), lambda e: e.diagnosis_details),
    (_("Disease status"), lambda e: e.get_disease_status_display()),
    (_("Preferred cities"), lambda e: ", ".join(city.name for city in e.preferred_cities.all())),
    (
        _("Preferred hospital"),
        lambda e: e.preferred_programme.name if e.preferred_programme else "",
    ),
    (_("Hopes to travel"), lambda e: e.get_travel_timeframe_display()),
    (_("Came from page"), lambda e: e.source_page_slug),
    (_("utm_source"), lambda e: e.utm_source),
    (_("utm_campaign"), lambda e: e.utm_campaign),
]


def write_csv(enquiries, out):
    """Writes a header and one row per enquiry (cities prefetched, assignee and preferred
    hospital selected)."""
    # A byte-order mark so spreadsheet programs read the UTF-8 names correctly.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([str(header) for header, _value in COLUMNS])
    for enquiry in enquiries:
        writer.writerow([safe_cell(value(enquiry)) for _header, value in COLUMNS])

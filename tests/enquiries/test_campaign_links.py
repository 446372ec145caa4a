"""Links to the form carry the page and campaign that sent the patient; a bad value in such a
link is dropped, never a reason the form cannot be sent."""

import re

import pytest

from enquiries.forms import CAMPAIGN_FIELDS
from enquiries.models import Enquiry
from tests.factories import valid_form_data

pytestmark = pytest.mark.django_db

BAD_VALUES = {
    "a space": "spring sale\u3000x",
    "a slash": "car-t/../admin",
    "a NUL character": "spring\x00sale",
    "an escape character": "spring\x1b[31m",
    "a line break": "spring\r\nsale",
    "too long": "x" * 201,
}
# The page slug refuses spaces and slashes; campaign tags (free text) refuse only the rest.
BAD_FOR_EVERY_FIELD = {
    key: value for key, value in BAD_VALUES.items() if key not in ("a space", "a slash")
}
LINK_PARAMETERS = {"source_page_slug": "from", **{name: name for name in CAMPAIGN_FIELDS[1:]}}


def hidden_values(html):
    return {
        name: value
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)
    }


def cases():
    for field in CAMPAIGN_FIELDS:
        bad = BAD_VALUES if field == "source_page_slug" else BAD_FOR_EVERY_FIELD
        for problem, value in bad.items():
            yield pytest.param(field, value, id=f"{field}-{problem}")


@pytest.mark.parametrize(("field", "value"), list(cases()))
def test_a_link_with_a_bad_value_still_sends_the_form(client, start_url, field, value):
    good = "utm_source" if field == "utm_medium" else "utm_medium"
    page = client.get(start_url, {LINK_PARAMETERS[field]: value, good: "email"})
    carried = hidden_values(page.content.decode())
    assert carried.get(field, "") == ""
    assert carried[good] == "email"

    response = client.post(
        start_url, valid_form_data(**{name: carried.get(name, "") for name in CAMPAIGN_FIELDS})
    )

    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert getattr(enquiry, field) == ""
    assert getattr(enquiry, good) == "email"


@pytest.mark.parametrize(("field", "value"), list(cases()))
def test_a_posted_bad_campaign_value_is_dropped_not_refused(submit, field, value):
    good = "utm_source" if field == "utm_medium" else "utm_medium"
    response = submit(valid_form_data(**{good: "newsletter", field: value}))

    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert getattr(enquiry, field) == ""
    assert getattr(enquiry, good) == "newsletter"


def test_a_value_with_spaces_around_it_is_trimmed_and_kept(client, start_url):
    page = client.get(start_url, {"from": "  car-t-cell-therapy ", "utm_campaign": " spring "})
    carried = hidden_values(page.content.decode())
    assert (carried["source_page_slug"], carried["utm_campaign"]) == (
        "car-t-cell-therapy",
        "spring",
    )


def test_a_campaign_tag_may_hold_spaces_and_slashes(submit):
    submit(valid_form_data(utm_campaign="spring sale 2026/27"))
    assert Enquiry.objects.get().utm_campaign == "spring sale 2026/27"

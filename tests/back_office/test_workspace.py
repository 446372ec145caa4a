"""The coordinator's workspace: saved views above the list, "Next" and "Previous" within the list
an enquiry was opened from, "Assign to me", click-to-contact, times on the coordinator's clock
with the patient's beside them, and labels a person reads (no "True", no MIME types)."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from django.urls import reverse
from django.utils.http import urlencode

from enquiries import case, records
from enquiries.models import Consent, Enquiry, EnquiryEvent
from enquiries.working_calendar import WorkingCalendar
from tests.back_office.pages import change_url, changelist_url
from tests.factories import pdf_file
from therapy_info.programmes import City

NOW = datetime(2030, 5, 6, 12, 0, tzinfo=UTC)


def assign_url(enquiry):
    return reverse("admin:enquiries_enquiry_assign_to_me", args=[enquiry.pk])


def links(html, rel):
    return [unescape(url) for url in re.findall(rf'<a href="([^"]+)" rel="{rel}">', html)]


def page_with(client, enquiry, preserved):
    url = change_url(enquiry) + "?" + urlencode({"_changelist_filters": preserved})
    return client.get(url).content.decode()


# Saved views.


def test_the_saved_views_are_above_the_list_and_say_which_is_shown(login, coordinator):
    html = login(coordinator).get(changelist_url(news="yes", assigned="me_or_none")).content
    html = html.decode()
    views = html[html.index('class="bo-views"') : html.index("</nav>", html.index("bo-views"))]
    assert re.findall(r">([^<>]+)</a>", views) == [
        "All enquiries",
        "My open",
        "Waiting for me",
        "Overdue",
        "Unassigned",
    ]
    assert re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', views) == [
        "Waiting for me"
    ]


@pytest.mark.parametrize(
    ("view", "expected"),
    [
        ({"assigned": "me", "open": "yes"}, {"mine"}),
        ({"news": "yes", "assigned": "me_or_none"}, {"news unassigned", "news mine"}),
        ({"assigned": "none", "open": "yes"}, {"news unassigned"}),
    ],
)
def test_each_saved_view_lists_what_it_says(
    login, coordinator, other_coordinator, make, view, expected
):
    news = {"news_from_patient_at": NOW}
    enquiries = {
        "mine": make(email="m@example.org", assigned_to=coordinator),
        "mine closed": make(email="c@example.org", assigned_to=coordinator, status="spam"),
        "news unassigned": make(email="n@example.org", **news),
        "news mine": make(email="o@example.org", assigned_to=coordinator, **news),
        "news colleague's": make(email="p@example.org", assigned_to=other_coordinator, **news),
        "closed unassigned": make(email="q@example.org", status="spam"),
    }
    # "news mine" is open and mine too.
    if view == {"assigned": "me", "open": "yes"}:
        expected = expected | {"news mine"}
    html = login(coordinator).get(changelist_url(**view)).content.decode()
    assert {name for name, e in enquiries.items() if e.reference in html} == expected


def test_the_list_has_one_flags_column_and_no_true_or_false(login, coordinator, make):
    with time_machine.travel(NOW - timedelta(days=5), tick=False):
        make(news_from_patient_at=NOW - timedelta(days=5), cities=["Wuhan"])
    with time_machine.travel(NOW, tick=False):
        html = login(coordinator).get(changelist_url()).content.decode()
    headings = re.findall(r'<th scope="col" class="([^"]+)"', html)
    columns = [re.sub(r"^(sortable )?column-(\S+).*$", r"\2", h) for h in headings]
    assert columns == [
        "action-checkbox-column",
        "reference",
        "received",
        "patient",
        "diagnosis_name",
        "status_name",
        "assignee",
        "flags",
        "next_due",
    ]
    row = html[html.index("<tbody>") :]
    assert "Overdue" in row
    assert "New from the patient" in row
    assert "Czechia · Wuhan" in row
    assert "True" not in row and "False" not in row


# Previous and next within the list.


def test_next_and_previous_follow_the_filtered_list_and_keep_its_filters(login, coordinator, make):
    waiting = {"news_from_patient_at": NOW}
    newest = make(email="a@example.org", submitted_at=NOW - timedelta(hours=1), **waiting)
    make(email="x@example.org", submitted_at=NOW - timedelta(hours=2))  # no news: not listed
    middle = make(email="b@example.org", submitted_at=NOW - timedelta(hours=3), **waiting)
    oldest = make(email="c@example.org", submitted_at=NOW - timedelta(hours=4), **waiting)
    client = login(coordinator)
    preserved = "news=yes&assigned=me_or_none"

    # Opening an enquiry marks its news seen: a fresh flag for each visit.
    html = page_with(client, middle, preserved)
    Enquiry.objects.filter(pk__in=[newest.pk, middle.pk, oldest.pk]).update(**waiting)
    kept = "?" + urlencode({"_changelist_filters": preserved})
    assert links(html, "prev") == [change_url(newest) + kept]
    assert links(html, "next") == [change_url(oldest) + kept]

    html = page_with(client, newest, preserved)
    Enquiry.objects.filter(pk__in=[newest.pk, middle.pk, oldest.pk]).update(**waiting)
    assert links(html, "prev") == []
    assert links(html, "next") == [change_url(middle) + kept]

    html = page_with(client, oldest, preserved)
    assert links(html, "next") == []


def test_next_follows_the_order_the_list_was_sorted_in(login, coordinator, make):
    anna = make(email="a@example.org", patient_name="Anna Alpha")
    make(email="b@example.org", patient_name="Boris Beta")
    cleo = make(email="c@example.org", patient_name="Cleo Gamma")
    boris = Enquiry.objects.get(patient_name="Boris Beta")
    # Column 3 is the patient's name (0: the checkbox); ascending.
    html = page_with(login(coordinator), boris, "o=3")
    kept = "?" + urlencode({"_changelist_filters": "o=3"})
    assert links(html, "prev") == [change_url(anna) + kept]
    assert links(html, "next") == [change_url(cleo) + kept]


def test_a_list_address_that_does_not_filter_gives_no_neighbours(login, coordinator, enquiry):
    html = page_with(login(coordinator), enquiry, "no_such_field=1")
    assert links(html, "prev") == links(html, "next") == []


# Assign to me.


def test_a_coordinator_takes_an_unassigned_enquiry_with_one_button(login, coordinator, enquiry):
    client = login(coordinator)
    html = page_with(client, enquiry, "open=yes")
    assert 'class="bo-assign-to-me"' in html

    response = client.post(assign_url(enquiry) + "?_changelist_filters=open%3Dyes")

    assert response.status_code == 302
    assert response["Location"] == change_url(enquiry) + "?_changelist_filters=open%3Dyes"
    enquiry.refresh_from_db()
    assert enquiry.assigned_to == coordinator
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.ASSIGNED, actor=coordinator).exists()
    assert 'class="bo-assign-to-me"' not in client.get(change_url(enquiry)).content.decode()


def test_a_coordinator_cannot_take_a_colleagues_enquiry_and_is_not_offered_to(
    login, coordinator, other_coordinator, make
):
    theirs = make(assigned_to=other_coordinator)
    client = login(coordinator)
    assert 'class="bo-assign-to-me"' not in client.get(change_url(theirs)).content.decode()

    client.post(assign_url(theirs))

    theirs.refresh_from_db()
    assert theirs.assigned_to == other_coordinator


def test_a_lead_takes_a_colleagues_enquiry(login, lead, other_coordinator, make):
    theirs = make(assigned_to=other_coordinator)
    client = login(lead)
    assert 'class="bo-assign-to-me"' in client.get(change_url(theirs)).content.decode()
    client.post(assign_url(theirs))
    theirs.refresh_from_db()
    assert theirs.assigned_to == lead


def test_assign_to_me_is_a_post_only_for_who_works_enquiries(login, content_editor, enquiry):
    assert login(content_editor).post(assign_url(enquiry)).status_code == 403
    enquiry.refresh_from_db()
    assert enquiry.assigned_to is None


def test_assign_to_me_answers_a_get_with_405(login, coordinator, enquiry):
    assert login(coordinator).get(assign_url(enquiry)).status_code == 405
    enquiry.refresh_from_db()
    assert enquiry.assigned_to is None


# Contact.


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"preferred_contact_channel": "email"}, 'href="mailto:anna@example.org"'),
        (
            {"preferred_contact_channel": "phone", "phone": "+420 601 234 567"},
            'href="tel:+420601234567"',
        ),
        (
            {"preferred_contact_channel": "whatsapp", "phone": "+420601234567"},
            'href="https://wa.me/420601234567"',
        ),
    ],
)
def test_the_page_links_to_the_patients_chosen_channel(login, coordinator, make, fields, expected):
    html = login(coordinator).get(change_url(make(**fields))).content.decode()
    contact = html[html.index('class="module bo-contact"') :]
    contact = contact[: contact.index("</section>")]
    assert expected in contact
    assert 'href="mailto:anna@example.org"' in contact


def test_a_messenger_id_is_text_to_copy_escaped(login, coordinator, make):
    enquiry = make(preferred_contact_channel="telegram", messenger_id="<b>anna</b>")
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    contact = html[html.index('class="module bo-contact"') :]
    assert re.search(
        r'<span class="bo-copy-source" id="(bo-copy-\d+)" dir="ltr">&lt;b&gt;anna&lt;/b&gt;</span>'
        r'\s*<button type="button" class="button bo-copy" data-copy="\1"',
        contact,
    )
    assert "<b>anna</b>" not in html
    assert 'src="/static/js/copy-text.js"' in html


# Times.


def test_times_are_on_the_coordinators_clock_with_the_patients_beside(login, coordinator, make):
    calendar = WorkingCalendar.load()
    calendar.time_zone = "Asia/Shanghai"
    calendar.save()
    enquiry = make(submitted_at=datetime(2030, 5, 6, 6, 5, tzinfo=UTC), time_zone="UTC+03:00")
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    assert "May 6, 2030, 2:05 p.m.</time> (Asia/Shanghai)" in html
    assert "patient&#x27;s local time: 9:05 a.m. (UTC+03:00)" in html


def test_no_patients_time_when_they_chose_no_time_zone(login, coordinator, make):
    html = login(coordinator).get(change_url(make(time_zone=""))).content.decode()
    assert "local time" not in html


# Labels a person reads.


def test_the_page_reads_yes_no_and_file_kinds_not_true_and_mime_types(login, coordinator, enquiry):
    Consent.objects.create(
        enquiry=enquiry,
        kind="health_data_processing",
        given=True,
        text_version="2030-01",
        text="I agree.",
        language="en",
    )
    records.store(enquiry, pdf_file()).save()
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    assert "Processing of health data: given" in html
    assert "PDF document, 0.1 KB" in html
    assert "application/pdf" not in html
    assert "bytes" not in html
    assert 'alt="True"' not in html and 'alt="False"' not in html


def test_notes_are_one_add_a_note_box_and_the_written_ones_are_on_the_timeline(
    login, coordinator, enquiry
):
    marker = f"Called the family {uuid.uuid4()}"
    enquiry.add_note(marker, by=coordinator)
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    notes = html[html.index('id="notes-group"') :]
    notes = notes[: notes.index("</fieldset>")]
    assert ">Add a note</label>" in notes
    assert "<time" not in notes and marker not in notes
    timeline = html[html.index('id="bo-timeline-heading"') :]
    assert marker in timeline


def test_the_conversation_is_on_the_page_with_the_reply_form(login, coordinator, enquiry):
    marker = f"Is the PET-CT enough? {uuid.uuid4()}"
    case.send_message_from_patient(enquiry, marker, form_token=uuid.uuid4())
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    conversation = html[html.index('id="messages-group"') :]
    assert conversation.index(marker) < conversation.index('id="reply_form"')


def test_next_follows_a_list_filtered_by_city(login, coordinator, make):
    wuhan = City.objects.get(name="Wuhan")
    newer = make(email="a@example.org", submitted_at=NOW - timedelta(hours=1), cities=["Wuhan"])
    make(email="b@example.org", submitted_at=NOW - timedelta(hours=2), cities=["Beijing"])
    older = make(
        email="c@example.org", submitted_at=NOW - timedelta(hours=3), cities=["Wuhan", "Beijing"]
    )
    preserved = f"preferred_cities__id__exact={wuhan.pk}"
    html = page_with(login(coordinator), newer, preserved)
    kept = "?" + urlencode({"_changelist_filters": preserved})
    assert links(html, "next") == [change_url(older) + kept]

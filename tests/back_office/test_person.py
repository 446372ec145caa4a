"""The person, not the enquiry: enquiries linked by a shared email, phone, or name and year of
birth, however long the chain, are one person's. The enquiry page lists them, a coordinator
closes one as a duplicate of another, and a lead exports or erases the whole person."""

import io
import json
import uuid
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enquiries import records
from enquiries.models import AuditEntry, CaseLink, CaseMessage, Enquiry, EnquiryEvent
from enquiries.person import person_of
from tests.back_office.pages import (
    action,
    change_url,
    changelist_url,
    confirm_erasure,
    erase_people_url,
    page_choices,
)
from tests.factories import pdf_file

# New for each run: no page or table can hold these by chance.
RUN = uuid.uuid4().hex
MESSAGE = f"Personmark {RUN}: my scans are attached."


def unique_email(name):
    return f"{name}-{uuid.uuid4().hex[:8]}@example.org"


@pytest.fixture
def stranger(make):
    """Someone else entirely: no detail in common with the person below."""
    return make(email=unique_email("stranger"), phone="+4479460958", patient_name="Zoe Stranger")


@pytest.fixture
def three(make):
    """One person's three enquiries, linked only through each other: the first and the second
    share an email, the second and the third a phone (written differently); the first and the
    third share nothing. Newest last."""
    first = make(email=unique_email("anna"), phone="", patient_name="Anna Novak", birth_year=1970)
    second = make(
        email=first.email.upper(), phone="+420601123456", patient_name="A. Novak", birth_year=1970
    )
    third = make(
        email=unique_email("novak"),
        phone="+420 601 123 456",
        patient_name="Anna Novakova",
        birth_year=1971,
        diagnosis=Enquiry.Diagnosis.MULTIPLE_MYELOMA,
    )
    return first, second, third


def references(enquiries):
    return {enquiry.reference for enquiry in enquiries}


# Who the person is.


def test_enquiries_linked_through_another_are_one_persons(three, stranger):
    for each in three:
        assert references(person_of(each).enquiries) == references(three)


def test_each_enquiry_says_what_links_it(three):
    first, second, third = three
    others = {other.reference: other.links for other in person_of(first).others}
    assert others == {
        second.reference: ["same email"],
        third.reference: [f"same phone as {second.reference}"],
    }


def test_the_same_name_and_birth_year_links_too(make):
    one = make(email=unique_email("one"), patient_name="Li  Wei", birth_year=1980)
    two = make(email=unique_email("two"), patient_name="li wei", birth_year=1980)
    assert [other.links for other in person_of(one).others] == [["same name and birth year"]]
    assert references(person_of(one).enquiries) == references([one, two])


def chain(make, length):
    """Enquiries each linked only to the one before: by email, then phone, then email…"""
    enquiries = [make(email=unique_email("link"), phone="", patient_name=f"Link {RUN} 0")]
    for number in range(1, length):
        before = enquiries[-1]
        shared = {"email": before.email} if number % 2 else {"phone": f"+4207000000{number:02d}"}
        if "phone" in shared:
            before.phone = shared["phone"]
            before.save(update_fields=["phone"])
        enquiries.append(
            make(
                **{"email": unique_email("link"), "phone": "", **shared},
                patient_name=f"Link {RUN} {number}",
            )
        )
    return enquiries


def test_the_search_follows_three_links_and_says_when_it_stopped(make):
    enquiries = chain(make, 5)
    person = person_of(enquiries[0])
    assert references(person.enquiries) == references(enquiries[:4])
    assert not person.complete


def test_a_chain_of_three_links_is_found_whole(make):
    enquiries = chain(make, 4)
    assert references(person_of(enquiries[0]).enquiries) == references(enquiries)


def test_a_person_found_before_the_last_round_is_complete(make):
    enquiries = chain(make, 3)
    person = person_of(enquiries[0])
    assert references(person.enquiries) == references(enquiries)
    assert person.complete


def test_a_long_chain_costs_at_most_three_queries(make, django_assert_max_num_queries):
    enquiries = chain(make, 8)
    with django_assert_max_num_queries(3):
        person_of(enquiries[0])


def test_the_search_stops_at_its_limit_and_says_so(make):
    shared = unique_email("clinic")
    enquiries = [make(email=shared, patient_name=f"Patient {RUN} {n}") for n in range(5)]
    person = person_of(enquiries[0], max_enquiries=3)
    assert len(person.enquiries) == 3
    assert not person.complete


# The person panel.


def test_the_panel_lists_every_enquiry_of_the_person(login, coordinator, three, stranger):
    first, second, third = three
    page = login(coordinator).get(change_url(first)).content.decode()
    assert change_url(second) in page
    assert change_url(third) in page
    assert change_url(stranger) not in page
    assert "Multiple myeloma" in page
    assert f"same phone as {second.reference}" in page
    assert "This person&#x27;s enquiries" in page or "This person's enquiries" in page


def test_the_panel_costs_the_same_queries_for_one_or_six_duplicates(
    login, coordinator, make, django_assert_max_num_queries
):
    email = unique_email("anna")
    enquiry = make(email=email, phone="")
    make(email=email, phone="")
    client = login(coordinator)
    client.get(change_url(enquiry))  # the content type lookup, once per process
    with CaptureQueriesContext(connection) as one:
        client.get(change_url(enquiry))
    for _number in range(5):
        make(email=email, phone="")
    with (
        django_assert_max_num_queries(16, info="enquiry page with six duplicates"),
        CaptureQueriesContext(connection) as six,
    ):
        page = client.get(change_url(enquiry))
    assert page.content.decode().count("<td>same email, same name and birth year</td>") == 6
    assert len(six) == len(one)


def test_the_status_select_does_not_offer_duplicate(login, coordinator, enquiry):
    page = login(coordinator).get(change_url(enquiry))
    assert "duplicate" not in dict(page_choices(page, "status"))


# Closing as a duplicate.


def close_url(enquiry):
    return reverse("admin:enquiries_enquiry_close_as_duplicate", args=[enquiry.pk])


def test_a_coordinator_closes_an_enquiry_as_a_duplicate_from_the_panel(login, coordinator, three):
    first, second, _third = three
    client = login(coordinator)
    page = client.get(change_url(second)).content.decode()
    assert f"Close this enquiry as a duplicate of {first.reference}" in page

    response = client.post(close_url(second), {"of": first.pk}, follow=True)

    second.refresh_from_db()
    assert second.status == Enquiry.Status.DUPLICATE
    assert second.duplicate_of == first
    assert second.closed_at is not None
    assert f"{second.reference} was closed as a duplicate of {first.reference}." in (
        response.content.decode()
    )


def test_both_timelines_and_both_pages_say_so(login, coordinator, three):
    first, second, _third = three
    client = login(coordinator)
    client.post(close_url(second), {"of": first.pk})

    [closed] = second.events.filter(kind=EnquiryEvent.Kind.CLOSED_AS_DUPLICATE)
    [merged] = first.events.filter(kind=EnquiryEvent.Kind.DUPLICATE_CLOSED_INTO_THIS)
    assert str(closed.describe()) == f"Closed as a duplicate of {first.reference} (was: New)"
    assert str(merged.describe()) == f"{second.reference} was closed as a duplicate of this enquiry"
    assert closed.actor == merged.actor == coordinator

    duplicate_page = client.get(change_url(second)).content.decode()
    assert "Duplicate of" in duplicate_page
    assert f'<a href="{change_url(first)}">{first.reference}</a>' in duplicate_page
    surviving_page = client.get(change_url(first)).content.decode()
    assert (
        f'<a href="{change_url(second)}">{second.reference}</a> was closed as a duplicate of '
        "this one." in surviving_page
    )
    assert str(merged.describe()) in surviving_page
    # What was merged into it stays the one to follow: no button to close it in turn.
    assert "Close this enquiry as a duplicate of" not in surviving_page


def assert_refused(client, enquiry, other, words):
    response = client.post(close_url(enquiry), {"of": other.pk}, follow=True)
    assert words in response.content.decode()
    enquiry.refresh_from_db()
    assert enquiry.status == Enquiry.Status.NEW
    assert enquiry.duplicate_of is None
    assert not EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.CLOSED_AS_DUPLICATE).exists()


def test_it_refuses_another_persons_enquiry(login, coordinator, three, stranger):
    assert_refused(login(coordinator), three[0], stranger, "is not an enquiry of the same person")


def test_it_refuses_the_enquiry_itself(login, coordinator, three):
    assert_refused(login(coordinator), three[0], three[0], "cannot be a duplicate of itself")


def test_it_refuses_a_chain_and_points_to_the_surviving_one(login, coordinator, three):
    first, second, third = three
    second.close_as_duplicate_of(first, by=coordinator)
    EnquiryEvent.objects.filter(kind=EnquiryEvent.Kind.CLOSED_AS_DUPLICATE).delete()
    assert_refused(login(coordinator), third, second, "close this one as a duplicate of the")


def test_a_content_editor_gets_403_and_nothing_changes(login, content_editor, three):
    first, second, _third = three
    response = login(content_editor).post(close_url(second), {"of": first.pk})
    assert response.status_code == 403
    second.refresh_from_db()
    assert second.status == Enquiry.Status.NEW


def test_closing_needs_a_post(login, coordinator, three):
    first, second, _third = three
    response = login(coordinator).get(close_url(second) + f"?of={first.pk}")
    assert response.status_code == 405
    second.refresh_from_db()
    assert second.status == Enquiry.Status.NEW


def test_reopening_a_duplicate_makes_it_nobodys_duplicate(coordinator, three):
    first, second, _third = three
    second.close_as_duplicate_of(first, by=coordinator)
    second.change_status(Enquiry.Status.IN_REVIEW, by=coordinator)
    second.refresh_from_db()
    assert second.duplicate_of is None
    assert second.closed_at is None


# Export of the person.


def zip_of(response):
    assert response["Content-Type"] == "application/zip", response.status_code
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def folders(archive):
    return {name.split("/")[0] for name in archive.namelist()}


def test_exporting_one_enquiry_exports_the_whole_person(login, lead, three, stranger):
    third = three[2]
    archive = zip_of(action(login(lead), "export_patient_data", [third]))
    assert folders(archive) == references(three)
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED_PATIENT_DATA)
    assert {(e.enquiry_reference, e.details["person_of"]) for e in entries} == {
        (each.reference, third.reference) for each in three
    }


def test_the_page_button_exports_the_whole_person(login, lead, three):
    first, _second, _third = three
    client = login(lead)
    page = client.get(change_url(first)).content.decode()
    url = reverse("admin:enquiries_enquiry_export_person", args=[first.pk])
    assert url in page
    assert folders(zip_of(client.post(url))) == references(three)


def test_a_coordinator_cannot_export_a_person(login, coordinator, three):
    first = three[0]
    client = login(coordinator)
    url = reverse("admin:enquiries_enquiry_export_person", args=[first.pk])
    assert url not in client.get(change_url(first)).content.decode()
    assert client.post(url).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED_PATIENT_DATA).exists()


# Erasure of the person.


@pytest.fixture
def worked_three(three, coordinator):
    """The person's three enquiries, each with a file, a message, a note and a case-page link."""
    for each in three:
        records.store(each, pdf_file()).save()
        CaseMessage.objects.create(enquiry=each, sender="patient", text=MESSAGE)
        CaseLink.issue(each)
        each.add_note(f"Note {RUN}", by=coordinator)
    return three


def test_the_erasure_page_lists_every_enquiry_and_what_goes_with_it(
    login, lead, worked_three, stranger
):
    first = worked_three[0]
    page = action(login(lead), "erase_enquiries", [first])
    html = page.content.decode()
    assert page.status_code == 200
    for each in worked_three:
        assert each.reference in html
        assert f'name="enquiry" value="{each.pk}"' in html
    assert stranger.reference not in html
    assert "This erases 3 enquiries" in html
    # The totals row: 3 messages, 3 files, 3 notes, no consents, no emails, 3 links.
    assert "<td>3</td>\n          <td>3</td>\n          <td>3</td>\n          <td>0</td>" in html
    assert Enquiry.objects.count() == 4


def test_erasing_one_enquiry_erases_the_whole_person_with_files_and_messages(
    login, lead, worked_three, stranger, stored_files, django_capture_on_commit_callbacks
):
    first = worked_three[0]
    assert len(stored_files()) == 3
    client = login(lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_erasure(client, action(client, "erase_enquiries", [first]))

    assert response.status_code == 302
    assert list(Enquiry.objects.all()) == [stranger]
    assert stored_files() == []
    assert not CaseMessage.objects.filter(text=MESSAGE).exists()
    assert not CaseLink.objects.exists()
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ERASED_ENQUIRY)
    assert {(e.enquiry_reference, e.details["person_of"]) for e in entries} == {
        (each.reference, first.reference) for each in worked_three
    }


def test_the_page_button_opens_the_erasure_page_for_the_person(login, lead, worked_three):
    second = worked_three[1]
    client = login(lead)
    assert erase_people_url(second) in client.get(change_url(second)).content.decode().replace(
        "&amp;", "&"
    )
    page = client.get(erase_people_url(second))
    confirm_erasure(client, page)
    assert not Enquiry.objects.exists()


def test_only_what_the_page_listed_is_erased(login, lead, worked_three, make):
    first = worked_three[0]
    client = login(lead)
    page = action(client, "erase_enquiries", [first])
    # Written after the lead read the page: not on it, so not erased with it.
    late = make(email=first.email, patient_name="Anna Late")
    confirm_erasure(client, page)
    assert list(Enquiry.objects.all()) == [late]


def test_a_coordinator_gets_403_for_the_erasure_page_and_its_post(login, coordinator, three):
    first = three[0]
    client = login(coordinator)
    assert erase_people_url(first) not in client.get(change_url(first)).content.decode()
    assert client.get(erase_people_url(first)).status_code == 403
    response = client.post(
        reverse("admin:enquiries_enquiry_erase_people"),
        {"enquiry": first.pk, "confirm": "on", "apply": "1"},
    )
    assert response.status_code == 403
    assert Enquiry.objects.count() == 3


def test_one_enquiry_erased_reads_in_the_singular(login, lead, make):
    alone = make(email=unique_email("alone"), patient_name=f"Alone {RUN}")
    client = login(lead)
    response = confirm_erasure(client, client.get(erase_people_url(alone)))
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["1 enquiry erased."]


def test_one_enquiry_assigned_reads_in_the_singular(login, coordinator, enquiry):
    response = login(coordinator).post(
        changelist_url(),
        {"action": "assign_to_me", "index": 0, "_selected_action": [enquiry.pk]},
        follow=True,
    )
    assert "1 enquiry assigned to you." in response.content.decode()


def test_the_list_has_no_bulk_delete_and_the_delete_page_is_403_for_a_lead(login, lead, enquiry):
    client = login(lead)
    assert 'value="delete_selected"' not in client.get(changelist_url()).content.decode()
    url = reverse("admin:enquiries_enquiry_delete", args=[enquiry.pk])
    assert client.get(url).status_code == 403


def test_not_even_a_superuser_deletes_an_enquiry_through_the_admin(login, admin_user, enquiry):
    client = login(admin_user)
    assert 'value="delete_selected"' not in client.get(changelist_url()).content.decode()
    url = reverse("admin:enquiries_enquiry_delete", args=[enquiry.pk])
    assert url not in client.get(change_url(enquiry)).content.decode()
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()


def test_leads_no_longer_hold_the_delete_permission(lead):
    assert lead.has_perm("enquiries.erase_enquiry")
    assert not lead.has_perm("enquiries.delete_enquiry")


def test_it_refuses_to_close_what_another_was_closed_into(coordinator, three):
    first, second, third = three
    second.close_as_duplicate_of(first, by=coordinator)
    with pytest.raises(ValidationError, match="stays the one to follow"):
        first.close_as_duplicate_of(third, by=coordinator)
    first.refresh_from_db()
    assert first.status == Enquiry.Status.NEW


def test_the_export_says_which_enquiry_one_was_closed_as_a_duplicate_of(login, lead, three):
    first, second, _third = three
    second.close_as_duplicate_of(first, by=lead)
    archive = zip_of(action(login(lead), "export_patient_data", [first]))
    data = json.loads(archive.read(f"{second.reference}/enquiry.json"))
    assert data["enquiry"]["duplicate of"] == first.reference
    assert data["enquiry"]["status"] == "Closed: duplicate"

"""Possible duplicates: the same normalised email or phone, or the same name and birth year."""

import pytest

from enquiries.models import Enquiry
from tests.back_office.pages import change_url, changelist_url


def flagged():
    return {
        e.reference
        for e in Enquiry.objects.with_possible_duplicate_flag()
        if e.has_possible_duplicate
    }


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"email": "anna@example.org"}, {"email": "  Anna@Example.ORG "}),
        ({"phone": "+420601123456"}, {"phone": "+420 601 123 456"}),
        ({"patient_name": "Anna  Novak"}, {"patient_name": "anna novak"}),
    ],
    ids=["email", "phone", "name and birth year"],
)
def test_the_same_person_is_flagged_on_both_enquiries(make, first, second):
    unrelated = {"email": "", "phone": "", "patient_name": "", "birth_year": 1970}
    one = make(**{**unrelated, "email": "one@example.org", "patient_name": "X One", **first})
    two = make(**{**unrelated, "email": "two@example.org", "patient_name": "Y Two", **second})
    make(email="someone@else.org", patient_name="Someone Else", phone="+4479460958")
    assert flagged() == {one.reference, two.reference}


def test_the_same_name_born_another_year_is_not_a_duplicate(make):
    make(email="a@example.org", birth_year=1970)
    make(email="b@example.org", birth_year=1971)
    assert flagged() == set()


def test_blank_phones_never_match(make):
    make(email="a@example.org", patient_name="A", phone="")
    make(email="b@example.org", patient_name="B", phone="")
    assert flagged() == set()


def test_the_list_flags_them_and_each_page_links_to_the_other(login, coordinator, make):
    one = make(email="anna@example.org")
    two = make(email="ANNA@example.org", patient_name="Anna N.")
    client = login(coordinator)
    assert client.get(changelist_url()).content.decode().count("Possible duplicate") == 2
    assert change_url(two) in client.get(change_url(one)).content.decode()
    assert change_url(one) in client.get(change_url(two)).content.decode()


def test_changing_the_email_refreshes_the_key(make):
    enquiry = make(email="Old@Example.org")
    enquiry.email = "New@Example.org"
    enquiry.save(update_fields=["email"])
    assert Enquiry.objects.get(pk=enquiry.pk).email_key == "new@example.org"

"""Rules the models hold: references, cities, open and closed enquiries."""

import pytest

from enquiries import models
from enquiries.models import Enquiry
from tests.factories import make_enquiry
from therapy_info.programmes import City

pytestmark = pytest.mark.django_db


def test_references_avoid_characters_people_confuse():
    symbols = "".join(models.new_reference()[3:].replace("-", "") for _ in range(500))
    assert not set(symbols) & set("01OIL U")


def test_references_are_random():
    assert len({models.new_reference() for _ in range(1000)}) == 1000


def test_a_reference_collision_draws_a_new_reference(monkeypatch):
    taken = make_enquiry().reference
    draws = iter([taken, "CT-AAAA-BBBB"])
    monkeypatch.setattr("enquiries.models.enquiry.new_reference", lambda: next(draws))
    assert make_enquiry().reference == "CT-AAAA-BBBB"


def test_the_cities_with_car_t_centres_are_seeded():
    assert list(City.objects.values_list("name", flat=True)) == [
        "Beijing",
        "Tianjin",
        "Shanghai",
        "Guangzhou",
        "Shenzhen",
        "Wuhan",
        "Chengdu",
        "Hangzhou",
        "Suzhou",
    ]


def test_open_enquiries_exclude_closed_and_spam():
    new = make_enquiry()
    make_enquiry(status=Enquiry.Status.CLOSED_TREATED)
    make_enquiry(status=Enquiry.Status.SPAM)
    assert list(Enquiry.objects.open()) == [new]


def test_the_closed_statuses_are_the_four_closings_duplicate_and_spam():
    closed = {"closed_treated", "closed_not_eligible", "closed_withdrew", "closed_no_response"}
    assert set(Enquiry.CLOSED_STATUSES) == closed | {"duplicate", "spam"}


@pytest.mark.parametrize("status", Enquiry.Status.values)
def test_the_database_and_an_enquiry_in_memory_agree_on_what_is_open(status):
    enquiry = make_enquiry(status=status)
    assert Enquiry.objects.open().filter(pk=enquiry.pk).exists() == enquiry.is_open
    assert enquiry.is_open == (status not in Enquiry.CLOSED_STATUSES)

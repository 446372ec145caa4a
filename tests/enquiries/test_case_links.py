"""The patient's private links to their case page: random, stored only as a hash, expiring after a
period without use, and opening nothing for spam or anonymised enquiries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from enquiries.models import CaseLink, Enquiry
from enquiries.models.case import TOKEN_LENGTH, hash_token
from tests.factories import make_enquiry

pytestmark = pytest.mark.django_db

Found = CaseLink.Found


def test_a_link_opens_its_enquiry():
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)

    found, link = CaseLink.find(token)

    assert found is Found.OPEN
    assert link.enquiry == enquiry


def test_only_the_hash_of_the_token_is_stored():
    token = CaseLink.issue(make_enquiry())
    stored = CaseLink.objects.values_list("token_hash", flat=True).get()

    assert stored == hash_token(token)
    assert token not in stored
    assert len(token) == TOKEN_LENGTH


def test_every_link_is_different():
    enquiry = make_enquiry()
    assert len({CaseLink.issue(enquiry) for _ in range(50)}) == 50


@pytest.mark.parametrize(
    "tampered",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:-1],
        lambda token: token + "A",
        lambda token: token.upper() if token.upper() != token else token.lower(),
        lambda token: "",
        lambda token: token[:20] + "/" + token[21:],
    ],
    ids=["changed", "shortened", "lengthened", "case", "empty", "bad-character"],
)
def test_a_tampered_token_opens_nothing(tampered):
    token = CaseLink.issue(make_enquiry())
    assert CaseLink.find(tampered(token)) == (Found.UNKNOWN, None)


def test_a_link_expires_after_the_idle_period(settings):
    settings.CASE_LINK_IDLE_DAYS = 30
    issued = timezone.now()
    token = CaseLink.issue(make_enquiry(), now=issued)

    assert CaseLink.find(token, now=issued + timedelta(days=30))[0] is Found.OPEN
    assert CaseLink.find(token, now=issued + timedelta(days=30, seconds=1))[0] is Found.EXPIRED


def test_using_a_link_keeps_it_alive(settings):
    settings.CASE_LINK_IDLE_DAYS = 30
    issued = timezone.now()
    token = CaseLink.issue(make_enquiry(), now=issued)
    _found, link = CaseLink.find(token, now=issued + timedelta(days=20))
    link.touch(now=issued + timedelta(days=20))

    assert CaseLink.find(token, now=issued + timedelta(days=45))[0] is Found.OPEN


@pytest.mark.parametrize(
    "change",
    [
        lambda enquiry: setattr(enquiry, "status", Enquiry.Status.SPAM),
        lambda enquiry: setattr(enquiry, "anonymised_at", timezone.now()),
    ],
    ids=["spam", "anonymised"],
)
def test_a_spam_or_anonymised_enquiry_has_no_working_link(change):
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)
    change(enquiry)
    enquiry.save()

    assert CaseLink.find(token) == (Found.UNKNOWN, None)


def test_a_closed_enquiry_still_has_its_page():
    enquiry = make_enquiry(status=Enquiry.Status.CLOSED_TREATED)
    token = CaseLink.issue(enquiry)
    assert CaseLink.find(token)[0] is Found.OPEN


def test_an_erased_enquiry_takes_its_links_with_it():
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)
    enquiry.delete()

    assert CaseLink.find(token) == (Found.UNKNOWN, None)
    assert not CaseLink.objects.exists()


def test_a_malformed_token_is_refused_without_asking_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert CaseLink.find("x" * TOKEN_LENGTH + "'") == (Found.UNKNOWN, None)
        assert CaseLink.find("short") == (Found.UNKNOWN, None)

"""Every public page stays within its query budget on a cold cache (the worst case a reader meets).

A page that starts to cost more fails here by name: a new query per request on the home page is
a new query per campaign visitor. Budgets are today's counts; raise one only on purpose."""

import pytest
from django.urls import reverse

from enquiries.views import SESSION_REFERENCE
from tests.factories import make_enquiry

pytestmark = pytest.mark.django_db

# (page, URL, most queries allowed)
BUDGETS = [
    ("home", "/en/", 2),
    ("content page", "/en/car-t/car-t-cell-therapy/", 3),
    ("second content page", "/en/car-t/advantages-and-challenges/", 3),
    # The page, its references, its key figures; the published records checklists and their items.
    ("records page", "/en/car-t/preparing-medical-records/", 5),
    ("index of topics", "/en/car-t/", 1),
    ("questions (FAQ)", "/en/car-t/questions/", 1),
    # The notice in force, read once per content version and day (therapy_info.privacy_notice).
    ("privacy", "/en/privacy/", 1),
    ("contact", "/en/contact/", 0),
    # The active cities, and the published programmes of the "preferred hospital" (one query per
    # form version: enquiries.forms.published_programme_choices).
    ("enquiry form", "/en/start/", 2),
    # The published pages, and the published programmes.
    ("sitemap", "/sitemap.xml", 2),
    ("robots.txt", "/robots.txt", 0),
    ("health check", "/healthz", 1),
]


@pytest.mark.parametrize(
    ("page", "url", "budget"), BUDGETS, ids=[page for page, _url, _budget in BUDGETS]
)
def test_a_public_page_stays_within_its_query_budget(
    client, page, url, budget, django_assert_max_num_queries
):
    with django_assert_max_num_queries(budget, info=f"the {page} page ({url})"):
        response = client.get(url)

    assert response.status_code == 200, f"the {page} page ({url})"


def thank_you_page_for(client, enquiry):
    session = client.session
    session[SESSION_REFERENCE] = enquiry.reference
    session.save()
    return reverse("enquiries:thank_you")


def test_the_thank_you_page_stays_within_its_query_budget(client, django_assert_max_num_queries):
    enquiry = make_enquiry(diagnosis="multiple_myeloma")
    url = thank_you_page_for(client, enquiry)

    # The session (the reference travels in it), the enquiry with the checklist items its files
    # were sent as, the case link made for the page; on a cold cache, the diagnosis's records
    # checklist and its items (cached until the content changes).
    with django_assert_max_num_queries(5, info="the thank-you page"):
        response = client.get(url)

    assert response.status_code == 200
    assert enquiry.reference in response.content.decode()
    assert 'data-testid="case-link"' in response.content.decode()
    assert 'data-testid="records-to-send"' in response.content.decode()


def test_the_thank_you_page_costs_three_queries_once_the_checklist_is_cached(
    client, django_assert_num_queries
):
    client.get(thank_you_page_for(client, make_enquiry(diagnosis="multiple_myeloma")))
    url = thank_you_page_for(client, make_enquiry(diagnosis="multiple_myeloma"))

    # What the page cost before it showed the records that help: the session, the enquiry, the
    # case link.
    with django_assert_num_queries(3, info="the thank-you page, checklist cached"):
        response = client.get(url)

    assert 'data-testid="records-to-send"' in response.content.decode()

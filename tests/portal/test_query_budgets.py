"""Every public page stays within its query budget on a cold cache (the worst case a reader meets).

A page that starts to cost more fails here by name: a new query per request on the home page is
a new query per campaign visitor. Budgets are today's counts; raise one only on purpose."""

import pytest
from django.urls import reverse

from enquiries.views import SESSION_REFERENCE

pytestmark = pytest.mark.django_db

# (page, URL, most queries allowed)
BUDGETS = [
    ("home", "/en/", 2),
    ("content page", "/en/car-t/car-t-cell-therapy/", 3),
    ("second content page", "/en/car-t/advantages-and-challenges/", 3),
    ("index of topics", "/en/car-t/", 1),
    ("questions (FAQ)", "/en/car-t/questions/", 1),
    # The notice in force, read once per content version and day (therapy_info.privacy_notice).
    ("privacy", "/en/privacy/", 1),
    ("contact", "/en/contact/", 0),
    ("enquiry form", "/en/start/", 1),
    ("sitemap", "/sitemap.xml", 1),
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


def test_the_thank_you_page_stays_within_its_query_budget(client, django_assert_max_num_queries):
    session = client.session
    session[SESSION_REFERENCE] = "CT-2345-6789"
    session.save()

    # The session is the one query: the reference travels in it.
    with django_assert_max_num_queries(1, info="the thank-you page"):
        response = client.get(reverse("enquiries:thank_you"))

    assert response.status_code == 200
    assert "CT-2345-6789" in response.content.decode()

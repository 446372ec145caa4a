"""The form page: what a patient sees before sending anything."""

import re

import pytest

from therapy_info.programmes import City

pytestmark = pytest.mark.django_db


def test_it_shows_the_form_in_sections(client, start_url):
    response = client.get(start_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<fieldset") >= 7
    assert "<legend" in html


def city_choices(html):
    """The form without its preferred hospital (whose choices are grouped by city, active or not:
    a hospital stays a hospital when its city leaves the cities' list)."""
    return re.sub(r'<select name="preferred_programme".*?</select>', "", html, flags=re.S)


def test_it_offers_the_active_cities_in_order(client, start_url, cities):
    cities["Tianjin"].active = False
    cities["Tianjin"].save()
    html = city_choices(client.get(start_url).content.decode())
    assert "Tianjin" not in html
    assert html.index("Beijing") < html.index("Shanghai") < html.index("Suzhou")


def hidden_value(html, name):
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


def test_each_visit_gets_its_own_submission_token_although_the_form_is_cached(client, start_url):
    first = client.get(start_url).content.decode()
    second = client.get(start_url).content.decode()

    assert hidden_value(first, "submission_token")
    assert hidden_value(first, "submission_token") != hidden_value(second, "submission_token")


def test_the_page_a_patient_came_from_is_carried_although_the_form_is_cached(client, start_url):
    client.get(start_url)

    html = client.get(f"{start_url}?from=car-t-cell-therapy&utm_source=newsletter").content.decode()

    assert hidden_value(html, "source_page_slug") == "car-t-cell-therapy"
    assert hidden_value(html, "utm_source") == "newsletter"


def test_a_city_a_coordinator_adds_is_on_the_form_at_once(client, start_url):
    client.get(start_url)

    City.objects.create(name="Xi'an", order=99)

    assert "Xi&#x27;an" in client.get(start_url).content.decode()


def test_a_city_a_coordinator_retires_leaves_the_form_at_once(client, start_url, cities):
    client.get(start_url)

    cities["Wuhan"].active = False
    cities["Wuhan"].save()

    assert "Wuhan" not in city_choices(client.get(start_url).content.decode())

"""The form page: what a patient sees before sending anything."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_shows_the_form_in_sections(client, start_url):
    response = client.get(start_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<fieldset") >= 7
    assert "<legend" in html


def test_it_offers_the_active_cities_in_order(client, start_url, cities):
    cities["Tianjin"].active = False
    cities["Tianjin"].save()
    html = client.get(start_url).content.decode()
    assert "Tianjin" not in html
    assert html.index("Beijing") < html.index("Shanghai") < html.index("Suzhou")

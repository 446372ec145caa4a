"""The home page: what CAR-T is, the key figures with their citations, the call to enquire."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_page_explains_car_t_and_invites_an_enquiry(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "T cells" in content
    assert "Start My Medical Treatment" in content
    assert 'href="/en/start/"' in content


def test_home_page_shows_the_key_figures_with_their_citations(client):
    content = client.get(reverse("home")).content.decode()

    for figure in ("83%", "58%", "73"):
        assert figure in content
    assert "#ref-2" in content
    assert "#ref-3" in content

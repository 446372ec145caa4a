"""City names in the four languages of the form, written by leads: the form and the enquiry list
name each city in the reader's language (the form's cached HTML is per language), and only leads
change the cities."""

import re
import uuid

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import translation

from enquiries.admin import EnquiryAdmin, list_rows
from enquiries.models import Enquiry
from tests.back_office.pages import changelist_url
from tests.factories import make_enquiry
from therapy_info.programmes import City

pytestmark = pytest.mark.django_db

BEIJING = {"en": "Beijing", "zh-hans": "北京", "ru": "Пекин", "ar": "بكين"}


def form_in(client, language):
    with translation.override(language):
        url = reverse("enquiries:start")
    return client.get(url).content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "ar"])
def test_the_form_names_the_cities_in_the_readers_language(client, language):
    # Another language's form drawn first: the cached empty form must not be served across them.
    for other in BEIJING:
        if other != language:
            form_in(client, other)

    html = form_in(client, language)

    assert BEIJING[language] in html
    assert all(name not in html for code, name in BEIJING.items() if code != language)


def test_every_seeded_city_has_its_four_names():
    for city in City.objects.all():
        assert all(getattr(city, f"name_{code}") for code in ("en", "zh_hans", "ru", "ar")), city


def test_a_leads_new_russian_name_is_on_the_form_at_once(client, login, lead):
    form_in(client, "ru")
    beijing = City.objects.get(name_en="Beijing")
    new_name = f"Пекин {uuid.uuid4().hex}"
    data = {
        "name_en": "Beijing",
        "name_zh_hans": "北京",
        "name_ru": new_name,
        "name_ar": "بكين",
        "active": "on",
        "order": beijing.order,
    }

    response = login(lead).post(reverse("admin:therapy_info_city_change", args=[beijing.pk]), data)

    assert response.status_code == 302
    assert new_name in form_in(client, "ru")


def test_a_coordinator_sees_the_cities_but_cannot_change_them(login, coordinator):
    browser = login(coordinator)
    beijing = City.objects.get(name_en="Beijing")
    change_url = reverse("admin:therapy_info_city_change", args=[beijing.pk])

    assert browser.get(reverse("admin:therapy_info_city_changelist")).status_code == 200
    response = browser.post(change_url, {"name_en": "Renamed", "active": "on", "order": 1})

    assert response.status_code == 403
    beijing.refresh_from_db()
    assert beijing.name_en == "Beijing"


def test_a_lead_writes_the_arabic_name_right_to_left(login, lead):
    beijing = City.objects.get(name_en="Beijing")

    response = login(lead).get(reverse("admin:therapy_info_city_change", args=[beijing.pk]))
    html = response.content.decode()
    at = html.index('name="name_ar"')
    tag = html[html.rindex("<", 0, at) : html.index(">", at)]

    assert 'dir="rtl"' in tag and 'lang="ar"' in tag


def listed_places(coordinator, language):
    """What the enquiry list shows under the patient's name, row by row, in `language`."""
    request = RequestFactory().get(changelist_url())
    request.user = coordinator
    request.resolver_match = resolve(changelist_url())
    with translation.override(language):
        changelist = EnquiryAdmin(Enquiry, admin.site).get_changelist_instance(request)
        rows = list(list_rows.rows(changelist))
    return [re.search(r'class="bo-where">([^<]*)<', "".join(row)).group(1) for row in rows]


def listed_cities(coordinator, language):
    """The cities the list shows for each row, after the patient's country."""
    return [places.split(" · ")[1:] for places in listed_places(coordinator, language)]


@pytest.mark.parametrize("language", ["en", "zh-hans", "ru", "ar"])
def test_the_list_names_the_cities_in_the_readers_language_in_the_forms_order(
    coordinator, language
):
    wuhan, beijing = City.objects.get(name_en="Wuhan"), City.objects.get(name_en="Beijing")
    City.objects.filter(pk=wuhan.pk).update(order=1)
    City.objects.filter(pk=beijing.pk).update(order=2)
    enquiry = make_enquiry()
    enquiry.preferred_cities.set([beijing, wuhan])

    wuhan_name = {"en": "Wuhan", "zh-hans": "武汉", "ru": "Ухань", "ar": "ووهان"}[language]
    assert listed_cities(coordinator, language) == [[wuhan_name, BEIJING[language]]]


def test_the_list_names_a_city_the_cities_filter_did_not_read(coordinator, monkeypatch):
    # Added after the filter read its choices, or no cities filter at all: named all the same.
    monkeypatch.setattr(
        EnquiryAdmin,
        "list_filter",
        [name for name in EnquiryAdmin.list_filter if name != "preferred_cities"],
    )
    enquiry = make_enquiry()
    enquiry.preferred_cities.set([City.objects.get(name_en="Beijing")])

    assert listed_cities(coordinator, "ru") == [["Пекин"]]

"""The main menu marks the section a reader is in: the questions page is "Questions and answers",
every other CAR-T page (and their index) is "About CAR-T"."""

import re

import pytest

pytestmark = pytest.mark.django_db

MAIN_MENU = re.compile(r'<ul class="nav site-nav">(.*?)</ul>', re.S)
CURRENT_LINK = re.compile(r'<a class="nav-link" href="([^"]+)" aria-current="page">([^<]+)</a>')


def current_menu_items(response):
    menu = MAIN_MENU.search(response.content.decode()).group(1)
    return CURRENT_LINK.findall(menu)


@pytest.mark.parametrize(
    ("language", "questions_label"),
    [("en", "Questions and answers"), ("ru", "Вопросы и ответы")],
)
def test_the_questions_page_marks_only_questions_and_answers(client, language, questions_label):
    response = client.get(f"/{language}/car-t/questions/")

    assert current_menu_items(response) == [(f"/{language}/car-t/questions/", questions_label)]


@pytest.mark.parametrize(("language", "about_label"), [("en", "About CAR-T"), ("ru", "О CAR-T")])  # noqa: RUF001
def test_a_car_t_page_marks_only_about_car_t(client, page, language, about_label):
    response = client.get(f"/{language}/car-t/{page.slug}/")

    assert current_menu_items(response) == [(f"/{language}/car-t/", about_label)]


def test_the_index_of_car_t_pages_marks_only_about_car_t(client):
    response = client.get("/en/car-t/")

    assert current_menu_items(response) == [("/en/car-t/", "About CAR-T")]


def test_the_contact_page_marks_only_contact(client):
    response = client.get("/en/contact/")

    assert current_menu_items(response) == [("/en/contact/", "Contact")]

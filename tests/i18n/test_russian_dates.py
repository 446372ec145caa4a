"""Russian dates end in the abbreviation of "year" and its full stop: a sentence that ends with a
date must not add a stop of its own, or the reader sees two."""

import datetime
import re

import pytest

from tests.i18n.catalogs import catalog
from therapy_info.editorial import PageReview
from therapy_info.models import Page

pytestmark = pytest.mark.django_db

DOUBLE_STOP = "г.."  # noqa: RUF001
DATE_PLACEHOLDER_THEN_STOP = re.compile(r"%\(\w*date\w*\)s\.|\{\{\s*\w*date\w*\s*\}\}\.")


def test_the_review_and_update_dates_of_a_russian_page_end_with_a_single_stop(client):
    page = Page.objects.get(slug="car-t-cell-therapy")
    PageReview.objects.create(page=page, language="ru", reviewed_on=datetime.date(2026, 5, 1))

    content = client.get("/ru/car-t/car-t-cell-therapy/").content.decode()

    assert "Медицинская проверка: 1 мая 2026 г." in content  # noqa: RUF001
    assert "Последнее обновление: " in content
    assert DOUBLE_STOP not in content


def test_the_privacy_notice_version_date_ends_with_a_single_stop(client):
    content = client.get("/ru/privacy/").content.decode()

    assert "Версия 2, действует с 28 ноября 2026 г." in content  # noqa: RUF001
    assert DOUBLE_STOP not in content


def test_no_russian_message_puts_a_stop_after_a_date():
    wrong = [
        entry.msgid
        for entry in catalog("ru")
        if not entry.obsolete and DATE_PLACEHOLDER_THEN_STOP.search(entry.msgstr)
    ]

    assert wrong == []

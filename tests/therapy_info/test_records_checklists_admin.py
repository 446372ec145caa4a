"""The records checklists in the admin: content editors (the role's group, as the migrations grant
it) edit a checklist and its items on one page; coordinators cannot; a saved item keeps its key;
a translated text changed asks for a new review of the checklist in that language."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from therapy_info.models import TRANSLATION_LANGUAGES, localized
from therapy_info.records_checklists import ChecklistItem, RecordsChecklist

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:therapy_info_recordschecklist_changelist")
# The role groups the enquiries migrations create (therapy_info never names enquiries' roles).
CONTENT_EDITORS = "Content editors"
COORDINATORS = "Coordinators"


def change_url(checklist):
    return reverse("admin:therapy_info_recordschecklist_change", args=[checklist.pk])


@pytest.fixture
def staff_in(django_user_model, client):
    """A logged-in client for a staff member of the given role group."""

    def make(group_name):
        user = django_user_model.objects.create_user(
            username=group_name.replace(" ", "-"), password="a long test password", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group_name))
        client.force_login(user)
        return client

    return make


@pytest.fixture
def myeloma():
    return RecordsChecklist.objects.get(diagnosis="multiple_myeloma")


def columns(names):
    return [localized(name, code) for name in names for code, _name in settings.LANGUAGES]


def form_data(checklist, **changes):
    """What the change form posts for the checklist as stored, with changes by column name
    ("label_ru" changes the first item's Russian label)."""
    data = {name: getattr(checklist, name) for name in columns(RecordsChecklist.TRANSLATED_TEXTS)}
    data["diagnosis"] = checklist.diagnosis
    if checklist.is_published:
        data["is_published"] = "on"
    for code in TRANSLATION_LANGUAGES:
        if getattr(checklist, localized("translation_reviewed", code)):
            data[localized("translation_reviewed", code)] = "on"
    items = list(checklist.items.order_by("order", "pk"))
    data.update(
        {
            "items-TOTAL_FORMS": len(items),
            "items-INITIAL_FORMS": len(items),
            "items-MIN_NUM_FORMS": 0,
            "items-MAX_NUM_FORMS": 1000,
        }
    )
    for index, item in enumerate(items):
        prefix = f"items-{index}-"
        data[prefix + "id"] = item.pk
        data[prefix + "checklist"] = checklist.pk
        data[prefix + "key"] = item.key
        data[prefix + "order"] = item.order
        if item.required:
            data[prefix + "required"] = "on"
        for name in columns(RecordsChecklist.ITEM_TEXTS):
            data[prefix + name] = getattr(item, name) or ""
    for name, value in changes.items():
        key = f"items-0-{name}" if name.split("_")[0] in ("label", "explanation", "key") else name
        data[key] = value
    return data


def test_a_content_editor_edits_an_items_text(staff_in, myeloma):
    client = staff_in(CONTENT_EDITORS)
    first = myeloma.items.order_by("order").first()

    assert client.get(LIST_URL).status_code == 200
    assert 'name="items-0-label_ru"' in client.get(change_url(myeloma)).content.decode()
    response = client.post(change_url(myeloma), form_data(myeloma, label_en="Bone marrow report"))

    assert response.status_code == 302
    first.refresh_from_db()
    assert first.label_en == "Bone marrow report"
    assert first.history.latest().label_en == "Bone marrow report"


def test_a_content_editor_adds_a_checklist_for_a_diagnosis(staff_in):
    client = staff_in(CONTENT_EDITORS)
    data = {
        "diagnosis": "other_blood_cancer",
        "title_en": "Records that help the hospital decide",
        "introduction_en": "Send what you have.",
        "is_published": "on",
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 0,
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
        "items-0-key": "pathology_report",
        "items-0-order": 10,
        "items-0-required": "on",
        "items-0-label_en": "The report that confirmed the diagnosis",
        "items-0-explanation_en": "It names the exact type of cancer.",
    }

    assert client.get(reverse("admin:therapy_info_recordschecklist_add")).status_code == 200
    response = client.post(reverse("admin:therapy_info_recordschecklist_add"), data)

    assert response.status_code == 302
    checklist = RecordsChecklist.objects.get(diagnosis="other_blood_cancer")
    assert [(item.key, item.required) for item in checklist.items.all()] == [
        ("pathology_report", True)
    ]
    assert checklist.translation_state("ru") == "missing"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_can_neither_see_nor_change_the_checklists(staff_in, myeloma, method):
    client = staff_in(COORDINATORS)
    title = myeloma.title_en

    response = getattr(client, method)(
        change_url(myeloma), form_data(myeloma, title_en="Changed") if method == "post" else None
    )

    assert response.status_code == 403
    assert client.get(LIST_URL).status_code == 403
    assert RecordsChecklist.objects.get(pk=myeloma.pk).title_en == title


def test_a_saved_items_key_cannot_change(staff_in, myeloma):
    client = staff_in(CONTENT_EDITORS)
    first = myeloma.items.order_by("order").first()

    response = client.post(change_url(myeloma), form_data(myeloma, key="bone_marrow"))

    assert response.status_code == 200
    assert "The key of a saved item never changes" in response.content.decode()
    assert ChecklistItem.objects.get(pk=first.pk).key == first.key


def test_changing_an_items_translation_asks_for_a_new_review_of_that_language(staff_in, myeloma):
    RecordsChecklist.objects.filter(pk=myeloma.pk).update(
        translation_reviewed_ru=True, translation_reviewed_ar=True
    )
    myeloma.refresh_from_db()
    client = staff_in(CONTENT_EDITORS)

    client.post(change_url(myeloma), form_data(myeloma, label_ru="Заключение по костному мозгу"))

    myeloma.refresh_from_db()
    assert myeloma.translation_state("ru") == "current"
    assert not myeloma.translation_reviewed_ru
    assert myeloma.translation_reviewed_ar
    assert myeloma.translation_state("ar") == "current"


def test_the_list_reads_the_items_of_every_checklist_in_one_query(staff_in):
    client = staff_in(CONTENT_EDITORS)
    client.get(LIST_URL)
    with CaptureQueriesContext(connection) as before:
        client.get(LIST_URL)
    RecordsChecklist.objects.create(diagnosis="other_blood_cancer", title="T", introduction="I")

    with CaptureQueriesContext(connection) as after:
        response = client.get(LIST_URL)

    assert "other_blood_cancer" in response.content.decode()
    assert len(after) == len(before)

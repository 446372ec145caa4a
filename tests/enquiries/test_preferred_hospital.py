"""The form's optional "preferred hospital": the published programmes grouped by city in the
reader's language, preselected by "Start my treatment here" (?programme=<slug>), stored with the
enquiry, shown to coordinators and in the patient's data export; an unknown or unpublished
programme is ignored, never an error; the cached empty form follows the programmes."""

import re

import pytest
from django.db import OperationalError, connection

from enquiries import patient_rights
from enquiries.models import Enquiry
from tests.factories import make_enquiry, make_published_programme, valid_form_data
from therapy_info.programmes import Programme

pytestmark = pytest.mark.django_db


def selected_programme(html):
    """The value of the preferred hospital's selected option ("" for none)."""
    select = re.search(r'<select name="preferred_programme".*?</select>', html, re.S).group(0)
    chosen = re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)
    return chosen[0] if chosen else ""


@pytest.fixture
def programme():
    return make_published_programme(city="Shanghai")


def test_the_form_offers_the_published_programmes_grouped_by_city(client, start_url):
    beijing = make_published_programme(city="Beijing")
    shanghai = make_published_programme(city="Shanghai")
    draft = make_published_programme(status=Programme.Status.DRAFT)

    html = client.get(start_url).content.decode()

    beijing_group = html.split('<optgroup label="Beijing">')[1].split("</optgroup>")[0]
    shanghai_group = html.split('<optgroup label="Shanghai">')[1].split("</optgroup>")[0]
    assert f'value="{beijing.slug}"' in beijing_group
    assert f'value="{shanghai.slug}"' in shanghai_group
    assert draft.slug not in html
    assert selected_programme(html) == ""


def test_the_city_groups_are_named_in_the_readers_language(client, programme):
    html = client.get("/ru/start/").content.decode()

    assert '<optgroup label="Шанхай">' in html


def test_start_my_treatment_here_preselects_the_programme(client, start_url, programme):
    client.get(start_url)

    html = client.get(start_url, {"programme": programme.slug}).content.decode()

    assert selected_programme(html) == programme.slug


def test_the_cached_empty_form_keeps_each_preselection_apart(client, start_url, programme):
    other = make_published_programme()
    client.get(start_url, {"programme": programme.slug})

    html = client.get(start_url, {"programme": other.slug}).content.decode()
    plain = client.get(start_url).content.decode()

    assert selected_programme(html) == other.slug
    assert selected_programme(plain) == ""


@pytest.mark.parametrize("slug", ["no-such-hospital", "../etc", "x" * 300, "unpublished"])
def test_a_programme_in_the_link_that_is_not_published_gets_the_plain_cached_form(
    client, start_url, slug, django_assert_num_queries
):
    if slug == "unpublished":
        slug = make_published_programme(status=Programme.Status.DRAFT).slug
    client.get(start_url)

    # The empty form already drawn: no form of its own (nor a cache entry) per made-up link.
    with django_assert_num_queries(0):
        response = client.get(start_url, {"programme": slug})

    assert response.status_code == 200
    assert selected_programme(response.content.decode()) == ""


def test_a_preselected_form_drawn_before_costs_no_query(
    client, start_url, programme, django_assert_num_queries
):
    client.get(start_url, {"programme": programme.slug})

    with django_assert_num_queries(0):
        response = client.get(start_url, {"programme": programme.slug})

    assert selected_programme(response.content.decode()) == programme.slug


def test_a_programme_published_later_is_on_the_form_at_once(client, start_url):
    client.get(start_url)
    draft = make_published_programme(status=Programme.Status.DRAFT)

    draft.status = Programme.Status.PUBLISHED
    draft.save()

    assert f'value="{draft.slug}"' in client.get(start_url).content.decode()


def test_a_programme_renamed_is_renamed_on_the_form_at_once(client, start_url, programme):
    client.get(start_url)

    programme.name = "A renamed hospital"
    programme.save()

    assert "A renamed hospital" in client.get(start_url).content.decode()


def test_the_chosen_programme_is_stored_with_the_enquiry(submit, programme):
    response = submit(valid_form_data(preferred_programme=programme.slug))

    assert response.status_code == 302
    assert Enquiry.objects.get().preferred_programme == programme


def test_no_choice_stores_no_programme(submit):
    assert submit(valid_form_data()).status_code == 302

    assert Enquiry.objects.get().preferred_programme is None


@pytest.mark.parametrize("which", ["unknown", "unpublished since"])
def test_a_programme_that_is_not_published_is_dropped_and_the_enquiry_taken(submit, which):
    slug = "no-such-hospital"
    if which == "unpublished since":
        slug = make_published_programme(status=Programme.Status.DRAFT).slug

    response = submit(valid_form_data(preferred_programme=slug))

    assert response.status_code == 302
    assert Enquiry.objects.get().preferred_programme is None


def test_a_programme_chosen_is_kept_on_the_page_shown_during_a_database_outage(
    client, start_url, submit, programme
):
    client.get(start_url)

    def refuse(execute, sql, params, many, context):
        if sql.lstrip().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            return execute(sql, params, many, context)
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        response = submit(valid_form_data(preferred_programme=programme.slug))

    assert response.status_code == 503
    assert selected_programme(response.content.decode()) == programme.slug


def test_coordinators_see_the_preferred_hospital_on_the_enquiry(login, coordinator, programme):
    enquiry = make_enquiry(preferred_programme=programme)

    content = login(coordinator).get(f"/admin/enquiries/enquiry/{enquiry.pk}/change/")

    assert content.status_code == 200
    assert (
        f'<a href="{programme.get_absolute_url()}">{programme.name}</a> (Shanghai)'
        in content.content.decode()
    )


def test_the_patients_data_export_names_the_preferred_hospital(programme):
    enquiry = make_enquiry(preferred_programme=programme)

    described = patient_rights.describe(enquiry)

    assert described["enquiry"]["preferred hospital"] == f"{programme.name} (Shanghai)"

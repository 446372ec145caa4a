"""The programmes in the admin: content editors (the role's group, as the migrations grant it)
write a programme with its sources, offers and outcomes on one page, choose each fact's source
among the programme's own, get field-level errors, and see which facts' sources nobody has checked
for six months; coordinators cannot edit programmes."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_published_programme
from therapy_info.programmes import STALE_AFTER, Programme

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:therapy_info_programme_changelist")
PROGRAMME_MODELS = ["programme", "programmesource", "programmeoffer", "programmeoutcome"]


def row_of(content, programme):
    """The list's row of the programme."""
    return next(row for row in content.split("<tr") if f">{programme.name}</a>" in row)


def change_url(programme):
    return reverse("admin:therapy_info_programme_change", args=[programme.pk])


def _posted(value):
    """A form value as a browser posts it (None and False: not posted at all)."""
    if value is None or value is False:
        return None
    if value is True:
        return "on"
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def form_data(response, **changes):
    """What the change page posts as it stands (its form and inline formsets), with changes."""
    data = {}

    def add(form):
        for name in form.fields:
            value = _posted(form[name].value())
            if value is not None:
                data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def editor_client(login, content_editor):
    return login(content_editor)


@pytest.fixture
def programme():
    return make_published_programme()


def test_a_content_editor_changes_a_programme_and_its_history_records_it(editor_client, programme):
    marker = f"A new summary {uuid.uuid4().hex}"
    page = editor_client.get(change_url(programme))

    response = editor_client.post(change_url(programme), form_data(page, summary_en=marker))

    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.summary_en == marker
    assert programme.history.first().summary_en == marker


def test_a_content_editor_adds_a_programme(editor_client):
    slug = f"new-{uuid.uuid4().hex[:8]}"
    page = editor_client.get(reverse("admin:therapy_info_programme_add"))
    beijing = Programme._meta.get_field("city").related_model.objects.get(name_en="Beijing")

    response = editor_client.post(
        reverse("admin:therapy_info_programme_add"),
        form_data(page, name_en="A new hospital", slug=slug, city=beijing.pk),
    )

    assert response.status_code == 302
    assert Programme.objects.get(slug=slug).status == Programme.Status.DRAFT


def test_content_editors_hold_every_permission_on_programmes_and_coordinators_none():
    editors = Group.objects.get(name="Content editors")
    coordinators = Group.objects.get(name="Coordinators")
    # All but where referrals go (test_programme_contact.py): that is the lead coordinators'.
    wanted = Permission.objects.filter(
        content_type__app_label="therapy_info",
        content_type__model__in=[*PROGRAMME_MODELS, *(f"historical{m}" for m in PROGRAMME_MODELS)],
    ).exclude(codename="change_programme_contact")

    assert set(wanted) <= set(editors.permissions.all())
    assert {p.codename for p in wanted if p.codename.startswith("change_")} >= {
        f"change_{model}" for model in PROGRAMME_MODELS
    }
    assert not set(wanted) & set(coordinators.permissions.all())


def test_a_coordinator_cannot_open_or_change_programmes(login, coordinator, programme):
    client = login(coordinator)

    assert client.get(LIST_URL).status_code == 403
    assert client.get(change_url(programme)).status_code == 403
    assert client.post(change_url(programme), {"summary_en": "x"}).status_code == 403


def test_a_facts_source_is_chosen_among_the_programmes_own_sources(editor_client, programme):
    other = make_published_programme()

    form = editor_client.get(change_url(programme)).context["adminform"].form

    choices = list(form.fields["languages_source"].queryset)
    assert choices == [programme.sources.get()]
    assert other.sources.get() not in form.fields["website_source"].queryset
    offer_form = (
        editor_client.get(change_url(programme))
        .context["inline_admin_formsets"][1]
        .formset.forms[0]
    )
    assert list(offer_form.fields["source"].queryset) == [programme.sources.get()]


def test_a_fact_without_its_source_is_refused_on_the_source_field(editor_client, programme):
    page = editor_client.get(change_url(programme))

    response = editor_client.post(
        change_url(programme), form_data(page, languages_en="English, Arabic")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["languages_source"] == ["A stated fact needs its source."]
    programme.refresh_from_db()
    assert not programme.languages_en


def test_an_amount_without_a_currency_is_refused_on_the_currency_field(editor_client, programme):
    page = editor_client.get(change_url(programme))
    source = programme.sources.get()

    response = editor_client.post(
        change_url(programme),
        form_data(
            page, price_from="150000.00", price_quoted_on="2026-01-15", price_source=source.pk
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["price_currency"] == ["An amount needs its currency."]


def test_a_source_link_must_be_https(editor_client, programme):
    page = editor_client.get(change_url(programme))

    response = editor_client.post(
        change_url(programme), form_data(page, **{"sources-0-url": "http://example.org/a"})
    )

    assert response.status_code == 200
    source_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert source_form.errors["url"] == ["Enter an https:// link."]


def test_an_offers_diseases_are_ticked_boxes(editor_client, programme):
    page = editor_client.get(change_url(programme))

    response = editor_client.post(
        change_url(programme),
        form_data(page, **{"offers-0-diseases": ["multiple_myeloma", "cll"]}),
    )

    assert response.status_code == 302
    assert programme.offers.get().diseases == ["multiple_myeloma", "cll"]
    content = page.content.decode()
    assert 'type="checkbox" name="offers-0-diseases" value="multiple_myeloma"' in content


def test_ticking_verified_by_our_team_records_the_day_and_unticking_clears_it(
    editor_client, programme
):
    page = editor_client.get(change_url(programme))

    editor_client.post(change_url(programme), form_data(page, verified_by_team="on"))
    programme.refresh_from_db()
    ticked_on = programme.verified_by_team_on
    editor_client.post(
        change_url(programme),
        form_data(editor_client.get(change_url(programme)), verified_by_team=None),
    )
    programme.refresh_from_db()

    assert ticked_on == timezone.localdate()
    assert programme.verified_by_team_on is None


# ---- Facts older than six months ---------------------------------------------------------------


@pytest.fixture
def stale_programme():
    programme = make_published_programme()
    programme.sources.filter(number=1).update(
        last_verified_on=timezone.localdate() - STALE_AFTER - datetime.timedelta(days=1)
    )
    return programme


def test_the_list_counts_each_programmes_sources_to_check_again(
    editor_client, stale_programme, programme
):
    content = editor_client.get(LIST_URL).content.decode()

    stale_row = row_of(content, stale_programme)
    fresh_row = row_of(content, programme)
    assert "1 source to check" in stale_row
    assert "source to check" not in fresh_row


def test_the_filter_shows_the_programmes_with_facts_older_than_six_months(
    editor_client, stale_programme, programme
):
    stale = editor_client.get(LIST_URL, {"stale": "yes"}).content.decode()
    fresh = editor_client.get(LIST_URL, {"stale": "no"}).content.decode()

    assert stale_programme.name in stale
    assert programme.name not in stale
    assert programme.name in fresh
    assert stale_programme.name not in fresh


def test_a_source_verified_just_within_six_months_is_not_stale(editor_client):
    programme = make_published_programme()
    programme.sources.update(last_verified_on=timezone.localdate() - STALE_AFTER)

    assert programme.name not in editor_client.get(LIST_URL, {"stale": "yes"}).content.decode()


def test_the_change_page_highlights_the_sources_to_check_again(editor_client, stale_programme):
    content = editor_client.get(change_url(stale_programme)).content.decode()

    assert "Last verified more than 6 months ago:" in content
    assert "Older than 6 months: check the source again and update the date." in content


def test_the_list_runs_a_fixed_number_of_queries(editor_client, django_assert_max_num_queries):
    for _ in range(5):
        make_published_programme()
    editor_client.get(LIST_URL)

    with django_assert_max_num_queries(12):
        editor_client.get(LIST_URL)


def test_an_editor_deletes_a_programme_with_its_sources_offers_and_outcomes(
    editor_client, programme
):
    delete_url = reverse("admin:therapy_info_programme_delete", args=[programme.pk])

    response = editor_client.post(delete_url, {"post": "yes"})

    assert response.status_code == 302
    assert not Programme.objects.filter(pk=programme.pk).exists()


def test_a_source_an_offer_cites_cannot_be_deleted_alone(editor_client, programme):
    page = editor_client.get(change_url(programme))

    response = editor_client.post(
        change_url(programme), form_data(page, **{"sources-0-DELETE": "on"})
    )

    assert programme.sources.count() == 1
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in (
        response.content.decode()
    )

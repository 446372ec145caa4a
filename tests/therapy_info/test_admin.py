"""The admin for editors: bad input gets a clear error and saves nothing; publish, revert."""

import datetime
import re
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from therapy_info.models import BODY_MAX_LENGTH, Page, PrivacyNotice

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:therapy_info_page_add")
# The admin edits each language's column; these tests write the English one.
ENGLISH_COLUMNS = {
    "title": "title_en",
    "summary": "summary_en",
    "body": "body_en",
    "references-0-citation": "references-0-citation_en",
}


# The medical reviews' inline (read-only for editors: they post only its management form).
REVIEWS_MANAGEMENT_FORM = {
    "reviews-TOTAL_FORMS": 0,
    "reviews-INITIAL_FORMS": 0,
    "reviews-MIN_NUM_FORMS": 0,
    "reviews-MAX_NUM_FORMS": 1000,
}


def in_english_columns(data):
    return {ENGLISH_COLUMNS.get(name, name): value for name, value in data.items()}


def page_form(**overrides):
    """What the admin's page form posts: the page fields and the two inline formsets."""
    data = {
        "title": "Living with CAR-T",
        "slug": "living-with-car-t",
        "summary": "What daily life after CAR-T looks like.",
        "body": "Patients are monitored closely [1].",
        "status": Page.Status.DRAFT,
        "navigation_order": 100,
        **REVIEWS_MANAGEMENT_FORM,
        "references-TOTAL_FORMS": 1,
        "references-INITIAL_FORMS": 0,
        "references-MIN_NUM_FORMS": 0,
        "references-MAX_NUM_FORMS": 1000,
        "references-0-number": 1,
        "references-0-citation": "A monitoring study.",
        "references-0-url": "",
        "key_figures-TOTAL_FORMS": 0,
        "key_figures-INITIAL_FORMS": 0,
        "key_figures-MIN_NUM_FORMS": 0,
        "key_figures-MAX_NUM_FORMS": 1000,
    }
    data.update(overrides)
    return in_english_columns(data)


def errors_of(response):
    """All error messages the admin shows: field, form and inline formset errors."""
    messages = []
    for field_errors in response.context["adminform"].form.errors.values():
        messages.extend(field_errors)
    for inline in response.context["inline_admin_formsets"]:
        messages.extend(inline.formset.non_form_errors())
        for form_errors in inline.formset.errors:
            for field_errors in form_errors.values():
                messages.extend(field_errors)
    return messages


def test_an_editor_adds_a_page_with_its_references_and_linked_citations(editor_client):
    response = editor_client.post(ADD_URL, page_form())

    assert response.status_code == 302
    page = Page.objects.get(slug="living-with-car-t")
    assert page.references.get().citation == "A monitoring study."
    assert 'href="#ref-1"' in page.body_html


def test_the_saved_page_records_who_changed_it(editor_client, editor):
    editor_client.post(ADD_URL, page_form())

    assert Page.objects.get(slug="living-with-car-t").history.get().history_user == editor


def test_an_empty_title_is_refused(editor_client):
    response = editor_client.post(ADD_URL, page_form(title=""))

    assert response.status_code == 200
    assert "This field is required." in errors_of(response)
    assert not Page.objects.filter(slug="living-with-car-t").exists()


def test_a_slug_used_by_another_page_is_refused(editor_client, page):
    response = editor_client.post(ADD_URL, page_form(slug=page.slug))

    assert "Information page with this Address (slug) already exists." in errors_of(response)
    assert Page.objects.filter(slug=page.slug).count() == 1


def test_the_address_of_the_questions_page_is_refused(editor_client):
    response = editor_client.post(ADD_URL, page_form(slug="questions"))

    assert any("address of another part of the site" in error for error in errors_of(response))


def test_a_citation_of_a_missing_reference_is_refused_and_nothing_is_saved(editor_client):
    response = editor_client.post(
        ADD_URL, page_form(body="Cited [1], [4] and [9].", **{"references-0-number": 1})
    )

    assert errors_of(response) == [
        "The text cites [4], [9], but this page has no references with those numbers. "
        "Add the references below or remove the markers from the text."
    ]
    assert not Page.objects.filter(slug="living-with-car-t").exists()


def test_deleting_a_reference_the_text_still_cites_is_refused(editor_client, page):
    reference = page.references.get()
    data = page_form(
        title=page.title,
        slug=page.slug,
        body=page.body,
        **{
            "references-INITIAL_FORMS": 1,
            "references-0-id": reference.pk,
            "references-0-page": page.pk,
            "references-0-DELETE": "on",
        },
    )

    response = editor_client.post(reverse("admin:therapy_info_page_change", args=[page.pk]), data)

    assert "[1]" in errors_of(response)[0]
    assert page.references.exists()


def test_a_one_megabyte_body_is_refused_and_nothing_is_saved(editor_client):
    response = editor_client.post(ADD_URL, page_form(body="x" * 1_000_000))

    assert (
        f"Ensure this value has at most {BODY_MAX_LENGTH} characters (it has 1000000)."
        in errors_of(response)
    )
    assert not Page.objects.filter(slug="living-with-car-t").exists()


def test_a_script_typed_by_an_editor_is_stored_harmless(editor_client):
    body = (
        '<script>alert(1)</script><img src=x onerror="alert(1)"> [click](javascript:alert(1)) [1]'
    )

    editor_client.post(ADD_URL, page_form(body=body))

    html = Page.objects.get(slug="living-with-car-t").body_html
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_the_page_list_shows_status_and_who_changed_it_last(
    admin_client, page, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:therapy_info_page_changelist"))

    content = response.content.decode()
    assert page.title in content
    assert "Published (everyone can see it)" in content


def test_the_page_list_offers_a_preview_of_a_draft(admin_client, draft):
    content = admin_client.get(reverse("admin:therapy_info_page_changelist")).content.decode()

    assert f'href="/en/car-t/{draft.slug}/" target="_blank" rel="noopener">Preview</a>' in content


def test_the_publish_action_publishes_the_selected_drafts(admin_client, draft, admin_user):
    admin_client.post(
        reverse("admin:therapy_info_page_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_at is not None
    assert draft.history.latest().history_user == admin_user


def test_the_unpublish_action_turns_pages_back_into_drafts(admin_client, page):
    admin_client.post(
        reverse("admin:therapy_info_page_changelist"),
        {"action": "unpublish", "_selected_action": [page.pk]},
    )

    page.refresh_from_db()
    assert page.status == Page.Status.DRAFT


def test_the_history_shows_what_changed(admin_client, page):
    page.title = "A clearer title"
    page.save()

    response = admin_client.get(reverse("admin:therapy_info_page_history", args=[page.pk]))

    content = response.content.decode()
    assert "A clearer title" in content
    assert "What CAR-T is" in content


def test_an_editor_reverts_a_draft_to_an_earlier_revision(admin_client, draft):
    page = draft
    first_revision = page.history.earliest()
    page.body = "A mistaken rewrite without sources."
    page.save()

    old = first_revision.instance
    response = admin_client.post(
        reverse("admin:therapy_info_page_simple_history", args=[page.pk, first_revision.pk]),
        in_english_columns(
            {
                "title": old.title,
                "slug": old.slug,
                "summary": old.summary,
                "body": old.body,
                "status": old.status,
                "navigation_order": old.navigation_order,
            }
        ),
    )

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "CAR-T uses a patient's own T cells [1]."
    assert 'href="#ref-1"' in page.body_html
    assert page.history.count() == 3


def test_a_key_figure_can_only_cite_a_reference_of_its_own_page(admin_client, make_page):
    page = make_page(references=[1, 2])
    make_page(title="Other", slug="other", references=[7])

    response = admin_client.get(reverse("admin:therapy_info_page_change", args=[page.pk]))

    key_figures = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "key_figures"
    )
    choices = key_figures.formset.empty_form.fields["reference"].queryset
    assert sorted(reference.number for reference in choices) == [1, 2]


def test_the_privacy_notice_list_marks_the_version_in_force_in_a_fixed_number_of_queries(
    admin_client, django_assert_num_queries
):
    # Before the shipped version 2 (2026-11-28) takes effect: "2026-01" is the latest in effect.
    with time_machine.travel("2026-06-01 12:00Z"):
        url = reverse("admin:therapy_info_privacynotice_changelist")
        admin_client.get(url)  # Session and user loaded once; the count below is the list's own.
        with CaptureQueriesContext(connection) as one_version:
            admin_client.get(url)
        for year in range(2090, 2095):
            PrivacyNotice.objects.create(
                version=str(year), effective_on=datetime.date(year, 1, 1), body="Later."
            )
        PrivacyNotice.objects.create(
            version="2026-01", effective_on=datetime.date(2026, 1, 1), body="In force."
        )

        with django_assert_num_queries(len(one_version)):
            response = admin_client.get(url)

        rows = dict(
            re.findall(r'<th class="field-version"><a [^>]+>([^<]+)</a>(.*?)</tr>', response.text)
        )
        assert len(rows) == 8
        assert 'alt="True"' in rows["2026-01"]
        assert all('alt="False"' in row for version, row in rows.items() if version != "2026-01")


def test_saving_a_page_with_three_new_references_renders_it_once(editor_client):
    three_references = {
        "body": "Monitored closely [1], for months [2], at home [3].",
        "references-TOTAL_FORMS": 3,
        "references-0-citation": "Study number 1.",
        **{
            field: value
            for number in (1, 2, 3)
            for field, value in {
                f"references-{number - 1}-number": number,
                f"references-{number - 1}-citation_en": f"Study number {number}.",
                f"references-{number - 1}-url": "",
            }.items()
        },
    }

    with mock.patch.object(Page, "render", autospec=True, side_effect=Page.render) as render:
        response = editor_client.post(ADD_URL, page_form(**three_references))

    assert response.status_code == 302
    assert render.call_count == 1
    html = Page.objects.get(slug="living-with-car-t").body_html
    assert all(f'href="#ref-{number}"' in html for number in (1, 2, 3))


def test_renumbering_a_pages_references_renders_it_once(editor_client, make_page):
    # A draft: a published page's change waits as a pending revision (test_editorial_workflow).
    page = make_page(body="First [1], then [2].", references=(1, 2), status=Page.Status.DRAFT)
    first, second = page.references.order_by("number")
    data = page_form(
        title=page.title_en,
        slug=page.slug,
        summary=page.summary_en,
        body="First [3], then [4].",
        status=Page.Status.DRAFT,
        **{
            "references-TOTAL_FORMS": 2,
            "references-INITIAL_FORMS": 2,
            "references-0-id": first.pk,
            "references-0-page": page.pk,
            "references-0-number": 3,
            "references-0-citation": "Citation number 1",
            "references-1-id": second.pk,
            "references-1-page": page.pk,
            "references-1-number": 4,
            "references-1-citation_en": "Citation number 2",
            "references-1-url": "",
        },
    )
    url = reverse("admin:therapy_info_page_change", args=[page.pk])

    with mock.patch.object(Page, "render", autospec=True, side_effect=Page.render) as render:
        response = editor_client.post(url, data)

    assert response.status_code == 302
    assert render.call_count == 1
    page.refresh_from_db()
    assert 'href="#ref-3"' in page.body_html
    assert 'href="#ref-4"' in page.body_html

"""The medical review workflow: a change to a published page waits as a pending revision until it
is published; staff preview it; only reviewers record a medical review, per language, and a
published change to a language's medical text clears that language's review; history shows word
differences and revert brings back the references and key figures; each language's fields are
edited in their own direction; line endings are not changes."""

import datetime
import uuid

import pytest
import time_machine
from django.forms import CheckboxInput
from django.urls import reverse

from portal.page_cache import content_version
from therapy_info.editorial import FaqEntryRevision, PageReview, PageRevision
from therapy_info.models import KeyFigure, Page

pytestmark = pytest.mark.django_db

SHIPPED = "car-t-cell-therapy"


def change_url(page):
    return reverse("admin:therapy_info_page_change", args=[page.pk])


def posted(response, **changes):
    """What the admin's change form posts when sent as shown, with some fields changed."""
    data = {}
    forms = [response.context["adminform"].form]
    # The revert form has the page's fields only.
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for field in formset.management_form:
            data[field.html_name] = field.value()
        forms.extend(formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            else:
                data[field.html_name] = "" if value is None else value
    data.update(changes)
    return data


def save_through_admin(client, page, **changes):
    form = client.get(change_url(page))
    assert form.status_code == 200
    return client.post(change_url(page), posted(form, **changes))


def publish(client, revision):
    url = reverse("admin:therapy_info_page_pending_revision", args=[revision.page_id, revision.pk])
    return client.post(url, {"publish": "Publish"})


@pytest.fixture
def reviewer(make_staff):
    return make_staff("medical_reviewer", first_name="Rita", last_name="Reviewer")


@pytest.fixture
def editor_browser(login, content_editor):
    return login(content_editor)


@pytest.fixture
def reviewer_browser(login, reviewer):
    return login(reviewer)


# Pending revisions.


def test_an_editors_change_to_a_published_page_waits_until_it_is_published(
    editor_browser, client, page
):
    new_text = f"A rewritten paragraph {uuid.uuid4().hex} [1]."

    response = save_through_admin(editor_browser, page, body_en=new_text)

    assert response.status_code == 302
    page.refresh_from_db()
    assert new_text not in page.body
    assert new_text not in client.get(page.get_absolute_url()).content.decode()
    revision = PageRevision.objects.pending().get(page=page)
    assert revision.values["body_en"] == new_text


def test_publishing_the_revision_changes_the_live_page_its_references_and_history(
    editor_browser, client, page
):
    marker = f"A rewritten paragraph {uuid.uuid4().hex}"
    new_text = f"{marker} [1]."
    new_citation = f"A verifiable publication {uuid.uuid4().hex}"
    save_through_admin(
        editor_browser, page, body_en=new_text, **{"references-0-citation_en": new_citation}
    )
    revision = PageRevision.objects.pending().get(page=page)
    revisions_before, version_before = page.history.count(), content_version()

    response = publish(editor_browser, revision)

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == new_text
    assert page.references.get().citation == new_citation
    assert page.history.count() == revisions_before + 1
    assert content_version() != version_before
    shown = client.get(page.get_absolute_url()).content.decode()
    assert marker in shown and new_citation in shown
    revision.refresh_from_db()
    assert revision.status == PageRevision.Status.PUBLISHED


def test_the_revision_shows_its_changes_word_by_word_with_a_publish_button(editor_browser, page):
    save_through_admin(editor_browser, page, body_en="CAR-T uses a patient's own immune cells [1].")
    revision = PageRevision.objects.pending().get(page=page)
    url = reverse("admin:therapy_info_page_pending_revision", args=[page.pk, revision.pk])

    content = editor_browser.get(url).content.decode()

    assert "<del>T </del><ins>immune </ins>" in content
    assert 'name="publish"' in content


def test_without_the_publish_permission_a_revision_cannot_be_published(editor_client, page):
    # tests/therapy_info/conftest.py's editor may edit pages but holds no publish permission.
    save_through_admin(editor_client, page, body_en="An unpublishable change [1].")
    revision = PageRevision.objects.pending().get(page=page)
    url = reverse("admin:therapy_info_page_pending_revision", args=[page.pk, revision.pk])

    assert 'name="publish"' not in editor_client.get(url).content.decode()
    assert publish(editor_client, revision).status_code == 403
    page.refresh_from_db()
    assert "unpublishable" not in page.body


def test_a_draft_is_still_edited_directly(editor_browser, draft):
    new_text = f"Draft text {uuid.uuid4().hex} [1]."

    save_through_admin(editor_browser, draft, body_en=new_text)

    draft.refresh_from_db()
    assert draft.body == new_text
    assert not PageRevision.objects.filter(page=draft).exists()


def test_staff_preview_the_pending_revision_as_readers_would_see_it(editor_browser, page):
    marker = f"Previewed text {uuid.uuid4().hex}"
    save_through_admin(editor_browser, page, body_en=f"{marker} [1].")
    revision = PageRevision.objects.pending().get(page=page)
    url = reverse(
        "therapy_info:pending_revision", kwargs={"slug": page.slug, "revision_id": revision.pk}
    )

    response = editor_browser.get(url)

    content = response.content.decode()
    assert response.status_code == 200
    assert marker in content
    assert '<meta name="robots" content="noindex, nofollow">' in content
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["anonymous", "coordinator"])
def test_the_preview_of_a_pending_revision_is_not_found_by_anyone_else(
    who, editor_browser, client, login, coordinator, page
):
    save_through_admin(editor_browser, page, body_en="Not for the public yet [1].")
    revision = PageRevision.objects.pending().get(page=page)
    url = reverse(
        "therapy_info:pending_revision", kwargs={"slug": page.slug, "revision_id": revision.pk}
    )
    browser = client if who == "anonymous" else login(coordinator)

    assert browser.get(url).status_code == 404


# The medical reviewer's role.


def test_a_medical_reviewer_never_sees_the_enquiries(reviewer_browser):
    response = reviewer_browser.get(reverse("admin:enquiries_enquiry_changelist"))

    assert response.status_code == 403


def test_a_reviewer_records_the_review_of_a_language(reviewer_browser, reviewer, page):
    response = save_through_admin(
        reviewer_browser,
        page,
        **{
            "reviews-TOTAL_FORMS": 1,
            "reviews-0-language": "ru",
            "reviews-0-reviewed_on": "2026-05-01",
            "reviews-0-reviewer_name": "Dr. R. Example, haematologist",
        },
    )

    assert response.status_code == 302
    review = PageReview.objects.get(page=page)
    assert (review.language, review.reviewed_by) == ("ru", reviewer)
    # Recording a review changes no text: nothing waits to be published.
    assert not PageRevision.objects.exists()


def test_a_recorded_review_is_on_the_public_page_at_once(reviewer_browser, client, page):
    client.get(page.get_absolute_url())  # now in the page cache
    name = f"Dr. {uuid.uuid4().hex}"

    save_through_admin(
        reviewer_browser,
        page,
        **{
            "reviews-TOTAL_FORMS": 1,
            "reviews-0-language": "en",
            "reviews-0-reviewed_on": "2026-05-01",
            "reviews-0-reviewer_name": name,
        },
    )

    assert name in client.get(page.get_absolute_url()).content.decode()


def test_an_editors_forged_review_is_ignored(editor_browser, page):
    form = editor_browser.get(change_url(page))
    assert 'name="reviews-0-reviewed_on"' not in form.content.decode()

    editor_browser.post(
        change_url(page),
        posted(
            form,
            **{
                "reviews-TOTAL_FORMS": 1,
                "reviews-0-language": "en",
                "reviews-0-reviewed_on": "2026-05-01",
                "reviews-0-reviewer_name": "Forged",
            },
        ),
    )

    assert not PageReview.objects.exists()


def test_the_public_page_shows_the_review_of_the_readers_language(client, page):
    PageReview.objects.create(
        page=page, language="en", reviewed_on="2026-03-01", reviewer_name="Dr. E. English"
    )

    english = client.get(page.get_absolute_url()).content.decode()
    russian = client.get(f"/ru/car-t/{page.slug}/").content.decode()

    assert "Dr. E. English" in english
    assert "Dr. E. English" not in russian


def test_changing_the_russian_text_clears_only_the_russian_review(editor_browser, page):
    for language in ("en", "ru"):
        PageReview.objects.create(
            page=page, language=language, reviewed_on="2026-03-01", reviewer_name="Dr. Example"
        )
    save_through_admin(editor_browser, page, body_ru="Новый текст [1].")

    publish(editor_browser, PageRevision.objects.pending().get(page=page))

    assert list(PageReview.objects.filter(page=page).values_list("language", flat=True)) == ["en"]


def test_publishing_a_change_of_a_source_clears_every_languages_review(editor_browser, page):
    for language in ("en", "ar"):
        PageReview.objects.create(
            page=page, language=language, reviewed_on="2026-03-01", reviewer_name="Dr. Example"
        )
    save_through_admin(editor_browser, page, **{"references-0-url": "https://doi.org/10.1/x"})

    publish(editor_browser, PageRevision.objects.pending().get(page=page))

    assert not PageReview.objects.filter(page=page).exists()


@time_machine.travel("2026-06-01 12:00Z", tick=False)
def test_a_review_older_than_twelve_months_is_due(admin_client, make_page):
    due = make_page(title="Reviewed long ago", slug="reviewed-long-ago")
    recent = make_page(title="Reviewed lately", slug="reviewed-lately")
    PageReview.objects.create(
        page=due, language="en", reviewed_on=datetime.date(2025, 5, 31), reviewer_name="Dr. A"
    )
    PageReview.objects.create(
        page=recent, language="en", reviewed_on=datetime.date(2025, 6, 2), reviewer_name="Dr. B"
    )

    response = admin_client.get(
        reverse("admin:therapy_info_page_changelist"), {"medical_review": "due"}
    )

    assert [page.slug for page in response.context["cl"].result_list] == [due.slug]
    assert "review due" in response.content.decode()


# History and revert.


def test_the_history_shows_a_word_difference_per_language(admin_client, page):
    page.body_ru = "Старый текст про клетки."
    page.save()
    page.body_ru = "Новый текст про клетки <script>."
    page.save()

    content = admin_client.get(
        reverse("admin:therapy_info_page_history", args=[page.pk])
    ).content.decode()

    assert "<del>Старый </del><ins>Новый </ins>текст про " in content
    assert "&lt;script&gt;" in content
    assert "chars]" not in content


def test_revert_brings_back_the_references_and_key_figures_of_that_revision(editor_browser, draft):
    KeyFigure.objects.create(page=draft, value="83%", label="old figure", reference=None)
    save_through_admin(editor_browser, draft, **{"references-0-citation_en": "The old source"})
    old_revision = draft.history.order_by("-history_date", "-history_id").first()
    save_through_admin(
        editor_browser,
        draft,
        **{"references-0-citation_en": "A wrong source", "key_figures-0-label_en": "wrong"},
    )
    revert_url = reverse("admin:therapy_info_page_simple_history", args=[draft.pk, old_revision.pk])

    response = editor_browser.post(revert_url, posted(editor_browser.get(revert_url)))

    assert response.status_code == 302
    assert draft.references.get().citation == "The old source"
    assert draft.key_figures.get().label == "old figure"


def test_reverting_a_published_page_waits_as_a_pending_revision(editor_browser, page):
    save_through_admin(editor_browser, page, **{"references-0-citation_en": "The old source"})
    publish(editor_browser, PageRevision.objects.pending().get(page=page))
    old_revision = page.history.order_by("-history_date", "-history_id").first()
    save_through_admin(editor_browser, page, **{"references-0-citation_en": "A wrong source"})
    publish(editor_browser, PageRevision.objects.pending().get(page=page))
    revert_url = reverse("admin:therapy_info_page_simple_history", args=[page.pk, old_revision.pk])

    editor_browser.post(revert_url, posted(editor_browser.get(revert_url)))

    assert page.references.get().citation == "A wrong source"
    publish(editor_browser, PageRevision.objects.pending().get(page=page))
    assert page.references.get().citation == "The old source"


# Languages in the admin.


def test_each_languages_fields_are_edited_in_its_direction_and_language(admin_client, page):
    content = admin_client.get(change_url(page)).content.decode()

    assert 'dir="rtl"' in _tag(content, 'name="body_ar"')
    assert 'lang="ar"' in _tag(content, 'name="body_ar"')
    assert 'dir="rtl"' in _tag(content, 'name="title_ar"')
    assert 'lang="zh-Hans"' in _tag(content, 'name="title_zh_hans"')
    assert 'lang="ru"' in _tag(content, 'name="summary_ru"')
    assert "rtl" not in _tag(content, 'name="body_ru"')
    assert 'dir="rtl"' in _tag(content, 'name="references-0-citation_ar"')


def _tag(content, marker):
    at = content.index(marker)
    return content[content.rindex("<", 0, at) : content.index(">", at)]


def test_saving_a_shipped_page_unchanged_with_crlf_keeps_its_translations_states(admin_client):
    page = Page.objects.get(slug=SHIPPED)
    # The English changed since the Russian was made: outdated, until someone translates it.
    Page.objects.filter(pk=page.pk).update(body_en=page.body_en + "\n\nA new paragraph.")
    page.refresh_from_db()
    states = {code: page.translation_state(code) for code in ("zh-hans", "ru", "ar")}
    assert states["ru"] == "outdated"
    form = admin_client.get(change_url(page))
    data = posted(form)
    crlf = {
        name: value.replace("\n", "\r\n")
        for name, value in data.items()
        if isinstance(value, str) and "\n" in value
    }
    assert "body_ru" in crlf

    admin_client.post(change_url(page), {**data, **crlf})
    revision = PageRevision.objects.pending().filter(page=page).first()
    if revision is not None:
        publish(admin_client, revision)

    page.refresh_from_db()
    assert {code: page.translation_state(code) for code in states} == states
    assert "\r" not in page.body_ru


# Questions and answers.


def faq_change_url(entry):
    return reverse("admin:therapy_info_faqentry_change", args=[entry.pk])


def test_a_change_to_a_published_question_waits_until_it_is_published(
    editor_browser, client, make_faq_entry
):
    entry = make_faq_entry()
    marker = f"A corrected answer {uuid.uuid4().hex}"
    form = editor_browser.get(faq_change_url(entry))

    editor_browser.post(faq_change_url(entry), posted(form, answer_en=marker))

    faq_url = reverse("therapy_info:faq")
    assert marker not in client.get(faq_url).content.decode()
    revision = FaqEntryRevision.objects.pending().get(entry=entry)
    preview_url = reverse(
        "therapy_info:pending_question_revision", kwargs={"revision_id": revision.pk}
    )
    assert client.get(preview_url).status_code == 404
    preview = editor_browser.get(preview_url)
    assert marker in preview.content.decode()
    assert "no-cache" in preview["Cache-Control"]
    publish_url = reverse(
        "admin:therapy_info_faqentry_pending_revision", args=[entry.pk, revision.pk]
    )

    editor_browser.post(publish_url, {"publish": "Publish"})

    assert marker in client.get(faq_url).content.decode()


def test_the_history_of_a_question_shows_a_word_difference(admin_client, make_faq_entry):
    entry = make_faq_entry(answer="Prices differ between hospitals.")
    entry.answer = "Prices differ widely between hospitals."
    entry.save()

    content = admin_client.get(
        reverse("admin:therapy_info_faqentry_history", args=[entry.pk])
    ).content.decode()

    assert "differ <ins>widely </ins>between" in content

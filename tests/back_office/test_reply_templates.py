"""Reply templates: lead coordinators keep them per language, placeholders checked when saved;
coordinators use them from the enquiry page, in the patient's language unless they choose another,
told when a template lacks that language, and never given a guessed first name or a case link in
the message that is stored."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from enquiries import replies
from enquiries.models import CaseLink, CaseMessage, ReplyTemplate
from enquiries.models.replies import check_template_text
from tests.back_office.pages import change_url, page_value, reply_form_data, reply_url

EVERY_PLACEHOLDER = {
    "text_en": "Dear {first_name}, this is {coordinator_name} about {reference}: see {case_link}.",
    "text_ru": "Здравствуйте, {first_name}! Это {coordinator_name}, обращение {reference}: "
    "{case_link}.",
}


@pytest.fixture
def template(db):
    return ReplyTemplate.objects.create(name="Records needed", **EVERY_PLACEHOLDER)


@pytest.fixture
def russian_enquiry(make):
    return make(language="ru", patient_name="Иванов Иван Иванович", country="RU")


def open_reply_page(client, enquiry, typed=""):
    """The reply page as "Use a template…" on the enquiry page opens it."""
    page = client.get(change_url(enquiry))
    return client.post(reply_url(enquiry), reply_form_data(page, button="use_template", text=typed))


def fill_in(client, enquiry, template, language=None):
    """The reply page after "Fill in the message" with the template (and language) chosen."""
    page = open_reply_page(client, enquiry)
    data = reply_form_data(page, button="fill")
    data["template"] = str(template.pk)
    if language:
        data["language"] = language
    return client.post(reply_url(enquiry), data)


def message_box(page):
    return page_value(page, "reply-text", form_id="reply_form")


def notices(page):
    return re.findall(r'<li class="warning">(.*?)</li>', page.content.decode(), flags=re.S)


# Using a template.


def test_the_reply_page_starts_in_the_patients_language(login, coordinator, russian_enquiry):
    page = open_reply_page(login(coordinator), russian_enquiry)

    assert page_value(page, "language", form_id="reply_form") == "ru"


def test_a_template_fills_the_reply_in_the_patients_language(
    login, coordinator, russian_enquiry, template
):
    page = fill_in(login(coordinator), russian_enquiry, template)

    assert message_box(page) == (
        f"Здравствуйте, Иван! Это Cora, обращение {russian_enquiry.reference}: "
        "страница вашего обращения."
    )
    assert notices(page) == []


def test_the_coordinator_may_choose_another_language(login, coordinator, russian_enquiry, template):
    page = fill_in(login(coordinator), russian_enquiry, template, language="en")

    assert message_box(page) == (
        f"Dear Иван, this is Cora about {russian_enquiry.reference}: see your case page."
    )


def test_a_template_without_the_language_says_so_and_gives_the_english(
    login, coordinator, make, template
):
    enquiry = make(language="ar", patient_name="Anna Novak")

    page = fill_in(login(coordinator), enquiry, template)

    assert message_box(page).startswith("Dear Anna, this is Cora")
    assert notices(page) == [
        "“Records needed” has no Arabic text: the English text is filled in instead. Translate "
        "it before sending, or ask a lead coordinator to add it."
    ]


def test_the_filled_in_reply_is_sent_as_shown_without_any_link(
    login, coordinator, russian_enquiry, template
):
    client = login(coordinator)
    page = fill_in(client, russian_enquiry, template)

    response = client.post(reply_url(russian_enquiry), reply_form_data(page))

    assert response.status_code == 302
    message = CaseMessage.objects.get()
    assert message.text == message_box(page)
    assert "страница вашего обращения" in message.text
    assert "http" not in message.text and "/case/" not in message.text
    # Filling in and sending issued no link: the email will, when it is written.
    assert not CaseLink.objects.exists()


def test_a_first_name_that_cannot_be_told_is_left_for_the_coordinator(
    login, coordinator, make, template
):
    enquiry = make(patient_name="Wang Xiaoming", country="CN")
    client = login(coordinator)
    page = fill_in(client, enquiry, template, language="en")

    refused = client.post(reply_url(enquiry), reply_form_data(page))

    assert message_box(page).startswith("Dear {first_name}, this is Cora")
    assert notices(page) == [
        "The patient&#x27;s first name cannot be told for sure from “Wang Xiaoming”: write it "
        "over {first_name}."
    ]
    assert "Write over {first_name} before sending" in refused.content.decode()
    assert not CaseMessage.objects.exists()


def test_a_coordinator_without_a_first_name_is_asked_to_write_it(
    login, make_staff, enquiry, template
):
    nameless = make_staff("coordinator", username="nameless")

    page = fill_in(login(nameless), enquiry, template, language="en")

    assert message_box(page).startswith("Dear Anna, this is {coordinator_name} about")
    assert "Your account has no first name: write your name over {coordinator_name}." in (
        notices(page)
    )


def test_use_a_template_keeps_what_was_typed_and_the_form_and_stores_nothing(
    login, coordinator, enquiry, template
):
    client = login(coordinator)
    page = client.get(change_url(enquiry))
    token = page_value(page, "reply-form_token", form_id="reply_form")

    opened = client.post(
        reply_url(enquiry), reply_form_data(page, button="use_template", text="Typed so far.")
    )

    assert message_box(opened) == "Typed so far."
    assert page_value(opened, "reply-form_token", form_id="reply_form") == token
    assert not CaseMessage.objects.exists()


def test_filling_in_keeps_the_form_so_it_is_still_one_message(
    login, coordinator, enquiry, template
):
    client = login(coordinator)
    enquiry_page = client.get(change_url(enquiry))
    token = page_value(enquiry_page, "reply-form_token", form_id="reply_form")
    opened = client.post(reply_url(enquiry), reply_form_data(enquiry_page, button="use_template"))
    chosen = {**reply_form_data(opened, button="fill"), "template": str(template.pk)}
    filled = client.post(reply_url(enquiry), chosen)
    sent = reply_form_data(filled)

    client.post(reply_url(enquiry), sent)
    client.post(reply_url(enquiry), sent)

    assert page_value(filled, "reply-form_token", form_id="reply_form") == token
    assert CaseMessage.objects.count() == 1


def test_choosing_no_template_is_a_field_error(login, coordinator, enquiry, template):
    client = login(coordinator)
    data = reply_form_data(open_reply_page(client, enquiry, "Kept."), button="fill")

    page = client.post(reply_url(enquiry), data)

    assert "Choose a template." in page.content.decode()
    assert message_box(page) == "Kept."


# What a template may hold.


@pytest.mark.parametrize(
    "text",
    [
        "Plain text.",
        "Dear {first_name}, {coordinator_name} here about {reference}; see {case_link}.",
        "Braces shown as they are: {{like this}}.",
    ],
)
def test_a_template_may_hold_the_four_placeholders_and_doubled_braces(text):
    check_template_text(text)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Dear {firstname},", "Unknown placeholder {firstname}"),
        ("Dear { first_name },", "Unknown placeholder { first_name }"),
        ("Ref. {reference!r}", "Unknown placeholder {reference!r}"),
        ("Ref. {reference:>12}", "Unknown placeholder {reference:>12}"),
        ("Ref. {reference.upper}", "Unknown placeholder {reference.upper}"),
        ("Ref. {} and {0}", "Unknown placeholder {}, {0}"),
        ("Dear {first_name", "A brace on its own"),
        ("Smile :}", "A brace on its own"),
    ],
)
def test_a_template_with_an_unknown_placeholder_or_a_lone_brace_is_refused(text, error):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        check_template_text(text)

    assert error in refused.value.messages[0]


def test_a_lead_is_told_which_text_holds_an_unknown_placeholder_and_nothing_is_saved(login, lead):
    response = login(lead).post(
        reverse("admin:enquiries_replytemplate_add"),
        {"name": "Welcome", "text_en": "Hello {first_name}.", "text_ru": "Привет, {имя}."},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Unknown placeholder {имя}: a template may use only {first_name}, {reference}, "
        "{coordinator_name}, {case_link}."
    ) in page
    assert 'id="id_text_ru_error"' in page
    assert not ReplyTemplate.objects.exists()


# Who may do what.


def test_a_lead_adds_changes_and_deletes_templates(login, lead):
    client = login(lead)
    add = reverse("admin:enquiries_replytemplate_add")

    assert client.post(add, {"name": "Welcome", "text_en": "Hello."}).status_code == 302
    template = ReplyTemplate.objects.get()
    change = reverse("admin:enquiries_replytemplate_change", args=[template.pk])
    client.post(change, {"name": "Welcome", "text_en": "Hello.", "text_ar": "مرحبًا."})
    template.refresh_from_db()
    assert template.languages == ["en", "ar"]
    delete = reverse("admin:enquiries_replytemplate_delete", args=[template.pk])
    client.post(delete, {"post": "yes"})
    assert not ReplyTemplate.objects.exists()


def test_a_coordinator_reads_the_templates_but_cannot_add_change_or_delete_them(
    login, coordinator, template
):
    client = login(coordinator)
    change = reverse("admin:enquiries_replytemplate_change", args=[template.pk])

    assert client.get(reverse("admin:enquiries_replytemplate_changelist")).status_code == 200
    assert client.get(reverse("admin:enquiries_replytemplate_add")).status_code == 403
    assert client.post(change, {"name": "Mine now", "text_en": "Hi."}).status_code == 403
    delete = reverse("admin:enquiries_replytemplate_delete", args=[template.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    template.refresh_from_db()
    assert template.name == "Records needed"


def test_a_content_editor_sees_no_template(login, content_editor, template):
    url = reverse("admin:enquiries_replytemplate_changelist")

    assert login(content_editor).get(url).status_code == 403


def test_the_roles_hold_the_template_permissions_the_migration_gave(db):
    def granted(group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(codename__endswith="_replytemplate")
            .values_list("codename", flat=True)
        )

    assert granted("Coordinators") == {"view_replytemplate"}
    assert granted("Lead coordinators") == {
        "view_replytemplate",
        "add_replytemplate",
        "change_replytemplate",
        "delete_replytemplate",
    }
    assert granted("Content editors") == set()


# The patient's first name, only when the name tells it for sure.


@pytest.mark.parametrize(
    ("name", "country", "first_name"),
    [
        ("Anna Novak", "CZ", "Anna"),
        ("ANNA NOVAK", "CZ", "Anna"),
        ("mary-jane smith", "GB", "Mary-Jane"),
        ("Иванов Иван Иванович", "RU", "Иван"),
        ("Мария Ивановна Петрова", "RU", "Мария"),
        ("Карпович Иван Петрович", "BY", "Иван"),
        # Not sure: left for the coordinator.
        ("Wang Xiaoming", "CN", ""),
        ("Nagy Péter", "HU", ""),
        ("Anna", "CZ", ""),
        ("Anna Maria Novak", "CZ", ""),
        ("Novak, Anna", "CZ", ""),
        ("Dr. Novak", "CZ", ""),
        ("J. Novak", "CZ", ""),
        ("de Vries", "NL", ""),
        ("Иван Иванов", "RU", ""),
        ("Иван Петрович Карпович", "BY", ""),
        ("王小明", "CN", ""),
        ("محمد أحمد", "EG", ""),
        ("Anna Новак", "CZ", ""),
    ],
)
def test_the_first_name_is_taken_only_when_the_name_tells_it_for_sure(
    make, name, country, first_name
):
    enquiry = make(patient_name=name, country=country)

    assert replies.first_name_of(enquiry) == first_name

"""The patient's private case page: what it shows and never shows, who can open it, messages to the
coordinator, and the "find my enquiry" page that emails a fresh link."""

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from enquiries import case, records
from enquiries.models import (
    AuditEntry,
    CaseLink,
    CaseMessage,
    Enquiry,
    EnquiryEvent,
    Note,
    OutgoingEmail,
)
from enquiries.roles import COORDINATORS
from tests.factories import make_case_document, make_enquiry, make_plan_for, pdf_file
from tests.tasks import run_ready_tasks

pytestmark = pytest.mark.django_db

# New for each run: no token, reference or page text can hold it by chance.
RUN = uuid.uuid4().hex.translate(str.maketrans("0123456789abcdef", "ghijklmnopqrstuv"))
MESSAGE = f"Messagemark {RUN}"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = "https://cart.example.org"
    settings.ENQUIRY_NOTIFICATION_EMAILS = ["coordinators@example.org"]
    cache.clear()


def case_url(token, language="en"):
    return f"/{language}/case/{token}/"


def open_case(client, enquiry=None, **overrides):
    enquiry = enquiry or make_enquiry(**overrides)
    token = CaseLink.issue(enquiry)
    return enquiry, token, client.get(case_url(token))


def post_message(client, token, text=MESSAGE, form_token=None):
    return client.post(
        case_url(token), {"text": text, "form_token": str(form_token or uuid.uuid4())}
    )


def coordinator(django_user_model, **fields):
    user = django_user_model.objects.create_user(
        username=fields.pop("username", "cora"), password="x" * 20, is_staff=True, **fields
    )
    user.groups.add(Group.objects.get(name=COORDINATORS))
    return user


def links_in(body):
    return re.findall(r"https://cart\.example\.org/\S+", body)


# What the page shows.


def test_the_case_page_shows_the_reference_and_the_status_in_plain_words(client):
    enquiry, _token, response = open_case(client, status=Enquiry.Status.AWAITING_RECORDS)

    assert response.status_code == 200
    page = response.content.decode()
    assert enquiry.reference in page
    assert "Waiting for medical records" in page
    assert "Awaiting records" not in page


@pytest.mark.parametrize(
    "status",
    sorted(Enquiry.CLOSED_STATUSES - {Enquiry.Status.SPAM, Enquiry.Status.DUPLICATE}),
)
def test_closed_statuses_read_closed_never_the_back_office_reason(client, status):
    _enquiry, _token, response = open_case(client, status=status)

    page = response.content.decode()
    assert 'data-testid="status">Closed<' in page
    assert "not eligible" not in page.lower() and "no response" not in page.lower()


def test_a_duplicate_tells_the_patient_to_follow_their_other_enquiry(client):
    _enquiry, _token, response = open_case(client, status=Enquiry.Status.DUPLICATE)

    page = response.content.decode()
    assert 'data-testid="status">Merged with your other enquiry<' in page
    assert "Please follow your other enquiry" in page
    assert "duplicate" not in page.lower()


def test_the_page_names_the_coordinator_by_first_name_only(client, django_user_model):
    assignee = coordinator(django_user_model, first_name="Cora", last_name=f"Last{RUN}")
    _enquiry, _token, response = open_case(client, assigned_to=assignee)

    page = response.content.decode()
    assert "Your coordinator: Cora" in page
    assert f"Last{RUN}" not in page


def test_internal_notes_never_reach_the_page(client):
    enquiry = make_enquiry()
    Note.objects.create(enquiry=enquiry, text=f"Notemark {RUN}")

    _enquiry, _token, response = open_case(client, enquiry)

    assert RUN not in response.content.decode()


def test_the_page_shows_the_promise_until_the_first_reply_and_then_when_it_came(client):
    enquiry, token, response = open_case(client)
    assert "A coordinator replies within one working day" in response.content.decode()

    Enquiry.objects.filter(pk=enquiry.pk).update(first_replied_at=timezone.now())
    page = client.get(case_url(token)).content.decode()

    assert "Your coordinator first replied on" in page
    assert "A coordinator replies" not in page


def test_the_page_lists_the_files_the_patient_sent(client, stored_files):
    enquiry = make_enquiry()
    records.store(enquiry, pdf_file(f"Filemark-{RUN}.pdf")).save()

    _enquiry, _token, response = open_case(client, enquiry)

    assert f"Filemark-{RUN}.pdf" in response.content.decode()


def test_what_the_patient_typed_is_escaped(client):
    enquiry = make_enquiry()
    CaseMessage.objects.create(enquiry=enquiry, sender="patient", text="<script>alert(1)</script>")

    _enquiry, _token, response = open_case(client, enquiry)

    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


# Who can open it, and how it is served.


def test_the_page_is_private_never_cached_and_never_indexed(client):
    _enquiry, _token, response = open_case(client)

    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "noindex" in response["X-Robots-Tag"]
    # The site's address alone: never the token, and forms still post with their Origin.
    assert response["Referrer-Policy"] == "strict-origin"
    assert b'<meta name="robots" content="noindex, nofollow">' in response.content


def test_the_page_cache_never_stores_a_case_page(client, settings):
    # A closed enquiry's page has no form, so no CSRF cookie would keep it from being stored.
    enquiry = make_enquiry(status=Enquiry.Status.CLOSED_TREATED)
    token = CaseLink.issue(enquiry)
    assert "first replied" not in client.get(case_url(token)).content.decode()
    Enquiry.objects.filter(pk=enquiry.pk).update(first_replied_at=timezone.now())
    client.cookies.clear()

    assert "Your coordinator first replied on" in client.get(case_url(token)).content.decode()


def test_a_tampered_link_answers_404_with_nothing_about_the_case(client):
    enquiry, token, _response = open_case(client)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(case_url(tampered))

    assert response.status_code == 404
    assert enquiry.reference not in response.content.decode()


def test_an_expired_link_offers_a_fresh_one_and_shows_nothing_about_the_case(client, settings):
    settings.CASE_LINK_IDLE_DAYS = 30
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        response = client.get(case_url(token))

    assert response.status_code == 410
    page = response.content.decode()
    assert enquiry.reference not in page
    assert 'action="/en/case/"' in page


@pytest.mark.parametrize(
    "change",
    [{"status": Enquiry.Status.SPAM}, {"anonymised_at": timezone.now()}],
    ids=["spam", "anonymised"],
)
def test_a_spam_or_anonymised_enquiry_has_no_page(client, change):
    enquiry = make_enquiry()
    token = CaseLink.issue(enquiry)
    Enquiry.objects.filter(pk=enquiry.pk).update(**change)

    assert client.get(case_url(token)).status_code == 404


def test_opening_the_page_is_audited_as_the_patient(client):
    enquiry, _token, _response = open_case(client)

    entry = AuditEntry.objects.get(action=AuditEntry.Action.PATIENT_OPENED_CASE_PAGE)
    assert (entry.enquiry_reference, entry.actor, entry.actor_name) == (
        enquiry.reference,
        None,
        "patient",
    )


def test_the_page_takes_at_most_11_queries_whatever_it_holds(
    client, django_assert_max_num_queries, stored_files, django_user_model
):
    enquiry = make_enquiry(
        assigned_to=coordinator(django_user_model), hospital_sharing_requested_at=timezone.now()
    )
    for index in range(5):
        records.store(enquiry, pdf_file(f"record-{index}.pdf")).save()
        CaseMessage.objects.create(enquiry=enquiry, sender="patient", text=f"{index}")
        CaseMessage.objects.create(enquiry=enquiry, sender="coordinator", text=f"{index}")
        make_case_document(enquiry, plan=make_plan_for(enquiry))
    token = CaseLink.issue(enquiry)

    # The link with its enquiry, the audit entry, the checklist and its items, the messages
    # (and marking them read, with its event), the files, the hospital-sharing consent asked
    # for, the documents, the plans with their hospitals and cities.
    with django_assert_max_num_queries(11):
        response = client.get(case_url(token))

    assert response.status_code == 200


def test_opening_the_page_marks_the_coordinators_messages_read(client):
    enquiry = make_enquiry()
    reply = CaseMessage.objects.create(enquiry=enquiry, sender="coordinator", text="Hello")
    own = CaseMessage.objects.create(enquiry=enquiry, sender="patient", text="Hi")

    open_case(client, enquiry)

    reply.refresh_from_db()
    own.refresh_from_db()
    assert reply.read_at is not None
    assert own.read_at is None


# Messages.


def test_a_message_is_stored_flagged_and_on_the_timeline(client):
    enquiry, token, _response = open_case(client)

    response = post_message(client, token)

    assert response.status_code == 302
    assert response["Location"] == case_url(token)
    message = CaseMessage.objects.get()
    assert (message.enquiry, message.sender, message.text) == (enquiry, "patient", MESSAGE)
    enquiry.refresh_from_db()
    assert enquiry.news_from_patient_at is not None
    event = enquiry.events.get(kind=EnquiryEvent.Kind.MESSAGE_FROM_PATIENT)
    assert RUN not in str(event.details)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PATIENT_SENT_MESSAGE).count() == 1
    assert MESSAGE in client.get(case_url(token)).content.decode()


def test_the_same_form_sent_twice_stores_one_message(client):
    _enquiry, token, _response = open_case(client)
    form_token = uuid.uuid4()

    post_message(client, token, form_token=form_token)
    post_message(client, token, form_token=form_token)

    assert CaseMessage.objects.count() == 1


def test_an_empty_message_gets_a_field_error_and_nothing_is_stored(client):
    _enquiry, token, _response = open_case(client)

    response = post_message(client, token, text="   ")

    assert response.status_code == 400
    assert "Please write your message." in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_a_message_too_long_keeps_what_was_typed(client):
    _enquiry, token, _response = open_case(client)
    text = f"{RUN} " + "x" * CaseMessage.MAX_LENGTH

    response = post_message(client, token, text=text)

    assert response.status_code == 400
    assert text in response.content.decode()
    assert not CaseMessage.objects.exists()


def test_a_closed_enquiry_shows_its_status_but_takes_no_message(client):
    _enquiry, token, response = open_case(client, status=Enquiry.Status.CLOSED_WITHDREW)
    assert b'name="text"' not in response.content

    response = post_message(client, token)

    assert response.status_code == 400
    assert not CaseMessage.objects.exists()


def test_messages_beyond_the_hourly_limit_are_refused(client, settings):
    settings.CASE_MESSAGES_PER_HOUR = 2
    _enquiry, token, _response = open_case(client)

    statuses = [post_message(client, token, text=f"{n}").status_code for n in range(3)]

    assert statuses == [302, 302, 400]
    assert CaseMessage.objects.count() == 2


def test_the_assigned_coordinator_hears_of_news_without_its_text(client, django_user_model):
    assignee = coordinator(django_user_model, email="cora@example.org")
    enquiry, token, _response = open_case(client, assigned_to=assignee)

    post_message(client, token)
    post_message(client, token, text="a second one before the first email went")
    run_ready_tasks()

    news = [message for message in mail.outbox if "New from the patient" in message.subject]
    assert len(news) == 1
    assert news[0].to == ["cora@example.org"]
    assert enquiry.reference in news[0].body
    assert RUN not in news[0].body and "second one" not in news[0].body


def test_without_an_assignee_every_coordinator_hears_of_news(client, django_user_model):
    coordinator(django_user_model, username="a", email="a@example.org")
    coordinator(django_user_model, username="b", email="b@example.org")
    _enquiry, token, _response = open_case(client)

    post_message(client, token)
    run_ready_tasks()

    (news,) = [message for message in mail.outbox if "New from the patient" in message.subject]
    assert news.to == ["a@example.org", "b@example.org"]


# The link in the acknowledgement, and "find my enquiry".


def test_the_acknowledgement_email_carries_a_working_case_link(client):
    from enquiries import outbox

    enquiry = make_enquiry(language="ru")
    outbox.queue_enquiry_emails(enquiry)
    run_ready_tasks()

    (acknowledgement,) = [message for message in mail.outbox if message.to == [enquiry.email]]
    (link,) = [url for url in links_in(acknowledgement.body) if "/case/" in url]
    assert link.startswith("https://cart.example.org/ru/case/")
    response = client.get(link.removeprefix("https://cart.example.org"))
    assert response.status_code == 200
    assert enquiry.reference in response.content.decode()


def find(client, email, reference):
    return client.post(reverse("case:find"), {"email": email, "reference": reference})


def test_find_my_enquiry_answers_the_same_whether_or_not_the_pair_exists(client):
    enquiry = make_enquiry(email="anna@example.org")

    matching = find(client, "Anna@Example.org", enquiry.reference.lower())
    wrong_email = find(client, "someone@example.org", enquiry.reference)
    no_such_reference = find(client, "anna@example.org", "CT-2222-2222")

    assert {response.status_code for response in (matching, wrong_email, no_such_reference)} == {
        302
    }
    assert {response["Location"] for response in (matching, wrong_email, no_such_reference)} == {
        reverse("case:link_sent")
    }


def test_find_my_enquiry_emails_a_fresh_link_only_to_the_matching_pair(client):
    enquiry = make_enquiry(email="anna@example.org", language="ar")
    find(client, "someone@example.org", enquiry.reference)
    find(client, "anna@example.org", "CT-2222-2222")
    find(client, " ANNA@example.org ", enquiry.reference.replace("-", " ").lower())

    run_ready_tasks()

    (fresh,) = mail.outbox
    assert fresh.to == ["anna@example.org"]
    (link,) = [url for url in links_in(fresh.body) if "/case/" in url]
    assert link.startswith("https://cart.example.org/ar/case/")
    assert client.get(link.removeprefix("https://cart.example.org")).status_code == 200
    assert enquiry.events.filter(kind=EnquiryEvent.Kind.CASE_LINK_SENT).count() == 1
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.CASE_LINK).count() == 1


def test_the_task_queue_never_holds_the_email_address(client):
    from django_tasks_db.models import DBTaskResult

    enquiry = make_enquiry(email=f"findmark.{RUN}@example.org")
    find(client, enquiry.email, enquiry.reference)

    (task,) = DBTaskResult.objects.all()
    assert RUN not in str(task.args_kwargs)


def test_no_fresh_link_for_a_spam_enquiry(client):
    enquiry = make_enquiry(status=Enquiry.Status.SPAM)
    find(client, enquiry.email, enquiry.reference)
    run_ready_tasks()

    assert mail.outbox == []


def test_find_my_enquiry_gives_field_errors_and_keeps_what_was_typed(client):
    response = find(client, f"not-an-email-{RUN}", "hello")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Please enter an email address such as name@example.com." in page
    assert "A reference looks like CT-7KQ4-M2XP" in page
    assert f"not-an-email-{RUN}" in page


def test_find_my_enquiry_is_rate_limited_per_client_address(client, settings):
    settings.CASE_LINK_REQUESTS_PER_HOUR = 3
    enquiry = make_enquiry()

    statuses = [find(client, enquiry.email, enquiry.reference).status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 400]


def test_one_email_address_gets_a_few_links_an_hour_at_most(client, settings):
    settings.CASE_LINK_REQUESTS_PER_EMAIL_PER_HOUR = 2
    enquiry = make_enquiry()
    for _ in range(4):
        find(client, enquiry.email, enquiry.reference)
    run_ready_tasks()

    assert len(mail.outbox) == 2


def test_an_erased_enquiry_leaves_no_link_behind():
    enquiry = make_enquiry()
    CaseLink.issue(enquiry)
    CaseMessage.objects.create(enquiry=enquiry, sender="patient", text=MESSAGE)

    Enquiry.objects.filter(pk=enquiry.pk).delete_with_files()

    assert not CaseLink.objects.exists()
    assert not CaseMessage.objects.exists()


def test_every_open_status_has_its_own_words_and_only_closed_ones_read_closed():
    for status in Enquiry.Status:
        words = case.status_for_patient(make_enquiry(status=status))
        if status == Enquiry.Status.DUPLICATE:
            # Closed, but the patient is told where their case goes on.
            assert words == case.STATUS_FOR_PATIENTS[status]
            assert words != case.CLOSED_FOR_PATIENTS
        elif status in Enquiry.CLOSED_STATUSES:
            assert words == case.CLOSED_FOR_PATIENTS, status
        else:
            assert words == case.STATUS_FOR_PATIENTS[status], status
            assert words != case.CLOSED_FOR_PATIENTS, status


def test_the_thank_you_page_links_to_the_new_case_page(client, submit):
    response = submit(follow=True)

    page = response.content.decode()
    (link,) = re.findall(r'href="(/en/case/[^"/]+/)" data-testid="case-link"', page)
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    case_page = client.get(link)
    assert case_page.status_code == 200
    assert Enquiry.objects.get().reference in case_page.content.decode()


def test_no_case_link_on_the_thank_you_page_of_a_spam_enquiry(client, submit):
    submit()
    Enquiry.objects.update(status=Enquiry.Status.SPAM)

    response = client.get("/en/start/thank-you/")

    assert 'data-testid="case-link"' not in response.content.decode()


def test_erasure_forgets_the_find_my_enquiry_requests_of_the_enquiry(client):
    from django_tasks_db.models import DBTaskResult

    from enquiries import patient_rights

    enquiry = make_enquiry()
    other = make_enquiry()
    find(client, enquiry.email, enquiry.reference)
    find(client, other.email, other.reference)
    run_ready_tasks()

    patient_rights.erase(Enquiry.objects.filter(pk=enquiry.pk), by=None)

    requests = DBTaskResult.objects.filter(task_path=case.FRESH_LINK_TASK)
    assert [task.args_kwargs["args"][0] for task in requests] == [other.reference]


def test_retention_forgets_finished_find_my_enquiry_requests_after_a_day(client):
    from django_tasks_db.models import DBTaskResult

    from enquiries import retention

    enquiry = make_enquiry()
    find(client, enquiry.email, enquiry.reference)
    run_ready_tasks()
    requests = DBTaskResult.objects.filter(task_path=case.FRESH_LINK_TASK)

    retention.apply(now=timezone.now() + timedelta(hours=23))
    assert requests.count() == 1

    retention.apply(now=timezone.now() + timedelta(hours=25))
    assert requests.count() == 0

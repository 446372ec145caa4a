"""The enquiry list and page: columns, filters, search, order, query budgets, audit, caching."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape
from django.utils.http import urlencode

from enquiries import case, consents, outbox, records, referrals, replies
from enquiries.admin import EnquiryAdmin
from enquiries.admin.filters import CountryFilter
from enquiries.models import (
    AuditEntry,
    Consent,
    Enquiry,
    EnquiryEvent,
    Referral,
    ReplyTemplate,
)
from tests.back_office.pages import change_url, changelist_url
from tests.factories import make_plan, make_programme, pdf_file

NOW = datetime(2030, 5, 6, 12, 0, tzinfo=UTC)


def many(make, count, assignee=None):
    for number in range(count):
        make(
            email=f"p{number}@example.org",
            patient_name=f"Patient {number}",
            assigned_to=assignee,
            cities=["Beijing", "Wuhan"],
        )


def list_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist_url(**params))
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_10_or_100_rows(login, coordinator, make, monkeypatch):
    monkeypatch.setattr(EnquiryAdmin, "list_per_page", 100)
    client = login(coordinator)
    many(make, 10, assignee=coordinator)
    list_queries(client)  # fills the cached list of countries, as any earlier visit would
    with_10 = list_queries(client)
    many(make, 90, assignee=coordinator)
    with_100 = list_queries(client)
    assert with_10 == with_100, "enquiry list: queries grow with the number of rows"


def test_the_list_stays_within_its_query_budget(
    login, coordinator, make, django_assert_max_num_queries
):
    many(make, 60, assignee=coordinator)
    for enquiry in Enquiry.objects.all():
        outbox.queue_enquiry_emails(enquiry)
    client = login(coordinator)
    # 11: the session, the user, their permissions (one query), the choices of three filters
    # (coordinators, cities, countries), the count, the page of rows, and the rows' possible
    # duplicates, unsent emails and cities. The working calendar ("next due") comes from the
    # cache, filled when the enquiries were saved; a cold cache adds its one query.
    with django_assert_max_num_queries(11, info="enquiry list page"):
        client.get(changelist_url())


def fill(enquiry, coordinator, make, count):
    """`count` of everything the page lists: notes, files, events, emails, messages both ways
    (the patient's leave news to mark seen), other enquiries from the same person, and
    referrals (by email and by other means) with the files each sent, a plan each (one
    accepted) and a document for the patient with each plan. A follow-up stays due, so the page
    counts working time to it (the working calendar)."""
    enquiry.schedule_follow_up(date(2030, 1, 15), by=coordinator)
    consents.record_consent(enquiry, Consent.Kind.HOSPITAL_SHARING, given=True, language="en")
    for number in range(count):
        enquiry.add_note(f"Note {number}.", by=coordinator)
        records.store(enquiry, pdf_file()).save()
        enquiry.record_event(EnquiryEvent.Kind.NOTIFICATION_SENT, recipient="patient", attempt=1)
        outbox.queue_enquiry_emails(enquiry)
        replies.send_reply(enquiry, "An answer.", by=coordinator, form_token=uuid.uuid4())
        case.send_message_from_patient(enquiry, "A question.", form_token=uuid.uuid4())
        make(email=enquiry.email, patient_name=f"Same Person {number}")
        programme = make_programme(
            name=f"Hospital {number}",
            international_office_email="io@example.cn" if number % 2 else "",
        )
        [referral] = referrals.refer(
            enquiry,
            programmes=[programme],
            record_files=enquiry.record_files.all(),
            share_answers=True,
            method="email" if number % 2 else "other_means",
            sent_by_other_means="Handed to the international office",
            by=coordinator,
        )
        # The programme answered with the plan, so the patient can accept it.
        Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.PLAN_OFFERED)
        plan = make_plan(referral, recorded_by=coordinator)
        if number == 0:
            plan.accept("en")
        referrals.add_document(
            enquiry,
            pdf_file("invitation.pdf"),
            title="Visa invitation letter",
            plan=plan,
            by=coordinator,
        )


def page_queries(client, enquiry, preserved=""):
    url = change_url(enquiry)
    if preserved:
        url += "?" + urlencode({"_changelist_filters": preserved})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "preserved", ["", "news=yes&assigned=me_or_none", "o=3&q=Novak&status__exact=new"]
)
def test_the_enquiry_page_costs_at_most_16_queries_with_1_or_20_of_everything(
    login, coordinator, make, preserved
):
    ReplyTemplate.objects.create(name="Welcome", text_en="Hello {first_name}.")
    client = login(coordinator)
    one = make(email="one@example.org", assigned_to=coordinator)
    twenty = make(email="twenty@example.org", assigned_to=coordinator)
    fill(one, coordinator, make, 1)
    fill(twenty, coordinator, make, 20)
    # A first page fills what any earlier page would have (the content type, the time zone, the
    # pathway's catalogue, which the programmes just made forgot).
    page_queries(client, make(email="first@example.org"))

    # Both with news from the patient: the page marks it seen (three writes) and audits.
    with_one = page_queries(client, one, preserved)
    with_twenty = page_queries(client, twenty, preserved)
    html = client.get(change_url(twenty)).content.decode()
    assert html.count('class="bo-referral"') >= 20, "the page lists every referral"

    assert with_one == with_twenty, "enquiry page: queries grow with what the enquiry holds"
    assert with_twenty <= 16, f"enquiry page: {with_twenty} queries"
    assert not Enquiry.objects.filter(news_from_patient_at__isnull=False).exists()


def test_the_list_shows_the_columns_coordinators_need(login, coordinator, make):
    with time_machine.travel(NOW - timedelta(hours=3), tick=False):
        enquiry = make(cities=["Shanghai"], assigned_to=coordinator, diagnosis="multiple_myeloma")
    with time_machine.travel(NOW, tick=False):
        html = login(coordinator).get(changelist_url()).content.decode()
    for text in [
        enquiry.reference,
        "3 h ago",
        "Anna Novak",
        "Czechia",
        "Multiple myeloma",
        "Shanghai",
        "New",
        "Cora Ortiz",
    ]:
        assert text in html


def test_the_list_shows_what_patients_typed_as_text(login, coordinator, make):
    typed = f'<b class="{uuid.uuid4().hex}">Anna</b> & "Bo"'
    make(patient_name=typed)

    html = login(coordinator).get(changelist_url()).content.decode()

    assert typed not in html
    assert html.count(escape(typed)) == 1


def test_the_newest_enquiry_comes_first(login, coordinator, make):
    old = make(submitted_at=NOW - timedelta(days=2))
    new = make(submitted_at=NOW - timedelta(hours=1), email="b@example.org")
    html = login(coordinator).get(changelist_url()).content.decode()
    assert html.index(new.reference) < html.index(old.reference)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"assigned": "none"}, {"unassigned"}),
        ({"assigned": "me"}, {"mine"}),
        ({"status__exact": "in_review"}, {"reviewed"}),
        ({"country": "DE"}, {"german"}),
        ({"gender__exact": "male"}, {"german"}),
        ({"diagnosis__exact": "cll"}, {"german"}),
        ({"q": "hans@example"}, {"german"}),
        ({"q": "Reviewed Person"}, {"reviewed"}),
    ],
)
def test_filters_and_search(login, coordinator, other_coordinator, make, params, expected):
    enquiries = {
        "unassigned": make(email="u@example.org", patient_name="Un Assigned"),
        "mine": make(email="m@example.org", patient_name="Mine Too", assigned_to=coordinator),
        "reviewed": make(
            email="r@example.org",
            patient_name="Reviewed Person",
            assigned_to=other_coordinator,
            status="in_review",
        ),
        "german": make(
            email="hans@example.org",
            patient_name="Hans Muster",
            country="DE",
            gender="male",
            diagnosis="cll",
            assigned_to=other_coordinator,
        ),
    }
    html = login(coordinator).get(changelist_url(**params)).content.decode()
    shown = {name for name, enquiry in enquiries.items() if enquiry.reference in html}
    assert shown == expected


def test_the_country_filter_names_the_countries_in_the_readers_language_by_name(rf, make):
    make(country="CZ")
    make(country="DE", email="de@example.org")
    request = rf.get(changelist_url())
    model_admin = EnquiryAdmin(Enquiry, admin.site)

    def choices(language):
        with translation.override(language):
            return list(CountryFilter(request, {}, Enquiry, model_admin).lookup_choices)

    assert choices("en") == [("CZ", "Czechia"), ("DE", "Germany")]
    assert choices("ru") == [("DE", "Германия"), ("CZ", "Чехия")]
    assert choices("en") == [("CZ", "Czechia"), ("DE", "Germany")]


def test_the_city_filter(login, coordinator, make):
    from therapy_info.programmes import City

    wuhan = make(cities=["Wuhan"])
    beijing = make(cities=["Beijing"], email="b@example.org")
    url_params = {"preferred_cities__id__exact": City.objects.get(name="Wuhan").pk}
    html = login(coordinator).get(changelist_url(**url_params)).content.decode()
    assert wuhan.reference in html
    assert beijing.reference not in html


def test_the_page_shows_what_the_patient_sent_read_only(login, coordinator, make):
    enquiry = make(medical_summary="Relapsed after two lines.")
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    assert "Relapsed after two lines." in html
    assert 'name="medical_summary"' not in html
    assert 'name="patient_name"' not in html
    assert 'name="status"' in html


def test_the_contact_section_shows_the_wechat_or_telegram_id(login, coordinator, make):
    enquiry = make(preferred_contact_channel="telegram", messenger_id="@anna_novak_1970")
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    contact = html[html.index(">Contact<") : html.index(">Medical situation<")]
    assert "WeChat or Telegram ID" in contact
    assert "@anna_novak_1970" in contact


def test_opening_an_enquiry_is_in_the_audit_log(login, coordinator, enquiry):
    login(coordinator).get(change_url(enquiry))
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.enquiry_reference) == (
        coordinator,
        AuditEntry.Action.VIEWED_ENQUIRY,
        enquiry.reference,
    )
    assert entry.details == {}


@pytest.mark.parametrize("page", ["list", "page"])
def test_pages_with_patient_data_are_never_cached(login, coordinator, enquiry, page):
    url = changelist_url() if page == "list" else change_url(enquiry)
    assert "no-store" in login(coordinator).get(url)["Cache-Control"]


def test_the_consents_show_their_text_version_and_time(login, coordinator, enquiry):
    from enquiries.models import Consent

    Consent.objects.create(
        enquiry=enquiry,
        kind="health_data_processing",
        given=True,
        text_version="2030-01",
        text="I agree.",
        language="en",
    )
    html = login(coordinator).get(change_url(enquiry)).content.decode()
    assert "2030-01" in html
    assert "I agree." in html


def test_a_coordinator_reads_the_conversation_with_the_patient_on_the_page(
    login, coordinator, enquiry
):
    case.send_message_from_patient(
        enquiry, "Are the protein tests enough?", form_token=uuid.uuid4()
    )

    html = login(coordinator).get(change_url(enquiry)).content.decode()

    assert 'id="messages-group"' in html
    assert "Are the protein tests enough?" in html

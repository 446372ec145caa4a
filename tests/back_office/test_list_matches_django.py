"""Where the enquiry list writes or extends Django's own admin code for speed, it still gives what
Django's gives: the row checkbox's markup, the changelist's rows, counts and pages, and the
filters' markup. A Django upgrade that changes either fails here, not silently on the
coordinators' screens."""

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.views.main import ChangeList
from django.urls import resolve
from django.utils import timezone, translation

from enquiries import outbox
from enquiries.admin import EnquiryAdmin, filters, list_rows
from enquiries.models import Enquiry, OutgoingEmail
from tests.back_office.pages import changelist_url
from therapy_info.programmes import City

# What EnquiryChangeList adds to each row: for the flags column, and the calendar "next due"
# counts working time in (loaded once for the page).
ROW_FLAGS = {"has_possible_duplicate", "email_flag", "working_calendar", "city_names_on_page"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def element(html):
    """The one element `html` holds, as its tag and attributes (values unescaped)."""
    parser = _Elements()
    parser.feed(str(html))
    parser.close()
    assert len(parser.elements) == 1 and not parser.text.strip(), html
    return parser.elements[0]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_row_checkbox_is_djangos_own_markup(language):
    model_admin = EnquiryAdmin(Enquiry, admin.site)
    # A reference with every character the markup must escape.
    enquiry = Enquiry(pk=42, reference="CT-\"<&>'")
    with translation.override(language):
        ours = element(model_admin.action_checkbox(enquiry))
        djangos = element(admin.ModelAdmin.action_checkbox(model_admin, enquiry))
    assert ours == djangos


@pytest.fixture
def enquiries(make):
    """Six enquiries on three pages of two, one of them a possible duplicate of another and one
    with an email that gave up, so both flags show, and a closed one, with nothing due."""
    make(email="twice@example.org", patient_name="Anna Novak")
    make(email="twice@example.org", patient_name="Anna Novak")
    failed = make(email="failed@example.org", patient_name="Boris Petrov")
    outbox.queue_enquiry_emails(failed)
    failed.emails.update(status=OutgoingEmail.Status.FAILED)
    make(email="third@example.org", patient_name="Chen Wu", status=Enquiry.Status.IN_REVIEW)
    make(email="fourth@example.org", patient_name="Dana Lee")
    make(email="fifth@example.org", patient_name="Eva Ruiz", status=Enquiry.Status.CLOSED_TREATED)


def changelists(rf, user, params, monkeypatch):
    """Ours and Django's ChangeList for the same request to the enquiry list."""
    request = rf.get(changelist_url(), params)
    request.user = user
    model_admin = EnquiryAdmin(Enquiry, admin.site)
    ours = model_admin.get_changelist_instance(request)
    monkeypatch.setattr(model_admin, "get_changelist", lambda request, **kwargs: ChangeList)
    djangos = model_admin.get_changelist_instance(request)
    assert type(ours) is not ChangeList and type(djangos) is ChangeList
    return ours, djangos


def row_fields(row):
    return {field.attname: getattr(row, field.attname) for field in Enquiry._meta.concrete_fields}


def paging(changelist):
    paginator = changelist.paginator
    return {
        "result_count": changelist.result_count,
        "full_result_count": changelist.full_result_count,
        "show_full_result_count": changelist.show_full_result_count,
        "show_admin_actions": changelist.show_admin_actions,
        "can_show_all": changelist.can_show_all,
        "multi_page": changelist.multi_page,
        "page_num": changelist.page_num,
        "show_all": changelist.show_all,
        "paginator": (
            type(paginator),
            paginator.count,
            paginator.num_pages,
            paginator.per_page,
            paginator.orphans,
            paginator.allow_empty_first_page,
            list(paginator.page_range),
        ),
    }


@pytest.mark.parametrize(
    "params",
    [{}, {"p": "2"}, {"p": "3"}, {"all": ""}, {"q": "Novak"}, {"status__exact": "new", "o": "-2"}],
    ids=["first page", "second page", "last page", "show all", "search", "filter and order"],
)
def test_the_list_gives_djangos_rows_counts_and_pages_plus_the_flags(
    rf, coordinator, enquiries, params, monkeypatch
):
    monkeypatch.setattr(EnquiryAdmin, "list_per_page", 2)
    ours, djangos = changelists(rf, coordinator, params, monkeypatch)

    our_rows, django_rows = list(ours.result_list), list(djangos.result_list)
    assert our_rows, "no rows to compare"
    assert [row_fields(row) for row in our_rows] == [row_fields(row) for row in django_rows]
    for our_row, django_row in zip(our_rows, django_rows, strict=True):
        assert set(vars(our_row)) - set(vars(django_row)) == ROW_FLAGS
        assert set(vars(django_row)) <= set(vars(our_row))
    assert paging(ours) == paging(djangos)
    assert set(vars(ours)) == set(vars(djangos)), "the list itself gained or lost an attribute"


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "Novak"}, {"status__exact": "new", "o": "-2"}, {"news": "yes", "open": "yes"}],
    ids=["first page", "search", "filter and order", "saved view"],
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_rows_are_djangos_cells(rf, coordinator, enquiries, params, language):
    Enquiry.objects.filter(patient_name="Chen Wu").update(news_from_patient_at=timezone.now())
    request = rf.get(changelist_url(), params)
    request.user = coordinator
    # The list's own address: the links in its rows carry its filters.
    request.resolver_match = resolve(changelist_url())
    model_admin = EnquiryAdmin(Enquiry, admin.site)
    with translation.override(language):
        changelist = model_admin.get_changelist_instance(request)
        ours = [list(row) for row in list_rows.rows(changelist)]
        djangos = [list(row) for row in admin_list.results(changelist)]
    assert ours, "no rows to compare"
    assert ours == djangos


def test_the_template_gets_djangos_cells_row_by_row(rf, coordinator, enquiries):
    request = rf.get(changelist_url())
    request.user = coordinator
    request.resolver_match = resolve(changelist_url())
    changelist = EnquiryAdmin(Enquiry, admin.site).get_changelist_instance(request)

    ours = [list(row) for row in list_rows.result_list(changelist)["results"]]
    djangos = [["".join(row)] for row in admin_list.results(changelist)]

    assert ours, "no rows to compare"
    assert ours == djangos


class _Markup(HTMLParser):
    """Markup as a browser reads it: tags with their attributes (unescaped), and the text
    between them with its runs of white space as one space."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if text := " ".join(data.split()):
            self.events.append(("text", text))


def markup(html):
    parser = _Markup()
    parser.feed(str(html))
    parser.close()
    return parser.events


@pytest.mark.parametrize(
    "params",
    [{}, {"status__exact": "new", "assigned": "me_or_none", "country": "CZ"}],
    ids=["nothing chosen", "some chosen"],
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_filters_are_djangos_filter_markup(rf, make_staff, enquiries, params, language):
    # Names with every character the markup must escape, among the filters' choices.
    make_staff("coordinator", username="oddly", first_name="Zoë \"<&>'", last_name="O'Brien")
    City.objects.create(name='Xi\'an <&> "west"', order=99)
    coordinator = make_staff("coordinator", username="viewer")
    request = rf.get(changelist_url(), params)
    request.user = coordinator
    with translation.override(language):
        changelist = EnquiryAdmin(Enquiry, admin.site).get_changelist_instance(request)
        specs = changelist.filter_specs
        ours = [markup(filters.list_filter_html(changelist, spec)) for spec in specs]
        djangos = [markup(admin_list.admin_list_filter(changelist, spec)) for spec in specs]

    assert len(specs) == len(EnquiryAdmin.list_filter)
    assert ours == djangos
    assert any(("start", "li", [("class", "selected")]) in events for events in ours)

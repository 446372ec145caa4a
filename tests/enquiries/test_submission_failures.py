"""The database or the records storage fails during a submission, at any point: the patient gets
the calm 503 form page with everything typed still in it, and nothing is half-stored."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, OperationalError, connection
from django_tasks_db.models import DBTaskResult

from enquiries import forms
from enquiries.models import Consent, Enquiry, EnquiryEvent, OutgoingEmail, RecordFile
from tests.factories import JPEG_BYTES, pdf_file, valid_form_data
from therapy_info.programmes import City

pytestmark = pytest.mark.django_db


class RenderedForm(HTMLParser):
    """The values a rendered form would send back: what the patient sees in each field."""

    def __init__(self, html):
        super().__init__()
        self.values = {}
        self._textarea = self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.values.setdefault(name, []).append(attrs.get("value", "on"))
        elif tag == "textarea":
            self._textarea = name
            self.values.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.setdefault(self._select, []).append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            # A browser drops the one line break that follows <textarea>.
            text = self.values[self._textarea][-1]
            self.values[self._textarea][-1] = text.removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data


def everything_typed(cities):
    """A patient who answered every question, ticked every box and attached two files."""
    return valid_form_data(
        relationship="family_or_friend",
        enquirer_name="Petr Novak",
        patient_name="Анна Новак",
        gender="female",
        birth_year="1970",
        birth_date="1970-03-04",
        country="CZ",
        email="anna@example.org",
        phone="+420 601 123 456",
        preferred_contact_channel="wechat",
        messenger_id="wxid_anna1970",
        preferred_language="Czech",
        best_time_to_reach="Weekdays after 6 pm",
        time_zone="UTC+01:00",
        diagnosis="large_b_cell_lymphoma",
        diagnosis_details="DLBCL, stage IV",
        disease_status="relapsed",
        prior_treatment_lines="2",
        prior_stem_cell_transplant="no",
        prior_car_t="no",
        target_tested="cd19",
        daily_self_care="light_activity",
        medical_summary="R-CHOP, then R-GemOx <relapsed> & waiting",
        preferred_cities=[str(cities["Beijing"].pk), str(cities["Shanghai"].pk)],
        travel_timeframe="within_1_month",
        companion_travelling="yes",
        consent_health_data="on",
        consent_hospital_sharing="on",
        consent_marketing="on",
        source_page_slug="car-t-cell-therapy",
        utm_source="newsletter",
        utm_campaign="spring",
    )


def with_files(data):
    return {
        **data,
        "record_files": [pdf_file("pathology.pdf"), SimpleUploadedFile("scan.jpg", JPEG_BYTES)],
    }


def assert_the_calm_page_keeps_everything_typed(response, typed, *, files_were_sent=True):
    html = response.content.decode()
    assert response.status_code == 503
    assert "We could not save your enquiry just now" in html
    assert ("Please choose your files again" in html) is files_were_sent
    shown = RenderedForm(html).values
    for name, value in typed.items():
        expected = sorted(value) if isinstance(value, list) else [value]
        assert sorted(shown.get(name, [])) == expected, name


def assert_nothing_is_stored(stored_files):
    assert not Enquiry.objects.exists()
    assert not Enquiry.preferred_cities.through.objects.exists()
    assert not Consent.objects.exists()
    assert not RecordFile.objects.exists()
    assert not EnquiryEvent.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert not OutgoingEmail.objects.exists()
    assert stored_files() == []


# Each point where a submission reads or writes the database, named by the statement it sends.
DATABASE_FAILURE_POINTS = {
    "the lookup of an enquiry already sent from this form": '."submission_token" =',
    "the privacy notice lookup": 'FROM "therapy_info_privacynotice"',
    "the public holidays of the reply deadline": 'FROM "enquiries_publicholiday"',
    "the working calendar of the reply deadline": 'FROM "enquiries_workingcalendar"',
    "the enquiry insert": 'INSERT INTO "enquiries_enquiry" ',
    "the city links": 'INSERT INTO "enquiries_enquiry_preferred_cities"',
    "the consents": 'INSERT INTO "enquiries_consent"',
    "the record rows": 'INSERT INTO "enquiries_recordfile"',
    "the received event": 'INSERT INTO "enquiries_enquiryevent"',
    "the notification task": 'INSERT INTO "django_tasks_database_dbtaskresult"',
    "the outgoing email rows": 'INSERT INTO "enquiries_outgoingemail"',
}


@pytest.fixture
def failing_statement():
    """The database refuses the first statement containing `fragment` (and only that one)."""
    failed = []

    def fail_on(fragment):
        def wrapper(execute, sql, params, many, context):
            if fragment in sql and not failed:
                failed.append(sql)
                raise DatabaseError("could not write: disk full")
            return execute(sql, params, many, context)

        return connection.execute_wrapper(wrapper)

    fail_on.failed = failed
    return fail_on


@pytest.mark.parametrize(
    "fragment", DATABASE_FAILURE_POINTS.values(), ids=DATABASE_FAILURE_POINTS.keys()
)
def test_a_database_failure_at_any_point_keeps_what_was_typed_and_stores_nothing(
    submit, cities, stored_files, failing_statement, fragment
):
    typed = everything_typed(cities)

    with failing_statement(fragment):
        response = submit(with_files(typed))

    assert failing_statement.failed, "the failure point was never reached"
    assert_the_calm_page_keeps_everything_typed(response, typed)
    assert_nothing_is_stored(stored_files)


@pytest.mark.parametrize(
    "fragment", DATABASE_FAILURE_POINTS.values(), ids=DATABASE_FAILURE_POINTS.keys()
)
def test_the_same_form_sent_again_after_a_database_failure_is_stored_once(
    submit, cities, failing_statement, fragment
):
    typed = everything_typed(cities)
    with failing_statement(fragment):
        submit(with_files(typed))

    response = submit(with_files(typed))

    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.record_files.count() == 2
    assert enquiry.consents.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_failed_commit_keeps_what_was_typed_and_stores_nothing(submit, stored_files, monkeypatch):
    # An earlier test of this kind may have emptied the tables, seeded cities included.
    cities = {name: City.objects.get_or_create(name=name)[0] for name in ["Beijing", "Shanghai"]}
    typed = everything_typed(cities)
    commit = connection.commit
    failed = []

    def fail_once():
        if not failed:
            failed.append(True)
            raise DatabaseError("could not commit: connection lost")
        commit()

    monkeypatch.setattr(connection, "commit", fail_once)

    response = submit(with_files(typed))

    assert failed
    assert_the_calm_page_keeps_everything_typed(response, typed)
    assert_nothing_is_stored(stored_files)


# Where a database outage starts, by the first statement that fails; every later one fails too.
OUTAGE_STARTS = {
    "from the start of the request": "",
    **{f"from {point}": fragment for point, fragment in DATABASE_FAILURE_POINTS.items()},
}
# A savepoint of the test's own transaction: failing those would break the test, not the view.
SAVEPOINT_STATEMENTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def database_outage():
    """From the first statement containing `fragment` on, the database refuses every statement,
    as when it goes down or its connection drops."""
    refused = []

    def start_at(fragment):
        def wrapper(execute, sql, params, many, context):
            if not sql.lstrip().startswith(SAVEPOINT_STATEMENTS) and (refused or fragment in sql):
                refused.append(sql)
                raise OperationalError("server closed the connection unexpectedly")
            return execute(sql, params, many, context)

        return connection.execute_wrapper(wrapper)

    start_at.refused = refused
    return start_at


@pytest.mark.parametrize("fragment", OUTAGE_STARTS.values(), ids=OUTAGE_STARTS.keys())
def test_a_database_outage_at_any_point_keeps_what_was_typed_and_stores_nothing(
    client, start_url, submit, cities, stored_files, database_outage, fragment
):
    # The patient opened the form while the database still answered.
    assert client.get(start_url).status_code == 200
    typed = everything_typed(cities)

    with database_outage(fragment):
        response = submit(with_files(typed))

    assert database_outage.refused, "the outage never started"
    assert_the_calm_page_keeps_everything_typed(response, typed)
    html = response.content.decode()
    for name in ["Beijing", "Shanghai"]:
        assert name in html
    assert_nothing_is_stored(stored_files)


def forget_in_this_process(monkeypatch):
    monkeypatch.setattr(forms, "_remembered_cities", {})


def forget_in_the_shared_cache(monkeypatch):
    cache.delete_many([forms.remembered_cities_key(code) for code, _name in settings.LANGUAGES])


@pytest.mark.parametrize(
    "forget",
    [forget_in_this_process, forget_in_the_shared_cache],
    ids=["another process drew the form", "the shared cache is down or was emptied"],
)
def test_the_cities_ticked_survive_an_outage_when_one_place_remembers_them(
    client, start_url, submit, cities, database_outage, monkeypatch, forget
):
    assert client.get(start_url).status_code == 200
    forget(monkeypatch)
    typed = everything_typed(cities)

    with database_outage(""):
        response = submit(typed)

    assert_the_calm_page_keeps_everything_typed(response, typed, files_were_sent=False)


STORAGE_ERRORS = {
    "a full disk": lambda: OSError(28, "No space left on device"),
    "S3 refusing the upload": lambda: ClientError(
        {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}},
        "PutObject",
    ),
    "S3 unreachable": lambda: EndpointConnectionError(endpoint_url="https://s3.example"),
}


@pytest.fixture
def failing_storage(monkeypatch):
    """The records storage fails on its `nth` write, after writing part of the file."""

    def fail_on(nth, error):
        storage = RecordFile._meta.get_field("file").storage
        save = storage._save
        writes = []

        def partly_then_fail(name, content):
            writes.append(name)
            if len(writes) < nth:
                return save(name, content)
            path = Path(storage.path(name))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"%PDF-1.4 half a fi")
            raise error()

        monkeypatch.setattr(storage, "_save", partly_then_fail)
        return writes

    return fail_on


@pytest.mark.parametrize("nth", [1, 2], ids=["first file", "second file"])
@pytest.mark.parametrize("error", STORAGE_ERRORS.values(), ids=STORAGE_ERRORS.keys())
def test_a_storage_failure_at_any_file_keeps_what_was_typed_and_stores_nothing(
    submit, cities, stored_files, failing_storage, nth, error
):
    typed = everything_typed(cities)
    writes = failing_storage(nth, error)

    response = submit(with_files(typed))

    assert len(writes) == nth
    assert_the_calm_page_keeps_everything_typed(response, typed)
    assert_nothing_is_stored(stored_files)

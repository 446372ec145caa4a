"""Rate limits on the enquiry form: a limited patient keeps everything typed and is told why;
limits per email address and per client address; atomic counting; every post counted."""

import re
import threading
import time
import uuid

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import connection
from django.http import multipartparser
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from enquiries import ratelimit as enquiry_ratelimit
from enquiries.models import Enquiry
from portal import ratelimit
from tests.factories import pdf_file, valid_form_data

pytestmark = pytest.mark.django_db

OTHER_ADDRESS = "203.0.113.9"


def patient(number, **overrides):
    """A different patient each time (own email), as from one family's or hospital's address."""
    return valid_form_data(email=f"patient{number}@example.org", **overrides)


class TestALimitedPatient:
    @pytest.fixture(autouse=True)
    def one_per_address(self, settings):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 1

    def test_gets_the_form_back_with_everything_typed(self, submit):
        submit(patient(1))
        name, summary = f"Name {uuid.uuid4().hex}", f"Summary {uuid.uuid4().hex}"

        response = submit(patient(2, patient_name=name, medical_summary=summary))

        page = response.content.decode()
        assert response.status_code == 429
        assert 'name="patient_name"' in page
        assert name in page
        assert summary in page

    def test_is_told_why_at_the_top_of_the_form(self, submit):
        submit(patient(1))

        page = submit(patient(2)).content.decode()

        summary = page[page.index('id="error-summary"') : page.index("<form")]
        assert "Please try again later" in summary
        assert "cannot take another one right now" in summary
        assert "Nothing you typed is lost" in summary

    def test_is_told_in_their_language(self, client):
        with translation.override("ru"):
            url = reverse("enquiries:start")
        client.post(url, patient(1))

        page = client.post(url, patient(2)).content.decode()

        assert "Пожалуйста, попробуйте позже" in page
        assert "Ничего из написанного не потерялось" in page

    def test_nothing_is_stored(self, submit):
        submit(patient(1))

        submit(patient(2))

        assert Enquiry.objects.count() == 1

    def test_the_refused_form_goes_through_once_the_hour_has_passed(self, submit):
        refused = patient(2)
        with time_machine.travel("2026-05-01 10:10Z", tick=False):
            submit(patient(1))
            assert submit(refused).status_code == 429
            assert submit(refused).status_code == 429
        with time_machine.travel("2026-05-01 11:00Z", tick=False):
            assert submit(refused).status_code == 302

    def test_sending_the_same_form_again_still_thanks_for_the_stored_one(self, submit):
        data = patient(1)
        submit(data)

        assert submit(data).status_code == 302
        assert Enquiry.objects.count() == 1


class TestPerEmailAddress:
    @pytest.fixture(autouse=True)
    def limits(self, settings):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 100
        settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = 2
        settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_DAY = 3

    def test_an_email_address_is_limited_whatever_the_client_address(self, submit):
        statuses = [
            submit(valid_form_data(email="anna@example.org"), REMOTE_ADDR=f"198.51.100.{n}")
            for n in range(3)
        ]

        assert [response.status_code for response in statuses] == [302, 302, 429]

    def test_the_address_is_the_same_however_it_is_typed(self, submit):
        submit(valid_form_data(email="anna@example.org"))
        submit(valid_form_data(email="ANNA@Example.org"))

        assert submit(valid_form_data(email="  Anna@example.ORG ")).status_code == 429

    def test_another_email_address_from_the_same_connection_is_not_limited(self, submit):
        submit(patient(1))
        submit(patient(1))

        assert submit(patient(2)).status_code == 302

    def test_the_daily_limit_holds_across_hours(self, submit):
        with time_machine.travel("2026-05-01 10:10Z", tick=False):
            submit(patient(1))
            submit(patient(1))
        with time_machine.travel("2026-05-01 11:10Z", tick=False):
            assert submit(patient(1)).status_code == 302
        with time_machine.travel("2026-05-01 12:10Z", tick=False):
            assert submit(patient(1)).status_code == 429

    def test_no_cache_key_holds_the_email_or_the_client_address(self, submit):
        email = f"{uuid.uuid4().hex}@example.org"

        submit(valid_form_data(email=email), REMOTE_ADDR="198.51.100.77")

        keys = " ".join(cache._cache)
        assert "rate" in keys
        assert email not in keys
        assert email.split("@")[0] not in keys
        assert "198.51.100.77" not in keys


class TestPerClientAddress:
    def test_the_default_limit_lets_a_hospitals_patients_through(self, submit):
        statuses = [submit(patient(n)).status_code for n in range(12)]

        assert statuses == [302] * 12

    def test_many_patients_from_one_address_are_limited_at_the_address_limit(
        self, submit, settings
    ):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 3

        statuses = [submit(patient(n)).status_code for n in range(4)]

        assert statuses == [302, 302, 302, 429]


class TestARefusedEnquiryUsesUpNoLimit:
    @pytest.fixture(autouse=True)
    def limits(self, settings):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 1
        settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = 3

    def test_retries_at_a_full_address_leave_the_email_address_its_limit(self, submit):
        submit(patient(1))
        for _ in range(4):
            assert submit(valid_form_data(email="anna@example.org")).status_code == 429

        response = submit(valid_form_data(email="anna@example.org"), REMOTE_ADDR=OTHER_ADDRESS)

        assert response.status_code == 302

    def test_retries_beyond_the_email_limit_leave_the_address_its_limit(self, submit, settings):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 2
        settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = 1
        submit(patient(1))
        for _ in range(3):
            assert submit(patient(1)).status_code == 429

        assert submit(patient(2)).status_code == 302


class TestCopiesOfOneForm:
    """The same form sent twice at once (a double click): counted once, and neither copy waits
    for the other."""

    @pytest.fixture(autouse=True)
    def two_per_email(self, settings):
        settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = 2

    @pytest.fixture
    def second_copy_arrives_while_the_first_is_counted(self, monkeypatch):
        """Runs the whole decision on a second copy in the middle of the first copy's counting,
        in the same thread: a copy that waited for the other would wait for ever."""
        token = uuid.uuid4()
        decisions = []
        count = ratelimit._count

        def count_and_let_the_other_copy_in(*args, **kwargs):
            number = count(*args, **kwargs)
            if not decisions:
                decisions.append(None)
                decisions.append(
                    enquiry_ratelimit.count_enquiry(
                        request, email="anna@example.org", submission_token=token
                    )
                )
            return number

        monkeypatch.setattr(ratelimit, "_count", count_and_let_the_other_copy_in)
        # Waiting would sleep: a copy that waits fails here rather than hanging.
        monkeypatch.setattr(
            time, "sleep", lambda seconds: pytest.fail("a copy of the form waited for another")
        )
        request = RequestFactory().post("/")
        first = enquiry_ratelimit.count_enquiry(
            request, email="anna@example.org", submission_token=token
        )
        monkeypatch.undo()
        return first, decisions[1]

    def test_both_copies_get_the_same_decision_without_waiting(
        self, second_copy_arrives_while_the_first_is_counted
    ):
        assert second_copy_arrives_while_the_first_is_counted == (False, False)

    def test_the_two_copies_are_counted_once(
        self, second_copy_arrives_while_the_first_is_counted, submit
    ):
        assert submit(valid_form_data(email="anna@example.org")).status_code == 302


class TestEveryPostIsCounted:
    @pytest.fixture(autouse=True)
    def three_posts(self, settings):
        settings.ENQUIRY_FORM_POSTS_PER_HOUR = 3

    def test_posts_with_mistakes_count_towards_the_post_limit(self, submit):
        for _ in range(3):
            assert submit(valid_form_data(email="bad")).status_code == 200

        response = submit(patient(1))

        assert response.status_code == 429
        assert not Enquiry.objects.exists()

    def test_oversized_uploads_count_towards_the_post_limit(self, submit):
        big = pdf_file(content=b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
        for _ in range(3):
            submit(patient(1, record_files=[big]))
            big.seek(0)

        assert submit(patient(2)).status_code == 429

    def test_bots_count_towards_the_post_limit(self, submit):
        for _ in range(3):
            submit(valid_form_data(website="http://spam.example"))

        assert submit(patient(1)).status_code == 429

    def test_beyond_the_limit_the_form_comes_back_with_the_reason(self, submit):
        for _ in range(3):
            submit(valid_form_data(email="bad"))

        response = submit(patient(1))

        page = response.content.decode()
        assert 'name="patient_name"' in page
        summary = page[page.index('id="error-summary"') : page.index("<form")]
        assert "too many attempts from your connection" in summary

    def test_beyond_the_limit_a_large_body_is_not_even_read(self, submit, monkeypatch, settings):
        for _ in range(3):
            submit(valid_form_data(email="bad"))
        large = pdf_file(
            content=b"%PDF-1.4\n" + b"0" * settings.ENQUIRY_FORM_REFUSED_POST_READ_BYTES
        )

        def parse(*args, **kwargs):
            raise AssertionError("the body of a refused post was parsed")

        monkeypatch.setattr(multipartparser.MultiPartParser, "parse", parse)
        response = submit(patient(1, record_files=[large]))

        assert response.status_code == 429
        assert "so we could not read this one" in response.content.decode()

    def test_beyond_the_limit_a_small_post_comes_back_with_everything_typed(self, submit):
        for _ in range(3):
            submit(valid_form_data(email="bad"))
        name, summary = f"Name {uuid.uuid4().hex}", f"Summary {uuid.uuid4().hex}"
        token = str(uuid.uuid4())

        response = submit(
            patient(1, patient_name=name, medical_summary=summary, submission_token=token)
        )

        page = response.content.decode()
        assert response.status_code == 429
        assert name in page
        assert summary in page
        # The same form: sent again later, it is the same enquiry, never a second one.
        assert f'value="{token}"' in page
        summary_box = page[page.index('id="error-summary"') : page.index("<form")]
        assert "too many attempts from your connection" in summary_box
        assert "Nothing you typed is lost" in summary_box

    def test_beyond_the_limit_the_answers_are_not_checked(self, submit):
        for _ in range(3):
            submit(valid_form_data(email="bad"))

        typed = f"not-an-address-{uuid.uuid4().hex}"

        response = submit(valid_form_data(email=typed))

        page = response.content.decode()
        assert typed in page
        assert "Enter an email address like" not in page
        assert "invalid-feedback" not in page

    def test_beyond_the_limit_files_are_skipped_and_the_patient_is_told(
        self, submit, stored_files, monkeypatch
    ):
        for _ in range(3):
            submit(valid_form_data(email="bad"))

        def receive(*args, **kwargs):
            raise AssertionError("a file of a refused post was read")

        for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
            monkeypatch.setattr(handler, "receive_data_chunk", receive)
        response = submit(patient(1, record_files=[pdf_file()]))

        assert response.status_code == 429
        assert "Please choose your files again" in response.content.decode()
        assert stored_files() == []
        assert not Enquiry.objects.exists()

    def test_the_refusal_page_carries_a_token_that_lets_the_form_be_sent(self, settings):
        client = Client(enforce_csrf_checks=True)
        page = client.get("/en/start/").content.decode()
        for _ in range(3):
            client.post("/en/start/", {**valid_form_data(email="bad"), **csrf_field(page)})

        refusal = client.post("/en/start/", {**patient(1), **csrf_field(page)})
        settings.ENQUIRY_FORM_POSTS_PER_HOUR = 100
        sent = client.post("/en/start/", {**patient(1), **csrf_field(refusal.content.decode())})

        assert refusal.status_code == 429
        assert sent.status_code == 302

    def test_another_sites_post_beyond_the_limit_is_not_shown_back(self):
        client = Client(enforce_csrf_checks=True)
        for _ in range(3):
            client.post("/en/start/", valid_form_data(email="bad"))
        name = f"Name {uuid.uuid4().hex}"

        response = client.post("/en/start/", patient(1, patient_name=name))

        assert response.status_code == 403
        assert name not in response.content.decode()

    def test_other_addresses_may_still_post(self, submit):
        for _ in range(3):
            submit(valid_form_data(email="bad"))

        assert submit(patient(1), REMOTE_ADDR=OTHER_ADDRESS).status_code == 302

    def test_reading_the_form_is_never_limited(self, client, submit, start_url):
        for _ in range(3):
            submit(valid_form_data(email="bad"))
        submit(valid_form_data(email="bad"))

        assert client.get(start_url).status_code == 200


class TestWhileTheCacheIsDown:
    def test_each_server_process_still_holds_the_limit(self, submit, settings, cache_down):
        settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 2

        statuses = [submit(patient(n)).status_code for n in range(3)]

        assert statuses == [302, 302, 429]
        assert Enquiry.objects.count() == 2

    def test_the_counters_are_kept_in_the_process_memory(self, submit, cache_down):
        submit(patient(1))

        assert any("enquiries:rate" in key for key in ratelimit._counters_in_this_process._cache)


def csrf_field(page):
    """The CSRF token of the form on a page, as the browser would send it back."""
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return {"csrfmiddlewaretoken": token}


def post_in_parallel(forms):
    """Posts each form from its own thread, all released at once; returns the statuses."""
    statuses = []
    lock = threading.Lock()
    start = threading.Barrier(len(forms))

    def post(data):
        try:
            client = Client()
            start.wait()
            status = client.post("/en/start/", data).status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(data,)) for data in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


# Atomic counting does not depend on the cache: Redis (as in production) for one, the default
# local-memory cache for the other; each runs once, as 40 form posts are slow on a busy machine.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_40_parallel_posts_from_one_address_store_exactly_the_limit(settings, redis_cache):
    settings.ENQUIRY_RATE_LIMIT_PER_HOUR = 5

    statuses = post_in_parallel([patient(n) for n in range(40)])

    assert Enquiry.objects.count() == 5
    assert statuses == [302] * 5 + [429] * 35


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_20_parallel_posts_with_one_email_store_exactly_its_limit(settings):
    settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = 3

    forms = [valid_form_data(email="anna@example.org") for _ in range(20)]
    statuses = post_in_parallel(forms)

    assert Enquiry.objects.count() == 3
    assert statuses == [302] * 3 + [429] * 17

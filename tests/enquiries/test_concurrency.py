"""Many patients at once: every submission is stored, each under its own reference."""

import threading

import pytest
from django.db import connection
from django.test import Client

from enquiries.models import Enquiry
from tests.factories import valid_form_data

SUBMISSIONS = 200
THREADS = 20


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_200_parallel_submissions_give_200_enquiries_with_unique_references(settings):
    # One address and one email address for all: no limit may refuse any of them.
    settings.ENQUIRY_RATE_LIMIT_PER_HOUR = SUBMISSIONS * 2
    settings.ENQUIRY_FORM_POSTS_PER_HOUR = SUBMISSIONS * 2
    settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_HOUR = SUBMISSIONS * 2
    settings.ENQUIRY_RATE_LIMIT_PER_EMAIL_PER_DAY = SUBMISSIONS * 2
    statuses = []
    lock = threading.Lock()
    forms = [valid_form_data(patient_name=f"Patient {n}") for n in range(SUBMISSIONS)]

    def post_share(share):
        try:
            client = Client()
            for data in share:
                status = client.post("/en/start/", data).status_code
                with lock:
                    statuses.append(status)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=post_share, args=(forms[i::THREADS],)) for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * SUBMISSIONS
    assert Enquiry.objects.count() == SUBMISSIONS
    assert Enquiry.objects.values("reference").distinct().count() == SUBMISSIONS


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_ten_times_at_once_gives_one_enquiry():
    data = valid_form_data()
    statuses = []
    start = threading.Barrier(10)

    def post_once():
        try:
            client = Client()
            start.wait()
            statuses.append(client.post("/en/start/", data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post_once) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [302] * 10
    assert Enquiry.objects.count() == 1

"""`manage.py time_enquiry_list --user lead@example.org`: how long the admin's enquiry list takes
and how many queries it runs, for a few typical filters (run after seed_enquiries; with
SECURE_COOKIES=false, since the test client speaks plain HTTP)."""

import statistics
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.core.signals import request_started
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

CASES = {
    "newest first, page 1": "",
    "page 50": "?p=50",
    "unassigned": "?assigned=none",
    "overdue": "?overdue=yes",
    "status in review": "?status__exact=in_review",
    "search by name": "?q=Novak",
    "search by reference": "?q=CT-2",
}


class Command(BaseCommand):
    help = "Time the enquiry list in admin (median of N requests) and count its queries."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Login of a coordinator or lead.")
        parser.add_argument("--repeat", type=int, default=10)

    def handle(self, *args, user, repeat, **options):
        client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
        client.force_login(get_user_model().objects.get(username=user))
        # Django empties the query log when a request starts; keep it for counting.
        request_started.disconnect(reset_queries)
        url = reverse("admin:enquiries_enquiry_changelist")
        for name, query in CASES.items():
            client.get(url + query)  # warm up the connection and the template cache
            timings = []
            for _number in range(repeat):
                started = time.perf_counter()
                response = client.get(url + query)
                timings.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url + query)
            slowest = max((float(q["time"]) for q in queries.captured_queries), default=0)
            median = statistics.median(timings)
            self.stdout.write(
                f"{name:24} HTTP {response.status_code}  median {median:7.1f} ms"
                f"  queries {len(queries):2}  slowest query {slowest * 1000:.1f} ms"
            )

"""`make burst`: 1,000 enquiries sent at once lose nothing, even when the mail server is down.

Serves the portal under gunicorn (production settings, 2 sync workers) on a throwaway PostgreSQL
database (portal_burst, created and dropped here), fires 1,000 valid submissions with 50 in flight
(the per-address limits raised through ENQUIRY_RATE_LIMIT_PER_HOUR and
ENQUIRY_FORM_POSTS_PER_HOUR), then checks:
exactly 1,000 enquiries, 1,000 distinct references, 1,000 notification tasks, no 5xx answer.

Then the same again with the mail server refusing connections (EMAIL_URL to a closed port) and
the task worker running: still 1,000 enquiries, every one with its tasks, none lost.

    python scripts/burst.py [--count 1000] [--in-flight 50]
    DATABASE_URL=postgres://user@host:5432/any python scripts/burst.py   # another server
"""

import argparse
import asyncio
import os
import re
import socket
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import HOST, PYTHON, Deployment, port_is_free

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE = re.compile(rb"Set-Cookie: (csrftoken=[^;]+)", re.IGNORECASE)
CHECK = """
from django_tasks_db.models import DBTaskResult
from enquiries.models import Enquiry
print(Enquiry.objects.count(), Enquiry.objects.values("reference").distinct().count(),
      DBTaskResult.objects.filter(task_path__endswith="send_enquiry_notifications").count(),
      Enquiry.objects.filter(events__kind="received").distinct().count())
"""


async def http(port, request):
    """One request on its own connection (gunicorn's sync workers close it): status and body."""
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        writer.write(request)
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    status = int(response.split(b" ", 2)[1])
    return status, response


async def fetch_form(port):
    """The form as a browser gets it: its CSRF cookie and token."""
    request = f"GET /en/start/ HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    status, response = await http(port, request)
    if status != 200:
        raise SystemExit(f"the form answered {status}")
    return COOKIE.search(response).group(1).decode(), TOKEN.search(response).group(1).decode()


def form_body(number, csrf_token):
    fields = {
        "csrfmiddlewaretoken": csrf_token,
        "submission_token": str(uuid.uuid4()),
        "relationship": "patient",
        "patient_name": f"Burst Patient {number}",
        "gender": "female",
        "birth_year": "1970",
        "country": "CZ",
        "email": f"burst{number}@example.org",
        "preferred_contact_channel": "email",
        "diagnosis": "large_b_cell_lymphoma",
        "disease_status": "relapsed",
        "travel_timeframe": "within_1_month",
        "consent_health_data": "on",
    }
    return urlencode(fields).encode()


async def submit(port, number, credentials):
    cookie, token = credentials
    body = form_body(number, token)
    request = (
        f"POST /en/start/ HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
        f"Cookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    status, _response = await http(port, request)
    return status


async def burst(port, count, in_flight):
    gate = asyncio.Semaphore(in_flight)

    async def one(number):
        async with gate:
            # Each patient opens the form first: their own CSRF cookie and token.
            credentials = await fetch_form(port)
            try:
                return await submit(port, number, credentials)
            except (ConnectionError, OSError):
                return "connection error"

    started = time.monotonic()
    statuses = await asyncio.gather(*(one(number) for number in range(count)))
    return Counter(statuses), time.monotonic() - started


def closed_port():
    """A port nothing listens on: the mail server that refuses every connection."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def check(deployment, count, statuses, seconds, label, *, retries_expected):
    enquiries, references, tasks, received = map(
        int,
        deployment.run(str(PYTHON), "manage.py", "shell", "-c", CHECK, capture=True)
        .splitlines()[-1]
        .split(),
    )
    server_errors = sum(
        n for status, n in statuses.items() if not isinstance(status, int) or status >= 500
    )
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str))
    results = {
        f"{count} enquiries": enquiries == count,
        f"{count} distinct references": references == count,
        # With the worker running, a failed send queues its retry as a further task.
        f"{count} notification tasks queued": (
            tasks >= count if retries_expected else tasks == count
        ),
        f"{count} 'received' events": received == count,
        "0 answers 5xx or lost": server_errors == 0,
    }
    print(f"\n{label}: {count} submissions in {seconds:.1f} s ({count / seconds:.0f}/s)")
    print(f"  answers {answers}")
    print(f"  enquiries {enquiries}, distinct references {references}, notification tasks {tasks}")
    for claim, holds in results.items():
        print(f"  {'ok  ' if holds else 'FAIL'} {claim}")
    return all(results.values())


def run(args, label, *, email_url, worker):
    with Deployment(
        database_url=args.database_url,
        pg_database="portal_burst",
        ENQUIRY_RATE_LIMIT_PER_HOUR=str(args.count * 10),
        ENQUIRY_FORM_POSTS_PER_HOUR=str(args.count * 10),
        EMAIL_URL=email_url,
        EMAIL_TIMEOUT="2",
        ENQUIRY_NOTIFICATION_RETRY_SECONDS="1",
    ) as deployment:
        if deployment.database_kind != "PostgreSQL":
            raise SystemExit("the burst runs on PostgreSQL: DATABASE_URL=postgres://…")
        deployment.manage("migrate", "--no-input", "--verbosity", "0")
        deployment.manage("collectstatic", "--no-input", "--verbosity", "0")
        deployment.start_gunicorn(args.port, workers=args.workers)
        if worker:
            deployment.start_worker()
        statuses, seconds = asyncio.run(burst(args.port, args.count, args.in_flight))
        if worker:
            # Let the worker try the failing mail server while the form is still busy.
            time.sleep(3)
        return check(deployment, args.count, statuses, seconds, label, retries_expected=worker)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    args.database_url = (
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/portal"
    )
    if not port_is_free(args.port):
        raise SystemExit(f"port {args.port} on {HOST} is in use: --port picks another")

    ok = run(args, "Burst, mail printed on the console", email_url="consolemail://", worker=False)
    ok &= run(
        args,
        "Burst, mail server refusing connections, task worker running",
        email_url=f"smtp://{HOST}:{closed_port()}",
        worker=True,
    )
    print("\nNothing lost." if ok else "\nSOMETHING WAS LOST: see FAIL above.")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

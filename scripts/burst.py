"""`make burst`: 1,000 enquiries sent at once lose nothing, and each of their emails is sent
exactly once, even when the mail server is down and the task worker is killed.

Serves the portal under gunicorn (production settings, 2 sync workers) on a throwaway PostgreSQL
database (portal_burst_<random>, created here, and the only database dropped afterwards), fires
1,000 valid submissions with 50 in flight (the per-address limits raised through
ENQUIRY_RATE_LIMIT_PER_HOUR and ENQUIRY_FORM_POSTS_PER_HOUR), then checks: exactly 1,000
enquiries, 1,000 distinct references, 2,000 email rows each with its task, no 5xx answer.

Then the same again with a real SMTP server on 127.0.0.1 (aiosmtpd, scripts/smtp_sink.py) and
the task worker (manage.py task_worker) running. The mail server is down when the burst starts
(connections refused: the emails fail and wait for their retries); a third of the way in it comes
back, and the worker is killed with SIGKILL in the middle of sending an email (the server holds
that session) and a new worker started. When the burst is over, every email must reach the
server exactly once: each enquiry's acknowledgement and coordinators' notification, counted by
Message-ID at the server.

    python scripts/burst.py [--count 1000] [--in-flight 50]
    DATABASE_URL=postgres://user@host:5432/any python scripts/burst.py   # another server
"""

import argparse
import asyncio
import os
import re
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_server import HOST, PYTHON, Deployment, port_is_free
from smtp_sink import SmtpSink, free_port

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE = re.compile(rb"Set-Cookie: (csrftoken=[^;]+)", re.IGNORECASE)
CHECK = """
from django_tasks_db.models import DBTaskResult
from enquiries.models import Enquiry, OutgoingEmail
print(Enquiry.objects.count(), Enquiry.objects.values("reference").distinct().count(),
      OutgoingEmail.objects.count(),
      DBTaskResult.objects.filter(task_path="enquiries.tasks.send_email").count(),
      Enquiry.objects.filter(events__kind="received").distinct().count())
"""
# Each email row's Message-ID, kind and status, one per line.
EMAILS = """
from enquiries.models import OutgoingEmail
for row in OutgoingEmail.objects.values_list("message_id", "kind", "status", "attempts"):
    print(*row)
"""
# Tasks a second worker ran again after the first was killed.
RERUN = """
from django_tasks_db.models import DBTaskResult
print(sum(len(ids) > 1 for ids in DBTaskResult.objects.values_list("worker_ids", flat=True)))
"""
# Until every email is sent or given up, then this long at most.
SETTLE_SECONDS = 300


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


async def burst(port, count, in_flight, *, midway=None):
    """Fire the submissions; `midway()`, if given, runs in a thread once a third have answered."""
    gate = asyncio.Semaphore(in_flight)
    answered = 0
    disruption = None

    async def one(number):
        nonlocal answered, disruption
        async with gate:
            # Each patient opens the form first: their own CSRF cookie and token.
            credentials = await fetch_form(port)
            try:
                status = await submit(port, number, credentials)
            except (ConnectionError, OSError):
                status = "connection error"
        answered += 1
        if midway is not None and answered == count // 3:
            disruption = asyncio.create_task(asyncio.to_thread(midway))
        return status

    started = time.monotonic()
    statuses = await asyncio.gather(*(one(number) for number in range(count)))
    seconds = time.monotonic() - started
    if disruption is not None:
        await disruption
    return Counter(statuses), seconds


def check(deployment, count, statuses, seconds, label, *, retries_expected):
    enquiries, references, emails, tasks, received = map(
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
        f"{2 * count} email rows (acknowledgement, coordinators' notification)": (
            emails == 2 * count
        ),
        # With the worker running, a failed send queues its retry as a further task.
        f"{2 * count} email tasks queued": (
            tasks >= 2 * count if retries_expected else tasks == 2 * count
        ),
        f"{count} 'received' events": received == count,
        "0 answers 5xx or lost": server_errors == 0,
    }
    print(f"\n{label}: {count} submissions in {seconds:.1f} s ({count / seconds:.0f}/s)")
    print(f"  answers {answers}")
    print(
        f"  enquiries {enquiries}, distinct references {references}, email rows {emails}, "
        f"email tasks {tasks}"
    )
    for claim, holds in results.items():
        print(f"  {'ok  ' if holds else 'FAIL'} {claim}")
    return all(results.values())


def deployment_for(args, **env):
    return Deployment(
        database_url=args.database_url,
        pg_database_prefix="portal_burst",
        ENQUIRY_RATE_LIMIT_PER_HOUR=str(args.count * 10),
        ENQUIRY_FORM_POSTS_PER_HOUR=str(args.count * 10),
        ENQUIRY_NOTIFICATION_RETRY_SECONDS="1",
        **env,
    )


def start_portal(deployment, args):
    if deployment.database_kind != "PostgreSQL":
        raise SystemExit("the burst runs on PostgreSQL: DATABASE_URL=postgres://…")
    deployment.manage("migrate", "--no-input", "--verbosity", "0")
    deployment.manage("load_content", "--verbosity", "0")
    deployment.manage("collectstatic", "--no-input", "--verbosity", "0")
    deployment.start_gunicorn(args.port, workers=args.workers)


def shell(deployment, code):
    return deployment.run(str(PYTHON), "manage.py", "shell", "-c", code, capture=True)


def run_without_worker(args):
    with deployment_for(args, EMAIL_URL="consolemail://") as deployment:
        start_portal(deployment, args)
        statuses, seconds = asyncio.run(burst(args.port, args.count, args.in_flight))
        label = "Burst, mail printed on the console, no task worker"
        return check(deployment, args.count, statuses, seconds, label, retries_expected=False)


def run_with_mail_down_and_worker_killed(args):
    sink = SmtpSink(port=free_port())  # not started yet: the mail server is down
    with deployment_for(
        args,
        EMAIL_URL=sink.url,
        EMAIL_TIMEOUT="5",
        # Small for the run, and above EMAIL_TIMEOUT, as in production (77 min over 10 min).
        TASK_RUNNING_TIMEOUT_SECONDS="15",
    ) as deployment:
        start_portal(deployment, args)
        deployment.start_worker()
        killed = {}

        def mail_back_and_worker_killed_mid_send():
            # The mail server comes back, holding the first session it gets: the worker that
            # opened it is in the middle of sending an email when it is killed.
            sink.hold_sessions.set()
            sink.start()
            if not sink.held.wait(60):
                raise SystemExit("the worker never reached the mail server once it was back")
            worker = deployment.workers[-1]
            worker.kill()
            worker.wait()
            killed["at"] = time.monotonic()
            sink.hold_sessions.clear()
            deployment.start_worker()

        try:
            statuses, seconds = asyncio.run(
                burst(
                    args.port,
                    args.count,
                    args.in_flight,
                    midway=mail_back_and_worker_killed_mid_send,
                )
            )
            label = "Burst, mail server down then back, task worker killed mid-send and restarted"
            ok = check(deployment, args.count, statuses, seconds, label, retries_expected=True)
            ok &= check_each_email_arrived_once(deployment, sink, args.count, killed["at"])
        finally:
            sink.stop()
        return ok


def check_each_email_arrived_once(deployment, sink, count, killed_at):
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        output = shell(deployment, EMAILS).splitlines()
        rows = [line.split() for line in output if line.startswith("<")]
        settled = all(status in ("sent", "failed") for _id, _kind, status, _n in rows)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(2)
    settle_seconds = time.monotonic() - killed_at
    copies = sink.copies()
    ids = {message_id for message_id, *_rest in rows}
    once = sum(copies[message_id] == 1 for message_id in ids)
    twice_or_more = sum(copies[message_id] > 1 for message_id in ids)
    missing = sum(copies[message_id] == 0 for message_id in ids)
    strangers = sum(n for message_id, n in copies.items() if message_id not in ids)
    sent = sum(status == "sent" for _id, _kind, status, _n in rows)
    retried = sum(int(attempts) > 1 for *_rest, attempts in rows)
    rerun = int(shell(deployment, RERUN).split()[-1])
    kinds = Counter(kind for _id, kind, _status, _n in rows)
    results = {
        f"{count} acknowledgements and {count} coordinators' notifications": (
            kinds == {"acknowledgement": count, "coordinators_notification": count}
        ),
        f"{2 * count} emails recorded as sent": sent == 2 * count,
        f"{2 * count} emails arrived exactly once (by Message-ID)": once == 2 * count,
        "0 arrived twice, 0 never arrived, 0 unknown": not (twice_or_more or missing or strangers),
        "the killed worker's task was run again by the new worker": rerun >= 1,
    }
    print(
        f"  emails: {len(rows)} rows, {sent} sent, {retried} needed more than one attempt; at the "
        f"mail server {sum(copies.values())} messages, {once} Message-IDs once, {twice_or_more} "
        f"more than once, {missing} missing, {strangers} unknown; {rerun} task(s) run again after "
        f"the kill; all settled {settle_seconds:.0f} s after the kill"
    )
    for claim, holds in results.items():
        print(f"  {'ok  ' if holds else 'FAIL'} {claim}")
    if not all(results.values()):
        for log in sorted(deployment.work.glob("worker-*.log")):
            print(f"\n  {log.name}, last lines:")
            for line in log.read_text().splitlines()[-15:]:
                print(f"    {line}")
    return all(results.values())


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

    ok = run_without_worker(args)
    ok &= run_with_mail_down_and_worker_killed(args)
    print("\nNothing lost." if ok else "\nSOMETHING WAS LOST: see FAIL above.")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

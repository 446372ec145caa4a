"""`make bench` (also alone): the CPU time Django spends rendering the admin's enquiry list, per
page, on PostgreSQL with 100,000 enquiries. Goal: 30 ms or less.

    python scripts/bench_admin_list.py [--enquiries 100000] [--pages 30]

Creates a database of its own on the server DATABASE_URL names (portal_bench_list_<random>, the
default server is postgres://postgres@127.0.0.1:5432), migrates it, seeds the enquiries with bulk
inserts (manage.py seed_enquiries), and drops it afterwards (scripts/bench_server.Deployment).
The pages are rendered in this process through Django's test client, logged in as a coordinator
with a verified second factor, and timed with time.process_time: this process's CPU only, not
the database's. Prints the median and 90th percentile per list, and one JSON line for
scripts/bench.py."""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
LISTS = {
    "all enquiries, newest first": "",
    "waiting for me": "?news=yes&assigned=me_or_none",
}


def quantile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(enquiries, pages, profile):
    """In the deployment's environment: seed, log in, render each list `pages` times."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from enquiries.models import Enquiry
    from enquiries.roles import COORDINATORS
    from portal import staff_sessions

    User = get_user_model()
    coordinators = Group.objects.get(name=COORDINATORS)
    staff = []
    for number in range(5):
        user = User.objects.create_user(
            f"bench-coordinator-{number}",
            is_staff=True,
            first_name=f"Coordinator {number}",
            last_name="Bench",
        )
        user.groups.add(coordinators)
        staff.append(user)
    started = time.monotonic()
    call_command("seed_enquiries", count=enquiries, verbosity=0)
    # Some news from patients, so "Waiting for me" lists a few hundred.
    newest = Enquiry.objects.order_by("-submitted_at").values("pk")[:400]
    Enquiry.objects.filter(pk__in=newest).update(news_from_patient_at=timezone.now())
    print(f"Seeded {enquiries:,} enquiries in {time.monotonic() - started:.0f} s", file=sys.stderr)

    user = staff[0]
    device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(user)
    session = client.session
    now = int(time.time())
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[staff_sessions.LOGGED_IN_AT] = now
    session[staff_sessions.LAST_ACTIVITY_AT] = now
    session.save()

    url = reverse("admin:enquiries_enquiry_changelist")
    results = {}
    for name, query in LISTS.items():
        for _warm in range(3):
            response = client.get(url + query)
            assert response.status_code == 200, response.status_code
        timings = []
        for _page in range(pages):
            before = time.process_time()
            response = client.get(url + query)
            timings.append((time.process_time() - before) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url + query)
        if profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _page in range(pages):
                client.get(url + query)
            profiler.disable()
            stats = pstats.Stats(profiler, stream=sys.stderr)
            stats.sort_stats("tottime").print_stats(25)
        results[name] = {
            "median_ms": statistics.median(timings),
            "p90_ms": quantile(timings, 0.9),
            "queries": len(queries),
        }
    print("ADMIN_LIST " + json.dumps(results))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enquiries", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.enquiries, args.pages, args.profile)
        return

    from bench_server import PYTHON, Deployment

    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER
    if not server.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The admin list benchmark runs on PostgreSQL: DATABASE_URL=postgres://…")
    with Deployment(
        database_url=server, pg_database_prefix="portal_bench_list", handle_sigterm=True
    ) as deployment:
        deployment.manage("migrate", "--no-input", "--verbosity", "0")
        # Production settings: the pages name their static files from collectstatic's manifest.
        deployment.manage("collectstatic", "--no-input", "--verbosity", "0")
        output = deployment.run(
            str(PYTHON),
            "scripts/bench_admin_list.py",
            "--measure",
            "--enquiries",
            str(args.enquiries),
            "--pages",
            str(args.pages),
            *(["--profile"] if args.profile else []),
            capture=True,
        )
    line = next(line for line in output.splitlines() if line.startswith("ADMIN_LIST "))
    results = json.loads(line.removeprefix("ADMIN_LIST "))
    print(f"Admin enquiry list, {args.enquiries:,} enquiries on PostgreSQL, CPU per page:")
    for name, figures in results.items():
        print(
            f"  {name:<30} median {figures['median_ms']:.1f} ms  p90 {figures['p90_ms']:.1f} ms"
            f"  ({figures['queries']} queries)"
        )
    print(line)


if __name__ == "__main__":
    main()

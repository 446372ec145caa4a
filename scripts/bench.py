"""`make bench`: what the portal serves per second on this machine, next to what Django can do.

Starts gunicorn (production settings, 2 sync workers) on 127.0.0.1 against a throwaway database
(PostgreSQL when DATABASE_URL says so, in its own database portal_bench; SQLite otherwise), seeds
the content pages (load_content) and 100,000 enquiries with cities, notes and events, then drives
wrk at a fixed concurrency for a fixed time against each endpoint in turn:

  reference  a constant answer through our whole middleware (portal.bench_urls)
  home, a content page, the form (GET), a valid submission (POST), the admin enquiry list

and, once, an upload of five files of just under 10 MB to a patient's case page: whether it was
stored, how long it took, and how much the worker's peak resident memory grew (scripts/
bench_upload.py; one file's size or more would mean a file held in memory).

and, on PostgreSQL, the CPU time the admin's enquiry list takes to render per page with 100,000
enquiries, in-process and on a database of its own (scripts/bench_admin_list.py; goal 30 ms),

and the CPU time of matching one enquiry's answers against 50 approved products and 500 trials
(scripts/bench_matching.py; goal under 5 ms),

and prints requests/s, p50, p99, errors and the ratio to the reference; the same table goes to
test-artifacts/bench.md. The load generator shares the 2 cores: compare ratios across runs,
not absolute numbers.

Every POST carries its own CSRF cookie and token, handed out by the server before the run
(/bench/csrf-token, like the form page does), a fresh submission token and distinct data; the
number of enquiries stored afterwards is checked against the 302s wrk counted.

    python scripts/bench.py [--duration 10] [--connections 16] [--enquiries 100000]
"""

# ruff: noqa: S603  (runs our own tools with our own arguments)
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_upload
from bench_server import (
    HOST,
    PROJECT,
    PYTHON,
    Deployment,
    cpu_seconds,
    port_is_free,
    worker_pids,
)

ARTIFACT = PROJECT / "test-artifacts" / "bench.md"
CONTENT_PAGE = "/en/car-t/car-t-cell-therapy/"

# wrk prints one JSON line per run; latencies are in microseconds.
REPORT_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

# Collects server-issued CSRF cookies and tokens, one file per wrk thread.
TOKENS_LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  out = io.open(args[1] .. "/tokens-" .. id .. ".txt", "w")
end
function response(status, headers, body)
  local cookie = headers["Set-Cookie"]
  if status == 200 and cookie then
    out:write(cookie:match("^([^;]+)"), " ", body, "\n")
  end
end
"""

# Posts the form: each request its own CSRF pair (reused only if the pairs run out, counted),
# a fresh submission token and distinct patient data.
POST_LUA = r"""
local threads = {}
local pairs_ = {}
local counter = 0
reused = 0
bad = 0
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  for line in io.lines(args[1] .. "/tokens-" .. id .. ".txt") do
    local cookie, token = line:match("^(%S+) (%S+)$")
    if cookie then table.insert(pairs_, {cookie, token}) end
  end
  run = args[2]
end
function request()
  counter = counter + 1
  local index = (counter - 1) % #pairs_ + 1
  if counter > #pairs_ then reused = reused + 1 end
  local pair = pairs_[index]
  local n = id * 10000000 + counter
  local body = table.concat({
    "csrfmiddlewaretoken=" .. pair[2],
    "submission_token=" .. string.format("%s-%04x-4000-8000-%012x", run, id, counter),
    "relationship=patient",
    "patient_name=Bench+Patient+" .. n,
    "gender=female", "birth_year=1970", "country=CZ",
    "email=bench" .. n .. "%40example.org",
    "phone=", "preferred_contact_channel=email",
    "diagnosis=large_b_cell_lymphoma", "disease_status=relapsed",
    "medical_summary=Two+lines+of+chemotherapy.",
    "travel_timeframe=within_1_month", "consent_health_data=on", "source_page_slug=",
  }, "&")
  return wrk.format("POST", "/en/start/", {
    ["Cookie"] = pair[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
function response(status, headers, body)
  if status ~= 302 then bad = bad + 1 end
end
""" + REPORT_LUA.replace(
    "done = function(summary, latency, requests)",
    """done = function(summary, latency, requests)
  local reused_total, bad_total = 0, 0
  for _, thread in ipairs(threads) do
    reused_total = reused_total + (thread:get("reused") or 0)
    bad_total = bad_total + (thread:get("bad") or 0)
  end
  io.write(string.format('POSTINFO {"reused":%d,"not_302":%d}\\n', reused_total, bad_total))""",
)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("wrk is missing: installing Debian's package (apt-get install -y wrk)")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        # A fresh machine may not have the package lists yet.
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run(install, check=True)


def wrk(url, args, *, script, extra=(), headers=(), timeout=2):
    command = [
        "wrk",
        f"--timeout={timeout}s",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        str(script),
    ]
    for header in headers:
        command += ["-H", header]
    command.append(url)
    if extra:
        command += ["--", *extra]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result = {}
    for line in output.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[6:])
        elif line.startswith("POSTINFO "):
            result.update(json.loads(line[9:]))
    if not result and script.name != "tokens.lua":
        raise SystemExit(f"wrk printed no result:\n{output}")
    return result


def measure(name, path, args, server, *, script, extra=(), headers=(), timeout=2):
    url = f"http://{HOST}:{args.port}{path}"
    pids = worker_pids(server)
    cpu_before = cpu_seconds(pids)
    result = wrk(url, args, script=script, extra=extra, headers=headers, timeout=timeout)
    cpu = cpu_seconds(pids) - cpu_before
    seconds = result["duration_us"] / 1e6
    errors = sum(result[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    row = {
        "name": name,
        "path": path,
        "rps": result["requests"] / seconds,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "requests": result["requests"],
        "errors": errors,
        "cpu_ms": 1000 * cpu / max(result["requests"], 1),
        "error_kinds": {
            kind: result[kind]
            for kind in ("connect", "read", "write", "status", "timeout")
            if result[kind]
        },
        **{key: result[key] for key in ("reused", "not_302") if key in result},
    }
    print(
        f"  {name:<34} {row['rps']:>8.0f} req/s  p50 {row['p50_ms']:.1f} ms  "
        f"p99 {row['p99_ms']:.1f} ms  errors {errors}",
        flush=True,
    )
    return row


def count_enquiries(deployment):
    output = deployment.run(
        str(PYTHON),
        "manage.py",
        "shell",
        "-c",
        "from enquiries.models import Enquiry; print(Enquiry.objects.count())",
        capture=True,
    )
    return int(output.strip().splitlines()[-1])


def seed(deployment, count):
    started = time.monotonic()
    print(f"Seeding {count:,} enquiries with manage.py seed_enquiries")
    deployment.manage("seed_enquiries", "--count", str(count))
    print(f"  done in {time.monotonic() - started:.0f} s")


def admin_list_cpu(enquiries):
    """The admin list's CPU ms per page (scripts/bench_admin_list.py), as a line for the notes."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        return (
            "Admin enquiry list CPU per page: not measured (scripts/bench_admin_list.py needs "
            "PostgreSQL in DATABASE_URL)."
        )
    print("Admin enquiry list, rendered in-process (scripts/bench_admin_list.py)", flush=True)
    output = subprocess.run(
        [str(PYTHON), "scripts/bench_admin_list.py", "--enquiries", str(enquiries)],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(output, end="")
    line = next(line for line in output.splitlines() if line.startswith("ADMIN_LIST "))
    figures = json.loads(line.removeprefix("ADMIN_LIST "))
    return (
        f"Admin enquiry list rendered in-process with {enquiries:,} enquiries on PostgreSQL, "
        "CPU ms per page (goal 30 ms or less): "
        + "; ".join(
            f"{name}: median {f['median_ms']:.1f}, p90 {f['p90_ms']:.1f} ({f['queries']} queries)"
            for name, f in figures.items()
        )
        + "."
    )


def matching_cpu():
    """Matching's CPU ms per enquiry (scripts/bench_matching.py), as a line for the notes."""
    print("Matching an enquiry to products and trials (scripts/bench_matching.py)", flush=True)
    output = subprocess.run(
        [str(PYTHON), "scripts/bench_matching.py"],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    print(output, end="")
    return next(line for line in output.splitlines() if line.startswith("Matching "))


def table(rows, meta):
    reference = rows[0]["rps"]
    lines = [
        f"# Benchmark, {meta['when']}",
        "",
        f"- Machine: {meta['cores']} cores shared by gunicorn ({meta['workers']} sync workers), "
        f"the database, the cache and the load generator (wrk -t{meta['threads']} "
        f"-c{meta['connections']}, {meta['duration']} s per row) on loopback. Compare the ratios "
        "across runs, not absolute numbers.",
        f"- Database: {meta['database']} with {meta['enquiries']:,} enquiries; cache: "
        f"{meta['cache']}; Python {meta['python']}; 2FA on for the admin session.",
        "- CPU ms/req: the gunicorn workers' CPU time per request (database and cache not "
        "included).",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | errors | x reference | CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
            f"{row['errors']} | {row['rps'] / reference:.2f} | {row['cpu_ms']:.2f} |"
        )
    for note in meta["notes"]:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--enquiries", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    ensure_wrk()
    if not port_is_free(args.port):
        raise SystemExit(f"port {args.port} on {HOST} is in use: --port picks another")

    with Deployment(
        database_url=os.environ.get("DATABASE_URL"),
        redis_url=args.redis_url,
        ENQUIRY_RATE_LIMIT_PER_HOUR="1000000000",
        ENQUIRY_FORM_POSTS_PER_HOUR="1000000000",
    ) as deployment:
        work = deployment.work
        (work / "report.lua").write_text(REPORT_LUA)
        (work / "tokens.lua").write_text(TOKENS_LUA)
        (work / "post.lua").write_text(POST_LUA)
        print(f"Preparing {deployment.database_kind} and static files in {work}")
        deployment.manage("migrate", "--no-input", "--verbosity", "0")
        deployment.manage("load_content", "--verbosity", "0")
        deployment.manage("collectstatic", "--no-input", "--verbosity", "0")
        seed(deployment, args.enquiries)
        session_key = deployment.run(str(PYTHON), "scripts/bench_session.py", capture=True).split()[
            -1
        ]
        admin_url = os.environ.get("ADMIN_URL", "admin/")
        admin_list = f"/{admin_url}enquiries/enquiry/"

        enquiry_id, case_token = deployment.run(
            str(PYTHON), "scripts/bench_case_link.py", capture=True
        ).split()[-2:]

        server = deployment.start_gunicorn(
            args.port, workers=args.workers, settings="portal.bench_settings"
        )
        print(f"gunicorn on http://{HOST}:{args.port} ({args.workers} sync workers)\n")
        upload = bench_upload.measure(HOST, args.port, case_token, worker_pids(server))
        stored_files = int(
            deployment.run(
                str(PYTHON),
                "manage.py",
                "shell",
                "-c",
                "from enquiries.models import RecordFile; "
                f"print(RecordFile.objects.filter(enquiry_id={enquiry_id}).count())",
                capture=True,
            ).split()[-1]
        )
        print(
            f"Case page upload: {bench_upload.FILES} files, {upload['megabytes_sent']:.1f} MB in "
            f"{upload['seconds']:.1f} s, answer {upload['status']}, {stored_files} stored; worker "
            f"peak memory grew {upload['peak_growth_mib']:.1f} MiB (one file: "
            f"{upload['largest_file_mib']:.1f} MiB)"
        )
        report = work / "report.lua"
        cookie = f"Cookie: sessionid={session_key}"
        # Warm up: imports, connections, template and page caches, as on a server in service.
        warm = argparse.Namespace(**{**vars(args), "duration": 2})
        for path in ("/bench/reference", "/en/", CONTENT_PAGE):
            wrk(f"http://{HOST}:{args.port}{path}", warm, script=report)
        rows = [
            measure("reference (constant view)", "/bench/reference", args, server, script=report),
            measure("home", "/en/", args, server, script=report),
            measure("content page", CONTENT_PAGE, args, server, script=report),
            measure("form (GET)", "/en/start/", args, server, script=report),
        ]

        # The submissions: first the server hands out CSRF pairs, then wrk posts with them.
        wrk(
            f"http://{HOST}:{args.port}/bench/csrf-token",
            argparse.Namespace(**{**vars(args), "duration": max(args.duration, 5)}),
            script=work / "tokens.lua",
            extra=[str(work)],
        )
        before = count_enquiries(deployment)
        run_id = os.urandom(4).hex()
        post = measure(
            "form submission (POST)",
            "/en/start/",
            args,
            server,
            script=work / "post.lua",
            extra=[str(work), run_id],
        )
        rows.append(post)
        time.sleep(1)
        stored = count_enquiries(deployment) - before
        # A handful of coordinators first (the list's own latency, without queueing), then 16.
        few = argparse.Namespace(**{**vars(args), "connections": args.workers, "threads": 1})
        for name, load in (
            (f"admin enquiry list ({args.enquiries // 1000}k rows), -c{args.workers}", few),
            (f"admin enquiry list ({args.enquiries // 1000}k rows)", args),
        ):
            rows.append(
                measure(
                    name,
                    admin_list,
                    load,
                    server,
                    script=report,
                    headers=[cookie],
                    # Slow answers are measured, not dropped as errors.
                    timeout=30,
                )
            )

    admin_list = admin_list_cpu(args.enquiries)
    matching = matching_cpu()
    notes = [
        f"Errors in {row['name']}: "
        + ", ".join(f"{kind} {count}" for kind, count in row["error_kinds"].items())
        + " (wrk's kinds; timeout: no answer within 2 s, 30 s for the admin list)."
        for row in rows
        if row["error_kinds"]
    ] + [
        f"Form submission: {post['requests']:,} completed, {stored:,} enquiries stored, "
        f"{post.get('not_302', 0)} answers other than the 302 to the thank-you page, "
        f"{post.get('reused', 0)} CSRF pairs reused.",
        f"Case page upload of {bench_upload.FILES} files ({upload['megabytes_sent']:.1f} MB): "
        f"answer {upload['status']}, {stored_files} stored, {upload['seconds']:.1f} s; the "
        f"worker's peak resident memory grew {upload['peak_growth_mib']:.1f} MiB while one "
        f"file is {upload['largest_file_mib']:.1f} MiB.",
        admin_list,
        matching,
    ]
    meta = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "workers": args.workers,
        "threads": args.threads,
        "connections": args.connections,
        "duration": args.duration,
        "database": deployment.database_kind,
        "enquiries": args.enquiries,
        "cache": "Redis" if deployment.redis_url else "local memory (Redis did not answer)",
        "python": platform.python_version(),
        "notes": notes,
    }
    text = table(rows, meta)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(text)
    print()
    print(text)
    print(f"Written to {ARTIFACT.relative_to(PROJECT)}")


if __name__ == "__main__":
    main()

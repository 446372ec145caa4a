"""The portal under gunicorn with production settings on 127.0.0.1, on a throwaway database, for
`make bench` and `make burst`: set up, started, and always torn down (processes, database, files).

    with Deployment(database_url=os.environ.get("DATABASE_URL")) as deployment:
        deployment.manage("migrate")
        server = deployment.start_gunicorn(port=8765)

SQLite lives in a temporary folder; PostgreSQL gets a database of its own with a fresh name
(portal_bench_<random> by default), created here and dropped afterwards: the only database this
ever drops is the one it created, never one a DATABASE_URL names. The cache is a dedicated Redis
database number, flushed before and after, when Redis answers; otherwise local memory."""

# ruff: noqa: S603  (runs our own tools with our own arguments)
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = PROJECT / ".venv" / "bin" / "python"
GUNICORN = PROJECT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"


def redis_answers(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


class Deployment:
    """A temporary folder, database and cache, and the gunicorn servers started on them."""

    def __init__(
        self,
        *,
        database_url=None,
        pg_database_prefix="portal_bench",
        redis_url=None,
        handle_sigterm=True,
        **env,
    ):
        self.work = Path(tempfile.mkdtemp(prefix="portal-bench."))
        self.handle_sigterm = handle_sigterm
        self.servers = []
        self.workers = []
        self.pg_admin_url = None
        # A fresh name each run: nothing of anyone's is ever in it, and two runs never share it.
        self.pg_database = f"{pg_database_prefix}_{secrets.token_hex(6)}"
        self.pg_database_created = False
        if database_url and database_url.startswith(("postgres://", "postgresql://")):
            parts = urlsplit(database_url)
            self.pg_admin_url = urlunsplit(parts._replace(path="/postgres"))
            database_url = urlunsplit(parts._replace(path=f"/{self.pg_database}"))
        else:
            database_url = f"sqlite:///{self.work / 'db.sqlite3'}"
        self.database_url = database_url
        self.redis_url = redis_url if redis_url and redis_answers(redis_url) else ""
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ENV_FILE": "",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # Plain http on loopback: no redirect, no Secure-only cookies (a TLS proxy's job).
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "BEHIND_TLS_PROXY": "false",
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis_url,
            "STATIC_ROOT": str(self.work / "staticfiles"),
            "PRIVATE_MEDIA_ROOT": str(self.work / "private_media"),
            "LOG_LEVEL": "WARNING",
            **env,
        }

    @property
    def database_kind(self):
        return "PostgreSQL" if self.pg_admin_url else "SQLite"

    def __enter__(self):
        # A Ctrl+C or kill still runs __exit__ (the servers and the database go away).
        if self.handle_sigterm:
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        if self.pg_admin_url:
            # Fails if the name is taken: then nothing is created, and nothing will be dropped.
            self._psql(f'CREATE DATABASE "{self.pg_database}"')
            self.pg_database_created = True
        if self.redis_url:
            flush_redis(self.redis_url)
        return self

    def __exit__(self, *exc):
        for process in self.servers + self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.servers + self.workers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.pg_database_created:
            self._psql(f'DROP DATABASE "{self.pg_database}" WITH (FORCE)')
        if self.redis_url:
            flush_redis(self.redis_url)
        shutil.rmtree(self.work, ignore_errors=True)

    def _psql(self, sql):
        import psycopg2

        connection = psycopg2.connect(self.pg_admin_url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        finally:
            connection.close()

    def run(self, *args, capture=False, **env):
        """A command in the deployment's environment (e.g. manage.py, a seeding script)."""
        result = subprocess.run(
            args,
            cwd=PROJECT,
            env={**self.env, **env},
            check=True,
            text=True,
            stdout=subprocess.PIPE if capture else None,
        )
        return result.stdout

    def manage(self, *args, **env):
        return self.run(str(PYTHON), "manage.py", *args, **env)

    def start_gunicorn(self, port, *, workers=2, settings="portal.settings", **env):
        log = open(self.work / f"gunicorn-{port}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "portal.wsgi:application",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--backlog",
                "2048",
                "--error-logfile",
                "-",
            ],
            cwd=PROJECT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": settings, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.servers.append(process)
        self._wait_until_healthy(process, port)
        return process

    def start_worker(self, **env):
        """The task worker (manage.py task_worker), as its own process, like in production."""
        log = open(self.work / f"worker-{len(self.workers)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [str(PYTHON), "manage.py", "task_worker", "--no-reload", "--interval", "0.2"],
            cwd=PROJECT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.workers.append(process)
        return process

    def _wait_until_healthy(self, process, port):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited early:\n{self.log(port)}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer on {HOST}:{port} within 30 s:\n{self.log(port)}")

    def log(self, port):
        path = self.work / f"gunicorn-{port}.log"
        return path.read_text() if path.exists() else ""


def worker_pids(master):
    """The worker processes of a gunicorn master (for their CPU time)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master.pid:
            pids.append(int(stat.parent.name))
    return pids


def cpu_seconds(pids):
    """User plus system CPU time of these processes so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def port_is_free(port):
    import socket

    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0

"""Settings read from the environment behave as documented in .env.example."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run_with_settings(code, **environment):
    """Runs Python code in a clean process whose environment holds only what is given."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "ENV_FILE": "",  # a developer's .env must not change what these tests see
            **environment,
        },
        capture_output=True,
        text=True,
        check=False,
    )


def read_setting(name, **environment):
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps(settings.{name}, default=str))"
    )
    result = run_with_settings(code, **environment)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    result = run_with_settings("import django; django.setup()", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert read_setting("DEBUG", SECRET_KEY="x" * 50) == "false"


def test_database_defaults_to_an_sqlite_file():
    engine = read_setting('DATABASES["default"]["ENGINE"]', DEBUG="true")

    assert engine == '"django.db.backends.sqlite3"'


def test_an_empty_database_url_is_the_default_sqlite_file():
    engine = read_setting('DATABASES["default"]["ENGINE"]', DEBUG="true", DATABASE_URL="")

    assert engine == '"django.db.backends.sqlite3"'


def test_database_url_moves_the_portal_to_postgresql():
    engine = read_setting(
        'DATABASES["default"]["ENGINE"]',
        DEBUG="true",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal",
    )

    assert "postgresql" in engine


def test_redis_url_gives_a_cache_shared_between_processes():
    backend = read_setting(
        'CACHES["default"]["BACKEND"]', DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/1"
    )

    assert "redis" in backend.lower()


def test_email_url_configures_the_default_mailer():
    mailer = read_setting(
        'MAILERS["default"]', DEBUG="true", EMAIL_URL="smtp://user:secret@mail.example.org:587"
    )

    assert '"host": "mail.example.org"' in mailer
    assert '"port": 587' in mailer
    assert '"BACKEND": "portal.smtp.EmailBackend"' in mailer
    assert '"connect_timeout": 15' in mailer


def test_site_url_comes_from_the_environment():
    site_url = read_setting("SITE_URL", DEBUG="true", SITE_URL="https://cart.example.org/")

    assert site_url == '"https://cart.example.org"'


def test_site_url_is_the_address_make_serves_when_it_is_not_set():
    assert read_setting("SITE_URL", DEBUG="true", SERVED_URL="http://127.0.0.1:8123") == (
        '"http://127.0.0.1:8123"'
    )
    assert read_setting("SITE_URL", DEBUG="true") == '"http://127.0.0.1:8000"'


def test_a_set_site_url_wins_over_the_address_make_serves(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SITE_URL=https://staging.example.org\n")

    site_url = read_setting(
        "SITE_URL", DEBUG="true", ENV_FILE=str(env_file), SERVED_URL="http://127.0.0.1:8123"
    )

    assert site_url == '"https://staging.example.org"'


def make_dry_run(target, **variables):
    """What `make TARGET VAR=…` would run, without running it."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("GNU make is not installed")
    result = subprocess.run(
        [make, "--no-print-directory", "-n", target, *(f"{k}={v}" for k, v in variables.items())],
        cwd=PROJECT_ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize(
    ("target", "server"), [("run", "runserver 127.0.0.1:8123"), ("serve", "127.0.0.1:8123")]
)
def test_make_run_and_serve_pass_the_address_they_serve_for_email_links(target, server):
    commands = make_dry_run(target, PORT="8123")

    # The export and the server (and `make run`'s task worker) are one shell command.
    script = commands[commands.index("export SERVED_URL=") :]
    assert script.startswith("export SERVED_URL=http://127.0.0.1:8123;")
    assert server in script


def test_the_promise_setting_refuses_less_than_one_working_hour():
    result = run_with_settings(
        "import django; django.setup()", DEBUG="true", FIRST_REPLY_PROMISE_WORKING_HOURS="0"
    )

    assert result.returncode != 0
    assert "FIRST_REPLY_PROMISE_WORKING_HOURS must be 1 or more" in result.stderr

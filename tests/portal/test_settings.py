"""Settings read from the environment behave as documented in .env.example."""

import subprocess
import sys
from pathlib import Path

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
    assert "smtp.EmailBackend" in mailer

"""Production settings pass Django's deployment checklist with no warnings."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "PATH": "/usr/bin:/bin",
    "ENV_FILE": "",
    "DEBUG": "false",
    "SECRET_KEY": "k3H9fQ2xV7pL0mZ4tR8wY1sB6nC5dG3jA0eU9iO2qW7rT4yP1lK8hJ6gF5dS3aZ",
    "ALLOWED_HOSTS": "cart.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://cart.example.org",
    "EMAIL_URL": "smtp+tls://portal:mail-password@smtp.example.org:587",
}


def manage(*args, **environment):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env={**PRODUCTION, **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_when_staff_two_factor_is_turned_off():
    result = manage("check", "--deploy", STAFF_REQUIRE_2FA="false")

    assert result.returncode != 0
    assert "portal.E001" in result.stderr


def gunicorn_bind(monkeypatch, value=None):
    if value is None:
        monkeypatch.delenv("GUNICORN_BIND", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_BIND", value)
    return runpy.run_path(str(PROJECT_ROOT / "deploy" / "gunicorn.conf.py"))["bind"]


def test_gunicorn_listens_on_the_loopback_by_default(monkeypatch):
    assert gunicorn_bind(monkeypatch) == ["127.0.0.1:8000"]


def test_gunicorn_may_listen_on_a_private_address_for_nginx_on_another_host(monkeypatch):
    assert gunicorn_bind(monkeypatch, "10.0.1.11:8000") == ["10.0.1.11:8000"]


@pytest.mark.parametrize("address", ["0.0.0.0:8000", "[::]:8000", "93.184.215.14:8000"])
def test_gunicorn_refuses_to_listen_where_clients_could_reach_it(monkeypatch, address):
    # A client reaching gunicorn directly could write the X-Forwarded-For entry we trust.
    with pytest.raises(SystemExit, match="reachable from outside"):
        gunicorn_bind(monkeypatch, address)

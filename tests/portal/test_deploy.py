"""Production settings pass Django's deployment checklist with no warnings."""

import subprocess
import sys
from pathlib import Path

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

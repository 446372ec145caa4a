"""`make bench` and `make burst` work on a database of their own: they create one with a fresh
name and drop only that one, never the database DATABASE_URL names (issue 12, item 10: the
burst used to drop it with FORCE). PostgreSQL only, like the scripts."""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from bench_server import Deployment

DATABASE_URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not DATABASE_URL.startswith(("postgres://", "postgresql://")),
    reason="needs PostgreSQL: runs in CI's PostgreSQL step (DATABASE_URL=postgres://…)",
)


def admin_query(sql, *params):
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def exists(name):
    return bool(admin_query("SELECT 1 FROM pg_database WHERE datname = %s", name))


def test_the_database_named_in_database_url_survives_and_only_the_created_one_is_dropped():
    mine = f"portal_keep_{secrets.token_hex(6)}"
    admin_query(f'CREATE DATABASE "{mine}"')
    try:
        url = urlunsplit(urlsplit(DATABASE_URL)._replace(path=f"/{mine}"))
        with Deployment(database_url=url, pg_database_prefix="portal_throwaway") as deployment:
            created = deployment.pg_database
            assert created.startswith("portal_throwaway_")
            assert exists(created)
            assert deployment.database_url.endswith(f"/{created}")
        assert not exists(created)
        assert exists(mine)
    finally:
        admin_query(f'DROP DATABASE IF EXISTS "{mine}"')

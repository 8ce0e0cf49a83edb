"""Databases for tests: every test that stores state runs on SQLite and on PostgreSQL.

tests/conftest.py loads this module as a plugin, so any test can ask for the fixtures:

    def test_something(database_url: str) -> None:
        store = Store(database_url)

or `store`, that Store with its schema made (closed after the test).

`database_url` is a plain string, so it can also be handed to a server started as a subprocess
(DATABASE_URL=<it>). SQLite is a fresh file in the test's tmp_path. PostgreSQL runs only when
LLMCOST_TEST_DATABASE_URL names a server (.ci/run sets it); each test then gets a schema of its
own, selected through the connection's search_path and dropped afterwards, so tests never see
each other's rows and need no cleanup.
"""

import functools
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from bot.storage.store import Store

ENV_VAR = "LLMCOST_TEST_DATABASE_URL"
SCHEMA_PREFIX = "llmcost_test_"
SKIP_REASON = f"PostgreSQL tests need {ENV_VAR} (.ci/run sets it to 127.0.0.1:5432)"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'llmcost.db'}"
        return
    server_url = os.environ.get(ENV_VAR, "").strip()
    if not server_url:
        pytest.skip(SKIP_REASON)
    problem = _unusable(server_url)
    if problem:
        # Not a skip: CI set the variable because it promised a server, and a skip would hide
        # that the PostgreSQL half of the suite never ran.
        pytest.fail(
            f"{ENV_VAR} is set but PostgreSQL at {_without_password(server_url)} cannot be used: "
            f"{problem}",
            pytrace=False,
        )
    yield from schema_of_its_own(server_url)


@functools.cache
def _unusable(server_url: str) -> str | None:
    """Why the server cannot be used, or None; asked once per run, not once per test, so an
    unreachable server costs one connect timeout."""
    try:
        with psycopg.connect(libpq_url(server_url), connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        return str(exc).strip() or type(exc).__name__
    return None


def libpq_url(url: str) -> str:
    """The same URL for psycopg/libpq, which know `postgresql://` but not SQLAlchemy's
    `postgresql+psycopg://` (or other driver suffixes)."""
    scheme, rest = url.split("://", 1)
    return f"postgresql://{rest}" if scheme.partition("+")[0] in ("postgres", "postgresql") else url


def with_search_path(url: str, schema: str) -> str:
    """`url` whose connections start with `schema` as their search_path.

    libpq's `options` sends `-c search_path=...` at connect time, so every pooled connection,
    in this process or another, creates and finds its tables there without any set-up code.
    Options the URL already carries are kept.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = [value for key, value in query if key == "options"]
    rest = [(key, value) for key, value in query if key != "options"]
    setting = f"-csearch_path={schema}"
    rest.append(("options", " ".join([*options, setting])))
    return urlunsplit(parts._replace(query=urlencode(rest, quote_via=quote)))


def schema_of_its_own(server_url: str, prefix: str = SCHEMA_PREFIX) -> Iterator[str]:
    """A URL whose connections use a new schema on the server, dropped when this ends."""
    schema = f"{prefix}{secrets.token_hex(6)}"
    admin_url = libpq_url(server_url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    try:
        yield with_search_path(server_url, schema)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            # A connection left inside a transaction on these tables would block the drop for
            # ever; failing after a while names the culprit instead of hanging the run.
            connection.execute("SET lock_timeout = '10s'")
            connection.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            )


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    store.create_schema()
    yield store
    store.close()

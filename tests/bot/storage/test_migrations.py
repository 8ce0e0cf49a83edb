"""Schema migrations on both databases: what they make, and what they do to databases made
before there were migrations (by `metadata.create_all`)."""

import logging
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Column, Engine, MetaData, String, Table, func, insert, inspect, select

from bot.storage import migrate
from bot.storage.store import (
    AnswerRow,
    Store,
    UTCDateTime,
    digest_deliveries,
    digest_subscriptions,
    metadata,
    slack_events,
    thread_answers,
)
from tests.bot.storage.test_store import run_together

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
VERSION_TABLE = "alembic_version"
LATEST = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()

# A row for every table, as a database made by today's main might hold them.
ROWS: dict[Table, dict[str, Any]] = {
    slack_events: {"event_id": "Ev0001", "claimed_at": NOW},
    thread_answers: {
        "team_id": "T1",
        "channel_id": "C1",
        "thread_ts": "1700000000.000100",
        "message_ts": "1700000000.000200",
        "question": "cost gpt-4o 1M tokens",
        "asked_by": "U1",
        "created_at": NOW,
    },
    digest_subscriptions: {
        "team_id": "T1",
        "channel_id": "C1",
        "cadence": "weekly",
        "weekday": 0,
        "at_time": "09:00",
        "time_zone": "Europe/Paris",
        "watch": "gpt-4o claude",
        "subscribed_by": "U1",
        "starts_at": NOW,
        "paused_reason": None,
        "paused_at": None,
        "updated_at": NOW,
    },
    digest_deliveries: {
        "team_id": "T1",
        "channel_id": "C1",
        "period": "weekly:2026-W48",
        "scheduled_for": NOW,
        "since": date(2026, 11, 16),
        "until": date(2026, 11, 23),
        "status": "posted",
        "attempts": 1,
        "claimed_by": "clock-1",
        "claimed_at": NOW,
        "finished_at": NOW,
        "message_ts": "1700000000.000300",
        "error": None,
    },
}

# Tables later revisions add: a database made before migrations has none of them.
LATER_TABLES = {
    "price_snapshots",
    "price_refreshes",
    "catalog_prices_seen",
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
}

# The whole schema: llmcost's tables, and slack_sdk's own for OAuth distribution as the installed
# slack_sdk defines them (so that an upgrade that changes them fails here, not in a workspace).
SCHEMA = MetaData(naming_convention=metadata.naming_convention)
for llmcost_table in metadata.sorted_tables:
    llmcost_table.to_metadata(SCHEMA)
SQLAlchemyInstallationStore.build_installations_table(SCHEMA, "slack_installations")
SQLAlchemyInstallationStore.build_bots_table(SCHEMA, "slack_bots")
SQLAlchemyOAuthStateStore.build_oauth_states_table(SCHEMA, "slack_oauth_states")

# slack_events as create_all made it before migrations (revision 0003 added its team_id).
LEGACY_SLACK_EVENTS = Table(
    "slack_events",
    MetaData(naming_convention=metadata.naming_convention),
    Column("event_id", String(255), primary_key=True),
    Column("claimed_at", UTCDateTime(), nullable=False, index=True),
)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """Unlike tests/databases.py's `store`, without a schema: each test makes the one it needs."""
    store = Store(database_url)
    yield store
    store.close()


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def schema(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, unique constraints and indexes, as the database reports them,
    leaving out Alembic's version table."""
    inspector = inspect(engine)
    tables: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {VERSION_TABLE}):
        primary_key = inspector.get_pk_constraint(name)
        tables[name] = {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(name)
            ],
            "primary_key": (primary_key["name"], primary_key["constrained_columns"]),
            "unique": sorted(
                (unique["name"], tuple(unique["column_names"]))
                for unique in inspector.get_unique_constraints(name)
            ),
            "indexes": sorted(
                (index["name"], tuple(index["column_names"]), index["unique"])
                for index in inspector.get_indexes(name)
            ),
        }
    return tables


def make_legacy_database(engine: Engine, tables: list[Table]) -> None:
    """What today's main makes (create_all, no version table), with a row in every table."""
    with engine.begin() as connection:
        metadata.create_all(
            connection, tables=[table for table in tables if table is not slack_events]
        )
        if slack_events in tables:
            LEGACY_SLACK_EVENTS.create(connection)
        for table in tables:
            connection.execute(insert(table).values(ROWS[table]))


def stored_rows(engine: Engine) -> dict[str, dict[str, Any]]:
    with engine.connect() as connection:
        return {
            table.name: dict(connection.execute(select(table)).mappings().one()) for table in ROWS
        }


def expected_rows() -> dict[str, dict[str, Any]]:
    # Each table's first row gets id 1 where the table has one.
    rows = {
        table.name: {**({"id": 1} if "id" in table.c else {}), **row} for table, row in ROWS.items()
    }
    rows["slack_events"]["team_id"] = None  # claimed before workspaces were told apart
    return rows


# What the migrations make


def test_the_migrations_make_what_the_metadata_describes(store: Store) -> None:
    store.create_schema()

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SCHEMA) == []


def test_the_migrations_make_the_schema_create_all_made(store: Store) -> None:
    # compare_metadata ignores some things (primary key names, for one); the database's own
    # account of both schemas, names included, must be the same.
    SCHEMA.create_all(store.engine)
    made_by_create_all = schema(store.engine)
    SCHEMA.drop_all(store.engine)

    store.create_schema()

    assert schema(store.engine) == made_by_create_all
    assert set(made_by_create_all) == {table.name for table in ROWS} | LATER_TABLES


def test_a_new_database_gets_the_latest_revision_in_one_log_line(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    store.create_schema()

    assert revision(store.engine) == LATEST
    assert [(record.name, record.getMessage()) for record in caplog.records] == [
        (migrate.__name__, f"database schema upgraded to revision {LATEST} (was revision none)")
    ]


def test_a_second_start_up_changes_nothing_and_says_nothing(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    store.create_schema()
    store.claim_event("Ev1", now=NOW)
    caplog.set_level(logging.DEBUG)

    store.create_schema()

    assert caplog.records == []
    assert revision(store.engine) == LATEST
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(slack_events)).scalar() == 1


# Databases made before migrations


def test_a_database_made_before_migrations_is_stamped_and_keeps_its_rows(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    make_legacy_database(store.engine, list(ROWS))
    caplog.set_level(logging.INFO)

    store.create_schema()

    assert revision(store.engine) == LATEST
    assert stored_rows(store.engine) == expected_rows()
    assert [record.getMessage() for record in caplog.records] == [
        f"database schema upgraded to revision {LATEST} (was tables made before migrations)"
    ]
    # And it goes on working: the next id follows the old rows, the old claim still holds.
    assert store.claim_event("Ev0001", now=NOW) is False
    store.save_answers(
        [
            AnswerRow(
                team_id="T1",
                channel_id="C1",
                thread_ts="1700000000.000100",
                message_ts="1700000000.000400",
                question="cost gpt-4o 2M tokens",
                asked_by=None,
                now=NOW,
            )
        ]
    )
    with store.engine.connect() as connection:
        assert connection.execute(select(func.max(thread_answers.c.id))).scalar() == 2


def test_a_database_made_before_digests_gets_the_tables_it_lacks(store: Store) -> None:
    # llmcost before digests made only the thread answers and the event claims.
    with store.engine.begin() as connection:
        SCHEMA.create_all(connection)
    complete = schema(store.engine)
    SCHEMA.drop_all(store.engine)
    make_legacy_database(store.engine, [slack_events, thread_answers])

    store.create_schema()

    assert revision(store.engine) == LATEST
    assert schema(store.engine) == complete
    with store.engine.connect() as connection:
        assert (
            connection.execute(select(thread_answers.c.question)).scalar_one()
            == (ROWS[thread_answers]["question"])
        )
        assert connection.execute(select(slack_events.c.event_id)).scalar_one() == "Ev0001"


def test_processes_adopting_the_same_old_database_together(database_url: str) -> None:
    first = Store(database_url)
    make_legacy_database(first.engine, list(ROWS))
    stores = [first, *(Store(database_url) for _ in range(5))]
    try:
        run_together([store.create_schema for store in stores])

        assert revision(first.engine) == LATEST
        assert stored_rows(first.engine) == expected_rows()
    finally:
        for store in stores:
            store.close()


# Adding a revision


def test_a_new_revision_follows_the_latest_and_runs(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS", migrations)

    path = migrate.new_revision("add budgets")

    number = f"{int(LATEST) + 1:04d}"
    assert path == migrations / "versions" / f"{number}_add_budgets.py"
    written = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(number)
    assert written is not None
    assert written.down_revision == LATEST
    store.create_schema()
    assert revision(store.engine) == number


def test_start_up_logs_one_line_from_a_fresh_process(database_url: str) -> None:
    # Alembic logs as soon as it is imported, so this needs a process that has not imported it.
    script = (
        "import logging, sys\n"
        "logging.basicConfig(level=logging.DEBUG)\n"
        "from bot.storage.store import Store\n"
        "store = Store(sys.argv[1])\n"
        "store.create_schema()\n"
        "store.close()\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script, database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert finished.stderr.splitlines() == [
        f"INFO:bot.storage.migrate:database schema upgraded to revision {LATEST} "
        "(was revision none)"
    ]

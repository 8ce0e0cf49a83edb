"""What the Slack app remembers between requests, processes and restarts.

SQLite in a file by default, PostgreSQL when DATABASE_URL says so. Every method runs one short
transaction on a pooled connection and keeps nothing open, so the store can be shared by the
threads that asyncio.to_thread uses and by several processes on the same database.
"""

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    column,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    table,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import DateTime, TypeDecorator

DEFAULT_DATABASE_URL = "sqlite:///llmcost.db"

# How long an SQLite writer waits for another process's write lock before giving up. Writes here
# are single statements that finish in milliseconds, so reaching this means something is stuck.
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Without it a PostgreSQL host that drops packets hangs start-up for the OS's TCP timeout.
POSTGRESQL_CONNECT_TIMEOUT_S = 10
# PostgreSQL waits for a lock (the schema lock at start-up, a row another process holds) without
# bound unless told; as long as SQLite's busy timeout, then the statement fails and says so.
POSTGRESQL_LOCK_TIMEOUT_MS = SQLITE_BUSY_TIMEOUT_MS
# Any fixed number: it names the PostgreSQL advisory lock that serialises schema creation.
SCHEMA_LOCK_KEY = 0x6C6C6D636F7374  # "llmcost"

# Named constraints and indexes, so a later migration can refer to them on both databases.
metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out, on every database.

    SQLite has no time zone type: SQLAlchemy stores the wall-clock text and drops the offset, so
    11:00+02:00 and 11:00Z would be stored alike and compare wrongly. Converting to UTC before
    storing keeps comparisons (cutoffs, "latest") right, and the offset is restored on reading.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


slack_events = Table(
    "slack_events",
    metadata,
    Column("event_id", String(255), primary_key=True),
    # Indexed for the housekeeping delete, which would otherwise scan every claim ever made.
    Column("claimed_at", UTCDateTime(), nullable=False, index=True),
    # The workspace the event came from, so that uninstalling it forgets its claims too; claims
    # made before workspaces were told apart have none (and go within a week).
    Column("team_id", String(255), nullable=True, index=True),
)

thread_answers = Table(
    "thread_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(255), nullable=False),
    Column("channel_id", String(255), nullable=False),
    Column("thread_ts", String(255), nullable=False),
    Column("message_ts", String(255), nullable=False),
    Column("question", Text, nullable=False),
    Column("asked_by", String(255), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    # A Slack message is identified by its channel and ts; team_id keeps workspaces apart.
    UniqueConstraint("team_id", "channel_id", "message_ts"),
    Index(None, "team_id", "channel_id", "thread_ts"),
)


# A channel's digest subscription: its schedule, what it watches, and whether it is paused (a
# channel the bot cannot post in, a revoked token) with the reason Slack gave.
digest_subscriptions = Table(
    "digest_subscriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(255), nullable=False),
    Column("channel_id", String(255), nullable=False),
    Column("cadence", String(16), nullable=False),
    Column("weekday", Integer, nullable=True),
    Column("at_time", String(5), nullable=False),  # "09:00", wall-clock time in time_zone
    Column("time_zone", String(64), nullable=False),
    Column("watch", Text, nullable=False),  # terms separated by spaces; empty: everything
    Column("subscribed_by", String(255), nullable=True),
    # Runs scheduled before this are not owed: a subscription made (or moved) on a Tuesday
    # does not owe the Monday just gone.
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("paused_reason", String(64), nullable=True),
    Column("paused_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("team_id", "channel_id"),
)

# One row per channel and period, inserted before anything is posted: the unique constraint
# decides which dispatcher posts, and the row says what became of it.
digest_deliveries = Table(
    "digest_deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("team_id", String(255), nullable=False),
    Column("channel_id", String(255), nullable=False),
    Column("period", String(32), nullable=False),  # Schedule.period_key: "weekly:2026-W49"
    Column("scheduled_for", UTCDateTime(), nullable=False),
    Column("since", Date, nullable=False),
    Column("until", Date, nullable=False),
    # claimed -> posted | failed (tried again later) | paused (the subscription was paused)
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("claimed_by", String(255), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("message_ts", String(255), nullable=True),
    Column("error", Text, nullable=True),
    UniqueConstraint("team_id", "channel_id", "period"),
    Index(None, "period"),
)

# Each distinct genai-prices data file fetched, once (by the SHA-256 of its bytes), compressed
# with zlib; kept, as they are the catalog's history. `fetched_at` is the last time a fetch
# returned it, so the newest good file is the one with the latest fetched_at.
price_snapshots = Table(
    "price_snapshots",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("content_hash", String(64), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),  # bytes before compression
    Column("models", Integer, nullable=False),
    Column("source_url", Text, nullable=False),
    Column("genai_prices_version", String(32), nullable=False),
    Column("first_fetched_at", UTCDateTime(), nullable=False),
    Column("fetched_at", UTCDateTime(), nullable=False, index=True),
    UniqueConstraint("content_hash"),
)

# Every refresh attempt and what became of it: stored | unchanged | refused (with why).
price_refreshes = Table(
    "price_refreshes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("attempted_at", UTCDateTime(), nullable=False, index=True),
    Column("source_url", Text, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("detail", Text, nullable=True),
    Column("snapshot_id", Integer, nullable=True),
    Column("models_changed", Integer, nullable=True),
    Column("prices_changed", Integer, nullable=True),
)

# A catalog model's prices (its published `prices` and `price_variants`, as JSON) each time they
# differ from the file in force before: the first stored file gives every model a row. The day a
# price was first seen dates it when genai-prices does not (see pricing.catalog).
catalog_prices_seen = Table(
    "catalog_prices_seen",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("model", String(255), nullable=False, index=True),  # "provider/model"
    Column("seen_on", Date, nullable=False),
    Column("prices", Text, nullable=False),
    Column("snapshot_id", Integer, nullable=False),
)


# slack_sdk's tables for OAuth distribution (its SQLAlchemy installation and state stores, which
# bot.slack.install uses; migration 0003 makes them). Only named here, with the columns that say
# whose a row is: importing slack_sdk's stores brings SQLAlchemy's ORM and asyncio parts, 100 ms
# that the terminal and the answer process need not pay.
slack_installations = table("slack_installations", column("team_id"), column("enterprise_id"))
slack_bots = table("slack_bots", column("team_id"), column("enterprise_id"), column("installed_at"))
SLACK_OAUTH_STATES = "slack_oauth_states"


def engine_url(database_url: str | None) -> str:
    """The SQLAlchemy URL for a DATABASE_URL setting.

    Unset means a SQLite file in the working directory. Heroku-style `postgres://` and plain
    `postgresql://` URLs get the psycopg 3 driver, since SQLAlchemy would otherwise look for
    psycopg2, which is not installed (and it no longer accepts `postgres` at all).
    """
    if database_url is None or not database_url.strip():
        return DEFAULT_DATABASE_URL
    database_url = database_url.strip()
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError) as exc:
        # The URL itself is left out of the message: it usually carries a password.
        raise ValueError(
            "not a database URL SQLAlchemy can parse (expected e.g. "
            f"postgresql://user:password@host:5432/dbname or sqlite:///llmcost.db): {exc}"
        ) from exc
    backend, _, driver = url.drivername.partition("+")
    if backend not in ("postgres", "postgresql"):
        return database_url
    # Only the scheme is rewritten, so the rest (escaped passwords, query options) stays as given.
    _, rest = database_url.split("://", 1)
    return f"postgresql+{driver or 'psycopg'}://{rest}"


@dataclass(frozen=True)
class AnswerRow:
    """The question behind one of the bot's messages (see `Store.save_answers`)."""

    team_id: str
    channel_id: str
    thread_ts: str
    message_ts: str
    question: str
    asked_by: str | None
    now: datetime

    def values(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "channel_id": self.channel_id,
            "thread_ts": self.thread_ts,
            "message_ts": self.message_ts,
            "question": self.question,
            "asked_by": self.asked_by,
            "created_at": _utc(self.now),
        }


class Store:
    def __init__(self, database_url: str | None) -> None:
        url = make_url(engine_url(database_url))
        options: dict[str, Any] = {}
        if url.get_backend_name() == "postgresql":
            # Connections idle in the pool die with server restarts and proxies' idle timeouts.
            options["pool_pre_ping"] = True
            if "connect_timeout" not in url.query:
                options["connect_args"] = {"connect_timeout": POSTGRESQL_CONNECT_TIMEOUT_S}
            given = str(url.query.get("options") or "")
            if "lock_timeout" not in given:
                bounded = f"{given} -c lock_timeout={POSTGRESQL_LOCK_TIMEOUT_MS}".strip()
                url = url.update_query_dict({"options": bounded})
        self.engine: Engine = create_engine(url, **options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _configure_sqlite)

    def create_schema(self) -> None:
        """Bring the schema to the latest migration (bot.storage.migrate). Every process calls
        this at start-up, often at the same moment (web and clock start together), so migrating
        is serialised: otherwise two processes both see a revision missing, both apply it, and
        the slower one fails with "already exists"."""
        # Imported here: only start-up needs Alembic, not the command line's other paths.
        from bot.storage.migrate import upgrade_to_latest

        with self.engine.begin() as connection:
            dialect = connection.dialect.name
            if dialect == "postgresql":
                # Held until this transaction commits, by which time the tables are visible.
                connection.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK_KEY)))
            elif dialect == "sqlite":
                # Takes the write lock before the existence checks; Python's sqlite3 would
                # otherwise run each CREATE in a transaction of its own.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            upgrade_to_latest(connection)

    def claim_event(self, event_id: str, *, now: datetime, team_id: str | None = None) -> bool:
        """True only for the first claim of a Slack event id, whichever process makes it.

        Slack resends an event it thinks went unanswered (X-Slack-Retry-Num), possibly to another
        worker; the primary key lets exactly one INSERT win, and the database decides who.
        """
        if not event_id:
            raise ValueError("event_id must be a non-empty string")
        # A naive `now` fails here, before the INSERT, so an IntegrityError can only mean that
        # the id was claimed already.
        claimed_at = _utc(now)
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(slack_events).values(
                        event_id=event_id, claimed_at=claimed_at, team_id=team_id
                    )
                )
        except IntegrityError:
            return False
        return True

    def forget_events_before(self, cutoff: datetime) -> int:
        """Delete claims made before `cutoff` and return how many went.

        A forgotten event id could be claimed again, so the cutoff must lie well beyond Slack's
        retry window (its last retry comes minutes after the event).
        """
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(slack_events).where(slack_events.c.claimed_at < _utc(cutoff))
            )
        return result.rowcount

    def save_answers(self, rows: Sequence[AnswerRow]) -> None:
        """Remember the canonical question behind each of the bot's messages, so that replies
        in its thread can refine it; in one transaction (a burst of answers is remembered in a
        few writes instead of one each).

        Saving the same message again replaces its question (an answer edited in place says
        something new) instead of failing on the unique constraint.
        """
        if not rows:
            return
        with self.engine.begin() as connection:
            connection.execute(self._answer_upsert, [row.values() for row in rows])

    def thread_question(self, *, team_id: str, channel_id: str, thread_ts: str) -> str | None:
        """The question of the bot's latest answer in a thread; None if it never answered there."""
        query = (
            select(thread_answers.c.question)
            .where(
                thread_answers.c.team_id == team_id,
                thread_answers.c.channel_id == channel_id,
                thread_answers.c.thread_ts == thread_ts,
            )
            # Slack's own timestamps order the answers, not the clocks of the processes that
            # saved them; they are fixed-width ("1700000000.000100"), so text order is time order.
            .order_by(thread_answers.c.message_ts.desc(), thread_answers.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def forget_workspace(self, team_id: str) -> dict[str, int]:
        """Delete everything a workspace owns, its installation included, in one transaction:
        when it uninstalls the app or revokes its tokens. How many rows went, by table.

        Every table with a `team_id` is a workspace's (a new one is covered by having it); the
        price history is everyone's and has none."""
        owned = [table for table in metadata.sorted_tables if "team_id" in table.c]
        with self.engine.begin() as connection:
            return {
                table.name: connection.execute(
                    delete(table).where(table.c.team_id == team_id)
                ).rowcount
                for table in [*owned, slack_installations, slack_bots]
            }

    def installed_enterprise(self, team_id: str) -> str | None:
        """The Enterprise Grid organization the workspace's latest installation names, if any:
        slack_sdk's store finds a workspace's bot by both."""
        query = (
            select(slack_bots.c.enterprise_id)
            .where(slack_bots.c.team_id == team_id)
            .order_by(slack_bots.c.installed_at.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def close(self) -> None:
        self.engine.dispose()

    @cached_property
    def _answer_upsert(self) -> Insert:
        """Made once: building it (its `excluded` columns) took longer than writing a row."""
        dialect = self.engine.dialect.name
        statement: postgresql.Insert | sqlite.Insert
        if dialect == "postgresql":
            statement = postgresql.insert(thread_answers)
        elif dialect == "sqlite":
            statement = sqlite.insert(thread_answers)
        else:  # A database without ON CONFLICT: a repeated save fails on the unique constraint.
            return insert(thread_answers)
        return statement.on_conflict_do_update(
            index_elements=["team_id", "channel_id", "message_ts"],
            set_={
                "question": statement.excluded.question,
                "asked_by": statement.excluded.asked_by,
                "created_at": statement.excluded.created_at,
            },
        )


def _utc(moment: datetime) -> datetime:
    # A naive datetime is local time on one machine and UTC on another; refuse to guess.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    """Let several processes share one SQLite file.

    busy_timeout makes a writer wait for another's lock instead of failing at once with
    "database is locked". WAL lets readers carry on while one process writes; the journal mode
    is stored in the file, so only the first connection to a new file switches it. In WAL mode,
    synchronous=NORMAL syncs at checkpoints rather than at every commit: the file cannot be
    corrupted, and a power cut loses at most the last moments of thread history, which is
    cheaper than an fsync per answer.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            _switch_to_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # Switching needs the file to itself, and SQLite reports "database is locked" at once,
    # without waiting out busy_timeout, when processes opening a new file together collide
    # (measured: 9 of 2,400 connections from 8 threads at once). So it is retried here.
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)  # waiting for another connection's lock, not for a clock
            pause = min(pause * 2, 0.2)

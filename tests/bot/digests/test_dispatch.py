"""A digest pass in one process against the fake Slack: the event loop never waits on the
database (a thousand channels post while it is free), on SQLite and PostgreSQL."""

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event, update

from bot.digests.dispatch import Dispatcher, SharedReads
from bot.storage.snapshots import SnapshotStore
from bot.storage.store import Store, digest_deliveries
from bot.storage.subscriptions import DigestStore
from pricing.sources import load_book
from tests.bot.storage.test_subscriptions import subscribe
from tests.fake_slack import FakeSlack

# Mondays, five minutes after the weekly digests (Monday 09:00 UTC) were due.
LAST_WEEK = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
THIS_WEEK = LAST_WEEK + timedelta(days=7)
CHANNELS = [f"C{number}" for number in range(6)]


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def run_pass(
    store: Store, fake: FakeSlack, now: datetime, channels: int = len(CHANNELS)
) -> list[str]:
    """One pass as of `now`; the SQL statements run on the event loop's thread while it ran."""
    on_the_loop: list[str] = []
    loop_thread = threading.get_ident()

    def executing(connection, cursor, statement, parameters, context, executemany) -> None:
        if threading.get_ident() == loop_thread:
            on_the_loop.append(statement)

    book = load_book(None)
    dispatcher = Dispatcher(
        DigestStore(store),
        AsyncWebClient(token="xoxb-test", base_url=fake.api_url),
        lambda: book,
        claimer="test",
        wall_clock=lambda: now,
        snapshots=SnapshotStore(store),
    )
    event.listen(store.engine, "before_cursor_execute", executing)
    try:
        report = asyncio.run(dispatcher.run_pass(now))
    finally:
        event.remove(store.engine, "before_cursor_execute", executing)
    assert report.outcomes["posted"] == channels, report.summary()
    return on_the_loop


def test_a_pass_never_reads_or_writes_the_database_on_the_event_loop(store, fake) -> None:
    digests = DigestStore(store)
    for channel in CHANNELS:
        subscribe(digests, channel, now=LAST_WEEK - timedelta(days=10))

    assert run_pass(store, fake, LAST_WEEK) == []
    # Every channel now has a previous digest: what was stored since it is asked for each.
    assert run_pass(store, fake, THIS_WEEK) == []
    posted = [call for call in fake.calls_to("chat.postMessage") if call.body["channel"] == "C0"]
    assert len(posted) == 2


def test_channels_asking_at_once_share_one_read() -> None:
    calls: list[str] = []
    release = threading.Event()

    def read(key: str) -> str:
        calls.append(key)
        release.wait(timeout=10)
        return key.upper()

    async def scenario() -> list[str]:
        reads = SharedReads(read)
        askers = [asyncio.ensure_future(reads.get("moment")) for _ in range(5)]
        await asyncio.sleep(0)  # every asker is now waiting on the one read
        release.set()
        return [*await asyncio.gather(*askers), await reads.get("moment")]

    assert asyncio.run(scenario()) == ["MOMENT"] * 6
    assert calls == ["moment"]


def test_a_read_that_failed_is_tried_again_by_the_next_channel() -> None:
    outcomes = iter([OSError("database gone"), "catalogs"])

    def read(key: str) -> str:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def scenario() -> str:
        reads = SharedReads(read)
        with pytest.raises(OSError, match="database gone"):
            await reads.get("moment")
        return await reads.get("moment")

    assert asyncio.run(scenario()) == "catalogs"


def test_one_channel_cancelled_does_not_cancel_the_read_the_others_wait_for() -> None:
    release = threading.Event()

    def read(key: str) -> str:
        release.wait(timeout=10)
        return "catalogs"

    async def scenario() -> str:
        reads = SharedReads(read)
        cancelled = asyncio.ensure_future(reads.get("moment"))
        waiting = asyncio.ensure_future(reads.get("moment"))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.sleep(0)
        release.set()
        return await waiting

    assert asyncio.run(scenario()) == "catalogs"


def test_a_window_moved_past_a_digest_found_in_slack_is_read_off_the_loop_too(store, fake):
    """A process died after Slack took last week's digest, before recording it, and nothing ran
    since: this week's pass finds it in the channel, starts after it, and asks anew when the
    digest before its window was composed."""
    digests = DigestStore(store)
    subscribe(digests, "C0", now=LAST_WEEK - timedelta(days=17))
    assert run_pass(store, fake, LAST_WEEK - timedelta(days=7), channels=1) == []
    assert run_pass(store, fake, LAST_WEEK, channels=1) == []
    with store.engine.begin() as connection:
        connection.execute(
            update(digest_deliveries)
            .where(digest_deliveries.c.until == LAST_WEEK.date())
            .values(status="claimed", message_ts=None, finished_at=None)
        )

    assert run_pass(store, fake, THIS_WEEK, channels=1) == []
    assert [(d.status, d.since, d.until) for d in digests.deliveries()] == [
        ("posted", date(2026, 11, 9), date(2026, 11, 16)),
        ("posted", date(2026, 11, 16), date(2026, 11, 23)),
        ("posted", date(2026, 11, 23), date(2026, 11, 30)),  # after the one found in Slack
    ]

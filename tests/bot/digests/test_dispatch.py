"""A digest pass in one process against the fake Slack: the event loop never waits on the
database (a thousand channels post while it is free), on SQLite and PostgreSQL."""

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import event

from bot.digests.dispatch import Dispatcher
from bot.storage.snapshots import SnapshotStore
from bot.storage.store import Store
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


def run_pass(store: Store, fake: FakeSlack, now: datetime) -> list[str]:
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
    assert report.outcomes["posted"] == len(CHANNELS), report.summary()
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

"""A digest with price moves carries their chart in its thread (issue 21); a quiet week has none,
and a chart Slack refuses leaves the digest delivered."""

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.digests.dispatch import Dispatcher
from bot.storage.subscriptions import DigestStore
from pricing.changes import tariff_changes
from pricing.chart_data import digest_chart
from pricing.sources import load_book
from tests.bot.storage.test_subscriptions import subscribe
from tests.fake_slack import FakeSlack

# The Monday of OpenAI's DevDay (2023-11-06), whose price cuts the bundled tariffs date.
AFTER_DEVDAY = datetime(2023, 11, 6, 9, 5, tzinfo=UTC)
QUIET = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


def _pass(store, fake, now: datetime, channel: str = "C1") -> None:
    book = load_book(None)
    subscribe(DigestStore(store), channel, now=now - timedelta(days=10))
    dispatcher = Dispatcher(
        DigestStore(store),
        AsyncWebClient(token="xoxb-test", base_url=fake.api_url),
        lambda: book,
        claimer="test",
        wall_clock=lambda: now,
    )
    report = asyncio.run(dispatcher.run_pass(now))
    assert report.outcomes["posted"] == 1, report.summary()


def test_the_weeks_largest_moves_are_charted_in_the_digests_thread(store, fake):
    _pass(store, fake, AFTER_DEVDAY)
    (digest,) = fake.calls_to("chat.postMessage")
    (completed,) = fake.wait_for("files.completeUploadExternal")
    assert completed.body["thread_ts"] == digest.response["ts"]
    (asked,) = fake.calls_to("files.getUploadURLExternal")
    assert "price changes from" in asked.body["alt_txt"]
    assert fake.uploaded(completed.body["files"][0]["id"]).startswith(b"\x89PNG")


def test_a_quiet_week_has_no_chart(store, fake):
    _pass(store, fake, QUIET)
    assert fake.calls_to("files.getUploadURLExternal") == []


def test_a_refused_chart_leaves_the_digest_delivered(store, fake):
    fake.fail("files.getUploadURLExternal", "missing_scope")
    _pass(store, fake, AFTER_DEVDAY)  # posted all the same
    assert fake.calls_to("files.completeUploadExternal") == []


def test_the_chart_is_the_moves_of_the_digest():
    book = load_book(None)
    changes = tariff_changes(book, since=date(2023, 10, 30), until=date(2023, 11, 6))
    chart = digest_chart(changes, "digest")
    moves = [change for change in (*changes.cuts, *changes.rises) if change.percent is not None]
    assert chart is not None
    assert len(chart.bars) == min(10, len(moves))
    largest = max(moves, key=lambda change: abs(change.percent))
    assert chart.bars[0].value == largest.percent

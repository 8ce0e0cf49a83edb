"""A digest reports what the stored price files changed since the channel's previous digest:
a model added and a cut published late with a date before the window, each once."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.digests.content import compose
from bot.prices.in_force import published_catalogs
from bot.prices.refresh import refresh_prices
from bot.storage.snapshots import SnapshotStore
from bot.storage.store import Store
from pricing.sources import load_book
from tests.prices_server import PricesServer
from tests.published_files import (
    CUT_FROM,
    CUT_MODEL,
    CUT_TO,
    NEW_MODEL,
    add_model,
    edited,
    installed_file,
    model,
)

SINCE = date(2026, 11, 23)
UNTIL = date(2026, 11, 30)
# Before SINCE: the previous digest's window already covered that day.
LATE_CUT_DATE = "2026-11-10"
FIRST_FETCH = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)
PREVIOUS_DIGEST = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# The same day as the previous digest, after it.
LATE_FETCH = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def late_news(data: list[dict[str, Any]]) -> None:
    add_model(data)
    cut = model(data, *CUT_MODEL)
    old = cut["prices"]
    cut["prices"] = [
        {"prices": old},
        {
            "constraint": {"start_date": LATE_CUT_DATE},
            "prices": {**old, "input_mtok": float(CUT_TO)},
        },
    ]


@pytest.fixture
def snapshots(database_url: str) -> Iterator[SnapshotStore]:
    store = Store(database_url)
    store.create_schema()
    with PricesServer() as server:
        server.files["/data.json"] = installed_file()
        server.files["/late.json"] = edited(late_news)
        refresh_prices(SnapshotStore(store), server.url("/data.json"), now=FIRST_FETCH)
        refresh_prices(SnapshotStore(store), server.url("/late.json"), now=LATE_FETCH)
    yield SnapshotStore(store)
    store.close()


def news(snapshots: SnapshotStore, previous_digest: datetime) -> list[tuple[str, str]]:
    book = load_book(None)  # the dated changes of the bundled tariffs: none in this window
    digest = compose(
        book,
        since=SINCE,
        until=UNTIL,
        watch=(CUT_MODEL[0],),
        catalogs=published_catalogs(snapshots, previous_digest),
    )
    return [(type(item).__name__, item.model) for item in digest.changes.items()]


def test_a_file_fetched_after_the_previous_digest_is_reported_once(snapshots):
    cut_model, new_model = "/".join(CUT_MODEL), "/".join(NEW_MODEL)
    book = load_book(None)
    catalogs = published_catalogs(snapshots, PREVIOUS_DIGEST)
    assert catalogs is not None

    digest = compose(book, since=SINCE, until=UNTIL, watch=(CUT_MODEL[0],), catalogs=catalogs)

    cuts = [c for c in digest.changes.cuts if book.find(c.model) is book.find(cut_model)]
    assert [(c.price, c.old, c.new, c.effective) for c in cuts] == [
        ("input", Decimal(CUT_FROM), Decimal(CUT_TO), date.fromisoformat(LATE_CUT_DATE))
    ]
    added = [a for a in digest.changes.added if book.find(a.model) is book.find(new_model)]
    assert len(added) == 1
    assert digest.changes.count == 2
    assert not digest.is_quiet


def test_the_next_digest_says_nothing_more(snapshots):
    # The next digest was composed after the late fetch: that file was in force then.
    assert published_catalogs(snapshots, LATE_FETCH + timedelta(hours=1)) is None
    assert news(snapshots, LATE_FETCH + timedelta(hours=1)) == []


def test_the_snapshot_in_force_at_a_moment_is_the_last_one_fetched_by_then(snapshots):
    first = snapshots.in_force_at(PREVIOUS_DIGEST)
    late = snapshots.in_force_at(LATE_FETCH)
    assert first is not None
    assert late is not None
    assert first.id != late.id
    assert snapshots.in_force_at(FIRST_FETCH - timedelta(seconds=1)) is None

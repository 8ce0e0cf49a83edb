"""A refresh stores a good file once and changes nothing for a bad one, on SQLite and
PostgreSQL, fetching from a local server only."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.prices.refresh import refresh_prices
from bot.storage.snapshots import SnapshotStore, content_hash
from bot.storage.store import Store
from tests.prices_server import PricesServer
from tests.published_files import a_weeks_changes, drop_half, edited, installed_file

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = installed_file()
        running.files["/changed.json"] = edited(a_weeks_changes)
        running.files["/half.json"] = edited(drop_half)
        running.files["/truncated.json"] = installed_file()[:100_000]
        yield running


@pytest.fixture
def snapshots(database_url: str) -> Iterator[SnapshotStore]:
    store = Store(database_url)
    store.create_schema()
    yield SnapshotStore(store)
    store.close()


def test_a_good_file_is_stored_once_and_put_in_force(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    first = refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    again = refresh_prices(snapshots, server.url("/data.json"), now=NOW + timedelta(days=1))

    assert first.outcome == "stored"
    assert first.changes is not None
    assert (first.changes.models_changed, first.changes.prices_changed) == (0, 0)
    assert again.outcome == "unchanged"
    assert snapshots.count() == 1
    newest = snapshots.newest()
    assert newest is not None
    assert newest.content_hash == content_hash(installed_file())
    assert newest.models == 2330 or newest.models > 1000
    assert newest.first_fetched_at == NOW
    assert newest.fetched_at == NOW + timedelta(days=1)
    assert newest.source_url == server.url("/data.json")
    assert snapshots.body(newest.id) == installed_file()


def test_a_changed_file_becomes_the_newest_and_says_what_changed(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)

    report = refresh_prices(snapshots, server.url("/changed.json"), now=NOW + timedelta(days=1))

    assert report.outcome == "stored"
    assert report.changes is not None
    assert (report.changes.added, report.changes.dropped, report.changes.prices_changed) == (
        1,
        1,
        2,
    )
    newest = snapshots.newest()
    assert newest is not None
    assert newest.content_hash == content_hash(edited(a_weeks_changes))
    change = snapshots.last_change()
    assert change is not None
    assert (change.models_changed, change.prices_changed) == (2, 2)


def test_a_reverted_file_is_put_back_in_force_without_a_second_copy(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    refresh_prices(snapshots, server.url("/changed.json"), now=NOW + timedelta(days=1))

    report = refresh_prices(snapshots, server.url("/data.json"), now=NOW + timedelta(days=2))

    assert report.outcome == "stored"
    assert snapshots.count() == 2
    newest = snapshots.newest()
    assert newest is not None
    assert newest.content_hash == content_hash(installed_file())


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.json", "HTTP 404"),
        ("/status/500", "HTTP 500"),
        ("/hang", "took longer than"),
        ("/truncated.json", "not JSON"),
        ("/short/data.json", "failed"),
        ("/half.json", "would drop"),
        ("/huge", "over the"),
        ("/endless", "more than the"),
    ],
)
def test_a_bad_fetch_leaves_the_last_good_snapshot_in_force(
    server: PricesServer,
    snapshots: SnapshotStore,
    path: str,
    reason: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    good = snapshots.newest()
    caplog.clear()

    report = refresh_prices(
        snapshots, server.url(path), now=NOW + timedelta(days=1), timeout=1, cap=5_000_000
    )

    assert report.outcome == "refused"
    assert reason in (report.reason or "")
    assert snapshots.newest() == good
    assert snapshots.count() == 1
    attempt = snapshots.last_attempt()
    assert attempt is not None
    assert attempt.outcome == "refused"
    assert reason in (attempt.detail or "")
    assert [record.getMessage() for record in caplog.records if record.name.startswith("bot")] == [
        report.line()
    ]


def test_nothing_listening_is_refused_too(snapshots: SnapshotStore) -> None:
    with PricesServer() as server:
        url = server.url("/data.json")  # the port is free again once the server has stopped
    report = refresh_prices(snapshots, url, now=NOW, timeout=1)
    assert report.outcome == "refused"
    assert "cannot reach" in (report.reason or "")
    assert snapshots.newest() is None


def test_the_first_file_is_compared_with_the_installed_data(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    # With nothing stored, the installed package's data is what a file would replace.
    half = refresh_prices(snapshots, server.url("/half.json"), now=NOW)
    changed = refresh_prices(snapshots, server.url("/changed.json"), now=NOW)

    assert half.outcome == "refused"
    assert changed.changes is not None
    assert changed.changes.prices_changed == 2
    assert json.loads(snapshots.body(snapshots.newest().id))  # type: ignore[union-attr]


def test_refreshes_racing_with_the_same_file_store_it_once(
    server: PricesServer, database_url: str
) -> None:
    from tests.bot.storage.test_store import run_together

    stores = [Store(database_url) for _ in range(4)]
    stores[0].create_schema()
    try:
        reports = run_together(
            [
                lambda s=s: refresh_prices(SnapshotStore(s), server.url("/data.json"), now=NOW)
                for s in stores
            ]
        )
        assert {report.outcome for report in reports} <= {"stored", "unchanged"}
        assert SnapshotStore(stores[0]).count() == 1
    finally:
        for store in stores:
            store.close()

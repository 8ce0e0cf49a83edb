"""Every process prices from the newest good snapshot: the answer process's Answerer swaps one in
whole, in a quiet moment; the terminal reads it from DATABASE_URL; and without one the installed
data serves."""

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.answering import Answerer, wait_for_quiet
from bot.cli.asking import run
from bot.prices.refresh import refresh_prices
from bot.storage.snapshots import SnapshotStore
from bot.storage.store import Store
from tests.prices_server import PricesServer
from tests.published_files import CUT_FROM, CUT_MODEL, CUT_TO, cut_price, edited, installed_file

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
MODEL = f"{CUT_MODEL[0]}/{CUT_MODEL[1]}"


@pytest.fixture
def server() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = installed_file()
        running.files["/cut.json"] = edited(cut_price)
        yield running


@pytest.fixture
def snapshots(database_url: str) -> Iterator[SnapshotStore]:
    store = Store(database_url)
    store.create_schema()
    yield SnapshotStore(store)
    store.close()


def input_price(answerer: Answerer) -> Decimal:
    return answerer.book().resolve(MODEL).latest.input_per_mtok


def test_the_web_answerer_swaps_in_a_newer_snapshot_whole(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    answerer = Answerer(None, today=lambda: TODAY, snapshots=snapshots)
    assert input_price(answerer) == Decimal(CUT_FROM)  # nothing stored: the installed data
    assert answerer.snapshot is None

    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    assert answerer.follow_newest() is True
    assert answerer.follow_newest() is False  # the same snapshot: nothing to do
    first = answerer.snapshot

    book_before = answerer.book()
    refresh_prices(snapshots, server.url("/cut.json"), now=NOW + timedelta(days=1))
    assert answerer.follow_newest() is True

    assert input_price(answerer) == Decimal(CUT_TO)
    assert answerer.snapshot is not None
    assert answerer.snapshot != first
    # The book in use before is untouched: a question under way finishes on it.
    assert book_before.resolve(MODEL).latest.input_per_mtok == Decimal(CUT_FROM)
    source = answerer.book().resolve(MODEL).latest.source
    assert source.startswith("genai-prices data fetched 2026-11-28: Anthropic")


def test_questions_asked_during_a_swap_all_get_a_whole_book(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    answerer = Answerer(None, today=lambda: TODAY, snapshots=snapshots)
    answerer.warm()
    refresh_prices(snapshots, server.url("/cut.json"), now=NOW + timedelta(days=1))
    seen: list[Decimal] = []
    swapper = threading.Thread(target=answerer.follow_newest)
    swapper.start()
    while swapper.is_alive():
        seen.append(input_price(answerer))
    swapper.join()
    seen.append(input_price(answerer))

    assert set(seen) <= {Decimal(CUT_FROM), Decimal(CUT_TO)}
    assert seen[-1] == Decimal(CUT_TO)


def test_a_newer_snapshot_is_taken_up_only_once_requests_stop_coming(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    answerer = Answerer(None, today=lambda: TODAY, snapshots=snapshots)
    answerer.warm()
    first = answerer.snapshot
    refresh_prices(snapshots, server.url("/cut.json"), now=NOW + timedelta(days=1))
    busy_looks = 3
    looked_at_while_busy: list[object] = []
    taken_up = threading.Event()
    answerer.when_new_book(taken_up.set)

    def quiet() -> bool:  # requests keep coming for `busy_looks` looks, then stop
        if len(looked_at_while_busy) < busy_looks:
            looked_at_while_busy.append(answerer.snapshot)
            return False
        return True

    stop = answerer.follow_in_background(0.001, quiet=quiet)
    try:
        assert taken_up.wait(30)
    finally:
        stop.set()

    assert looked_at_while_busy == [first] * busy_looks  # the old book, while requests came
    assert input_price(answerer) == Decimal(CUT_TO)


def test_waiting_for_quiet_gives_up_after_its_looks_or_when_stopped() -> None:
    looks: list[bool] = []

    def busy() -> bool:
        looks.append(False)
        return False

    assert wait_for_quiet(busy, threading.Event(), poll_seconds=0, most_polls=5) is False
    assert len(looks) == 5
    stopped = threading.Event()
    stopped.set()
    assert wait_for_quiet(busy, stopped, poll_seconds=0, most_polls=5) is False
    assert len(looks) == 6  # one look, then the stop
    assert wait_for_quiet(lambda: True, threading.Event(), poll_seconds=0, most_polls=5) is True


def test_an_unreadable_database_leaves_the_installed_data(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'old.db'}")  # no schema: a database from before
    answerer = Answerer(None, today=lambda: TODAY, snapshots=SnapshotStore(store))
    assert input_price(answerer) == Decimal(CUT_FROM)
    assert answerer.follow_newest() is False
    store.close()


def test_the_terminal_answers_from_the_stored_snapshot(
    server: PricesServer, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    store = Store(database_url)
    store.create_schema()
    refresh_prices(SnapshotStore(store), server.url("/cut.json"), now=NOW)
    store.close()

    code, out, _err = run(["price", MODEL, "--json"], today=TODAY)

    assert code == 0
    assert f'"input_per_mtok": "{CUT_TO}"' in out
    assert "genai-prices data fetched 2026-11-27: Anthropic" in out


def test_a_terminal_with_no_database_uses_the_installed_data_and_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    code, out, _err = run(["price", MODEL, "--json"], today=TODAY)

    assert code == 0
    assert f'"input_per_mtok": "{CUT_FROM}"' in out
    assert "genai-prices 0." in out
    assert list(tmp_path.iterdir()) == []


def test_catalog_prices_are_dated_by_the_day_llmcost_first_saw_them(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    refresh_prices(snapshots, server.url("/cut.json"), now=NOW + timedelta(days=1))
    answerer = Answerer(None, today=lambda: TODAY, snapshots=snapshots)
    book = answerer.book()

    first, cut = book.resolve(MODEL).entries
    assert (first.effective, first.input_per_mtok) == (None, Decimal(CUT_FROM))
    assert first.source.endswith("; first seen 2026-11-27")
    assert (cut.effective, cut.input_per_mtok) == (date(2026, 11, 28), Decimal(CUT_TO))
    assert cut.source.endswith("; price first seen 2026-11-28")
    # Before the first sighting the first price stays "date unknown", never "no price".
    assert book.quote(MODEL, date(2020, 1, 1)).entry is first
    assert book.quote(MODEL, date(2026, 11, 27)).entry is first
    assert book.quote(MODEL, date(2026, 11, 28)).entry is cut
    # A model whose prices never changed has one undated price, with when it was first seen.
    (unchanged,) = book.resolve("anthropic/claude-opus-4-0").entries
    assert unchanged.effective is None
    assert unchanged.source.endswith("; first seen 2026-11-27")


def test_a_digest_reports_a_price_change_seen_between_snapshots_once(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    from pricing.changes import tariff_changes

    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    refresh_prices(snapshots, server.url("/cut.json"), now=NOW + timedelta(days=1))
    book = Answerer(None, today=lambda: TODAY, snapshots=snapshots).book()

    this_week = tariff_changes(book, since=date(2026, 11, 23), until=date(2026, 11, 30))
    next_week = tariff_changes(book, since=date(2026, 11, 30), until=date(2026, 12, 7))

    cuts = [(c.model, c.price, c.old, c.new) for c in this_week.cuts if c.model == MODEL]
    assert cuts == [(MODEL, "input", Decimal(CUT_FROM), Decimal(CUT_TO))]
    assert [c for c in next_week.items() if c.model == MODEL] == []


def test_a_terminal_with_a_database_from_before_snapshots_answers_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    old = Store(f"sqlite:///{tmp_path / 'llmcost.db'}")
    with old.engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE thread_answers (id INTEGER)")
    old.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)

    code, out, err = run(["price", MODEL, "--json"], today=TODAY)

    assert (code, err) == (0, "")
    assert f'"input_per_mtok": "{CUT_FROM}"' in out
    assert [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")] == []


def test_the_first_stored_file_is_compared_with_the_installed_data(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    from bot.prices.in_force import published_catalogs
    from pricing.changes import catalog_changes, tariff_changes

    refresh_prices(snapshots, server.url("/cut.json"), now=NOW)
    book = Answerer(None, today=lambda: TODAY, snapshots=snapshots).book()

    installed, cut = book.resolve(MODEL).entries
    assert (installed.effective, installed.input_per_mtok) == (None, Decimal(CUT_FROM))
    assert (cut.effective, cut.input_per_mtok) == (TODAY, Decimal(CUT_TO))
    assert cut.source.endswith(f"; price first seen {TODAY.isoformat()}")
    week = tariff_changes(book, since=date(2026, 11, 23), until=date(2026, 11, 30))
    assert [(c.model, c.old, c.new) for c in week.cuts if c.model == MODEL] == [
        (MODEL, Decimal(CUT_FROM), Decimal(CUT_TO))
    ]
    # A digest posted before anything was stored compares the installed data with the file.
    catalogs = published_catalogs(snapshots, NOW - timedelta(days=7))
    assert catalogs is not None
    changes = catalog_changes(
        catalogs[0].tariffs, catalogs[1].tariffs, since=date(2026, 11, 20), until=TODAY
    )
    assert [(c.model, c.new) for c in changes.cuts if c.model == MODEL] == [
        (MODEL, Decimal(CUT_TO))
    ]

"""A price file can never poison prices (issue 19): an impossible rate is held back (its model
keeps its last good rates, `prices status` says which and why, a digest reports nothing for
it), a file that is stored is a file that can be used, and the newest usable snapshot serves."""

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.answering import Answerer
from bot.prices.refresh import refresh_prices
from bot.storage.snapshots import NewFile, SnapshotStore
from bot.storage.store import Store
from pricing.published import hold_back, installed_data
from tests.prices_server import PricesServer
from tests.published_files import (
    POISONED_MODEL,
    absurd_rate,
    cut_price,
    edited,
    installed_file,
    model,
    negative_rate,
    twenty_fold_rate,
)

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
POISONED = f"{POISONED_MODEL[0]}/{POISONED_MODEL[1]}"


@pytest.fixture
def server() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = installed_file()
        running.files["/negative.json"] = edited(negative_rate)
        running.files["/absurd.json"] = edited(absurd_rate)
        running.files["/twenty.json"] = edited(twenty_fold_rate)
        running.files["/cut.json"] = edited(cut_price)
        yield running


@pytest.fixture
def snapshots(database_url: str) -> Iterator[SnapshotStore]:
    store = Store(database_url)
    store.create_schema()
    yield SnapshotStore(store)
    store.close()


def installed_input() -> Decimal:
    return Decimal(str(model(installed_data(), *POISONED_MODEL)["prices"]["input_mtok"]))


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/negative.json", "negative"),
        ("/absurd.json", "above $10,000"),
        ("/twenty.json", "moves 25-fold"),
    ],
)
def test_an_impossible_rate_is_held_back_and_its_model_keeps_its_last_good_rates(
    server: PricesServer, snapshots: SnapshotStore, path: str, reason: str
) -> None:
    report = refresh_prices(snapshots, server.url(path), now=NOW)

    assert report.outcome == "stored"
    assert [held.model for held in report.held_back] == [POISONED]
    assert reason in report.held_back[0].reason
    assert reason in report.line()
    attempt = snapshots.last_attempt()
    assert attempt is not None
    assert attempt.detail is not None
    assert POISONED in attempt.detail
    book = Answerer(None, today=lambda: TODAY, snapshots=snapshots).book()
    latest = book.resolve(POISONED).latest
    assert latest.input_per_mtok == installed_input()
    assert latest.output_per_mtok < 1_000


def test_after_a_poisoned_file_a_good_one_is_used(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/negative.json"), now=NOW)
    report = refresh_prices(snapshots, server.url("/cut.json"), now=NOW + timedelta(days=1))

    assert report.outcome == "stored"
    assert report.held_back == ()
    book = Answerer(None, today=lambda: TODAY, snapshots=snapshots).book()
    assert book.resolve(POISONED).latest.input_per_mtok == installed_input()
    assert book.resolve("anthropic/claude-sonnet-4-0").latest.input_per_mtok == Decimal("2.5")


def test_the_newest_usable_snapshot_serves_when_the_newest_cannot_be_read(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    refresh_prices(snapshots, server.url("/cut.json"), now=NOW)
    # A file stored before llmcost checked every rate: genai-prices' parser takes it, llmcost
    # cannot price from it.
    body = edited(negative_rate)
    snapshots.store(
        NewFile(
            body=body,
            models=1,
            source_url="test",
            genai_prices_version="0",
            models_changed=0,
            prices_changed=1,
        ),
        now=NOW + timedelta(days=1),
    )

    book = Answerer(None, today=lambda: TODAY, snapshots=snapshots).book()

    # The cut file's price, not the installed data's.
    assert book.resolve("anthropic/claude-sonnet-4-0").latest.input_per_mtok == Decimal("2.5")


def test_hold_back_names_every_kind_of_impossible_rate() -> None:
    before = [{"id": "p", "models": [{"id": "m", "prices": {"input_mtok": 1, "output_mtok": 2}}]}]
    after = json.loads(
        '[{"id": "p", "models": [{"id": "m", "prices": {"input_mtok": NaN, "output_mtok": 2}},'
        '{"id": "new", "prices": {"input_mtok": 1, "output_mtok": {"base": 1, "tiers": '
        '[{"start": 200000, "price": -1}]}}}]}]'
    )

    kept, held = hold_back(after, before)

    assert [(h.model, h.rate, h.reason) for h in held] == [
        ("p/m", "prices.input_mtok", "not a finite number"),
        ("p/new", "prices.output_mtok.tiers[0].price", "negative"),
    ]
    # The known model as it was; the new one left out.
    assert kept[0]["models"] == before[0]["models"]


def test_a_digest_reports_nothing_for_a_held_back_rate(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    from bot.prices.in_force import published_catalogs
    from pricing.changes import catalog_changes

    def cut_and_absurd(data: list) -> None:
        cut_price(data)
        absurd_rate(data)

    server.files["/cut-absurd.json"] = edited(cut_and_absurd)
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)
    refresh_prices(snapshots, server.url("/cut-absurd.json"), now=NOW + timedelta(days=1))

    catalogs = published_catalogs(snapshots, NOW + timedelta(hours=1))
    assert catalogs is not None
    changes = catalog_changes(
        catalogs[0].tariffs, catalogs[1].tariffs, since=TODAY, until=TODAY + timedelta(days=7)
    )
    changed = {item.model for item in changes.items()}
    assert "anthropic/claude-sonnet-4-0" in changed  # the real cut is news
    assert POISONED not in changed


def test_a_file_with_a_byte_order_mark_is_the_same_file(
    server: PricesServer, snapshots: SnapshotStore
) -> None:
    server.files["/bom.json"] = b"\xef\xbb\xbf" + installed_file()
    refresh_prices(snapshots, server.url("/data.json"), now=NOW)

    report = refresh_prices(snapshots, server.url("/bom.json"), now=NOW + timedelta(days=1))

    assert report.outcome == "unchanged"
    assert snapshots.count() == 1

"""A day's refresh validates and checks only what the new file writes differently from the
snapshot in force (issue 23: a refresh at the parser's speed), and is refused exactly where
validating the whole file would refuse it, with the same message."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import genai_prices
import genai_prices.types
import pytest

from bot.prices.refresh import refresh_prices
from bot.storage.snapshots import SnapshotStore
from bot.storage.store import Store
from pricing.catalog import PublishedDataError, read_published
from tests.prices_server import PricesServer
from tests.published_files import CUT_MODEL, cut_price, edited, installed_file, model

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
# A price of exactly 1 in the installed data: in Python, true == 1.
ONE_DOLLAR_MODEL = ("anthropic", "claude-haiku-4-5")


def true_for_one(data: list[dict[str, Any]]) -> None:
    prices = model(data, *ONE_DOLLAR_MODEL)["prices"]
    assert prices["input_mtok"] == 1  # written 1 in the file
    prices["input_mtok"] = True


def string_price(data: list[dict[str, Any]]) -> None:
    model(data, *CUT_MODEL)["prices"]["output_mtok"] = "fifteen"


@pytest.fixture
def server() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = installed_file()
        running.files["/cut.json"] = edited(cut_price)
        running.files["/true.json"] = edited(true_for_one)
        running.files["/string.json"] = edited(string_price)
        yield running


@pytest.fixture
def snapshots(database_url: str, server: PricesServer) -> Iterator[SnapshotStore]:
    """The installed data's file stored and in force, as after the first refresh."""
    store = Store(database_url)
    store.create_schema()
    stored = SnapshotStore(store)
    assert refresh_prices(stored, server.url("/data.json"), now=NOW).outcome == "stored"
    yield stored
    store.close()


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[list[Any]]:
    """What genai-prices' parser is given to validate, call by call."""
    seen: list[list[Any]] = []
    parse = genai_prices.types._providers_from_raw

    def recording(raw: Any, *args: Any) -> Any:
        seen.append(raw)
        return parse(raw, *args)

    monkeypatch.setattr(genai_prices.types, "_providers_from_raw", recording)
    return seen


def refresh(snapshots: SnapshotStore, server: PricesServer, path: str) -> Any:
    return refresh_prices(snapshots, server.url(path), now=NOW + timedelta(days=1))


def test_a_day_validates_only_the_model_that_changed(
    snapshots: SnapshotStore, server: PricesServer, validated: list[list[Any]]
) -> None:
    report = refresh(snapshots, server, "/cut.json")

    assert report.outcome == "stored"
    assert report.changes is not None
    assert report.changes.prices_changed == 1
    (providers,) = validated
    assert [(p["id"], [m["id"] for m in p["models"]]) for p in providers] == [
        (CUT_MODEL[0], [CUT_MODEL[1]])
    ]


def test_the_same_file_again_validates_nothing(
    snapshots: SnapshotStore, server: PricesServer, validated: list[list[Any]]
) -> None:
    assert refresh(snapshots, server, "/data.json").outcome == "unchanged"
    assert validated == [[]]


def test_true_where_the_file_in_force_has_1_is_refused_as_a_whole_file_check_refuses_it(
    snapshots: SnapshotStore, server: PricesServer
) -> None:
    """true == 1 in Python: a model is unchanged only if it is written the same."""
    with pytest.raises(PublishedDataError) as whole_file:
        read_published(edited(true_for_one))

    report = refresh(snapshots, server, "/true.json")

    assert report.outcome == "refused"
    assert report.reason == f"{server.url('/true.json')}: {whole_file.value.message}"
    assert report.snapshot is not None
    assert snapshots.newest() == report.snapshot


def test_a_bad_price_in_a_changed_model_names_its_place_in_the_whole_file(
    snapshots: SnapshotStore, server: PricesServer
) -> None:
    with pytest.raises(PublishedDataError) as whole_file:
        read_published(edited(string_price))

    report = refresh(snapshots, server, "/string.json")

    assert report.outcome == "refused"
    assert report.reason == f"{server.url('/string.json')}: {whole_file.value.message}"


def test_a_snapshot_another_genai_prices_stored_is_no_proof(
    snapshots: SnapshotStore,
    server: PricesServer,
    validated: list[list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an upgrade, the parser in force never read the snapshot: all is validated."""
    monkeypatch.setattr(genai_prices, "__version__", "0.0.1-upgraded")

    assert refresh(snapshots, server, "/cut.json").outcome == "stored"
    (providers,) = validated
    assert len(providers) == len(read_published(installed_file()).providers)

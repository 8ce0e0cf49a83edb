"""Tariffs and the book: names, dated prices, context windows, and the catalog layer."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from pricing.errors import NoPrice, UnknownModel
from pricing.sources import bundled_tariffs, load_book
from pricing.tariffs import (
    FIND_A_MODEL,
    Catalog,
    PriceEntry,
    Tariff,
    TariffBook,
    normalize_name,
)

TODAY = date(2026, 11, 24)


def entry(day: str | None, inp: str, out: str, **fields) -> PriceEntry:
    return PriceEntry(
        effective=date.fromisoformat(day) if day else None,
        input_per_mtok=Decimal(inp),
        output_per_mtok=Decimal(out),
        source=fields.pop("source", f"test {day}"),
        origin=fields.pop("origin", "bundled"),
        **fields,
    )


HISTORY = Tariff(
    model="alpha",
    provider="acme",
    name="Alpha",
    aliases=("alpha-1",),
    retired=date(2025, 1, 1),
    entries=(
        entry("2023-01-01", "10", "20", context_window=4000),
        entry("2023-06-01", "5", "10"),
        entry("2024-01-01", "1", "2", context_window=16000),
    ),
)
UNDATED = Tariff(
    model="cat/beta",
    provider="cat",
    aliases=("beta",),
    entries=(entry(None, "3", "4", origin="genai-prices", source="genai-prices test"),),
)
SHADOWED = Tariff(
    model="acme/alpha",
    provider="acme",
    aliases=("alpha",),
    entries=(entry(None, "99", "99", origin="genai-prices", source="genai-prices test"),),
)


class CatalogSpy:
    """A catalog loader that counts how often it is asked to load."""

    def __init__(self) -> None:
        self.loads = 0

    def __call__(self) -> Catalog:
        self.loads += 1
        return Catalog(
            tariffs=[UNDATED, SHADOWED],
            match=lambda name: "cat/beta" if name.startswith("beta-20") else None,
        )


@pytest.fixture
def spy() -> CatalogSpy:
    return CatalogSpy()


@pytest.fixture
def small_book(spy) -> TariffBook:
    return TariffBook([HISTORY], spy)


@pytest.fixture(scope="module")
def book() -> TariffBook:
    return load_book()


# --- normalize_name -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("GPT4", "gpt-4"),
        ("gpt4o", "gpt-4o"),
        ("  GPT-4-32K  ", "gpt-4-32k"),
        ("gpt-4?", "gpt-4"),
        ("(gpt-4-8k),", "gpt-4-8k"),
        ("ft:gpt-3.5-turbo", "ft:gpt-3.5-turbo"),
        ("ft:gpt-3.5-turbo:acme::abc123", "ft:gpt-3.5-turbo"),
        ("FT:GPT-3.5-TURBO:my-org:custom_suffix:id", "ft:gpt-3.5-turbo"),
        ("openai/gpt-4o", "openai/gpt-4o"),
        ("gpt-3.5-turbo", "gpt-3.5-turbo"),  # the inner dot stays
    ],
)
def test_normalize_name(raw, normal):
    assert normalize_name(raw) == normal


def test_normalize_name_is_idempotent():
    for raw in ("GPT4", "ft:gpt-3.5-turbo:acme::abc123", "Claude-Sonnet-4!"):
        once = normalize_name(raw)
        assert normalize_name(once) == once


# --- PriceEntry and Tariff ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["input_per_mtok", "output_per_mtok", "training_per_mtok"])
def test_negative_prices_are_rejected(field):
    prices = {"input_per_mtok": "1", "output_per_mtok": "1", field: "-0.01"}
    with pytest.raises(ValidationError):
        PriceEntry(effective=None, source="s", origin="user", **prices)


def test_a_tariff_needs_a_price():
    with pytest.raises(ValidationError):
        Tariff(model="empty", provider="x", entries=())


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2022-12-31", None),
        ("2023-01-01", "10"),
        ("2023-05-31", "10"),
        ("2023-06-01", "5"),
        ("2023-12-31", "5"),
        ("2024-01-01", "1"),
        ("2030-01-01", "1"),
    ],
)
def test_entry_at_is_the_newest_entry_started_on_or_before_the_day(day, expected):
    found = HISTORY.entry_at(date.fromisoformat(day))

    assert (found.input_per_mtok if found else None) == (Decimal(expected) if expected else None)


def test_an_undated_entry_holds_on_any_day():
    assert UNDATED.entry_at(date(1990, 1, 1)) is UNDATED.entries[0]
    assert UNDATED.entry_at(TODAY) is UNDATED.entries[0]


@pytest.mark.parametrize(
    ("day", "window"),
    [("2023-01-01", 4000), ("2023-07-01", 4000), ("2023-12-31", 4000), ("2024-01-01", 16000)],
)
def test_context_window_carries_forward_until_changed(day, window):
    assert HISTORY.context_window_at(date.fromisoformat(day)) == window


@pytest.mark.parametrize(
    ("day", "retired"), [("2024-12-31", False), ("2025-01-01", True), ("2026-01-01", True)]
)
def test_retired_from_the_shutdown_day_on(day, retired):
    assert HISTORY.is_retired_on(date.fromisoformat(day)) is retired


def test_merged_with_adds_and_replaces_dated_entries():
    override = Tariff(
        model="alpha",
        provider="",
        aliases=("my-alpha",),
        entries=(
            entry("2023-06-01", "6", "12", origin="user"),
            entry("2026-01-01", "0.5", "1", origin="user"),
        ),
    )

    merged = HISTORY.merged_with(override)

    assert [e.effective for e in merged.entries] == [
        date(2023, 1, 1),
        date(2023, 6, 1),
        date(2024, 1, 1),
        date(2026, 1, 1),
    ]
    assert merged.entry_at(date(2023, 7, 1)).input_per_mtok == Decimal(6)
    assert merged.entry_at(date(2023, 7, 1)).origin == "user"
    assert merged.entry_at(date(2023, 2, 1)).origin == "bundled"
    assert merged.provider == "acme"  # an override without a provider keeps the old one
    assert merged.name == "Alpha"
    assert merged.aliases == ("alpha-1", "my-alpha")
    assert merged.retired == date(2025, 1, 1)
    assert merged.context_window_at(date(2026, 6, 1)) == 16000


# --- TariffBook ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alpha", "ALPHA", "alpha-1", "acme/alpha", "Alpha?"])
def test_own_names_resolve_without_loading_the_catalog(small_book, spy, name):
    assert small_book.resolve(name) is HISTORY
    assert spy.loads == 0


def test_catalog_is_loaded_once_on_the_first_miss(small_book, spy):
    assert small_book.resolve("beta") is UNDATED
    assert small_book.resolve("cat/beta") is UNDATED
    assert small_book.resolve("beta-2025-01-01") is UNDATED  # through the catalog's rules
    assert spy.loads == 1


def test_own_tariffs_shadow_the_catalog(small_book):
    assert small_book.resolve("acme/alpha") is HISTORY
    assert all(t is not SHADOWED for t in small_book.tariffs())
    assert small_book.tariffs() == [HISTORY, UNDATED]
    assert small_book.own_tariffs() == [HISTORY]


def test_a_book_without_catalog_knows_only_its_own(spy):
    book = TariffBook([HISTORY])

    assert book.find("beta") is None
    with pytest.raises(UnknownModel):
        book.resolve("beta")


def test_unknown_name_suggests_close_ones(small_book):
    with pytest.raises(UnknownModel) as caught:
        small_book.resolve("alpah")

    assert "alpah" in caught.value.message
    assert "alpha" in caught.value.suggestions


def test_quote_before_the_first_price_suggests_its_date(small_book):
    with pytest.raises(NoPrice) as caught:
        small_book.quote("alpha", date(2022, 6, 1))

    assert "2022-06-01" in caught.value.message
    assert caught.value.suggestions == ["as of 2023-01-01"]


def test_quote_keeps_the_requested_name_and_the_day(small_book):
    quote = small_book.quote("Alpha-1", date(2023, 7, 1))

    assert quote.requested == "alpha-1"
    assert quote.tariff is HISTORY
    assert quote.entry.input_per_mtok == Decimal(5)
    assert quote.context_window == 4000


# --- the real book: bundled data over genai-prices ----------------------------------------------


def test_bundled_history_of_gpt_3_5_turbo(book):
    tariff = book.resolve("gpt-3.5-turbo")

    assert [
        (e.effective, e.input_per_mtok, e.output_per_mtok, e.context_window) for e in tariff.entries
    ] == [
        (date(2023, 3, 1), Decimal(2), Decimal(2), 4096),
        (date(2023, 6, 13), Decimal("1.5"), Decimal(2), None),
        (date(2024, 2, 16), Decimal("0.5"), Decimal("1.5"), 16385),
    ]


def test_bundled_entries_are_dated_sorted_and_sourced():
    for tariff in bundled_tariffs():
        days = [e.effective for e in tariff.entries]
        assert None not in days, tariff.model
        assert days == sorted(days), tariff.model
        assert len(set(days)) == len(days), tariff.model
        assert {e.origin for e in tariff.entries} == {"bundled"}
        assert all(e.source for e in tariff.entries)
        assert tariff.provider in {"openai", "google"}


def test_every_bundled_fine_tune_has_a_training_price_and_a_base(book):
    """A base named provider/model must exist in the catalog: the loader trusts it."""
    tuned = [t for t in bundled_tariffs() if t.fine_tune_of is not None]

    assert len(tuned) >= 6
    for tariff in tuned:
        assert all(e.training_per_mtok is not None for e in tariff.entries), tariff.model
        base = book.resolve(tariff.fine_tune_of)
        assert base.fine_tune_of is None
        assert book.fine_tuned_variant(base).model == tariff.model


def test_fine_tuned_variant_of_a_base_model_without_training_is_none(book):
    assert book.fine_tuned_variant(book.resolve("gpt-4-8k")) is None
    assert book.fine_tuned_variant(book.resolve("claude-sonnet-4")) is None


def test_launch_prices_from_the_fine_tuning_announcement(book):
    launch = date(2023, 8, 22)
    rates = {
        name: (e.input_per_mtok, e.output_per_mtok, e.training_per_mtok)
        for name in ("gpt-4-8k", "gpt-3.5-turbo", "ft-gpt-3.5", "babbage-002", "ft-davinci-002")
        for e in [book.quote(name, launch).entry]
    }

    assert rates == {
        "gpt-4-8k": (Decimal(30), Decimal(60), None),
        "gpt-3.5-turbo": (Decimal("1.5"), Decimal(2), None),
        "ft-gpt-3.5": (Decimal(12), Decimal(16), Decimal(8)),
        "babbage-002": (Decimal("0.4"), Decimal("0.4"), None),
        "ft-davinci-002": (Decimal(12), Decimal(12), Decimal(6)),
    }


def test_bundled_gpt_4_wins_over_genai_prices(book):
    from pricing.catalog import genai_prices_catalog

    in_catalog = {t.model for t in genai_prices_catalog().tariffs}
    assert "openai/gpt-4" in in_catalog  # genai-prices knows it too

    for name in ("gpt-4", "openai/gpt-4", "gpt-4-8k"):
        tariff = book.resolve(name)
        assert tariff.model == "gpt-4"
        assert {e.origin for e in tariff.entries} == {"bundled"}
    assert sum(1 for t in book.tariffs() if t.model in {"gpt-4", "openai/gpt-4"}) == 1


def test_catalog_models_are_marked_as_genai_prices(book):
    tariff = book.resolve("claude-sonnet-4")

    assert tariff.provider == "anthropic"
    assert {e.origin for e in tariff.entries} == {"genai-prices"}
    assert all(e.source.startswith("genai-prices") for e in tariff.entries)


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("claude-sonnet-4", "anthropic/claude-sonnet-4-0"),
        ("anthropic/claude-sonnet-4", "anthropic/claude-sonnet-4-0"),
        ("gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
        ("azure/gpt-4o", "gpt-4o"),
        ("openai/gpt-4o", "gpt-4o"),
    ],
)
def test_catalog_matching_rules(book, name, model):
    assert book.resolve(name).model == model


def test_suggestions_for_a_typo_and_for_a_family_prefix(book):
    assert book.suggest("gtp-4")[0] == "gpt-4"
    assert all(s.startswith("claude") for s in book.suggest("claude"))
    assert book.suggest("claude")


def test_suggestions_are_names_that_answer_when_pasted(book):
    """The catalog's fine-tune prefix ('ft:gpt-3.5-turbo-') is an id, not a model to ask for."""
    assert "ft:gpt-3.5-turbo-" in book.names()
    suggested = book.suggest("gpt-4.5-turbo")  # it was the first suggestion
    assert suggested
    assert "ft:gpt-3.5-turbo-" not in suggested
    assert all(name[-1].isalnum() for name in suggested)


def test_a_name_like_no_other_says_how_to_find_one(book):
    with pytest.raises(UnknownModel) as raised:
        book.resolve("nosuchmodel")
    assert raised.value.suggestions == []
    assert raised.value.message == f"I don't know a model called 'nosuchmodel'. {FIND_A_MODEL}"


def test_threads_asking_together_load_the_catalog_once_and_all_find_it():
    """Slack's listeners run in threads: none may see a half-built catalog index."""
    started = threading.Event()

    class SlowCatalog(CatalogSpy):
        def __call__(self) -> Catalog:
            started.set()
            time.sleep(0.05)  # widen the window a racing reader would fall into
            return super().__call__()

    loader = SlowCatalog()
    book = TariffBook([HISTORY], loader)
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda _: book.find("beta"), range(16)))
    assert found == [UNDATED] * 16
    assert loader.loads == 1
    assert started.is_set()


def test_a_same_date_override_keeps_what_it_leaves_unsaid():
    override = Tariff(model="alpha", provider="", entries=(entry("2023-01-01", "9", "18"),))
    merged = HISTORY.merged_with(override)
    assert merged.entry_at(date(2023, 2, 1)).input_per_mtok == Decimal(9)
    assert merged.context_window_at(date(2023, 2, 1)) == 4000


def test_a_training_price_is_carried_forward_until_changed():
    tuned = Tariff(
        model="ft:alpha",
        provider="acme",
        entries=(
            entry("2023-01-01", "12", "16", training_per_mtok=Decimal(8)),
            entry("2024-01-01", "3", "6"),  # a usage cut that does not restate training
            entry("2025-01-01", "3", "6", training_per_mtok=Decimal(5)),
        ),
    )
    assert tuned.training_price_at(date(2022, 12, 31)) is None
    assert tuned.training_price_at(date(2024, 6, 1)) == Decimal(8)
    assert tuned.training_price_at(date(2025, 6, 1)) == Decimal(5)


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("ft:gpt-3.5-turbo-0613:acme::8abc", "ft:gpt-3.5-turbo"),
        ("ft:gpt-4o-mini-2024-07-18:org:support:9xyz", "ft:gpt-4o-mini"),
        ("ft:gpt-4.1-2025-04-14:org::id", "ft:gpt-4.1"),
        ("ft:davinci-002:org::id", "ft:davinci-002"),  # "-002" is part of the name
    ],
)
def test_real_fine_tuned_ids_resolve_to_their_family(book, name, family):
    assert normalize_name(name) == family
    assert book.resolve(name).model == family

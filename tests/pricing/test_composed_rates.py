"""Rates that compose: a tier's own long-context rates, several dated variants of one tier,
and request fees, each priced as genai-prices' `calc_price` prices it (issue 18)."""

from datetime import date
from decimal import Decimal

from pricing.costing import Terms, priced_row
from pricing.tariffs import (
    LongContextRate,
    PriceEntry,
    Quote,
    RateVariant,
    SizedRates,
    Tariff,
)
from tests.pricing.asking import ask

DAY = date(2026, 11, 24)


def _quote(**entry: object) -> Quote:
    price = PriceEntry(
        effective=None,
        input_per_mtok=Decimal("1.25"),
        output_per_mtok=Decimal("10"),
        cache_read_per_mtok=Decimal("0.125"),
        source="test",
        origin="genai-prices",
        **entry,  # type: ignore[arg-type]
    )
    tariff = Tariff(model="m", provider="p", entries=(price,))
    return Quote("m", tariff, price, DAY)


STANDARD_LONG = (
    LongContextRate(
        above=200_000,
        input_per_mtok=Decimal("2.5"),
        output_per_mtok=Decimal("15"),
        cache_read_per_mtok=Decimal("0.25"),
    ),
)


def test_a_tier_applies_its_own_long_context_rates_past_the_threshold():
    batch = RateVariant(
        tier="batch",
        input_per_mtok=Decimal("0.625"),
        output_per_mtok=Decimal("5"),
        long_context=(
            SizedRates(
                above=200_000, input_per_mtok=Decimal("1.25"), output_per_mtok=Decimal("7.5")
            ),
        ),
    )
    quote = _quote(long_context=STANDARD_LONG, variants=(batch,))

    row = priced_row(quote, 250_000, 20_000, False, requests=4, terms=Terms(tier="batch"))

    assert (row.input_per_mtok, row.output_per_mtok) == (Decimal("1.25"), Decimal("7.5"))
    assert row.per_request_usd == Decimal("0.4625")
    assert row.total_usd == Decimal("1.85")
    assert "Long-context rate applied" in " ".join(row.warnings)
    assert "$1.25/$7.50" in " ".join(row.warnings)


def test_a_dimension_the_tier_leaves_unstated_keeps_the_standard_long_context_rate():
    batch = RateVariant(tier="batch", input_per_mtok=Decimal("0.625"))
    quote = _quote(long_context=STANDARD_LONG, variants=(batch,))

    row = priced_row(quote, 250_000, 20_000, False, requests=1, terms=Terms(tier="batch"))

    # Input is the tier's flat rate, output the standard long-context one.
    assert (row.input_per_mtok, row.output_per_mtok) == (Decimal("0.625"), Decimal("15"))


def test_a_tier_with_flat_rates_over_a_long_context_standard_is_not_long_context():
    batch = RateVariant(
        tier="batch",
        input_per_mtok=Decimal("0.625"),
        output_per_mtok=Decimal("5"),
        cache_read_per_mtok=Decimal("0.0625"),
    )
    quote = _quote(long_context=STANDARD_LONG, variants=(batch,))

    row = priced_row(quote, 250_000, 20_000, False, requests=1, terms=Terms(tier="batch"))

    assert row.total_usd == Decimal("0.25625")
    assert not any("Long-context rate applied" in w for w in row.warnings)


def test_dated_variants_of_one_tier_compose_the_first_in_force_winning():
    later = RateVariant(
        tier="batch", since=date(2027, 1, 1), input_per_mtok=Decimal("0.75"), recorded=True
    )
    earlier = RateVariant(
        tier="batch",
        since=date(2026, 10, 14),
        input_per_mtok=Decimal("0.375"),
        output_per_mtok=Decimal("1.875"),
        recorded=True,
    )
    quote = _quote(variants=(later, earlier))
    batch = Terms(tier="batch")

    today = priced_row(quote, 1_000_000, 1_000_000, False, terms=batch)
    next_year = priced_row(
        Quote("m", quote.tariff, quote.entry, date(2027, 1, 2)),
        1_000_000,
        1_000_000,
        False,
        terms=batch,
    )
    before = priced_row(
        Quote("m", quote.tariff, quote.entry, date(2026, 10, 1)),
        1_000_000,
        1_000_000,
        False,
        terms=batch,
    )

    assert today.total_usd == Decimal("2.25")
    # Both in force: input from the first listed, output from the only one that states it.
    assert (next_year.input_per_mtok, next_year.output_per_mtok) == (
        Decimal("0.75"),
        Decimal("1.875"),
    )
    assert before.tier == "standard"
    assert "known since 2026-10-14" in " ".join(before.warnings)


def test_the_issue_examples_of_composed_tiers(book):
    gemini_pro = ask(book, "cost gemini-2.5-pro 250k in 20k out x 4 requests batch").rows[0]
    flash = ask(book, "cost gemini-3.8-flash 1M in 1M out batch").rows[0]

    assert gemini_pro.total_usd == Decimal("1.85")
    assert flash.total_usd == Decimal("2.25")
    assert flash.tier == "batch"


def test_a_request_fee_is_billed_per_request_and_named_when_no_count_is_given(book):
    with_count = ask(book, "cost sonar-reasoning-pro 2k in 500 out x 1000 requests").rows[0]
    without = ask(book, "cost sonar-reasoning-pro 2M tokens").rows[0]

    assert with_count.total_usd == Decimal("22")
    assert with_count.request_fee is not None
    assert with_count.request_fee.usd == Decimal("14")
    assert with_count.per_request_usd == Decimal("0.022")
    assert without.request_fee is None
    assert any("$14 per 1,000 requests" in w for w in without.warnings)


def test_cheapest_ranks_with_the_request_fee(book):
    rows = ask(book, "cheapest perplexity 2k in 500 out x 1000 requests").rows

    totals = [row.total_usd for row in rows]
    assert totals == sorted(totals)
    assert all(
        row.total_usd
        == row.input_usd + row.output_usd + (row.request_fee.usd if row.request_fee else 0)
        for row in rows
    )


def test_a_bundled_price_keeps_what_it_states_and_takes_the_rest_from_the_catalog():
    own = PriceEntry(
        effective=date(2025, 4, 14),
        input_per_mtok=Decimal("2"),
        output_per_mtok=Decimal("8"),
        variants=(RateVariant(tier="batch", input_per_mtok=Decimal("1")),),
        source="vendor",
        origin="bundled",
    )
    catalog = PriceEntry(
        effective=None,
        input_per_mtok=Decimal("2"),
        output_per_mtok=Decimal("8"),
        cache_read_per_mtok=Decimal("0.5"),
        variants=(
            RateVariant(tier="batch", input_per_mtok=Decimal("9"), output_per_mtok=Decimal("4")),
            RateVariant(tier="priority", input_per_mtok=Decimal("3.5")),
        ),
        source="catalog",
        origin="genai-prices",
    )

    completed = own.completed_by(catalog)

    assert completed.cache_read_per_mtok == Decimal("0.5")
    batch = completed.variant("batch", DAY)
    assert batch is not None
    # The bundled batch input wins; the output it does not state is the catalog's.
    assert (batch.input_per_mtok, batch.output_per_mtok) == (Decimal("1"), Decimal("4"))
    assert completed.variant("priority", DAY) is not None
    assert completed.source == "vendor; cached-input rate from catalog"


def test_bundled_models_keep_the_catalogs_priority_and_batch_rates(book):
    gpt41 = ask(book, "cost gpt-4.1 1M in 1M out priority").rows[0]
    gpt4o = ask(book, "cost gpt-4o 1M in 1M out priority").rows[0]
    mini = ask(book, "cost gpt-4.1-mini 1M in 1M out priority").rows[0]
    ft35 = ask(book, "cost ft-gpt-3.5 1M in 1M out batch", today=date(2026, 10, 20)).rows[0]
    gpt4 = ask(book, "cost gpt-4 1M in 1M out batch").rows[0]

    assert (gpt41.total_usd, gpt41.tier) == (Decimal("17.5"), "priority")
    assert "genai-prices" in gpt41.source
    assert gpt4o.total_usd == Decimal("21.25")
    assert mini.total_usd == Decimal("3.5")
    assert (ft35.total_usd, ft35.tier) == (Decimal("4.5"), "batch")
    assert gpt4.tier == "batch"


def test_fine_tuned_models_have_their_cached_input_and_batch_rates(book):
    cached = ask(book, "cost ft-gpt-4.1 1M in 100k out 50% cached").rows[0]
    batch = {
        name: ask(book, f"cost {name} 1M in 1M out batch").rows[0]
        for name in ("ft-gpt-4o", "ft-gpt-4o-mini", "ft-gpt-4.1", "ft-gpt-4.1-mini")
    }

    assert cached.total_usd == Decimal("3.075")
    assert {name: row.total_usd for name, row in batch.items()} == {
        "ft-gpt-4o": Decimal("9.375"),
        "ft-gpt-4o-mini": Decimal("0.75"),
        "ft-gpt-4.1": Decimal("7.5"),
        "ft-gpt-4.1-mini": Decimal("2"),
    }


def test_fine_tuned_gpt_4_1_nano_is_priced_until_its_shutdown(book):
    sold = ask(book, "finetune gpt-4.1-nano 100k tokens 3 epochs", today=date(2025, 6, 1))
    gone = ask(book, "price ft-gpt-4.1-nano").rows[0]

    assert sold.training_usd == Decimal("0.45")
    assert gone.retired == date(2026, 10, 23)


def test_the_catalog_adds_no_request_fee_or_long_context_rate_to_a_bundled_model(book):
    """Why a plain question on a bundled model may leave the catalog unloaded (entry_on)."""
    twins = {
        own.model: twin
        for own in book.own_tariffs()
        if own.entries[0].origin == "bundled" and (twin := book.catalog_twin(own))
    }

    assert len(twins) >= 10
    for model, twin in twins.items():
        assert twin.latest.per_k_requests is None, model
        assert not twin.latest.long_context, model

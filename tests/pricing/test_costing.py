"""The one costing function: a usage priced per dimension (input, cache reads and writes,
output) on a tier (standard, batch, flex, priority, off-peak), and the verbs that use it."""

from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.costing import (
    Terms,
    cost_parts,
    priced_row,
    ranking_cost,
    rate_card,
    token_weights,
    total_of,
    usage_cost,
)
from pricing.errors import ParseError
from pricing.parse import parse
from pricing.query import CacheTokens
from pricing.tariffs import INPUT_SIDE, PriceEntry, Quote, RateVariant, Tariff
from tests.pricing.asking import ask, figures

DAY = date(2026, 1, 1)
BATCH = RateVariant(
    tier="batch",
    input_per_mtok=Decimal("1.5"),
    output_per_mtok=Decimal("7.5"),
    cache_read_per_mtok=Decimal("0.15"),
)
# Flex states no cache rates: they stay the standard ones.
FLEX = RateVariant(tier="flex", input_per_mtok=Decimal("1"), output_per_mtok=Decimal("5"))
OFF_PEAK = RateVariant(
    tier="off_peak",
    input_per_mtok=Decimal("1.2"),
    output_per_mtok=Decimal("6"),
    windows=((time(16, 30), time(0, 30)),),
)
ENTRY = PriceEntry(
    effective=date(2025, 1, 1),
    input_per_mtok=Decimal("3"),
    output_per_mtok=Decimal("15"),
    cache_read_per_mtok=Decimal("0.3"),
    cache_write_per_mtok=Decimal("3.75"),
    cache_write_1h_per_mtok=Decimal("6"),
    variants=(BATCH, FLEX, OFF_PEAK),
    source="test",
    origin="user",
)
TARIFF = Tariff(model="acme", provider="acme", entries=(ENTRY,))
QUOTE = Quote(requested="acme", tariff=TARIFF, entry=ENTRY, day=DAY)

SIZES = st.integers(min_value=0, max_value=10**15)
TIERS = st.sampled_from([None, "batch", "flex", "priority", "off_peak"])
PROPERTIES = settings(max_examples=200, derandomize=True, database=None, deadline=None)


@st.composite
def workloads(draw: st.DrawFn) -> tuple[int, int, CacheTokens]:
    input_tokens = draw(SIZES)
    read = draw(st.integers(0, input_tokens))
    write = draw(st.integers(0, input_tokens - read))
    write_1h = draw(st.integers(0, input_tokens - read - write))
    return input_tokens, draw(SIZES), CacheTokens(read, write, write_1h)


@PROPERTIES
@given(workloads(), TIERS, st.none() | st.integers(1, 10**6))
def test_parts_sum_to_the_total_and_count_every_token_once(workload, tier, requests):
    input_tokens, output_tokens, cache = workload
    row = priced_row(QUOTE, input_tokens, output_tokens, False, requests, Terms(cache, tier))

    count = requests or 1
    assert sum(part.usd for part in row.parts) == row.total_usd
    assert row.input_usd + row.output_usd == row.total_usd
    assert sum(p.usd for p in row.parts if p.kind in INPUT_SIDE) == row.input_usd
    # No dimension double-counted: each input token is in exactly one input-side part.
    assert sum(p.tokens for p in row.parts if p.kind in INPUT_SIDE) == input_tokens * count
    assert [p.tokens for p in row.parts if p.kind == "output"] == [output_tokens * count]
    assert len({part.kind for part in row.parts}) == len(row.parts)
    for part in row.parts:
        assert part.usd == part.tokens * part.per_mtok / 1_000_000
    if requests:
        assert row.per_request_usd * requests == row.total_usd


@PROPERTIES
@given(
    workloads(), TIERS, st.sampled_from([QUOTE.entry, ENTRY.model_copy(update={"variants": ()})])
)
def test_the_ranking_total_is_the_sum_of_the_parts(workload, tier, entry):
    input_tokens, output_tokens, cache = workload
    terms = Terms(cache, tier)
    card = rate_card(entry, "acme", DAY, terms, None)
    parts = cost_parts(card, input_tokens, output_tokens, cache)
    weights = token_weights(input_tokens, output_tokens, cache)

    assert usage_cost(card.rates, weights) == total_of(parts)
    ranked = ranking_cost(entry, DAY, terms, None, tuple(weights.items()))
    assert ranked == total_of(parts) * 1_000_000


@PROPERTIES
@given(SIZES, SIZES)
def test_a_fully_cached_workload_costs_its_input_at_the_cache_read_rate(input_tokens, output):
    row = priced_row(
        QUOTE, input_tokens, output, False, terms=Terms(CacheTokens(input_tokens, 0, 0))
    )

    assert row.input_usd == input_tokens * ENTRY.cache_read_per_mtok / 1_000_000
    assert row.output_usd == output * ENTRY.output_per_mtok / 1_000_000


@PROPERTIES
@given(workloads())
def test_batch_bills_every_dimension_at_the_batch_rate_or_the_standard_one_it_leaves(workload):
    input_tokens, output_tokens, cache = workload
    row = priced_row(QUOTE, input_tokens, output_tokens, False, terms=Terms(cache, "batch"))

    rates = {part.kind: part.per_mtok for part in row.parts}
    expected = {
        "input": Decimal("1.5"),
        "cache_read": Decimal("0.15"),
        "cache_write": Decimal("3.75"),  # batch states none: the standard write rate
        "cache_write_1h": Decimal("6"),
        "output": Decimal("7.5"),
    }
    assert row.tier == "batch"
    assert rates == {kind: expected[kind] for kind in rates}


def test_a_tier_the_model_lacks_is_the_standard_rate_with_a_note():
    row = priced_row(QUOTE, 1_000_000, 0, False, terms=Terms(tier="priority"))

    assert row.tier == "standard"
    assert row.total_usd == Decimal(3)
    assert "acme has no priority rate; priced at its standard rate." in row.warnings


def test_a_cache_kind_without_a_rate_is_billed_as_input_and_said():
    entry = ENTRY.model_copy(update={"cache_read_per_mtok": None})
    quote = Quote("acme", TARIFF.model_copy(update={"entries": (entry,)}), entry, DAY)

    row = priced_row(quote, 1_000_000, 0, False, terms=Terms(CacheTokens(500_000, 0, 0)))

    assert row.total_usd == Decimal(3)
    assert any("no cached-input rate" in warning for warning in row.warnings)


def test_a_recorded_tier_does_not_apply_before_the_day_it_was_recorded():
    recorded = BATCH.model_copy(update={"since": date(2026, 10, 14), "recorded": True})
    entry = ENTRY.model_copy(update={"variants": (recorded,)})
    card = rate_card(entry, "acme", date(2026, 1, 1), Terms(tier="batch"), None)

    assert card.tier == "standard"
    assert card.rates["input"] == Decimal(3)
    assert card.notes == (
        "acme's batch rate known since 2026-10-14; priced at its standard rate on 2026-01-01.",
    )
    assert rate_card(entry, "acme", date(2026, 10, 14), Terms(tier="batch"), None).tier == "batch"


@pytest.mark.parametrize(
    ("clock", "tier"),
    [(time(18, 0), "off_peak"), (time(0, 29), "off_peak"), (time(0, 30), "standard")],
)
def test_a_time_of_day_picks_the_window_it_falls_in(clock, tier):
    card = rate_card(ENTRY, "acme", DAY, Terms(clock=clock), None)

    assert card.tier == tier


def test_cost_parts_refuses_more_cache_than_input():
    card = rate_card(ENTRY, "acme", DAY, Terms(), None)
    with pytest.raises(ValueError, match="exceed"):
        cost_parts(card, 10, 0, CacheTokens(6, 5, 0))
    assert total_of(cost_parts(card, 10, 0, CacheTokens(5, 5, 0))) > 0


# -- the verbs, on the tariffs as shipped --------------------------------------------------------


def test_cost_with_a_cached_share_bills_that_share_at_the_cache_read_rate(book):
    row = ask(book, "cost claude-sonnet-4 1M in 100k out 90% cached").rows[0]

    parts = {part.kind: (part.tokens, part.per_mtok) for part in row.parts}
    assert parts == {
        "input": (100_000, Decimal(3)),
        "cache_read": (900_000, Decimal("0.3")),
        "output": (100_000, Decimal(15)),
    }
    assert figures(row) == (Decimal("0.57"), Decimal("1.5"), Decimal("2.07"))


def test_cache_amounts_and_writes_at_both_rates(book):
    row = ask(
        book, "cost claude-sonnet-4 1M in 100k out cached 200k cache writes 50k cache writes 10k 1h"
    ).rows[0]

    parts = {part.kind: part.tokens for part in row.parts}
    assert parts == {
        "input": 740_000,
        "cache_read": 200_000,
        "cache_write": 50_000,
        "cache_write_1h": 10_000,
        "output": 100_000,
    }
    # 0.74 * 3 + 0.2 * 0.3 + 0.05 * 3.75 + 0.01 * 6 + 0.1 * 15
    assert row.total_usd == Decimal("4.0275")


def test_openai_batch_is_half_price_from_the_bundled_file(book):
    row = ask(book, "cost gpt-4o 1M in 1M out batch").rows[0]

    assert (row.tier, row.total_usd) == ("batch", Decimal("6.25"))
    assert "Batch API" in row.source


def test_openai_batch_before_its_launch_is_the_standard_rate_with_a_note(book):
    row = ask(book, "cost gpt-4-turbo 1M in 1M out batch as of 2024-04-14").rows[0]

    assert (row.tier, row.total_usd) == ("standard", Decimal(40))
    assert any("batch rate starts on 2024-04-15" in warning for warning in row.warnings)
    after = ask(book, "cost gpt-4-turbo 1M in 1M out batch as of 2024-04-15").rows[0]
    assert (after.tier, after.total_usd) == ("batch", Decimal(20))


def test_openai_prompt_caching_starts_on_its_launch(book):
    before = ask(book, "cost gpt-4o-mini 1M in 0 out 100% cached as of 2024-09-30").rows[0]
    after = ask(book, "cost gpt-4o-mini 1M in 0 out 100% cached as of 2024-10-01").rows[0]

    assert before.total_usd == Decimal("0.15")
    assert after.total_usd == Decimal("0.075")


def test_compare_applies_the_tier_to_every_model(book):
    result = ask(book, "compare gpt-4o gpt-4.1 1M in 1M out batch")

    assert [(row.tier, row.total_usd) for row in result.rows] == [
        ("batch", Decimal("6.25")),
        ("batch", Decimal(5)),
    ]


def test_deepseek_is_priced_at_its_standard_rate_not_the_off_peak_discount(book):
    """genai-prices keeps DeepSeek's standard rate in a daily window and the discount undated;
    before the fix, 'price deepseek-chat' said $0.135 in and 'cost deepseek-r1' used
    $0.135/$0.55."""
    price = ask(book, "price deepseek-chat").rows[0]
    cost = ask(book, "cost deepseek-r1 1M in 1M out").rows[0]

    assert (price.input_per_mtok, price.output_per_mtok) == (Decimal("0.27"), Decimal("1.1"))
    assert {(rate.tier, rate.kind, rate.per_mtok) for rate in price.rates} >= {
        ("off_peak", "input", Decimal("0.135")),
        ("off_peak", "output", Decimal("0.55")),
    }
    assert cost.total_usd == Decimal("2.74")
    assert any("cheaper off-peak (16:30-00:30 UTC)" in warning for warning in cost.warnings)


def test_off_peak_by_word_or_by_time_of_day(book):
    said = ask(book, "cost deepseek-r1 1M in 1M out off-peak").rows[0]
    evening = ask(book, "cost deepseek-r1 1M in 1M out at 18:00").rows[0]
    beijing_noon = ask(book, "cost deepseek-r1 1M in 1M out at 12:00 utc+8").rows[0]

    assert said.total_usd == evening.total_usd == Decimal("0.685")
    assert any("(UTC assumed)" in warning for warning in evening.warnings)
    assert beijing_noon.tier == "standard"  # 04:00 UTC
    assert beijing_noon.total_usd == Decimal("2.74")


def test_cheapest_ranks_with_the_cache_and_tier_asked(book):
    result = ask(book, "cheapest gpt-4o 1M in 100k out 50% cached batch")

    assert result.rows
    for row in result.rows:
        assert sum(part.usd for part in row.parts) == row.total_usd
    totals = [row.total_usd for row in result.rows]
    assert totals == sorted(totals)


def test_budget_prices_its_request_with_the_cache_asked(book):
    plain = ask(book, "budget $100 claude-sonnet-4 10k in 1k out").rows[0]
    cached = ask(book, "budget $100 claude-sonnet-4 10k in 1k out 90% cached").rows[0]

    assert cached.per_request_usd < plain.per_request_usd
    assert cached.per_request_usd == Decimal("0.0027") + Decimal("0.003") + Decimal("0.015")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cost gpt-4o 1M in 1M out 120% cached", "whole percentage from 0% to 100%"),
        ("cost gpt-4o 1M in 1M out cached 2M", "cannot exceed it"),
        ("cost gpt-4o 1M in 1M out batch at 18:00", "a tier or a time of day, not both"),
        ("cost gpt-4o 1M in 1M out at 25:00", "not a time of day"),
        ("cost gpt-4o 1M in 1M out cache writes", "needs an amount"),
        ("cost gpt-4o 1M in 1M out batch flex", "tier is given twice"),
    ],
)
def test_dimension_words_that_cannot_apply_say_why(text, message):
    with pytest.raises(ParseError, match=message):
        parse(text)

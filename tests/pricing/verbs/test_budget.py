"""budget: what a budget buys, the inverse of cost; exact figures on fixed dates."""

from datetime import date
from decimal import Decimal

import pytest

from bot.render.json import render_json
from pricing.answer import answer
from pricing.answers import BudgetAnswer
from pricing.errors import ParseError
from pricing.followup import follow_ups, refine
from pricing.money import cost_of
from pricing.parse import parse, render
from pricing.quantities import Ratio
from pricing.query import Usage
from pricing.sources import load_book
from pricing.verbs.budget import BudgetQuery, about_tokens

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def book():
    return load_book()


def ask(book, text: str) -> BudgetAnswer:
    result = answer(parse(text), book, TODAY)
    assert isinstance(result, BudgetAnswer)
    return result


def counts(result: BudgetAnswer) -> dict[str, int | None]:
    return {row.model: row.requests for row in result.rows}


def test_whole_requests_of_one_size_at_gpt_4o_rates(book):
    result = ask(book, "budget $500 gpt-4o 2k in 500 out")
    (row,) = result.rows
    assert (row.input_per_mtok, row.output_per_mtok) == (Decimal("2.5"), Decimal("10"))
    assert row.per_request_usd == Decimal("0.01")
    assert row.requests == 50_000
    assert row.requests_per_day is None
    assert row.tokens is None
    assert result.period is None
    assert result.summary == "$500 pays for 50,000 gpt-4o requests at $0.01 a request."
    assert "Counts are whole requests, rounded down." in result.notes


def test_a_budget_per_month_counts_a_month_and_a_day_most_first(book):
    result = ask(book, "budget $500 per month claude-sonnet-4 gpt-4o 2k in 500 out")
    assert [row.model for row in result.rows] == ["gpt-4o", "claude-sonnet-4"]
    assert counts(result) == {"gpt-4o": 50_000, "claude-sonnet-4": 37_037}
    assert [row.requests_per_day for row in result.rows] == [1_666, 1_234]
    assert (result.period, result.period_days) == ("month", 30)
    assert any("a month 30 days" in note and "$16.67 a day" in note for note in result.notes)


@pytest.mark.parametrize(
    ("period", "days", "per_day"),
    [
        ("hour", Decimal(1) / 24, 120_000),
        ("day", 1, 5_000),
        ("week", 7, 714),
        ("month", 30, 166),
        ("quarter", Decimal("91.25"), 54),
        ("year", 365, 13),
    ],
)
def test_each_period_has_its_days_and_counts_round_down(book, period, days, per_day):
    # $100 at $0.02 a request (gpt-4o: 4k in, 1k out = $0.01 + $0.01).
    result = ask(book, f"budget $100 per {period} gpt-4o 4k in 1k out")
    (row,) = result.rows
    assert row.per_request_usd == Decimal("0.02")
    assert (result.period_days, row.requests, row.requests_per_day) == (days, 5_000, per_day)
    lengths = (
        "an hour is 1/24 of a day, a week 7 days, a month 30 days, a quarter 91.25 days, "
        "a year 365 days"
    )
    assert any(lengths in note for note in result.notes)


@pytest.mark.parametrize(
    "words",
    ["$2000", "2000 usd", "2,000 dollars", "$2,000", "$2k", "$ 2000", "2000 USD", "$2000 usd"],
)
def test_money_reads_as_people_write_it(words):
    assert parse(f"budget {words} gpt-4o 2k in 500 out").budget == Decimal(2000)


def test_a_decimal_budget_and_a_scaled_one_are_exact():
    assert parse("budget $1.5k gpt-4o 1k tokens").budget == Decimal(1500)
    assert parse("budget $12.34 gpt-4o 1k tokens").budget == Decimal("12.34")


def test_without_a_request_size_the_tokens_it_buys_at_the_split(book):
    result = ask(book, "budget $100 gpt-4o")
    (row,) = result.rows
    # 3:1 at $2.50/$10: $4.375 per 1M tokens.
    assert row.tokens == 22_857_142
    assert row.requests is None
    assert row.per_request_usd is None
    assert result.split == Ratio(input=Decimal(3), output=Decimal(1))
    assert result.assumed_split == result.split
    assert "about 22.86 million" in result.summary
    assert any("split 3:1 input:output assumed" in note for note in result.notes)
    one_to_one = ask(book, "budget $100 gpt-4o split 1:1")
    assert one_to_one.rows[0].tokens == 16_000_000  # $6.25 per 1M
    assert one_to_one.assumed_split is None


def test_the_count_is_exactly_what_the_budget_pays_for(book):
    result = ask(book, "budget $987.65 per week gpt-4o claude-sonnet-4 3333 in 777 out")
    for row in result.rows:
        assert row.requests * row.per_request_usd <= Decimal("987.65")
        assert (row.requests + 1) * row.per_request_usd > Decimal("987.65")
        assert row.requests_per_day * row.per_request_usd * 7 <= Decimal("987.65")
        assert (row.requests_per_day + 1) * row.per_request_usd * 7 > Decimal("987.65")


def test_a_model_one_request_does_not_fit_gets_no_count_and_a_warning(book):
    result = ask(book, "budget $500 gpt-4-8k gpt-4o 10k in 1k out")
    assert [row.model for row in result.rows] == ["gpt-4o", "gpt-4-8k"]
    small = result.rows[1]
    assert (small.requests, small.fits_context) == (None, False)
    assert any("does not fit" in warning for warning in small.warnings)
    assert result.summary.startswith("$500 pays for the most requests on gpt-4o")


def test_long_context_rates_apply_to_a_request_over_the_threshold(book):
    result = ask(book, "budget $100 gemini-1.5-pro 150k in 1k out")
    (row,) = result.rows
    entry = book.quote("gemini-1.5-pro", TODAY).entry
    assert entry.long_context, "the test needs a model with a long-context tier"
    rates, long_context = entry.rates_at(150_000)
    assert long_context
    high_in, high_out = rates["input"], rates["output"]
    assert row.per_request_usd == cost_of(150_000, high_in) + cost_of(1_000, high_out)
    assert any("Long-context rate applied" in warning for warning in row.warnings)
    tokens = ask(book, "budget $100 gemini-1.5-pro").rows[0]
    assert any("give the size of one request" in warning for warning in tokens.warnings)


def test_as_of_prices_the_budget_on_that_date(book):
    result = ask(book, "budget $7.50 gpt-4-8k 150k in 50k out as of 2023-08-22")
    assert result.as_of == date(2023, 8, 22)
    # $4.50 + $3.00 = $7.50 a request at the launch prices: the 8K window does not take it.
    assert result.rows[0].requests is None
    fits = ask(book, "budget $7.50 gpt-4-8k 1.5k in 500 out as of 2023-08-22")
    assert fits.rows[0].per_request_usd == Decimal("0.075")
    assert fits.rows[0].requests == 100


def test_json_has_the_fields_scripts_read(book):
    import json

    data = json.loads(
        render_json(ask(book, "budget $500 per month gpt-4o 2k in 500 out as of 2026-01-01"))
    )
    assert data["kind"] == "budget"
    assert (data["budget_usd"], data["period"]) == ("500", "month")
    (row,) = data["rows"]
    assert {"model", "model_id", "per_request_usd", "requests", "requests_per_day", "tokens"} <= (
        set(row)
    )
    assert (row["requests"], row["requests_per_day"], row["tokens"]) == (50_000, 1_666, None)
    assert row["per_request_usd"] == "0.01"
    assert row["warnings"] == []
    for field in ("title", "summary", "notes", "sources", "as_of"):
        assert field in data
    tokens = json.loads(render_json(ask(book, "budget $100 gpt-4o")))
    assert tokens["period"] is None
    assert (tokens["rows"][0]["requests"], tokens["rows"][0]["tokens"]) == (None, 22_857_142)
    assert tokens["rows"][0]["per_request_usd"] is None


@pytest.mark.parametrize(
    ("text", "fragment", "suggestion"),
    [
        ("budget gpt-4o 2k in 500 out", "How much", "budget $500 gpt-4o 2k in 500 out"),
        ("budget $-5 gpt-4o 2k in 500 out", "cannot be negative",
         "budget $500 gpt-4o 2k in 500 out"),
        ("budget -$5 gpt-4o", "cannot be negative", "budget $500 gpt-4o 2k in 500 out"),
        ("budget -5 usd gpt-4o", "cannot be negative", "budget $500 gpt-4o 2k in 500 out"),
        ("budget $0 gpt-4o 2k in 500 out", "more than $0", "budget $500 gpt-4o 2k in 500 out"),
        ("budget $500 gpt-4o 2k in 500 out x 100 requests", "'x N requests' has no place",
         "budget $500 gpt-4o 2k in 500 out"),
        ("budget $500 gpt-4o 100 requests", "'x N requests' has no place", "budget $500 gpt-4o"),
        ("budget $0 gpt-4o", "more than $0", "budget $500 gpt-4o"),
        ("budget $500 2k in 500 out", "Which models", "budget $500 gpt-4o 2k in 500 out"),
        ("budget $500 $600 gpt-4o", "given twice", "budget $500 gpt-4o 2k in 500 out"),
        ("budget $1,5 gpt-4o", "not an amount of money", "budget $500 gpt-4o 2k in 500 out"),
        ("budget $ gpt-4o", "not an amount of money", "budget $500 gpt-4o 2k in 500 out"),
    ],
)  # fmt: skip
def test_bad_input_says_what_would_work(text, fragment, suggestion):
    with pytest.raises(ParseError) as raised:
        parse(text)
    assert fragment in raised.value.message
    assert raised.value.suggestions[0] == suggestion
    assert raised.value.message.endswith(f"Try: {suggestion}")
    assert isinstance(parse(suggestion), BudgetQuery)


THREAD = parse("budget $500 per month gpt-4o claude-sonnet-4 2k in 500 out")


@pytest.mark.parametrize(
    ("reply", "changed"),
    [
        ("make it $1000", {"budget": Decimal(1000)}),
        ("make it 1000 usd", {"budget": Decimal(1000)}),
        ("what about gpt-4.1?", {"models": ("gpt-4o", "claude-sonnet-4", "gpt-4.1")}),
        ("per day", {"period": "day"}),
        ("drop gpt-4o", {"models": ("claude-sonnet-4",)}),
        ("make it 4k in 1k out", {"request": Usage(input=4_000, output=1_000)}),
        ("as of 2025-06-01", {"as_of": date(2025, 6, 1)}),
    ],
)
def test_thread_follow_ups_change_one_thing(reply, changed):
    assert refine(reply, THREAD) == THREAD.model_copy(update=changed)


def test_a_follow_up_gives_a_size_to_a_budget_that_had_none():
    previous = parse("budget $100 gpt-4o split 1:1")
    assert refine("make it 2k tokens", previous) == BudgetQuery(
        budget=Decimal(100),
        models=("gpt-4o",),
        request=Usage(total=2_000, split=Ratio(input=Decimal(1), output=Decimal(1))),
    )


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        ("x 500 requests", "'x N requests' has no place"),
        ("make it $0", "more than $0"),
        ("make it $-5", "cannot be negative"),
        ("5 epochs", "no place for epochs"),
    ],
)
def test_follow_ups_that_cannot_apply_suggest_ones_that_do(reply, fragment):
    with pytest.raises(ParseError) as raised:
        refine(reply, THREAD)
    assert fragment in raised.value.message
    assert all(refine(s, THREAD) is not None for s in raised.value.suggestions)


def test_money_is_chat_in_other_threads_and_a_period_makes_the_amounts_that_periods():
    comparison = parse("compare gpt-4o gpt-4-8k 200k tokens")
    assert refine("make it $1000", comparison) is None
    assert refine("per day", comparison) == parse("compare gpt-4o gpt-4-8k 200k tokens per day")


def test_the_offered_follow_ups_are_the_issues_three_first():
    assert follow_ups(THREAD)[:3] == ["make it $1000", "what about gpt-4.1", "per day"]


def test_render_is_the_canonical_question():
    assert render(THREAD) == "budget $500 per month gpt-4o claude-sonnet-4 2k in 500 out"
    assert render(parse("budget 1.5k usd a week gpt-4o")) == "budget $1500 per week gpt-4o"


@pytest.mark.parametrize(
    ("tokens", "said"),
    [(22_857_142, "about 22.86 million"), (16_000_000, "about 16 million"), (950_000, "950,000")],
)
def test_token_counts_are_said_aloud(tokens, said):
    assert about_tokens(tokens) == said

"""The engine: exact figures for the questions users bring, on fixed dates, never the real clock."""

import contextlib
from datetime import date
from decimal import Decimal

import pytest

from pricing.answers import (
    HelpAnswer,
    TableAnswer,
)
from pricing.errors import NoPrice, UnknownModel
from pricing.sources import bundled_tariffs, load_book
from pricing.tariffs import TariffBook, exists_on, newest_first
from pricing.verbs.registry import VERBS
from tests.pricing.asking import TODAY, ask

# --- price, history, models, help ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "rates", "window"),
    [
        ("2023-03-01", ("2", "2"), 4096),
        ("2023-06-12", ("2", "2"), 4096),
        ("2023-06-13", ("1.5", "2"), 4096),
        ("2024-02-15", ("1.5", "2"), 4096),
        ("2024-02-16", ("0.5", "1.5"), 16385),
        ("2026-11-24", ("0.5", "1.5"), 16385),
    ],
)
def test_price_on_a_date_follows_the_history(book, day, rates, window):
    result = ask(book, f"price gpt-3.5-turbo as of {day}")

    assert isinstance(result, TableAnswer)
    assert result.kind == "price"
    assert result.as_of == date.fromisoformat(day)
    (row,) = result.rows
    assert (row.input_per_mtok, row.output_per_mtok) == tuple(Decimal(r) for r in rates)
    assert row.context_window == window


def test_price_without_a_date_is_todays(book):
    (row,) = ask(book, "price gpt-3.5-turbo").rows

    assert row.effective == date(2024, 2, 16)


def test_history_lists_every_dated_price(book):
    result = ask(book, "history gpt-3.5-turbo")

    assert result.kind == "history"
    assert result.matched == 3
    assert [
        (row.effective, row.input_per_mtok, row.output_per_mtok, row.context_window)
        for row in result.rows
    ] == [
        (date(2023, 3, 1), Decimal(2), Decimal(2), 4096),
        (date(2023, 6, 13), Decimal("1.5"), Decimal(2), 4096),
        (date(2024, 2, 16), Decimal("0.5"), Decimal("1.5"), 16385),
    ]
    assert len({row.source for row in result.rows}) == 3


def test_history_of_a_retired_model_says_so(book):
    result = ask(book, "history gpt-4-32k")

    assert any("2025-06-06" in note for note in result.notes)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("price gpt-3.5-turbo as of 2023-02-28", "2023-03-01"),
        ("cost gpt-4o 1k in as of 2023-08-22", "2024-05-13"),
        ("compare gpt-4o 1k tokens as of 2023-08-22", "2024-05-13"),
    ],
)
def test_a_date_before_the_first_price_suggests_one(book, text, first):
    with pytest.raises(NoPrice) as caught:
        ask(book, text)

    assert first in caught.value.message
    assert caught.value.suggestions == [f"as of {first}"]


def test_models_without_a_filter_are_todays_main_models_across_providers(book):
    result = ask(book, "models")

    current = [t.model for t in book.own_tariffs() if exists_on(t, TODAY)]
    shown = [row.model for row in result.rows]
    assert result.kind == "models"
    assert shown[: len(current)] == current  # ours first, none shut down ("gpt-4-32k")
    assert "gpt-4-32k" not in shown
    providers = {row.provider for row in result.rows}
    assert {"openai", "anthropic", "google", "mistral"} <= providers
    claude = [row.model for row in result.rows if row.provider == "anthropic"]
    assert claude == [t.model for t in newest_first(book.find(m) for m in claude)]  # newest first
    (more,) = [note for note in result.notes if "more: narrow with 'models NAME'" in note]
    assert int(more.split()[0].replace(",", "")) > 1000


def test_models_on_a_date_leave_out_models_not_yet_priced(book):
    result = ask(book, "models as of 2023-08-22")

    models = {row.model for row in result.rows}
    assert {"gpt-4", "ft:gpt-3.5-turbo", "babbage-002"} <= models
    assert "gpt-4o" not in models
    assert "gpt-4-turbo" not in models


def test_models_filtered_by_claude_come_from_the_catalog(book):
    result = ask(book, "models claude")

    assert result.rows
    assert result.matched >= len(result.rows)
    for row in result.rows:
        assert row.provider == "anthropic" or "claude" in row.model
        assert "genai-prices" in row.source
    # The maker's own listing comes before resellers', so it is within the rows shown.
    assert result.rows[0].provider == "anthropic"
    assert any(row.model.startswith("anthropic/claude-sonnet-4") for row in result.rows)


def test_models_filter_that_matches_nothing_says_so(book):
    with pytest.raises(UnknownModel) as raised:
        ask(book, "models no-such-model-xyz")
    assert "No model matches 'no-such-model-xyz'" in raised.value.message
    assert raised.value.suggestions


def test_help_lists_every_command(book):
    result = ask(book, "help")

    assert isinstance(result, HelpAnswer)
    assert result.topic is None
    assert result.as_of == TODAY
    for verb in VERBS:
        assert any(line.startswith(f"{verb}:") for line in result.lines)
    assert "compare gpt-4-8k ft-gpt-3.5 200k tokens" in result.examples


def test_help_on_one_command(book):
    result = ask(book, "help compare")

    assert result.topic == "compare"
    assert result.examples[0] == "compare gpt-4-8k ft-gpt-3.5 200k tokens"
    assert any("split 1:1" in line for line in result.lines)


@pytest.mark.parametrize("example", sorted(set(VERBS) - {"help"}))
def test_every_help_example_answers(book, example):
    """What help tells users to type must work when pasted."""
    for text in ask(book, f"help {example}").examples:
        assert ask(book, text).kind


# --- names --------------------------------------------------------------------------------------


def test_unknown_model_suggests_close_names(book):
    with pytest.raises(UnknownModel) as caught:
        ask(book, "cost gtp-4 1k tokens")

    assert "gtp-4" in caught.value.message
    # GPT-4 is shut down by TODAY, so "did you mean" names a model that still exists ...
    assert caught.value.suggestions[0] == "gpt-4o"
    assert "gpt-4" not in caught.value.suggestions
    # ... and on a day when GPT-4 was there, GPT-4 itself.
    with pytest.raises(UnknownModel) as caught:
        ask(book, "cost gtp-4 1k tokens as of 2024-01-01")
    assert caught.value.suggestions[0] == "gpt-4"


@pytest.mark.parametrize(
    ("name", "model_id"),
    [
        ("GPT4", "gpt-4"),
        ("gpt-4-8k", "gpt-4"),
        ("gpt-4-0613", "gpt-4"),
        ("ft:gpt-3.5-turbo", "ft:gpt-3.5-turbo"),
        ("ft:gpt-3.5-turbo:acme::abc123", "ft:gpt-3.5-turbo"),
        ("openai/gpt-4o", "gpt-4o"),
        ("gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("azure/gpt-4o", "gpt-4o"),
    ],
)
def test_names_resolve_through_aliases_and_variants(book, name, model_id):
    row = ask(book, f"cost {name} 1M in 1M out").rows[0]

    assert row.model_id == model_id
    assert row.source != ""
    assert "genai-prices" not in row.source  # the bundled tariff wins


def test_fine_tuned_model_id_is_priced_as_its_family(book):
    row = ask(book, "cost ft:gpt-3.5-turbo:acme::abc123 1M in 1M out as of 2023-08-22").rows[0]

    assert row.total_usd == Decimal(28)


def test_claude_sonnet_4_resolves_in_the_catalog(book):
    row = ask(book, "cost claude-sonnet-4 1M in 1M out").rows[0]

    assert row.provider == "anthropic"
    assert row.model_id.startswith("anthropic/claude-sonnet-4")
    assert row.model == "claude-sonnet-4"
    assert "genai-prices" in row.source
    assert row.total_usd == row.input_per_mtok + row.output_per_mtok
    assert not row.warnings  # undated catalog prices hold today


def test_undated_catalog_price_on_a_past_date_is_warned(book):
    row = ask(book, "cost claude-sonnet-4 1M in as of 2023-08-22").rows[0]

    assert any("no start date" in warning for warning in row.warnings)


def test_bundled_tariffs_win_over_the_catalog(book):
    gpt4 = book.resolve("gpt-4")
    catalog_gpt4 = book.resolve("openai/gpt-4")
    claude = book.resolve("claude-sonnet-4")

    assert {entry.origin for entry in gpt4.entries} == {"bundled"}
    assert catalog_gpt4 is gpt4
    assert {entry.origin for entry in claude.entries} == {"genai-prices"}
    assert all("genai-prices" in entry.source for entry in claude.entries)


def test_dated_snapshot_is_priced_as_that_snapshot(book):
    """gpt-4o-2024-08-06 launched at $2.50/$10 while the gpt-4o alias still cost $5/$15."""
    (snapshot,) = ask(book, "price gpt-4o-2024-08-06 as of 2024-09-01").rows
    (alias,) = ask(book, "price gpt-4o as of 2024-09-01").rows

    assert (snapshot.input_per_mtok, snapshot.output_per_mtok) == (Decimal("2.5"), Decimal(10))
    assert (alias.input_per_mtok, alias.output_per_mtok) == (Decimal(5), Decimal(15))


# --- summaries, estimates, what loads the catalog -----------------------------------------------


def test_every_priced_answer_leads_with_a_summary(book):
    compare = ask(book, "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22")
    cost = ask(book, "cost ft-gpt-3.5 2k in 500 out x 10000 requests as of 2023-08-22")
    finetune = ask(book, "finetune gpt-3.5-turbo 100k tokens 3 epochs as of 2025-01-01")

    assert compare.summary == ("ft-gpt-3.5 is the cheapest at $2.60; gpt-4-8k costs 2.9x as much.")
    assert cost.summary == "Total $320.00 ($0.032 a request)."
    assert finetune.summary == "Fine-tuning costs $2.40: 300,000 tokens at $8/1M."


def test_a_split_of_per_request_sizes_says_so(book):
    result = ask(book, "cost gpt-4-8k 4k tokens x 10 requests as of 2023-08-22")

    assert any("4k tokens a request split 3:1" in note for note in result.notes)
    assert result.rows[0].input_tokens == 30_000


def test_tokens_on_a_model_without_a_known_tokenizer_are_labelled_an_estimate(book):
    result = ask(book, "tokens The quick brown fox jumps over the lazy dog.")

    by_model = {row.model: row for row in result.rows}
    assert not any("Estimated" in warning for warning in by_model["gpt-4-8k"].warnings)
    estimate = by_model["claude-sonnet-4"]
    assert estimate.input_tokens == next(
        c.tokens for c in result.counts if c.encoding == "o200k_base"
    )
    assert any("Estimated with o200k_base" in warning for warning in estimate.warnings)


class NoCatalog:
    def __call__(self):
        raise AssertionError("the catalog was loaded for a question about our own models")


@pytest.mark.parametrize(
    "question",
    [
        "compare gpt-4-8k ft-gpt-3.5 200k tokens",
        "finetune gpt-4-8k 100k tokens",  # the error lists fine-tunable models
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
        "history gpt-3.5-turbo",
    ],
)
def test_questions_about_our_own_models_never_load_the_catalog(question):
    own_only = TariffBook(bundled_tariffs(), NoCatalog())
    # finetune gpt-4-8k: the answer is an error, but it must not need the catalog either
    with contextlib.suppress(NoPrice):
        ask(own_only, question)


# --- long-context tiers, ties, future dates -----------------------------------------------------


def test_a_long_request_is_billed_at_the_long_context_rate_as_genai_prices_bills_it(book):
    from genai_prices import Usage, calc_price

    result = ask(book, "cost gemini-2.5-pro 300k in 1k out x 2 requests")
    expected = calc_price(
        Usage(input_tokens=300_000, output_tokens=1_000),
        model_ref="gemini-2.5-pro",
        provider_id="google",
    ).total_price

    (row,) = result.rows
    assert row.per_request_usd == expected
    assert row.total_usd == 2 * expected
    assert row.input_per_mtok > book.resolve("gemini-2.5-pro").latest.input_per_mtok
    assert any("Long-context rate applied" in warning for warning in row.warnings)


def test_totals_on_a_tiered_model_say_the_base_rate_was_used(book):
    (row,) = ask(book, "cost gemini-2.5-pro 300k in 1k out").rows

    assert row.input_per_mtok == book.resolve("gemini-2.5-pro").latest.input_per_mtok
    assert any("add 'x N requests'" in warning for warning in row.warnings)


def test_models_that_cost_the_same_tie_as_the_cheapest(book):
    result = ask(book, "compare gpt-4o gpt-4o-2024-08-06 gpt-4-8k 1M tokens")

    assert result.summary is not None
    assert result.summary.startswith("gpt-4o and gpt-4o-2024-08-06 tie as the cheapest")


def test_a_future_date_says_later_changes_are_not_known(book):
    result = ask(book, "price gpt-4o as of 2030-01-01")

    assert any("in the future" in note for note in result.notes)
    assert not any("in the future" in note for note in ask(book, "price gpt-4o").notes)


def test_naming_the_base_model_in_breakeven_labels_the_fine_tuned_row(book):
    result = ask(
        book, "breakeven gpt-3.5-turbo vs gpt-4-8k prompt 200 -> 1500 output 300 training 100k"
    )

    assert result.rows[0].model == "ft:gpt-3.5-turbo"
    assert any("longer than the base prompt" in note for note in result.notes)


# --- what a reviewer found a user would trip over -----------------------------------------------


def test_the_cheapest_must_be_able_to_take_one_request(book):
    result = ask(book, "compare ft-gpt-3.5 gpt-4-turbo 20k in 1k out x 100 requests")

    tuned, turbo = result.rows
    assert tuned.fits_context is False
    assert turbo.fits_context is True
    assert tuned.total_usd < turbo.total_usd
    assert result.cheapest == "gpt-4-turbo"
    assert result.summary is not None
    assert "too small for one request are left out" in result.summary


def test_breakeven_says_when_a_request_does_not_fit(book):
    # 4,096 tokens for the August 2023 fine-tunes; 16,385 from the 1106 ones.
    result = ask(
        book,
        "breakeven ft-gpt-3.5 vs gpt-4-32k prompt 20k -> 5k output 300 training 100k x3"
        " as of 2023-09-01",
    )

    assert result.summary is not None
    assert "does not fit ft-gpt-3.5" in result.summary


def test_one_model_named_twice_is_one_row(book):
    result = ask(book, "compare gpt-4-8k GPT4 gpt-4-8k ft-gpt-3.5 1M tokens")

    assert [row.model for row in result.rows] == ["gpt-4-8k", "ft-gpt-3.5"]


def test_a_request_under_the_long_context_size_carries_no_tier_warning(book):
    (row,) = ask(book, "cost gemini-2.5-pro 20k in 1k out x 10 requests").rows

    assert row.input_per_mtok == book.resolve("gemini-2.5-pro").latest.input_per_mtok
    assert not any("rate" in warning for warning in row.warnings)


def test_models_on_a_past_date_leave_out_undated_catalog_prices(book):
    result = ask(book, "models claude as of 2023-08-22")

    assert all(row.effective is not None for row in result.rows)
    assert any("undated catalog prices" in note for note in result.notes)


def test_tables_show_training_prices_carried_forward(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[tariff]]\nmodel = "acme"\nprovider = "acme"\neffective = 2026-01-01\n'
        'input_per_mtok = "1"\noutput_per_mtok = "2"\ntraining_per_mtok = "4"\n'
        '[[tariff]]\nmodel = "acme"\neffective = 2027-01-01\n'
        'input_per_mtok = "0.8"\noutput_per_mtok = "1.6"\n',
        encoding="utf-8",
    )
    user_book = load_book(path)

    history = ask(user_book, "history acme")
    price = ask(user_book, "price acme as of 2027-02-01")

    assert [row.training_per_mtok for row in history.rows] == [Decimal(4), Decimal(4)]
    assert price.rows[0].training_per_mtok == Decimal(4)


def test_claude_means_anthropic_not_a_cloud_that_resells_it(book):
    assert book.resolve("claude-4-opus").provider == "anthropic"
    assert book.resolve("gemini-2.5-pro").provider == "google"


def test_a_tier_without_a_cache_discount_says_how_cache_reads_are_billed(book):
    (gpt4o,) = ask(book, "cost gpt-4o 1M in 100k out 80% cached batch").rows
    (gpt41,) = ask(book, "cost gpt-4.1 1M in 100k out 80% cached batch").rows

    assert gpt4o.total_usd == Decimal("1.75")
    assert any(
        "batch rates have no cache discount: cache reads are billed at its batch input rate"
        in warning
        for warning in gpt4o.warnings
    )
    # gpt-4.1's standard cached-input rate is below its batch input: a discount, no note.
    assert not any("cache discount" in warning for warning in gpt41.warnings)


def test_a_request_that_does_not_fit_leads_the_answer(book):
    result = ask(book, "cost gpt-4-8k 10k in 1k out x 10 requests")

    assert result.summary is not None
    assert result.summary.startswith(
        "One request (11,000 tokens) does not fit GPT-4 (8K)'s 8,192-token context window."
    )

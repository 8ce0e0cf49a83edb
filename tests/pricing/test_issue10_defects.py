"""The wrong numbers of issue 10, each asked as a user asked it."""

from decimal import Decimal

import pytest

from pricing.catalog import proper_name
from pricing.money import ratio
from pricing.parse import parse
from pricing.sources import load_book
from tests.pricing.asking import ask


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("finetune gpt-4o 2 million tokens 4 epochs", 2_000_000),
        ("finetune gpt-4o 2 thousand tokens 4 epochs", 2_000),
        ("finetune gpt-4o 1.5 million tokens x4", 1_500_000),
    ],
)
def test_finetune_reads_scale_words(book, text, tokens):
    result = ask(book, f"{text} as of 2026-01-01")

    assert result.training_tokens == tokens
    assert result.training_usd == Decimal(tokens * 4 * 25) / 1_000_000


def test_breakeven_reads_scale_words_after_training():
    query = parse(
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 2 million x3"
    )

    assert (query.training_tokens, query.epochs) == (2_000_000, 3)


def test_a_resellers_name_is_its_own_row(book):
    result = ask(book, "compare gpt-4o azure/gpt-4o 1M tokens")

    assert [row.model for row in result.rows] == ["gpt-4o", "azure/gpt-4o"]
    assert any("azure/gpt-4o" in note and "priced as openai" in note for note in result.notes)


def test_one_name_and_its_alias_are_still_one_row(book):
    result = ask(book, "compare gpt-4 gpt-4-8k 1M tokens")

    assert [row.model for row in result.rows] == ["gpt-4"]


TINY = """
[[tariff]]
model = "tiny-model"
effective = 2020-01-01
input_per_mtok = "0.000000000001"
output_per_mtok = "0"
"""


def test_a_ratio_of_extreme_costs_does_not_crash(tmp_path):
    path = tmp_path / "tariffs.toml"
    path.write_text(TINY)

    result = ask(load_book(path), "compare tiny-model gpt-4o 1 in 1000000000000000 out")

    assert result.cheapest == "tiny-model"
    assert result.rows[1].total_usd == Decimal("10000000000.0000025")


def test_a_ratio_that_cannot_be_computed_is_left_out():
    assert ratio(Decimal("1"), Decimal("0")) is None
    assert ratio(Decimal("1E+80"), Decimal("1E-80")) is None
    assert ratio(Decimal("3"), Decimal("2")) == Decimal("1.5")


def test_breakeven_with_the_largest_training_is_exact(book):
    result = ask(
        book,
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1 -> 1 training 999999999999999 "
        "x999999999999999 as of 2023-08-22",
    )

    # 999999999999999² x $8/1M training over a $0.000018 saving a request, exactly.
    assert result.breakeven_requests == 444_444_444_444_443_555_555_555_555_556


@pytest.mark.parametrize(
    ("name", "model_id", "shown"),
    [
        ("gpt 4.1 nano", "gpt-4.1-nano", "gpt-4.1-nano"),
        ("gemini 1.5 Pro", "gemini-1.5-pro", "gemini-1.5-pro"),
        ("GPT-5 mini", "gpt-5-mini", "GPT-5 mini"),
        ("o1-pro", "o1-pro", "o1-pro"),
        (None, "o3-deep-research", "o3-deep-research"),
    ],
)
def test_catalog_names_in_lower_case_give_way_to_the_id(name, model_id, shown):
    assert proper_name(name, model_id) == shown


def test_no_lower_case_catalog_name_reaches_an_answer(book):
    row = ask(book, "cost gpt-4.1-nano 1M tokens as of 2026-01-01").rows[0]

    assert row.name == "gpt-4.1-nano"

"""compare: a workload priced on several models side by side, to the cent.

Moved from tests/pricing/test_answer.py with the verb's engine."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.answers import PricedAnswer
from tests.pricing.asking import LAUNCH, TODAY, ask, figures


def test_compare_total_is_split_three_to_one_at_the_launch(book):
    result = ask(book, "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22")

    assert isinstance(result, PricedAnswer)
    assert result.as_of == LAUNCH
    assert [row.model for row in result.rows] == ["gpt-4-8k", "ft-gpt-3.5"]
    gpt4, tuned = result.rows
    assert (gpt4.input_tokens, gpt4.output_tokens) == (150_000, 50_000)
    assert (tuned.input_tokens, tuned.output_tokens) == (150_000, 50_000)
    assert figures(gpt4) == (Decimal("4.50"), Decimal("3.00"), Decimal("7.50"))
    assert figures(tuned) == (Decimal("1.80"), Decimal("0.80"), Decimal("2.60"))
    assert result.cheapest == "ft-gpt-3.5"
    split_notes = [note for note in result.notes if "3:1" in note]
    assert len(split_notes) == 1
    assert "assumed" in split_notes[0]
    assert "150,000 in, 50,000 out" in split_notes[0]


def test_split_one_to_one_changes_the_figures_and_the_note(book):
    result = ask(book, "compare gpt-4-8k ft-gpt-3.5 200k tokens split 1:1 as of 2023-08-22")

    gpt4, tuned = result.rows
    assert (gpt4.input_tokens, gpt4.output_tokens) == (100_000, 100_000)
    assert figures(gpt4) == (Decimal("3.00"), Decimal("6.00"), Decimal("9.00"))
    assert figures(tuned) == (Decimal("1.20"), Decimal("1.60"), Decimal("2.80"))
    assert not any("3:1" in note for note in result.notes)
    assert any("1:1" in note and "assumed" not in note for note in result.notes)


def test_explicit_amounts_carry_no_split_note(book):
    result = ask(book, "compare gpt-4-8k ft-gpt-3.5 150k in 50k out as of 2023-08-22")

    assert not any("split" in note for note in result.notes)


def test_compare_today_uses_the_devday_fine_tune_price(book):
    result = ask(book, "compare gpt-4-8k ft-gpt-3.5 200k tokens")

    assert result.as_of == TODAY
    gpt4, tuned = result.rows
    assert figures(gpt4) == (Decimal("4.50"), Decimal("3.00"), Decimal("7.50"))
    assert (tuned.input_per_mtok, tuned.output_per_mtok) == (Decimal(3), Decimal(6))
    assert tuned.effective == date(2023, 11, 6)
    assert figures(tuned) == (Decimal("0.45"), Decimal("0.30"), Decimal("0.75"))


def test_the_day_before_devday_still_has_the_launch_price(book):
    tuned = ask(book, "cost ft-gpt-3.5 150k in 50k out as of 2023-11-05").rows[0]

    assert tuned.total_usd == Decimal("2.60")


@pytest.mark.parametrize(
    ("day", "expected_totals", "warned"),
    [
        ("2023-08-22", ["7.50", "15.00", "2.60"], False),
        (None, ["7.50", "15.00", "0.75"], True),
    ],
)
def test_three_models_in_the_order_named(book, day, expected_totals, warned):
    text = "compare gpt-4-8k gpt-4-32k ft-gpt-3.5 150k in 50k out"
    result = ask(book, f"{text} as of {day}" if day else text)

    assert [row.model for row in result.rows] == ["gpt-4-8k", "gpt-4-32k", "ft-gpt-3.5"]
    assert [row.total_usd for row in result.rows] == [Decimal(t) for t in expected_totals]
    gpt4_32k = result.rows[1]
    assert figures(gpt4_32k) == (Decimal("9.00"), Decimal("6.00"), Decimal("15.00"))
    shutdown = [w for w in gpt4_32k.warnings if "shut down" in w and "2025-06-06" in w]
    assert bool(shutdown) is warned
    # Today gpt-4 and ft-gpt-3.5 are shut down too (2026-10-23); in 2023 nothing was.
    assert bool(result.rows[0].warnings) is warned
    assert bool(result.rows[2].warnings) is warned


def test_shutdown_warning_starts_on_the_shutdown_day(book):
    before = ask(book, "cost gpt-4-32k 1k in as of 2025-06-05").rows[0]
    on = ask(book, "cost gpt-4-32k 1k in as of 2025-06-06").rows[0]

    assert not any("was shut down" in warning for warning in before.warnings)
    assert any("shuts down on 2025-06-06" in warning for warning in before.warnings)
    assert any("was shut down" in warning for warning in on.warnings)

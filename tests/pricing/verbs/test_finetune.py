"""finetune: training tokens x epochs x the training price, on the dates it changed.

Moved from tests/pricing/test_answer.py with the verb's engine."""

from decimal import Decimal

import pytest

from pricing.answers import FinetuneAnswer
from pricing.errors import NoPrice
from tests.pricing.asking import LAUNCH, TODAY, ask


@pytest.mark.parametrize("model", ["gpt-3.5-turbo", "ft-gpt-3.5", "ft:gpt-3.5-turbo"])
@pytest.mark.parametrize("today", [LAUNCH, TODAY])
def test_finetune_100k_tokens_three_epochs_costs_2_40(book, model, today):
    result = ask(book, f"finetune {model} 100k tokens 3 epochs", today=today)

    assert isinstance(result, FinetuneAnswer)
    assert result.as_of == today
    assert result.model_id == "ft:gpt-3.5-turbo"
    assert (result.training_tokens, result.epochs, result.trained_tokens) == (
        100_000,
        3,
        300_000,
    )
    assert result.training_per_mtok == Decimal(8)
    assert result.training_usd == Decimal("2.4")
    assert not any("assumed" in note for note in result.notes)


def test_finetune_without_epochs_assumes_three_and_says_so(book):
    result = ask(book, "finetune gpt-3.5-turbo 100k tokens as of 2023-08-22")

    assert result.epochs == 3
    assert result.training_usd == Decimal("2.4")
    assert any("Epochs not given: 3 assumed" in note for note in result.notes)


def test_finetune_notes_the_usage_price_of_the_day(book):
    launch = ask(book, "finetune gpt-3.5-turbo 100k tokens as of 2023-08-22")
    today = ask(book, "finetune gpt-3.5-turbo 100k tokens")

    assert (launch.input_per_mtok, launch.output_per_mtok) == (Decimal(12), Decimal(16))
    assert (today.input_per_mtok, today.output_per_mtok) == (Decimal(3), Decimal(6))


def test_finetune_of_a_model_without_training_price_lists_the_tunable_ones(book):
    with pytest.raises(NoPrice) as caught:
        ask(book, "finetune gpt-4-8k 100k tokens")

    message = caught.value.message
    assert "GPT-4 (8K)" in message
    assert "gpt-4o" in message
    # Only models that can still be tuned on the day asked: these were shut down by 2026-11-24.
    for gone in ("gpt-3.5-turbo", "davinci-002", "babbage-002"):
        assert f" {gone}," not in message
        assert f" {gone}." not in message
    assert caught.value.suggestions
    assert all(s.startswith("finetune ") for s in caught.value.suggestions)
    with pytest.raises(NoPrice) as in_2023:
        ask(book, "finetune gpt-4-8k 100k tokens as of 2023-08-22")
    for tunable in ("gpt-3.5-turbo", "davinci-002", "babbage-002"):
        assert tunable in in_2023.value.message


def test_finetune_before_the_fine_tuning_launch_has_no_price(book):
    with pytest.raises(NoPrice) as caught:
        ask(book, "finetune gpt-3.5-turbo 100k tokens as of 2023-08-21")

    assert caught.value.suggestions == ["as of 2023-08-22"]


def test_finetune_davinci_two_epochs(book):
    result = ask(book, "finetune ft-davinci-002 1M tokens x2")

    assert result.model_id == "ft:davinci-002"
    assert (result.epochs, result.trained_tokens) == (2, 2_000_000)
    assert result.training_per_mtok == Decimal(6)
    assert result.training_usd == Decimal(12)

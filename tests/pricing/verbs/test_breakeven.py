"""breakeven: the first request count at which fine-tuning has paid back its training.

Moved from tests/pricing/test_answer.py with the verb's engine."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.answer import answer
from pricing.answers import BreakevenAnswer
from pricing.verbs.breakeven import BreakevenQuery
from tests.pricing.asking import LAUNCH, TODAY, ask

BREAKEVEN = "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3"


def assert_minimal(result: BreakevenAnswer) -> None:
    """breakeven_requests is the first whole n at which n savings cover the training."""
    n, saving, training = (
        result.breakeven_requests,
        result.saving_per_request_usd,
        result.training_usd,
    )
    assert n is not None
    assert n >= 1
    assert n * saving >= training
    assert (n - 1) * saving < training


def test_breakeven_at_the_launch(book):
    result = ask(book, f"{BREAKEVEN} as of 2023-08-22")

    assert isinstance(result, BreakevenAnswer)
    tuned, base = result.rows
    assert (tuned.model, base.model) == ("ft-gpt-3.5", "gpt-4-8k")
    assert (tuned.input_tokens, tuned.output_tokens) == (200, 300)
    assert (base.input_tokens, base.output_tokens) == (1500, 300)
    assert tuned.total_usd == Decimal("0.0072")
    assert base.total_usd == Decimal("0.063")
    assert result.training_usd == Decimal("2.40")
    assert result.saving_per_request_usd == Decimal("0.0558")
    assert result.breakeven_requests == 44
    assert_minimal(result)
    assert result.summary is not None
    assert "after 44 requests" in result.summary


def test_breakeven_today(book):
    result = ask(book, BREAKEVEN)

    tuned, base = result.rows
    assert tuned.total_usd == Decimal("0.0024")
    assert base.total_usd == Decimal("0.063")
    assert result.training_usd == Decimal("2.40")
    assert result.breakeven_requests == 40
    assert_minimal(result)


def test_breakeven_never_when_the_tuned_request_is_not_cheaper(book):
    result = ask(
        book,
        "breakeven ft-davinci-002 vs babbage-002 prompt 1500 -> 200 output 300 "
        "training 100k x3 as of 2023-08-22",
    )

    tuned, base = result.rows
    assert tuned.total_usd == Decimal("0.0060")
    assert base.total_usd == Decimal("0.00072")
    assert result.saving_per_request_usd < 0
    assert result.breakeven_requests is None
    assert result.summary is not None
    assert result.summary.startswith("Never breaks even")


def test_breakeven_never_when_the_saving_is_exactly_zero(book):
    """Same model, same prompt: nothing saved, so the training is never paid back."""
    result = ask(
        book, "breakeven ft-gpt-3.5 vs ft-gpt-3.5 prompt 200 -> 200 output 300 training 100k"
    )

    assert result.saving_per_request_usd == 0
    assert result.breakeven_requests is None


def test_breakeven_exact_division_needs_no_extra_request(book):
    """Training $2.40 saved at exactly $0.06 a request: paid back after 40, not 41."""
    # gpt-4-8k 2000 prompt tokens = $0.06; tuned 0 prompt tokens, no output = $0.
    result = ask(book, "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 2000 -> 0 training 100k x3")

    assert result.saving_per_request_usd == Decimal("0.06")
    assert result.breakeven_requests == 40
    assert any("No output size given" in note for note in result.notes)


@settings(max_examples=150, deadline=None)
@given(
    base_prompt=st.integers(0, 200_000),
    tuned_prompt=st.integers(0, 200_000),
    output=st.integers(0, 20_000),
    training=st.integers(1, 50_000_000),
    epochs=st.integers(1, 20),
    day=st.sampled_from([LAUNCH, TODAY]),
)
def test_breakeven_is_the_first_request_count_that_pays_back(
    book, base_prompt, tuned_prompt, output, training, epochs, day
):
    query = BreakevenQuery(
        tuned="ft-gpt-3.5",
        base="gpt-4-8k",
        base_prompt=base_prompt,
        tuned_prompt=tuned_prompt,
        output=output,
        training_tokens=training,
        epochs=epochs,
        as_of=day,
    )
    result = answer(query, book, today=TODAY)

    assert result.training_usd == Decimal(training * epochs * 8) / 1_000_000
    if result.saving_per_request_usd > 0:
        assert_minimal(result)
    else:
        assert result.breakeven_requests is None

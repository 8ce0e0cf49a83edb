"""The calculator modal's fields as the question a person would type (issue 22): the words parse
back to the question; what the fields show to be wrong is said under each field."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing import calculator
from pricing.calculator import CalculatorForm, FormErrors, question_of
from pricing.parse import parse, render


@pytest.mark.parametrize(
    ("form", "question"),
    [
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1500", output_tokens="300"),
            "cost gpt-4o 1.5k in 300 out x 1 requests",
        ),
        (
            CalculatorForm(
                models=("gpt-4o", "claude-sonnet-4-5"),
                input_tokens="1,500",
                output_tokens="",
                requests="20k",
                period="month",
                cached="40%",
                tier="batch",
                as_of="2025-06-01",
            ),
            "compare gpt-4o claude-sonnet-4-5 1.5k in 0 out x 20k requests 40% cached batch "
            "per month as of 2025-06-01",
        ),
        (
            CalculatorForm(
                models=("gpt-4o",), input_tokens="2M", requests="5", period="once", tier="standard"
            ),
            "cost gpt-4o 2M in 0 out x 5 requests",
        ),
        (
            CalculatorForm(models=("gpt-4o", "gpt-4o"), input_tokens="1k", cached="0"),
            "cost gpt-4o 1k in 0 out x 1 requests",
        ),
    ],
)
def test_the_fields_ask_the_canonical_question(form, question):
    assert question_of(form) == question
    assert render(parse(question)) == question


@pytest.mark.parametrize(
    ("form", "field", "said"),
    [
        (CalculatorForm(input_tokens="1k"), calculator.MODELS, "Choose at least one model."),
        (
            CalculatorForm(models=tuple(f"m{i}" for i in range(7)), input_tokens="1k"),
            calculator.MODELS,
            "At most 6 models",
        ),
        (CalculatorForm(models=("gpt 4o",), input_tokens="1k"), calculator.MODELS, "from the list"),
        (CalculatorForm(models=("gpt-4o",)), calculator.INPUT_TOKENS, "Required"),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="lots"),
            calculator.INPUT_TOKENS,
            "not a number",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="-5"),
            calculator.INPUT_TOKENS,
            "not a number",
        ),
        (CalculatorForm(models=("gpt-4o",), input_tokens="1.5"), calculator.INPUT_TOKENS, "whole"),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="9" * 30),
            calculator.INPUT_TOKENS,
            "at most",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1" * 10_000),
            calculator.INPUT_TOKENS,
            "Too long",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", output_tokens="x"),
            calculator.OUTPUT_TOKENS,
            "not a number",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", requests="0"),
            calculator.REQUESTS,
            "At least 1",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", cached="150%"),
            calculator.CACHED,
            "0 to 100",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", cached="half"),
            calculator.CACHED,
            "0 to 100",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", period="fortnight"),
            calculator.PERIOD,
            "One of",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", tier="gold"),
            calculator.TIER,
            "One of",
        ),
        (
            CalculatorForm(models=("gpt-4o",), input_tokens="1k", as_of="yesterday"),
            calculator.AS_OF,
            "A date",
        ),
    ],
)
def test_what_is_wrong_is_said_under_its_field(form, field, said):
    with pytest.raises(FormErrors) as raised:
        question_of(form)
    assert said in raised.value.errors[field]


def test_every_wrong_field_is_said_at_once():
    form = CalculatorForm(input_tokens="abc", requests="0", cached="150")
    with pytest.raises(FormErrors) as raised:
        question_of(form)
    assert set(raised.value.errors) == {
        calculator.MODELS,
        calculator.INPUT_TOKENS,
        calculator.REQUESTS,
        calculator.CACHED,
    }


counts = st.integers(min_value=1, max_value=10**12).map(str)


@settings(max_examples=200, deadline=None)
@given(
    models=st.lists(
        st.sampled_from(["gpt-4o", "gpt-4", "ft-gpt-3.5", "claude-sonnet-4-5"]),
        min_size=1,
        max_size=4,
    ),
    input_tokens=counts,
    output_tokens=st.one_of(st.none(), counts),
    requests=st.one_of(st.none(), counts),
    period=st.sampled_from(calculator.PERIODS),
    cached=st.one_of(st.none(), st.integers(0, 100).map(str)),
    tier=st.sampled_from(calculator.TIERS),
)
def test_any_valid_form_asks_a_question_the_grammar_reads_back(
    models, input_tokens, output_tokens, requests, period, cached, tier
):
    form = CalculatorForm(
        models=tuple(models),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        requests=requests,
        period=period,
        cached=cached,
        tier=tier,
    )
    question = question_of(form)
    assert render(parse(question)) == question

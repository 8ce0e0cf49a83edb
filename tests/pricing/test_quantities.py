"""Counts and ratios as people write them: "200k", "1.2M", "1,500", "3:1"."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.quantities import (
    DEFAULT_SPLIT,
    MAX_COUNT,
    QuantityError,
    Ratio,
    counted,
    format_count,
    looks_like_count,
    looks_like_ratio,
    parse_count,
    parse_ratio,
)

PROPERTY = settings(max_examples=300, derandomize=True, database=None, deadline=None)


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("0", 0),
        ("1500", 1_500),
        ("1,500", 1_500),
        ("1,500,000", 1_500_000),
        ("200k", 200_000),
        ("200K", 200_000),
        ("1.2M", 1_200_000),
        ("1.2m", 1_200_000),
        ("0.5k", 500),
        (".5k", 500),
        ("2B", 2_000_000_000),
        ("1.25b", 1_250_000_000),
        ("1,500k", 1_500_000),
        (" 42 ", 42),
        ("007", 7),
        ("1.000", 1),
        ("1,000,000,000,000,000", 10**15),
        ("999999999999.5k", 999_999_999_999_500),
    ],
)
def test_parse_count(word, value):
    assert parse_count(word) == value
    assert looks_like_count(word.strip())


@pytest.mark.parametrize(
    ("word", "fragment"),
    [
        ("1,5", "'1,5' is not a number"),
        ("1,50", "is not a number"),
        ("12,34,567", "is not a number"),
        ("1,5000", "is not a number"),
        ("", "is not a number"),
        ("k", "is not a number"),
        ("-5", "is not a number"),
        ("1e5", "is not a number"),
        ("200 k", "is not a number"),
        ("1.2345k", "'1.2345k' is not a whole number (try 1,234 or 1,235)"),
        ("1.5", "not a whole number (try 1 or 2)"),
        ("0.0001005m", "not a whole number (try 100 or 101)"),
    ],
)
def test_parse_count_rejects_with_a_hint(word, fragment):
    with pytest.raises(QuantityError, match="try") as caught:
        parse_count(word)
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1_000, "1k"),
        (1_001, "1001"),
        (1_234, "1234"),
        (1_500, "1.5k"),
        (9_999, "9999"),
        (10_000, "10k"),
        (12_345, "12345"),
        (200_000, "200k"),
        (999_999, "999999"),
        (1_000_000, "1M"),
        (1_200_000, "1.2M"),
        (1_234_000, "1.234M"),
        (999_999_999, "999999999"),
        (1_000_000_000, "1B"),
        (2_500_000_000, "2.5B"),
        (1_500_000_000_000, "1500B"),
    ],
)
def test_format_count(value, text):
    assert format_count(value) == text


COUNTS = st.one_of(
    st.integers(min_value=0, max_value=MAX_COUNT),
    st.integers(min_value=0, max_value=20_000),
    st.builds(lambda m, e: m * 10**e, st.integers(0, 99_999), st.integers(0, 10)),
)


@PROPERTY
@given(COUNTS)
def test_format_count_round_trips_and_is_never_longer(value):
    text = format_count(value)
    assert parse_count(text) == value
    assert len(text) <= len(str(value))


@PROPERTY
@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_thousands_separators_parse_like_plain_digits(value):
    assert parse_count(f"{value:,}") == value


@pytest.mark.parametrize(
    ("word", "ratio"),
    [
        ("3:1", Ratio(input=Decimal(3), output=Decimal(1))),
        ("1:1", Ratio(input=Decimal(1), output=Decimal(1))),
        ("1.5:0.5", Ratio(input=Decimal("1.5"), output=Decimal("0.5"))),
        ("1:0", Ratio(input=Decimal(1), output=Decimal(0))),
    ],
)
def test_parse_ratio(word, ratio):
    assert looks_like_ratio(word)
    assert parse_ratio(word) == ratio
    assert parse_ratio(str(ratio)) == ratio


@pytest.mark.parametrize(
    ("word", "fragment"),
    [("0:1", "gives no input tokens"), ("3", "is not a ratio"), ("3:", "is not a ratio")],
)
def test_parse_ratio_rejects(word, fragment):
    with pytest.raises(QuantityError, match=fragment):
        parse_ratio(word)


@pytest.mark.parametrize(
    ("ratio", "total", "parts"),
    [
        (DEFAULT_SPLIT, 200_000, (150_000, 50_000)),
        (DEFAULT_SPLIT, 0, (0, 0)),
        (DEFAULT_SPLIT, 3, (2, 1)),
        (Ratio(input=Decimal(1), output=Decimal(1)), 200_000, (100_000, 100_000)),
        (Ratio(input=Decimal(1), output=Decimal(0)), 5, (5, 0)),
        (Ratio(input=Decimal(1), output=Decimal(2)), 10, (3, 7)),
        (Ratio(input=Decimal(1), output=Decimal(3)), 10**40 + 1, (25 * 10**38, 75 * 10**38 + 1)),
    ],
)
def test_split(ratio, total, parts):
    assert ratio.split(total) == parts


def test_default_split_is_three_to_one():
    assert Ratio(input=Decimal(3), output=Decimal(1)) == DEFAULT_SPLIT
    assert str(DEFAULT_SPLIT) == "3:1"


RATIOS = st.builds(
    Ratio,
    input=st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10**6), places=3),
    output=st.decimals(min_value=Decimal(0), max_value=Decimal(10**6), places=3),
)


@PROPERTY
@given(RATIOS, st.integers(min_value=0, max_value=10**40))
def test_split_sums_to_total_in_whole_tokens(ratio, total):
    input_tokens, output_tokens = ratio.split(total)
    assert input_tokens + output_tokens == total
    assert 0 <= input_tokens <= total
    # the input share is the exact proportion, rounded to a whole token
    exact = Decimal(total) * ratio.input / (ratio.input + ratio.output)
    assert abs(input_tokens - exact) <= Decimal("0.5") + abs(exact) * Decimal("1e-25")


@PROPERTY
@given(RATIOS)
def test_ratio_text_round_trips(ratio):
    assert parse_ratio(str(ratio)) == ratio


def test_counted_nouns_agree_with_their_number():
    assert counted(1, "request") == "1 request"
    assert counted(10_000, "request") == "10,000 requests"
    assert format_count(133_333, group_digits=True) == "133,333"
    assert format_count(200_000, group_digits=True) == "200k"


def test_a_possessive_count_agrees_with_its_number():
    from pricing.quantities import counted_possessive

    assert counted_possessive(1, "model") == "1 model's"
    assert counted_possessive(2, "model") == "2 models'"
    assert counted_possessive(1_200, "model") == "1,200 models'"

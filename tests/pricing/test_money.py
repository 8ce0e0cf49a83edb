"""Money: exact Decimal arithmetic, one rounding rule for display, dollars as people read them."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.money import (
    CENT,
    KEEP_DIGITS_BELOW,
    MTOK,
    cost_of,
    display_round,
    footed,
    format_rate,
    format_usd,
    plain_decimal,
)

PROPERTY = settings(max_examples=300, derandomize=True, database=None, deadline=None)


@pytest.mark.parametrize(
    ("tokens", "per_mtok", "cost"),
    [
        (300_000, Decimal(8), Decimal("2.4")),  # 100k tokens x 3 epochs of GPT-3.5 training
        (1_000_000, Decimal(30), Decimal(30)),
        (1_500, Decimal("0.0015") * 1000, Decimal("0.00225")),
        (1, Decimal("0.15"), Decimal("0.00000015")),
        (0, Decimal(60), Decimal(0)),
        (200_000, Decimal("1.5"), Decimal("0.3")),
        (10**31 + 1, Decimal(30), Decimal("300000000000000000000000000.00003")),
    ],
)
def test_cost_of_is_exact(tokens, per_mtok, cost):
    assert cost_of(tokens, per_mtok) == cost


PRICES = st.decimals(min_value=Decimal(0), max_value=Decimal(10**6), places=6)


@PROPERTY
@given(st.integers(min_value=0, max_value=10**40), PRICES)
def test_cost_of_loses_nothing(tokens, per_mtok):
    # compared as fractions: Decimal arithmetic here would round both sides alike
    assert Fraction(cost_of(tokens, per_mtok)) * int(MTOK) == tokens * Fraction(per_mtok)


@PROPERTY
@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_cost_of_adds_up(first, second):
    price = Decimal("0.012") * 1000
    assert cost_of(first, price) + cost_of(second, price) == cost_of(first + second, price)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("2.4", "$2.40"),
        ("0", "$0.00"),
        ("-0", "$0.00"),
        ("1234.5", "$1,234.50"),
        ("1234567.891", "$1,234,567.89"),
        ("1000", "$1,000.00"),
        ("1E+3", "$1,000.00"),
        # cents round half up, never to even
        ("2.675", "$2.68"),
        ("0.125", "$0.13"),
        ("0.135", "$0.14"),
        ("2.674999", "$2.67"),
        ("999.995", "$1,000.00"),
        ("0.01", "$0.01"),
        # below a cent: two significant digits
        ("0.0015", "$0.0015"),
        ("0.00012", "$0.00012"),
        ("0.00225", "$0.0023"),
        ("0.001", "$0.001"),
        ("0.005", "$0.005"),
        ("0.00000015", "$0.00000015"),
        ("0.000123456", "$0.00012"),
        ("0.00015", "$0.00015"),
        ("0.000155", "$0.00016"),
        # sub-cent amounts that round up into cents
        ("0.009999", "$0.01"),
        ("0.00995", "$0.01"),
        ("0.0099949", "$0.01"),
        ("0.0099", "$0.0099"),
        # negative amounts: sign before the dollar, same rounding by magnitude
        ("-3.2", "-$3.20"),
        ("-1234.565", "-$1,234.57"),
        ("-0.0015", "-$0.0015"),
        ("-0.009999", "-$0.01"),
        ("-0.000001", "-$0.000001"),
        # huge amounts keep every digit to the cent
        ("12345678901234567890123456789.005", "$12,345,678,901,234,567,890,123,456,789.01"),
    ],
)
def test_format_usd(amount, text):
    assert format_usd(Decimal(amount)) == text


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [
        ("2.675", Decimal("2.68")),
        ("-2.675", Decimal("-2.68")),
        ("0.0015", Decimal("0.0015")),
        ("0.001549", Decimal("0.0015")),
        ("0.009999", Decimal("0.01")),
        # Below a dime two significant digits stay: a $0.063 request is not "$0.06".
        ("0.063", Decimal("0.063")),
        ("0.0558", Decimal("0.056")),
        ("0.05", Decimal("0.05")),
        ("0.0999", Decimal("0.10")),
        ("0.123", Decimal("0.12")),
    ],
)
def test_display_round(amount, rounded):
    result = display_round(Decimal(amount))
    assert result == rounded
    assert result.as_tuple().exponent == rounded.as_tuple().exponent


AMOUNTS = st.decimals(
    min_value=Decimal(-(10**12)), max_value=Decimal(10**12), allow_nan=False, places=10
)


@PROPERTY
@given(AMOUNTS)
def test_display_round_is_close_and_idempotent(amount):
    rounded = display_round(amount)
    assert display_round(rounded) == rounded
    if abs(amount) >= KEEP_DIGITS_BELOW:
        assert rounded == rounded.quantize(CENT)
        assert abs(rounded - amount) <= CENT / 2
    elif rounded != 0:
        # two significant digits at most, and within half a unit of the last one kept
        assert len(rounded.normalize().as_tuple().digits) <= 2
        assert abs(rounded - amount) <= abs(amount) / 10
    assert (rounded < 0) == (amount < 0 and rounded != 0)


@PROPERTY
@given(AMOUNTS)
def test_format_usd_reads_back_as_the_rounded_amount(amount):
    text = format_usd(amount)
    negative = text.startswith("-")
    digits = text.removeprefix("-").removeprefix("$").replace(",", "")
    value = Decimal(digits)
    assert (-value if negative else value) == display_round(amount)
    assert "E" not in text
    if abs(amount) >= KEEP_DIGITS_BELOW or amount == 0:
        assert len(digits.partition(".")[2]) == 2
    else:
        assert len(digits.partition(".")[2]) >= 2  # never fewer decimals than cents


@pytest.mark.parametrize(
    ("per_mtok", "text"),
    [
        ("30", "$30"),
        ("30.00", "$30"),
        ("0.15", "$0.15"),
        ("1.25", "$1.25"),
        ("1.50", "$1.50"),
        ("0", "$0"),
        ("0.000", "$0"),
        ("1E+3", "$1,000"),
        ("1500", "$1,500"),
        ("1234567.5", "$1,234,567.50"),
        ("0.0000001", "$0.0000001"),
    ],
)
def test_format_rate(per_mtok, text):
    assert format_rate(Decimal(per_mtok)) == text


@pytest.mark.parametrize(
    ("rate", "text"),
    [("0.4", "$0.40"), ("2.5", "$2.50"), ("0.075", "$0.075"), ("0.0004", "$0.0004"), ("30", "$30")],
)
def test_rates_read_as_price_lists_write_them(rate, text):
    assert format_rate(Decimal(rate)) == text


def test_displayed_parts_add_up_to_the_displayed_total():
    shown, total = footed([Decimal("0.375"), Decimal("1.875")], Decimal("2.25"))

    assert (shown, total) == ([Decimal("0.38"), Decimal("1.87")], Decimal("2.25"))
    assert footed([Decimal("0.0006"), Decimal("0.0018")], Decimal("0.0024")) == (
        [Decimal("0.0006"), Decimal("0.0018")],
        Decimal("0.0024"),
    )


@PROPERTY
@given(
    st.lists(
        st.decimals(min_value=0, max_value=10**9, places=8, allow_nan=False), min_size=1, max_size=6
    )
)
def test_footed_parts_always_sum_to_the_total_shown_and_stay_within_one_digit(parts):
    total = sum(parts, Decimal(0))
    shown, shown_total = footed(parts, total)

    assert sum(shown, Decimal(0)) == shown_total == display_round(total)
    quantum = Decimal(1).scaleb(shown_total.as_tuple().exponent)
    assert all(abs(s - p) < quantum for s, p in zip(shown, parts, strict=True))


def test_json_money_is_plain_and_exact():
    assert plain_decimal(Decimal("4E-7")) == "0.0000004"
    assert plain_decimal(Decimal("6E+7")) == "60000000"
    assert plain_decimal(Decimal("1.00")) == "1"

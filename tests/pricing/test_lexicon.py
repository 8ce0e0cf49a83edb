"""The shared vocabulary: words, money and periods as every grammar reads them."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.errors import ParseError
from pricing.lexicon import MAX_MONEY, Cursor, money_words, parse_money, words
from pricing.quantities import QuantityError
from tests.pricing.test_parse_properties import FUZZ


@pytest.mark.parametrize(
    ("word", "amount"),
    [("$500", "500"), ("$1.5k", "1500"), ("$2,000", "2000"), ("$0.50", "0.5"), ("$.5", "0.5")],
)
def test_money_as_people_write_it(word, amount):
    assert parse_money(word) == Decimal(amount)


@pytest.mark.parametrize("word", ["$1,5", "$", "$1e5", "$abc", "$2,00"])
def test_what_is_not_money_says_how_to_write_it(word):
    with pytest.raises(QuantityError, match=r"try \$500"):
        parse_money(word)


def test_more_money_than_llmcost_prices_is_refused():
    assert parse_money(f"${MAX_MONEY}") == MAX_MONEY
    with pytest.raises(QuantityError, match="at most"):
        parse_money(f"${MAX_MONEY + 1}")


@FUZZ
@given(st.decimals(min_value=Decimal("0.01"), max_value=MAX_MONEY, places=2))
def test_money_words_read_back_the_same(amount):
    assert parse_money(money_words(amount)) == amount


@pytest.mark.parametrize(
    ("text", "period"),
    [("per month", "month"), ("a day", "day"), ("each week", "week"), ("every year", "year")],
)
def test_periods(text, period):
    cursor = Cursor(words(text), "budget", "budget $500 gpt-4o")
    assert cursor.take_period() == period
    assert cursor.done()


@pytest.mark.parametrize("text", ["$-5", "-$5", "$ -5", "-5 usd"])
def test_negative_money_fails_with_the_cursors_example(text):
    cursor = Cursor(words(text), "budget", "budget $500 gpt-4o")
    with pytest.raises(ParseError) as raised:
        cursor.take_money()
    assert raised.value.suggestions == ["budget $500 gpt-4o"]
    assert "cannot be negative" in raised.value.message


def test_words_split_commas_arrows_and_glued_multipliers():
    assert words("gpt-4-8k,ft-gpt-3.5 1,500 x3 1500->200 $2,000.") == [
        *["gpt-4-8k", "ft-gpt-3.5", "1,500", "x", "3", "1500", "->", "200", "$2,000"]
    ]

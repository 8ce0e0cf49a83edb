"""The genai-prices catalog as tariffs: every price an exact Decimal of what the data says,
with no floating-point artefacts."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.catalog import catalog_price, genai_prices_catalog
from pricing.money import cost_of
from pricing.sources import load_book

TODAY = date(2026, 11, 24)


def every_price() -> list[tuple[str, Decimal]]:
    prices = []
    for tariff in genai_prices_catalog().tariffs:
        for entry in tariff.entries:
            prices += [(tariff.model, entry.input_per_mtok), (tariff.model, entry.output_per_mtok)]
            for rate in entry.long_context:
                prices += [
                    (tariff.model, rate.input_per_mtok),
                    (tariff.model, rate.output_per_mtok),
                ]
    return prices


def test_a_resellers_float_artefact_becomes_the_price_it_stands_for():
    """genai-prices' data file holds 1.0399999999999998, once shown as $1.0399999999999998."""
    quote = load_book().quote("huggingface_together/meta-llama/llama-3.3-70b-instruct", TODAY)

    assert quote.entry.input_per_mtok == Decimal("1.04")
    assert str(quote.entry.output_per_mtok) == "1.04"
    total = cost_of(1_000_000, quote.entry.input_per_mtok) + cost_of(
        1_000_000, quote.entry.output_per_mtok
    )
    assert total == Decimal("2.08")


def test_every_catalog_price_is_a_finite_decimal_of_at_most_twelve_digits():
    prices = every_price()
    assert len(prices) > 1000

    for model, price in prices:
        assert isinstance(price, Decimal), model
        assert price.is_finite(), (model, price)
        assert not price.is_signed(), (model, price)
        assert len(price.as_tuple().digits) <= 12, (model, price)
        assert price.as_tuple().exponent <= 0, (model, price)  # 30, never 3E+1


@pytest.mark.parametrize(
    ("data", "price"),
    [
        ("1.0399999999999998", "1.04"),
        ("0.18000000000000002", "0.18"),
        ("0.13999999999999999", "0.14"),
        ("0.08333333333333334", "0.0833333333333"),
        ("30", "30"),
        ("30.000", "30"),
        ("0.0000001", "0.0000001"),
        ("0", "0"),
    ],
)
def test_catalog_prices_keep_twelve_significant_digits_without_exponent(data, price):
    kept = catalog_price(Decimal(data))

    assert kept == Decimal(price)
    assert kept.as_tuple() == Decimal(price).as_tuple()

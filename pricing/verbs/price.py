"""price: one model's current prices (or on a date)."""

from typing import Literal

from pricing.answers import TableAnswer
from pricing.costing import price_warnings, tariff_row
from pricing.lexicon import Cursor, as_of_words, take_one_model, words
from pricing.query import PricedQuery
from pricing.refinement import EXAMPLE_DATE, Reply, fixed_models, no_amounts, one_model
from pricing.verbs.spec import PricingDay

EXAMPLE = "price gpt-4-32k"
SUMMARY = "One model's current prices (or on a date)."
DETAILS = ("Add 'as of 2023-08-22' for the price on that date.",)


class PriceQuery(PricedQuery):
    kind: Literal["price"] = "price"
    model: str


QUERY = PriceQuery


def parse(after: str) -> PriceQuery:
    cursor = Cursor(words(after), "price", EXAMPLE)
    model = take_one_model(cursor)
    return PriceQuery(model=model, as_of=cursor.as_of)


def render(query: PriceQuery) -> str:
    return f"price {query.model}{as_of_words(query.as_of)}"


def answer(query: PriceQuery, at: PricingDay) -> TableAnswer:
    quote = at.book.quote(query.model, at.day)
    return TableAnswer(
        kind="price",
        as_of=at.day,
        title=f"{quote.tariff.display_name}, prices per 1M tokens",
        rows=(tariff_row(quote.tariff, quote.entry, at.day),),
        matched=1,
        notes=tuple(price_warnings(quote, at.historical)),
    )


def follow_ups(previous: PriceQuery) -> list[str]:
    return ["what about gpt-4-32k", EXAMPLE_DATE]


def apply(previous: PriceQuery, reply: Reply) -> PriceQuery:
    fixed_models(previous, reply.form)
    no_amounts(previous, reply.changes)
    return PriceQuery(
        model=one_model(previous.kind, previous.model, reply.changes), as_of=reply.as_of
    )

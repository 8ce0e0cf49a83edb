"""cost: one model priced; sizes can be per request, times a number of requests."""

from typing import Literal

from pricing.answers import PricedAnswer
from pricing.lexicon import (
    Cursor,
    as_of_words,
    read_usage,
    render_usage,
    required_usage,
    words,
)
from pricing.query import PricedQuery, Usage
from pricing.refinement import (
    EXAMPLE_DATE,
    CannotApply,
    Form,
    Reply,
    changed_models,
    changed_usage,
    only_usage,
    size_follow_ups,
    usage_follow_ups,
)
from pricing.verbs.compare import CompareQuery, priced
from pricing.verbs.spec import PricingDay

EXAMPLE = "cost ft-gpt-3.5 2k in 500 out x 10000 requests"
SUMMARY = "Price one model; sizes can be per request, times a number of requests."
DETAILS = (
    "'2k in 500 out x 10000 requests' prices 10,000 requests of that size and warns when one "
    "request does not fit the model's context window.",
    "Add 'as of 2023-08-22' for the prices in force on that date. Several models named "
    "('cost gpt-4o and claude sonnet 4.5 1M tokens') are compared.",
)
MORE_EXAMPLES = ("cost gpt-4-32k 1.2M in 300k out",)


class CostQuery(PricedQuery):
    kind: Literal["cost"] = "cost"
    model: str
    usage: Usage


QUERY = CostQuery


def parse(after: str) -> CostQuery | CompareQuery:
    """One model's cost; several models named ('cost gpt-4o and claude sonnet 4.5 1M tokens')
    are compared."""
    cursor = Cursor(words(after), "cost", EXAMPLE)
    amounts = read_usage(cursor)
    usage = required_usage(cursor, amounts)
    models = amounts.models
    if not models:
        raise cursor.fail("Which model? Name one.")
    if len(models) > 1:
        return CompareQuery(models=tuple(models), usage=usage, as_of=cursor.as_of)
    return CostQuery(model=models[0], usage=usage, as_of=cursor.as_of)


def render(query: CostQuery) -> str:
    return f"cost {query.model} {render_usage(query.usage)}{as_of_words(query.as_of)}"


def answer(query: CostQuery, at: PricingDay) -> PricedAnswer:
    return priced((query.model,), query.usage, "cost", at)


def follow_ups(previous: CostQuery) -> list[str]:
    other = "gpt-4o" if previous.model != "gpt-4o" else "gpt-4o-mini"
    return [
        f"what about {other}",
        *size_follow_ups(previous.usage)[:1],
        "x 500 requests",
        EXAMPLE_DATE,
        *usage_follow_ups(previous.usage),
    ]


def apply(previous: CostQuery, reply: Reply) -> CostQuery | CompareQuery:
    """A model named in a reply makes it a comparison."""
    only_usage(previous, reply.changes)
    usage = changed_usage(previous.usage, reply.changes)
    if reply.form is Form.DROP:
        raise CannotApply(
            f"This thread prices one model ({previous.model}); there is nothing to drop."
        )
    models = changed_models([previous.model], reply.form, reply.changes)
    if len(models) == 1:
        return CostQuery(model=models[0], usage=usage, as_of=reply.as_of)
    return CompareQuery(models=tuple(models), usage=usage, as_of=reply.as_of)

"""compare: a workload priced on several models side by side."""

from typing import Literal

from pydantic import Field

from pricing.answers import PricedAnswer, PricedRow
from pricing.costing import (
    Terms,
    does_not_fit,
    lifecycle_warning,
    period_note,
    priced_row,
    reads_beyond_standard,
    usage_notes,
    workload,
)
from pricing.errors import NoPrice
from pricing.lexicon import (
    PERIOD_DAYS,
    Cursor,
    as_of_words,
    read_usage,
    render_names,
    render_usage,
    required_usage,
    words,
)
from pricing.money import format_usd, ratio
from pricing.quantities import DEFAULT_SPLIT
from pricing.query import PricedQuery, Usage
from pricing.refinement import (
    EXAMPLE_DATE,
    Reply,
    changed_models,
    changed_usage,
    drops,
    only_usage,
    size_follow_ups,
    usage_follow_ups,
)
from pricing.tariffs import Quote
from pricing.verbs.spec import PricingDay

EXAMPLE = "compare gpt-4-8k ft-gpt-3.5 200k tokens"
SUMMARY = "Price a workload on several models side by side."
DETAILS = (
    "Amounts: '200k tokens' (split 3:1 input:output unless you say 'split 1:1'), "
    "or '150k in 50k out'. Numbers: 1500, 1,500, 2k, 1.2M.",
    "Add 'x 1000 requests' to make the amounts per request.",
    "Add 'as of 2023-08-22' for the prices in force on that date.",
)
MORE_EXAMPLES = ("compare gpt-4-8k gpt-4-32k ft-gpt-3.5 150k in 50k out as of 2023-08-22",)


class CompareQuery(PricedQuery):
    kind: Literal["compare"] = "compare"
    models: tuple[str, ...] = Field(min_length=1)
    usage: Usage


QUERY = CompareQuery


def parse(after: str) -> CompareQuery:
    cursor = Cursor(words(after), "compare", EXAMPLE)
    amounts = read_usage(cursor)
    usage = required_usage(cursor, amounts)
    if not amounts.models:
        raise cursor.fail("Which models? Name one or more.")
    return CompareQuery(models=tuple(amounts.models), usage=usage, as_of=cursor.as_of)


def render(query: CompareQuery) -> str:
    models = render_names(query.models)
    return f"compare {models} {render_usage(query.usage)}{as_of_words(query.as_of)}"


def priced(names: tuple[str, ...], usage: Usage, kind: str, at: PricingDay) -> PricedAnswer:
    """compare and cost: each model named, priced for the same usage, cheapest said first."""
    # "compare gpt-4 gpt-4-8k": one row per model, under the name it was first asked by; a
    # reseller's name ("azure/gpt-4o") is its own row even where the catalog prices it as the
    # vendor's model.
    quotes: dict[tuple[str, str], Quote] = {}
    unpriced: list[str] = []
    terms = Terms.of(usage)
    complete = reads_beyond_standard(terms)
    for name in names:
        try:
            quote = at.book.quote(name, at.day, complete)
        except NoPrice as exc:
            if len(names) == 1:
                raise
            unpriced.append(f"{name}: not priced. {exc.message}")
            continue
        quotes.setdefault((seller_of(name, quote), quote.tariff.model), quote)
    if not quotes:
        raise NoPrice(" ".join(unpriced))
    input_tokens, output_tokens = usage.per_request()
    rows = tuple(
        resold_row(
            priced_row(q, input_tokens, output_tokens, at.historical, usage.requests, terms), q
        )
        if seller != q.tariff.provider
        else priced_row(q, input_tokens, output_tokens, at.historical, usage.requests, terms)
        for (seller, _model), q in quotes.items()
    )
    # A model that cannot take one request is no answer, however cheap; nor is one whose price
    # may not have applied on a past day.
    usable = [
        row
        for row in rows
        if row.fits_context is not False and not (at.historical and row.effective is None)
    ]
    cheapest = min(usable, key=lambda row: row.total_usd) if len(rows) > 1 and usable else None
    notes = [*unpriced, *usage_notes(usage)]
    notes += resold_notes(quotes)
    summary = verdict(rows, usable, cheapest, usage, at)
    if usage.period is not None:
        first = cheapest or rows[0]
        notes.append(period_note(usage.period, first.total_usd, first.model))
    verb = "Compare" if kind == "compare" else "Cost"
    return PricedAnswer(
        kind=kind,  # type: ignore[arg-type]
        as_of=at.day,
        title=f"{verb}: {workload(usage)}",
        usage=usage,
        rows=rows,
        cheapest=cheapest.model if cheapest else None,
        assumed_split=DEFAULT_SPLIT if usage.assumes_default_split else None,
        summary=summary,
        notes=tuple(notes),
        period=usage.period,
        period_days=PERIOD_DAYS[usage.period] if usage.period else None,
    )


def resold_notes(quotes: dict[tuple[str, str], Quote]) -> list[str]:
    """A reseller asked by name ("azure/gpt-4o") that genai-prices prices as the vendor's."""
    return [
        f"{q.requested}: genai-prices has no price of its own for {seller}; priced as "
        f"{q.tariff.provider}'s {q.tariff.model} (whose shutdown dates need not be {seller}'s)."
        for (seller, _model), q in quotes.items()
        if seller != q.tariff.provider
    ]


def verdict(
    rows: tuple[PricedRow, ...],
    usable: list[PricedRow],
    cheapest: PricedRow | None,
    usage: Usage,
    at: PricingDay,
) -> str:
    """The answer's first line: one model's total (led by a request that does not fit), or
    the cheapest of several and how much dearer the dearest is."""
    if cheapest is None:
        if len(rows) > 1:
            return (
                "No model named can be ranked: each context window is too small, or the "
                f"price's start date is unknown on {at.day.isoformat()}."
            )
        (row,) = rows
        per = f" a {usage.period}" if usage.period else ""
        each = (
            f" ({format_usd(row.per_request_usd)} a request)"
            if row.per_request_usd is not None
            else ""
        )
        summary = f"Total {format_usd(row.total_usd)}{per}{each}."
        if row.fits_context is False:
            # The answer is that it cannot be done: said before what it would cost.
            assert row.context_window is not None
            too_big = does_not_fit(row.name, sum(usage.per_request()), row.context_window)
            summary = f"{too_big} {summary}"
        return summary
    dearest = max(rows, key=lambda row: row.total_usd)
    tied = [row.model for row in usable if row.total_usd == cheapest.total_usd]
    summary = (
        f"{cheapest.model} is the cheapest at {format_usd(cheapest.total_usd)}."
        if len(tied) == 1
        else f"{', '.join(tied[:-1])} and {tied[-1]} tie as the cheapest at "
        f"{format_usd(cheapest.total_usd)}."
    )
    times = ratio(dearest.total_usd, cheapest.total_usd)
    if times is not None and dearest.total_usd > cheapest.total_usd:
        summary = summary[:-1] + f"; {dearest.model} costs {times}x as much."
    if any(row.fits_context is False for row in rows):
        summary += " Models whose context window is too small for one request are left out."
    if at.historical and any(row.effective is None for row in rows):
        summary += (
            " Models whose price has no start date are not ranked: it may not have applied "
            f"on {at.day.isoformat()}."
        )
    return summary


def resold_row(row: PricedRow, quote: Quote) -> PricedRow:
    """A reseller's row priced as the vendor's model: the vendor's shutdown is not the
    reseller's, so its warning goes."""
    vendor_only = lifecycle_warning(quote.tariff, quote.day)
    warnings = tuple(warning for warning in row.warnings if warning != vendor_only)
    return row.model_copy(update={"warnings": warnings, "lifecycle_source": None})


def seller_of(name: str, quote: Quote) -> str:
    """Who sells the model as asked: the provider named first ("azure/gpt-4o", priced as
    OpenAI's), else the tariff's own (a name that is its id, or the end of it, such as
    "openrouter/google/gemini-2.5-flash" or "google/gemini-2.5-flash")."""
    requested, model = quote.requested, quote.tariff.model
    provider, slash, _rest = requested.partition("/")
    if not slash or model == requested or model.endswith(f"/{requested}"):
        return quote.tariff.provider
    return provider


def answer(query: CompareQuery, at: PricingDay) -> PricedAnswer:
    return priced(query.models, query.usage, "compare", at)


def follow_ups(previous: CompareQuery) -> list[str]:
    other = "gpt-4o" if "gpt-4o" not in previous.models else "gpt-4-32k"
    return [
        f"what about {other}",
        *drops(previous.models)[-1:],
        *size_follow_ups(previous.usage),
        "x 500 requests",
        EXAMPLE_DATE,
        *usage_follow_ups(previous.usage),
    ]


def apply(previous: CompareQuery, reply: Reply) -> CompareQuery:
    only_usage(previous, reply.changes)
    usage = changed_usage(previous.usage, reply.changes)
    models = changed_models(previous.models, reply.form, reply.changes)
    return CompareQuery(models=tuple(models), usage=usage, as_of=reply.as_of)

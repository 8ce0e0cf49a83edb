"""cheapest: every known model priced for one workload, cheapest first."""

from decimal import Decimal
from operator import itemgetter
from typing import Literal

from pricing.answers import PricedAnswer
from pricing.costing import (
    Terms,
    period_note,
    priced_row,
    ranking_cost,
    tariff_matches,
    token_weights,
    usage_notes,
    workload,
)
from pricing.lexicon import (
    PERIOD_DAYS,
    Cursor,
    as_of_words,
    read_usage,
    render_usage,
    required_usage,
    words,
)
from pricing.money import format_usd
from pricing.quantities import DEFAULT_SPLIT, counted
from pricing.query import PricedQuery, Usage
from pricing.refinement import (
    EXAMPLE_DATE,
    Reply,
    changed_usage,
    fixed_models,
    only_usage,
    size_follow_ups,
    usage_follow_ups,
)
from pricing.tariffs import PriceEntry, Quote, Tariff
from pricing.verbs.spec import PricingDay

EXAMPLE = "cheapest 1M tokens"
SUMMARY = "Every known model priced for one workload, cheapest first."
DETAILS = (
    "Narrow it with words from the name or provider: 'cheapest claude 1M tokens'. With "
    "'x N requests', models whose context window is too small are left out.",
)
MORE_EXAMPLES = ("cheapest mini 20k in 1k out x 1000 requests",)

CHEAPEST_LIMIT = 10


class CheapestQuery(PricedQuery):
    """Every known model priced for one workload, cheapest first; `filter` narrows by name."""

    kind: Literal["cheapest"] = "cheapest"
    filter: str | None = None
    usage: Usage


QUERY = CheapestQuery


def parse(after: str) -> CheapestQuery:
    cursor = Cursor(words(after), "cheapest", EXAMPLE)
    amounts = read_usage(cursor)
    usage = required_usage(cursor, amounts, filtering=True)
    narrowed = " ".join(amounts.filter_words) or None
    return CheapestQuery(filter=narrowed, usage=usage, as_of=cursor.as_of)


def render(query: CheapestQuery) -> str:
    narrowed = f"{query.filter} " if query.filter else ""
    return f"cheapest {narrowed}{render_usage(query.usage)}{as_of_words(query.as_of)}"


def answer(query: CheapestQuery, at: PricingDay) -> PricedAnswer:
    day, historical = at.day, at.historical
    input_tokens, output_tokens = query.usage.per_request()
    per_request = input_tokens + output_tokens
    checks_window = query.usage.requests is not None
    terms = Terms.of(query.usage)
    weights = tuple(token_weights(input_tokens, output_tokens, terms.cache).items())
    request_input = input_tokens if checks_window else None
    candidates: list[tuple[Decimal, Tariff, PriceEntry]] = []
    undated = too_small = gone = 0
    unknown_window: list[str] = []
    # The whole catalog is priced here, so only the cheapest few become Answer rows.
    providers = at.book.providers()
    for tariff in at.book.tariffs():
        if not tariff_matches(tariff, query.filter, providers):
            continue
        entry = at.book.entry_on(tariff, day)
        if entry is None:
            continue  # not released yet on that day
        if tariff.is_gone_on(day):
            gone += 1
            continue
        if historical and entry.effective is None:
            undated += 1
            continue
        if checks_window:  # the window is looked up only when a request size is given
            window = tariff.context_window_at(day)
            if window is None:
                # Nobody can say whether one request fits: no answer to recommend.
                unknown_window.append(tariff.model)
                continue
            if per_request > window:
                too_small += 1
                continue
        # Ranked by total alone: the rows shown are priced again, part by part, with notes.
        total = ranking_cost(entry, day, terms, request_input, weights)
        candidates.append((total, tariff, entry))
    candidates.sort(key=itemgetter(0))
    rows = tuple(
        priced_row(
            Quote(tariff.model, tariff, entry, day),
            input_tokens,
            output_tokens,
            historical,
            query.usage.requests,
            terms,
        )
        for _total, tariff, entry in cheapest_once(candidates, CHEAPEST_LIMIT)
    )
    notes = []
    if candidates:
        notes.append(f"Priced {counted(len(candidates), 'model')}; the cheapest are shown.")
    elif not (undated or too_small or gone or unknown_window):
        notes.append(f"No model matches '{query.filter}' on {day.isoformat()}.")
    if gone:
        notes.append(
            f"{counted(gone, 'model')} shut down by {day.isoformat()} (or marked deprecated by "
            "genai-prices without a date): left out."
        )
    if undated:
        notes.append(
            f"{counted(undated, 'model')} with only undated catalog prices, which may not have "
            f"applied on {day.isoformat()}: left out."
        )
    if too_small:
        notes.append(
            f"{too_small:,} models with a context window smaller than one request: left out."
        )
    if unknown_window:
        some = ", ".join(sorted(unknown_window)[:3])
        more = ", ..." if len(unknown_window) > 3 else ""
        notes.append(
            f"{counted(len(unknown_window), 'model')} whose context window is unknown, so one "
            f"request may not fit ({some}{more}): left out."
        )
    notes += usage_notes(query.usage)
    period = query.usage.period
    if period is not None and rows:
        notes.append(period_note(period, rows[0].total_usd, rows[0].model))
    scope = f" '{query.filter}'" if query.filter else ""
    return PricedAnswer(
        kind="cheapest",
        as_of=day,
        title=f"Cheapest{scope} models: {workload(query.usage)}",
        usage=query.usage,
        rows=rows,
        cheapest=rows[0].model if rows else None,
        assumed_split=DEFAULT_SPLIT if query.usage.assumes_default_split else None,
        summary=(
            f"Cheapest: {rows[0].model} at {format_usd(rows[0].total_usd)}"
            f"{f' a {period}' if period else ''}."
            if rows
            else None
        ),
        notes=tuple(notes),
        period=period,
        period_days=PERIOD_DAYS[period] if period else None,
    )


def cheapest_once(
    ranked: list[tuple[Decimal, Tariff, PriceEntry]], limit: int
) -> list[tuple[Decimal, Tariff, PriceEntry]]:
    """The first `limit` of `ranked`, each model once: a reseller may list one model under two
    ids at one price ('openrouter/lfm-7b', 'openrouter/liquid/lfm-7b'); the shorter id stays.
    Only the head of the ranking is read, so pricing the whole catalog costs nothing more."""
    shown: dict[tuple[str, str, Decimal], tuple[Decimal, Tariff, PriceEntry]] = {}
    for candidate in ranked:
        total, tariff, _entry = candidate
        key = (tariff.provider, tariff.model.rsplit("/", 1)[-1], total)
        kept = shown.get(key)
        if kept is None and len(shown) == limit:
            break
        if kept is None or len(tariff.model) < len(kept[1].model):
            shown[key] = candidate
    return list(shown.values())


def follow_ups(previous: CheapestQuery) -> list[str]:
    return [
        "what about gpt-4",
        *size_follow_ups(previous.usage)[:1],
        "x 500 requests",
        EXAMPLE_DATE,
        *usage_follow_ups(previous.usage),
    ]


def apply(previous: CheapestQuery, reply: Reply) -> CheapestQuery:
    """Words in a model slot narrow the ranking instead."""
    fixed_models(previous, reply.form)
    changes = reply.changes
    only_usage(previous, changes)
    narrowed = " ".join(changes.models) if changes.models else previous.filter
    usage = changed_usage(previous.usage, changes)
    return CheapestQuery(filter=narrowed, usage=usage, as_of=reply.as_of)

"""cheapest: every known model priced for one workload, cheapest first."""

from decimal import Decimal
from typing import Literal

from pricing.answers import PricedAnswer
from pricing.costing import period_note, priced_row, tariff_matches, usage_notes, workload
from pricing.lexicon import (
    PERIOD_DAYS,
    Cursor,
    as_of_words,
    read_usage,
    render_usage,
    required_usage,
    words,
)
from pricing.money import EXACT, cost_of, format_usd
from pricing.quantities import DEFAULT_SPLIT, counted
from pricing.query import PricedQuery, Usage
from pricing.refinement import EXAMPLE_DATE, Reply, changed_usage, fixed_models, only_usage
from pricing.tariffs import PriceEntry, Quote, Tariff
from pricing.verbs.spec import PricingDay, Verb

EXAMPLE = "cheapest 1M tokens"
CHEAPEST_LIMIT = 10


class CheapestQuery(PricedQuery):
    """Every known model priced for one workload, cheapest first; `filter` narrows by name."""

    kind: Literal["cheapest"] = "cheapest"
    filter: str | None = None
    usage: Usage


def parse(after: str) -> CheapestQuery:
    cursor = Cursor(words(after), "cheapest", EXAMPLE)
    amounts = read_usage(cursor)
    usage = required_usage(cursor, amounts)
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
    candidates: list[tuple[Decimal, Tariff, PriceEntry]] = []
    undated = too_small = gone = 0
    unknown_window: list[str] = []
    # The whole catalog is priced here, so only the cheapest few become Answer rows.
    for tariff in at.book.tariffs():
        if not tariff_matches(tariff, query.filter):
            continue
        entry = tariff.entry_at(day)
        if entry is None:
            continue  # not released yet on that day
        if tariff.is_gone_on(day):
            gone += 1
            continue
        if historical and entry.effective is None:
            undated += 1
            continue
        window = tariff.context_window_at(day)
        if checks_window and window is None:
            # Nobody can say whether one request fits: no answer to recommend.
            unknown_window.append(tariff.model)
            continue
        if checks_window and window is not None and per_request > window:
            too_small += 1
            continue
        input_rate, output_rate = entry.rates_for(input_tokens if checks_window else None)
        total = EXACT.add(cost_of(input_tokens, input_rate), cost_of(output_tokens, output_rate))
        candidates.append((total, tariff, entry))
    candidates.sort(key=lambda candidate: candidate[0])
    rows = tuple(
        priced_row(
            Quote(tariff.model, tariff, entry, day),
            input_tokens,
            output_tokens,
            historical,
            query.usage.requests,
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
    return ["what about gpt-4", "make it 1M tokens", "x 500 requests", EXAMPLE_DATE]


def apply(previous: CheapestQuery, reply: Reply) -> CheapestQuery:
    """Words in a model slot narrow the ranking instead."""
    fixed_models(previous, reply.form)
    changes = reply.changes
    only_usage(previous, changes)
    narrowed = " ".join(changes.models) if changes.models else previous.filter
    usage = changed_usage(previous.usage, changes)
    return CheapestQuery(filter=narrowed, usage=usage, as_of=reply.as_of)


VERB = Verb(
    name="cheapest",
    query=CheapestQuery,
    summary="Every known model priced for one workload, cheapest first.",
    details=(
        "Narrow it with words from the name or provider: 'cheapest claude 1M tokens'. With "
        "'x N requests', models whose context window is too small are left out.",
    ),
    example=EXAMPLE,
    more_examples=("cheapest mini 20k in 1k out x 1000 requests",),
    synonyms=("rank",),
    parse=parse,
    render=render,
    answer=answer,
    follow_ups=follow_ups,
    apply=apply,
)

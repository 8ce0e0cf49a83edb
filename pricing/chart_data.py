"""What a chart of an answer plots: series the engine computes with the same costing function
that priced the answer's rows, so a picture (`bot.render.chart`), `--json` and any other tool
draw the same numbers. Nothing here draws; the renderer computes no price.

- compare, cost, cheapest: total cost against volume (requests, or tokens without a request
  count) for each model (cheapest: the top 5), over two decades either side of the asked volume
  on log scales, the asked volume marked, and where the cheapest model changes.
- breakeven: cumulative cost of the fine-tuned model (training first) and of the base model over
  requests, the break-even marked.
- history: each rate as a step line over time, the shutdown marked.
- budget: what the budget buys on each model, as bars.
- finetune FILE: tokens per training example, as a histogram, the longest example allowed marked.
- a digest: the week's largest price moves, as bars of percentage change.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pricing.answers import (
    Answer,
    BreakevenAnswer,
    BudgetAnswer,
    FinetuneFileAnswer,
    PricedAnswer,
    TableAnswer,
)
from pricing.changes import PriceChange, TariffChanges
from pricing.money import EXACT, format_usd
from pricing.quantities import counted, format_count
from pricing.query import Usage
from pricing.tariffs import TariffBook
from pricing.training_file import FileTally
from pricing.verbs.registry import Query
from pricing.verbs.spec import PricingDay

POINTS = 41  # per line: 10 a decade over four decades, and the asked volume itself
DECADES = 2  # either side of the asked volume
MOST_LINES = 5  # cheapest: the top 5
MOST_MOVES = 10  # a digest: its largest moves


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Series(_Frozen):
    """One line (or step line) of a chart: `x` volumes or `days`, and `y` (dollars, or a rate per
    1M tokens)."""

    label: str
    x: tuple[int, ...] = ()
    days: tuple[date, ...] = ()
    y: tuple[Decimal, ...]


class Marker(_Frozen):
    """A point the chart labels: the asked volume, a break-even, a crossing, a shutdown."""

    label: str
    x: int | None = None
    day: date | None = None
    y: Decimal | None = None


class Bar(_Frozen):
    label: str
    value: Decimal  # a count, or a percentage change


class ChartData(_Frozen):
    kind: Literal["lines", "steps", "bars", "histogram"]
    title: str  # the question's canonical words
    subtitle: str  # the date of the prices and their source
    x_label: str
    y_label: str
    y_dollars: bool = False
    percent: bool = False  # bars are percentage changes (said with a sign)
    log_scales: bool = False
    series: tuple[Series, ...] = ()
    bars: tuple[Bar, ...] = ()
    markers: tuple[Marker, ...] = ()
    alt_text: str  # the numbers a screen reader needs


def chart_of(query: Query, answer: Answer, book: TariffBook, today: date) -> ChartData | None:
    """The chart of `answer` (to `query`), or None when it has no shape to draw."""
    from pricing.parse import render

    title = render(query)
    day = answer.as_of
    at = PricingDay(book=book, day=day, historical=day < today)
    subtitle = _subtitle(answer)
    match answer:
        case PricedAnswer():
            return volume_chart(answer, title, subtitle, at)
        case BreakevenAnswer():
            return breakeven_chart(answer, title, subtitle)
        case TableAnswer() if answer.kind == "history":
            return history_chart(answer, title, subtitle)
        case BudgetAnswer():
            return budget_chart(answer, title, subtitle)
        case FinetuneFileAnswer():
            return training_file_chart(query, answer, title, subtitle)
    return None


def _subtitle(answer: Answer) -> str:
    sources = answer.sources
    # The source's name and date ("OpenAI DevDay, 2023-11-06"), not its whole citation.
    source = sources[0].split(":")[0].split(" (")[0][:80] if sources else "llmcost"
    more = f" and {len(sources) - 1} more" if len(sources) > 1 else ""
    return f"Prices as of {answer.as_of.isoformat()}; source: {source}{more}"


# --- compare, cost, cheapest ---------------------------------------------------------------------


def volumes(asked: int) -> list[int]:
    """Whole volumes from two decades below `asked` to two above, evenly on a log scale, and
    `asked` itself."""
    low, steps = Decimal(asked) / 10**DECADES, POINTS - 1
    ratio = Decimal(10) ** (Decimal(2 * DECADES) / steps)
    found = {max(1, int((low * ratio**step).to_integral_value())) for step in range(POINTS)}
    return sorted(found | {asked})


def scaled(usage: Usage, volume: int) -> Usage:
    """`usage` at another volume: that many requests of the same size, or the whole workload's
    amounts (and any cache amounts) scaled together."""
    if usage.requests is not None:
        return usage.model_copy(update={"requests": volume})
    asked = usage.total if usage.total is not None else (usage.input or 0) + (usage.output or 0)
    update: dict[str, int] = {}
    for field in ("total", "input", "output", "cached", "cache_writes", "cache_writes_1h"):
        amount = getattr(usage, field)
        if amount is not None:
            update[field] = amount * volume // max(asked, 1)
    return usage.model_copy(update=update)


def volume_chart(answer: PricedAnswer, title: str, subtitle: str, at: PricingDay) -> ChartData:
    from pricing.verbs.compare import priced

    usage = answer.usage
    by_requests = usage.requests is not None
    asked = usage.requests if usage.requests is not None else _tokens(usage)
    rows = answer.rows[:MOST_LINES] if answer.kind == "cheapest" else answer.rows
    names = tuple(row.model_id if answer.kind == "cheapest" else row.model for row in rows)
    xs = volumes(asked)
    totals: dict[str, list[Decimal]] = {row.model: [] for row in rows}
    for volume in xs:
        point = priced(names, scaled(usage, volume), "compare", at)
        for row, priced_row in zip(rows, point.rows, strict=True):
            totals[row.model].append(priced_row.total_usd)
    series = tuple(Series(label=name, x=tuple(xs), y=tuple(ys)) for name, ys in totals.items())
    unit = "requests" if by_requests else "tokens"
    per = f" a {usage.period}" if usage.period else ""
    markers = [Marker(label=f"asked: {format_count(asked)} {unit}", x=asked)]
    # Each line passes through the answer's own total at the asked volume.
    markers += [
        Marker(label=f"{row.model}: {format_usd(row.total_usd)}", x=asked, y=row.total_usd)
        for row in rows
    ]
    markers += crossings(series)
    cheapest = min(rows, key=lambda row: row.total_usd)
    alt = (
        f"Total cost against {unit}{per} for {counted(len(series), 'model')}; at the asked "
        f"{format_count(asked)} {unit}, {cheapest.model} is cheapest at "
        f"{format_usd(cheapest.total_usd)}."
    )
    return ChartData(
        kind="lines",
        title=title,
        subtitle=subtitle,
        x_label=f"{unit.capitalize()}{per} (log scale)",
        y_label=f"Total cost{per}, US dollars (log scale)",
        y_dollars=True,
        log_scales=True,
        series=series,
        markers=tuple(markers),
        alt_text=alt,
    )


def _tokens(usage: Usage) -> int:
    return usage.total if usage.total is not None else (usage.input or 0) + (usage.output or 0)


def crossings(series: Sequence[Series]) -> list[Marker]:
    """Where the cheapest line changes: the first volume at which another line is cheapest."""
    found = []
    cheapest = None
    for index, volume in enumerate(series[0].x if series else ()):
        lowest = min(series, key=lambda line: line.y[index])
        if cheapest is not None and lowest.label != cheapest:
            label = f"{lowest.label} cheapest from here"
            found.append(Marker(label=label, x=volume, y=lowest.y[index]))
        cheapest = lowest.label
    return found


# --- breakeven, history, budget, training file ---------------------------------------------------


def breakeven_chart(answer: BreakevenAnswer, title: str, subtitle: str) -> ChartData:
    """Cumulative cost over requests: the fine-tuned model starts at its training cost."""
    tuned, base = answer.rows
    end = 2 * answer.breakeven_requests if answer.breakeven_requests else 1_000
    xs = tuple(end * step // 20 for step in range(21))
    tuned_y = tuple(
        EXACT.add(answer.training_usd, EXACT.multiply(tuned.total_usd, Decimal(n))) for n in xs
    )
    base_y = tuple(EXACT.multiply(base.total_usd, Decimal(n)) for n in xs)
    markers = []
    if answer.breakeven_requests is not None:
        n = answer.breakeven_requests
        markers.append(
            Marker(
                label=f"breaks even at {n:,} requests",
                x=n,
                y=EXACT.multiply(base.total_usd, Decimal(n)),
            )
        )
        alt = f"{tuned.model} pays back its training against {base.model} after {n:,} requests."
    else:
        alt = f"{tuned.model} never pays back its training against {base.model}."
    # A shutdown or the end of new fine-tuning jobs bounds how long the requests can go on.
    markers += [
        Marker(label=f"{row.model}: {warning}")
        for row in (tuned, base)
        for warning in row.warnings
        if "shut" in warning or "fine-tuning" in warning
    ]
    return ChartData(
        kind="lines",
        title=title,
        subtitle=subtitle,
        x_label="Requests",
        y_label="Cumulative cost, US dollars",
        y_dollars=True,
        series=(
            Series(label=f"{tuned.model} (training + requests)", x=xs, y=tuned_y),
            Series(label=base.model, x=xs, y=base_y),
        ),
        markers=tuple(markers),
        alt_text=alt,
    )


def history_chart(answer: TableAnswer, title: str, subtitle: str) -> ChartData:
    """Each rate per 1M tokens as a step line over the dated prices; the shutdown marked."""
    dated = [row for row in answer.rows if row.effective is not None]
    days = tuple(row.effective for row in dated if row.effective is not None)
    rates: dict[str, list[Decimal | None]] = {
        "input": [row.input_per_mtok for row in dated],
        "output": [row.output_per_mtok for row in dated],
        "training": [row.training_per_mtok for row in dated],
    }
    series = tuple(
        Series(label=f"{name} $/1M", days=days, y=tuple(v for v in values if v is not None))
        for name, values in rates.items()
        if values and all(value is not None for value in values)
    )
    retired = next((row.retired for row in answer.rows if row.retired), None)
    markers = (Marker(label=f"shut down {retired.isoformat()}", day=retired),) if retired else ()
    last = dated[-1] if dated else answer.rows[-1]
    alt = (
        f"{len(dated)} dated prices of {last.model}; the latest, from "
        f"{_day(last.effective)}, {format_usd(last.input_per_mtok)} in and "
        f"{format_usd(last.output_per_mtok)} out per 1M tokens."
    )
    return ChartData(
        kind="steps",
        title=title,
        subtitle=subtitle,
        x_label="Date",
        y_label="US dollars per 1M tokens",
        y_dollars=True,
        series=series,
        markers=markers,
        alt_text=alt,
    )


def _day(day: date | None) -> str:
    return day.isoformat() if day else "undated"


def budget_chart(answer: BudgetAnswer, title: str, subtitle: str) -> ChartData:
    counted = answer.request is not None
    per = f" a {answer.period}" if answer.period else ""
    bars = tuple(
        Bar(label=row.model, value=Decimal((row.requests if counted else row.tokens) or 0))
        for row in answer.rows
    )
    unit = "requests" if counted else "tokens"
    top = max(bars, key=lambda bar: bar.value)
    alt = (
        f"{format_usd(answer.budget_usd)}{per} buys the most on {top.label}: {top.value:,} {unit}."
    )
    return ChartData(
        kind="bars",
        title=title,
        subtitle=subtitle,
        x_label="Model",
        y_label=f"{unit.capitalize()}{per} the budget buys",
        bars=bars,
        alt_text=alt,
    )


def training_file_chart(
    query: Query, answer: FinetuneFileAnswer, title: str, subtitle: str
) -> ChartData | None:
    """Tokens per training example, from the file's tally (the counts the answer states)."""
    tally: FileTally | None = getattr(query, "training", None)
    if tally is None or not tally.encodings:
        return None
    histogram = next(
        (each.examples for each in tally.encodings if each.encoding == answer.tokens.encoding),
        tally.encodings[0].examples,
    )
    counts = sorted(histogram.items())  # tokens -> examples, as the tally keeps them
    caps = sorted({row.cap for row in answer.rows if row.cap is not None})
    markers = tuple(Marker(label=f"longest example allowed: {cap:,}", x=cap) for cap in caps[:1])
    alt = (
        f"{answer.examples:,} examples, {answer.tokens.min:,} to {answer.tokens.max:,} tokens, "
        f"median {answer.tokens.median:,.0f}."
    )
    return ChartData(
        kind="histogram",
        title=title,
        subtitle=subtitle,
        x_label=f"Tokens per example ({answer.tokens.encoding})",
        y_label="Examples",
        series=(
            Series(
                label="examples",
                x=tuple(tokens for tokens, _n in counts),
                y=tuple(Decimal(n) for _tokens, n in counts),
            ),
        ),
        markers=markers,
        alt_text=alt,
    )


def digest_chart(changes: TariffChanges, title: str) -> ChartData | None:
    """The window's largest price moves (by size, either way), or None for a week without one."""
    moves = [change for change in (*changes.cuts, *changes.rises) if change.percent is not None]
    if not moves:
        return None
    moves.sort(key=lambda change: (-abs(change.percent or Decimal(0)), change.model, change.price))
    shown = moves[:MOST_MOVES]
    bars = tuple(
        Bar(label=_move_label(change), value=change.percent or Decimal(0)) for change in shown
    )
    largest = shown[0]
    alt = (
        f"{len(moves)} price changes from {changes.since.isoformat()} to "
        f"{changes.until.isoformat()}; the largest, {_move_label(largest)}: {largest.percent:+}% "
        f"({format_usd(largest.old)} to {format_usd(largest.new)} per 1M tokens)."
    )
    return ChartData(
        kind="bars",
        title=title,
        subtitle=f"Prices from {changes.since.isoformat()} to {changes.until.isoformat()}",
        x_label="Model and price",
        y_label="Change, percent",
        percent=True,
        bars=bars,
        alt_text=alt,
    )


def _move_label(change: PriceChange) -> str:
    tier = "" if change.tier == "standard" else f" {change.tier}"
    return f"{change.name} {change.price}{tier}"

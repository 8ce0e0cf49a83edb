"""The one way a usage is priced against a model's rates, and the warnings and notes that go
with it; shared by every verb's engine."""

import math
from dataclasses import replace
from datetime import date
from decimal import Decimal

from pricing.answers import PricedRow, TariffRow
from pricing.errors import NoPrice
from pricing.lexicon import PERIOD_DAYS
from pricing.money import EXACT, cost_of, format_rate, format_usd
from pricing.quantities import DEFAULT_SPLIT, Ratio, counted, format_count
from pricing.query import Usage
from pricing.tariffs import PriceEntry, Quote, Tariff, TariffBook, TrainingStop, normalize_name


def priced_row(
    quote: Quote,
    input_tokens: int,
    output_tokens: int,
    historical: bool,
    requests: int | None = None,
) -> PricedRow:
    """Cost of `input_tokens`/`output_tokens` per request, times `requests` when given."""
    entry, tariff = quote.entry, quote.tariff
    count = requests or 1
    input_rate, output_rate = entry.rates_for(input_tokens if requests else None)
    input_usd = cost_of(input_tokens * count, input_rate)
    output_usd = cost_of(output_tokens * count, output_rate)
    per_request = (
        EXACT.add(cost_of(input_tokens, input_rate), cost_of(output_tokens, output_rate))
        if requests
        else None
    )
    warnings = price_warnings(quote, historical)
    if entry.long_context and (requests is None or input_rate != entry.input_per_mtok):
        warnings.append(long_context_warning(entry, requests is not None))
    window = quote.context_window
    fits = None if not requests or window is None else input_tokens + output_tokens <= window
    if fits is False:
        warnings.append(
            f"One request ({input_tokens + output_tokens:,} tokens) does not fit "
            f"{tariff.display_name}'s {window:,}-token context window."
        )
    return PricedRow(
        model=quote.requested,
        model_id=tariff.model,
        fits_context=fits,
        name=tariff.display_name,
        provider=tariff.provider,
        input_tokens=input_tokens * count,
        output_tokens=output_tokens * count,
        input_per_mtok=input_rate,
        output_per_mtok=output_rate,
        input_usd=input_usd,
        output_usd=output_usd,
        total_usd=EXACT.add(input_usd, output_usd),
        per_request_usd=per_request,
        context_window=window,
        effective=entry.effective,
        source=entry.source,
        lifecycle_source=lifecycle_source(tariff, quote.day),
        warnings=tuple(warnings),
    )


def long_context_warning(
    entry: PriceEntry, per_request: bool, remedy: str = "add 'x N requests' to apply it"
) -> str:
    """The long-context tier: applied to a request over its threshold, or (sizes unknown) said
    to apply, with the `remedy` that would apply it."""
    first = entry.long_context[0]
    higher = (
        f"a request with over {first.above:,} input tokens is billed at "
        f"{format_rate(first.input_per_mtok)}/{format_rate(first.output_per_mtok)} per 1M"
    )
    if not per_request:
        return f"Priced at the base rate, but {higher}: {remedy}."
    return f"Long-context rate applied: {higher}."


def price_warnings(quote: Quote, historical: bool) -> list[str]:
    tariff, day = quote.tariff, quote.day
    warnings = [note] if (note := lifecycle_warning(tariff, day)) else []
    if historical and quote.entry.effective is None:
        warnings.append(
            f"The source gives no start date for {tariff.display_name}'s price; "
            f"it may not have applied on {day.isoformat()}."
        )
    return warnings


def lifecycle_source(tariff: Tariff, day: date) -> str | None:
    """The notice behind `lifecycle_warning`, when it says anything."""
    if tariff.retirement is None or lifecycle_warning(tariff, day) is None:
        return None
    return tariff.retirement.source


def lifecycle_warning(tariff: Tariff, day: date) -> str | None:
    """A model shut down on `day` (priced all the same: people price the past and plan
    migrations), or one whose announced shutdown is still to come."""
    retirement = tariff.retirement
    substitute = (
        f"; its vendor named {retirement.replacement} as the substitute"
        if retirement and retirement.replacement
        else ""
    )
    base = f", with its base model {tariff.retired_with}" if tariff.retired_with else ""
    if tariff.is_retired_on(day):
        assert tariff.retired is not None
        return (
            f"{tariff.display_name} was shut down on {tariff.retired.isoformat()}{base}"
            f"{substitute}; this is its last published price."
        )
    if tariff.retiring_after(day):
        assert tariff.retired is not None
        announced = (
            f" (announced {retirement.announced.isoformat()})"
            if retirement and retirement.announced
            else ""
        )
        return (
            f"{tariff.display_name} shuts down on {tariff.retired.isoformat()}{base}"
            f"{announced}{substitute}."
        )
    if tariff.deprecated and tariff.retired is None:
        return (
            f"genai-prices marks {tariff.display_name} as deprecated, without a date: "
            "it may no longer be offered."
        )
    return None


def split_note(total: int, split: Ratio | None, each: str = "") -> str:
    """How a total nobody split (or split as asked) divides into input and output tokens."""
    ratio = split or DEFAULT_SPLIT
    input_tokens, output_tokens = ratio.split(total)
    how = "assumed" if split is None else "as asked"
    change = " (say 'split 1:1' to change it)" if split is None else ""
    return (
        f"{format_count(total)} tokens{each} split {ratio} input:output {how}: "
        f"{input_tokens:,} in, {output_tokens:,} out{change}."
    )


def usage_notes(usage: Usage) -> list[str]:
    notes = []
    if usage.total is not None:
        each = " a request" if usage.requests is not None else ""
        notes.append(split_note(usage.total, usage.split, each))
    if usage.requests is None:
        notes.append(
            "Amounts are totals for the whole workload; add 'x N requests' to give "
            "per-request sizes and check context windows."
        )
    return notes


def period_note(period: str, total: Decimal, model: str) -> str:
    """'per month' totals said per day, month and year, on the stated lengths."""
    daily = EXACT.divide(total, Decimal(PERIOD_DAYS[period]))
    spans = ", ".join(
        f"{format_usd(EXACT.multiply(daily, Decimal(days)))} a {name}"
        for name, days in (("day", 1), ("month", PERIOD_DAYS["month"]), ("year", 365))
    )
    return (
        f"Totals are for one {period}; {model} comes to {spans} "
        f"(a {PERIOD_DAYS['month']}-day month, a 365-day year)."
    )


def workload(usage: Usage) -> str:
    input_tokens, output_tokens = usage.per_request()
    text = (
        f"{format_count(input_tokens, group_digits=True)} in, "
        f"{format_count(output_tokens, group_digits=True)} out"
    )
    text = f"{text} x {counted(usage.requests, 'request')}" if usage.requests else text
    return f"{text} a {usage.period}" if usage.period else text


def tariff_matches(tariff: Tariff, words: str | None) -> bool:
    """Every word of the filter appears in the model's names or provider."""
    if not words:
        return True
    haystack = " ".join((tariff.model, tariff.provider, tariff.name or "", *tariff.aliases)).lower()
    return all(word in haystack for word in words.lower().split())


def tariff_row(tariff: Tariff, entry: PriceEntry, day: date) -> TariffRow:
    since = entry.effective or day
    return TariffRow(
        model=tariff.model,
        name=tariff.display_name,
        provider=tariff.provider,
        aliases=tariff.aliases,
        input_per_mtok=entry.input_per_mtok,
        output_per_mtok=entry.output_per_mtok,
        training_per_mtok=tariff.training_price_at(since),
        context_window=tariff.context_window_at(since),
        effective=entry.effective,
        retired=tariff.retired,
        source=entry.source,
        lifecycle_source=lifecycle_source(tariff, day),
    )


def training_quote(name: str, book: TariffBook, day: date) -> tuple[Quote, Decimal]:
    """The fine-tuned variant of `name` and its training price on `day`, or a NoPrice that says
    why the model cannot be priced for fine-tuning."""
    tariff = book.resolve(name)
    tuned = book.fine_tuned_variant(tariff)
    retirement = tariff.retirement
    if tuned is None:
        tunable = sorted(
            t.fine_tune_of
            for t in book.own_tariffs()
            if t.fine_tune_of is not None and t.entry_at(day) is not None
        )
        why = f"No training price is known for {tariff.display_name}"
        if retirement is not None and retirement.with_fine_tunes and tariff.retired is not None:
            until = "until" if day < tariff.retired else "until its shutdown on"
            # The vendor's notice retires its fine-tunes: it could be fine-tuned.
            why += f", though it could be fine-tuned {until} {tariff.retired.isoformat()}."
        else:
            why += ": it cannot be fine-tuned, or llmcost does not know what that costs."
        raise NoPrice(
            f"{why} Models with training prices on {day.isoformat()}: "
            f"{', '.join(tunable) or 'none'}.",
            suggestions=[f"finetune {model} 100k tokens 3 epochs" for model in tunable[:3]],
        )
    quote = book.quote(tuned.model, day)
    training_rate = tuned.training_price_at(day)
    if training_rate is None:
        raise NoPrice(
            f"No training price is known for {tuned.display_name} on {day.isoformat()}.",
        )
    # Named by its base ("gpt-3.5-turbo"), the row is about the fine-tuned model: say which.
    requested = normalize_name(name) if tuned is tariff else tuned.model
    return replace(quote, requested=requested), training_rate


def announced_stops(tuned: Tariff, book: TariffBook, day: date) -> list[TrainingStop]:
    """The ends of new fine-tuning jobs on `tuned` announced by `day`."""
    return [stop for stop in book.training_stops if stop.announced <= day and stop.covers(tuned)]


def training_stop_warnings(tuned: Tariff, book: TariffBook, day: date) -> list[str]:
    """When new fine-tuning jobs are no longer possible on `day`, or stop later as announced."""
    warnings = []
    if tuned.is_retired_on(day):
        warnings.append("No new fine-tuning job can use it: it is shut down.")
    for stop in announced_stops(tuned, book, day):
        notice = f"notice of {stop.announced.isoformat()}"
        if day >= stop.stops:
            warnings.append(
                f"since {stop.stops.isoformat()}, new fine-tuning jobs are not possible "
                f"for {stop.who} ({notice})."
            )
        else:
            warnings.append(
                f"new fine-tuning jobs stop on {stop.stops.isoformat()} for {stop.who} ({notice})."
            )
    return [warning[0].upper() + warning[1:] for warning in warnings]


def requests_to_break_even(training_usd: Decimal, saving_per_request: Decimal) -> int | None:
    """Requests after which a saving per request has paid back the training; None when there is
    no saving."""
    if saving_per_request <= 0:
        return None
    # Exact: training sizes the grammar accepts need more than the default 28 digits.
    return math.ceil(EXACT.divide(training_usd, saving_per_request))

"""The engine: a Query and the tariff book in, an Answer out. Renderers only format Answers."""

import math
from dataclasses import replace
from datetime import date
from decimal import Decimal

from pricing.answers import (
    Answer,
    BreakevenAnswer,
    FinetuneAnswer,
    HelpAnswer,
    PricedAnswer,
    PricedRow,
    TableAnswer,
    TariffRow,
    TokenCountRow,
    TokensAnswer,
)
from pricing.errors import NoPrice
from pricing.help import help_for
from pricing.money import cost_of, format_rate, format_usd
from pricing.quantities import DEFAULT_SPLIT, counted, format_count
from pricing.query import (
    DEFAULT_EPOCHS,
    BreakevenQuery,
    CheapestQuery,
    CompareQuery,
    CostQuery,
    FinetuneQuery,
    HelpQuery,
    HistoryQuery,
    ModelsQuery,
    PriceQuery,
    Query,
    TokensQuery,
    Usage,
)
from pricing.tariffs import PriceEntry, Quote, Tariff, TariffBook, normalize_name

# Models whose input cost a pasted text is shown on: the article's and today's common choices.
TOKENS_PRICED_ON = (
    "gpt-4-8k",
    "gpt-3.5-turbo",
    "ft-gpt-3.5",
    "gpt-4o",
    "gpt-4o-mini",
    "claude-sonnet-4",
)
MODELS_TABLE_LIMIT = 40
CHEAPEST_LIMIT = 10


def answer(query: Query, book: TariffBook, today: date) -> Answer:
    """Answer one question with the prices in force on its `as of` date, else on `today`."""
    result = _dispatch(query, book, today)
    if result.as_of > today and result.kind != "help":
        future = (
            f"{result.as_of.isoformat()} is in the future: these are the prices known today "
            "for that date; changes announced later are not in them."
        )
        return result.model_copy(update={"notes": (*result.notes, future)})
    return result


def _dispatch(query: Query, book: TariffBook, today: date) -> Answer:
    day = getattr(query, "as_of", None) or today
    # Undated catalog prices are known to hold today; only an earlier date needs a warning.
    historical = day < today
    match query:
        case CompareQuery() | CostQuery():
            return _priced(query, book, day, historical)
        case CheapestQuery():
            return _cheapest(query, book, day, historical)
        case FinetuneQuery():
            return _finetune(query, book, day, historical)
        case BreakevenQuery():
            return _breakeven(query, book, day, historical)
        case TokensQuery():
            return _tokens(query, book, day, historical)
        case ModelsQuery():
            return _models(query, book, day, historical)
        case PriceQuery():
            return _price(query, book, day, historical)
        case HistoryQuery():
            return _history(query, book, day)
        case HelpQuery():
            lines, examples = help_for(query.topic)
            title = f"Help on {query.topic}" if query.topic else "llmcost: commands"
            return HelpAnswer(
                as_of=day, title=title, topic=query.topic, lines=lines, examples=examples
            )
    raise AssertionError(f"unhandled query {query!r}")  # pragma: no cover


def _row(
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
        cost_of(input_tokens, input_rate) + cost_of(output_tokens, output_rate)
        if requests
        else None
    )
    warnings = _price_warnings(quote, historical)
    if entry.long_context and (requests is None or input_rate != entry.input_per_mtok):
        warnings.append(_long_context_warning(entry, requests is not None))
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
        total_usd=input_usd + output_usd,
        per_request_usd=per_request,
        context_window=window,
        effective=entry.effective,
        source=entry.source,
        warnings=tuple(warnings),
    )


def _long_context_warning(entry: PriceEntry, per_request: bool) -> str:
    first = entry.long_context[0]
    higher = (
        f"a request with over {first.above:,} input tokens is billed at "
        f"{format_rate(first.input_per_mtok)}/{format_rate(first.output_per_mtok)} per 1M"
    )
    if not per_request:
        return f"Priced at the base rate, but {higher}: add 'x N requests' to apply it."
    return f"Long-context rate applied: {higher}."


def _price_warnings(quote: Quote, historical: bool) -> list[str]:
    tariff, day = quote.tariff, quote.day
    warnings = []
    if tariff.is_retired_on(day):
        assert tariff.retired is not None
        warnings.append(
            f"{tariff.display_name} was shut down on {tariff.retired.isoformat()}; "
            "this is its last published price."
        )
    if historical and quote.entry.effective is None:
        warnings.append(
            f"The source gives no start date for {tariff.display_name}'s price; "
            f"it may not have applied on {day.isoformat()}."
        )
    return warnings


def _usage_notes(usage: Usage) -> list[str]:
    notes = []
    if usage.total is not None:
        split = usage.split or DEFAULT_SPLIT
        input_tokens, output_tokens = split.split(usage.total)
        how = "assumed" if usage.split is None else "as asked"
        change = " (say 'split 1:1' to change it)" if usage.split is None else ""
        each = " a request" if usage.requests is not None else ""
        notes.append(
            f"{format_count(usage.total)} tokens{each} split {split} input:output {how}: "
            f"{input_tokens:,} in, {output_tokens:,} out{change}."
        )
    if usage.requests is None:
        notes.append(
            "Amounts are totals for the whole workload; add 'x N requests' to give "
            "per-request sizes and check context windows."
        )
    return notes


def _workload(usage: Usage) -> str:
    input_tokens, output_tokens = usage.per_request()
    text = (
        f"{format_count(input_tokens, group_digits=True)} in, "
        f"{format_count(output_tokens, group_digits=True)} out"
    )
    return f"{text} x {counted(usage.requests, 'request')}" if usage.requests else text


def _priced(
    query: CompareQuery | CostQuery, book: TariffBook, day: date, historical: bool
) -> PricedAnswer:
    names = query.models if isinstance(query, CompareQuery) else (query.model,)
    # "compare gpt-4 gpt-4-8k": one row per model, under the name it was first asked by.
    quotes: dict[str, Quote] = {}
    for name in names:
        quote = book.quote(name, day)
        quotes.setdefault(quote.tariff.model, quote)
    input_tokens, output_tokens = query.usage.per_request()
    rows = tuple(
        _row(q, input_tokens, output_tokens, historical, query.usage.requests)
        for q in quotes.values()
    )
    # A model that cannot take one request is no answer, however cheap.
    usable = [row for row in rows if row.fits_context is not False]
    cheapest = min(usable, key=lambda row: row.total_usd) if len(rows) > 1 and usable else None
    notes = _usage_notes(query.usage)
    summary = f"Total {format_usd(rows[0].total_usd)}" + (
        f" ({format_usd(rows[0].per_request_usd)} a request)."
        if rows[0].per_request_usd is not None
        else "."
    )
    if len(rows) > 1 and cheapest is None:
        summary = "No model named can take one request: each context window is too small."
    if cheapest is not None:
        dearest = max(rows, key=lambda row: row.total_usd)
        tied = [row.model for row in usable if row.total_usd == cheapest.total_usd]
        summary = (
            f"{cheapest.model} is the cheapest at {format_usd(cheapest.total_usd)}."
            if len(tied) == 1
            else f"{', '.join(tied[:-1])} and {tied[-1]} tie as the cheapest at "
            f"{format_usd(cheapest.total_usd)}."
        )
        if cheapest.total_usd > 0 and dearest.total_usd > cheapest.total_usd:
            times = (dearest.total_usd / cheapest.total_usd).quantize(Decimal("0.1"))
            summary = summary[:-1] + f"; {dearest.model} costs {times}x as much."
        if len(usable) < len(rows):
            summary += " Models whose context window is too small for one request are left out."
    verb = "Compare" if query.kind == "compare" else "Cost"
    return PricedAnswer(
        kind=query.kind,
        as_of=day,
        title=f"{verb}: {_workload(query.usage)}",
        usage=query.usage,
        rows=rows,
        cheapest=cheapest.model if cheapest else None,
        assumed_split=DEFAULT_SPLIT if query.usage.assumes_default_split else None,
        summary=summary,
        notes=tuple(notes),
    )


def _matches(tariff: Tariff, words: str | None) -> bool:
    """Every word of the filter appears in the model's names or provider."""
    if not words:
        return True
    haystack = " ".join((tariff.model, tariff.provider, tariff.name or "", *tariff.aliases)).lower()
    return all(word in haystack for word in words.lower().split())


def _cheapest(query: CheapestQuery, book: TariffBook, day: date, historical: bool) -> PricedAnswer:
    input_tokens, output_tokens = query.usage.per_request()
    per_request = input_tokens + output_tokens
    checks_window = query.usage.requests is not None
    candidates: list[tuple[Decimal, Tariff, PriceEntry]] = []
    undated = too_small = 0
    # The whole catalog is priced here, so only the cheapest few become Answer rows.
    for tariff in book.tariffs():
        if not _matches(tariff, query.filter) or tariff.is_retired_on(day):
            continue
        entry = tariff.entry_at(day)
        if entry is None:
            continue
        if historical and entry.effective is None:
            undated += 1
            continue
        if checks_window and (window := tariff.context_window_at(day)) and per_request > window:
            too_small += 1
            continue
        input_rate, output_rate = entry.rates_for(input_tokens if checks_window else None)
        total = cost_of(input_tokens, input_rate) + cost_of(output_tokens, output_rate)
        candidates.append((total, tariff, entry))
    candidates.sort(key=lambda candidate: candidate[0])
    rows = tuple(
        _row(
            Quote(tariff.model, tariff, entry, day),
            input_tokens,
            output_tokens,
            historical,
            query.usage.requests,
        )
        for _total, tariff, entry in candidates[:CHEAPEST_LIMIT]
    )
    notes = []
    if candidates:
        notes.append(f"Priced {counted(len(candidates), 'model')}; the cheapest are shown.")
    elif not (undated or too_small):
        notes.append(f"No model matches '{query.filter}' on {day.isoformat()}.")
    if undated:
        notes.append(
            f"{counted(undated, 'model')} with only undated catalog prices, which may not have "
            f"applied on {day.isoformat()}: left out."
        )
    if too_small:
        notes.append(
            f"{too_small:,} models with a context window smaller than one request: left out."
        )
    notes += _usage_notes(query.usage)
    scope = f" '{query.filter}'" if query.filter else ""
    return PricedAnswer(
        kind="cheapest",
        as_of=day,
        title=f"Cheapest{scope} models: {_workload(query.usage)}",
        usage=query.usage,
        rows=rows,
        cheapest=rows[0].model if rows else None,
        assumed_split=DEFAULT_SPLIT if query.usage.assumes_default_split else None,
        summary=(
            f"Cheapest: {rows[0].model} at {format_usd(rows[0].total_usd)}." if rows else None
        ),
        notes=tuple(notes),
    )


def _training_quote(name: str, book: TariffBook, day: date) -> tuple[Quote, Decimal]:
    """The fine-tuned variant of `name` and its training price on `day`, or a NoPrice that says
    why the model cannot be priced for fine-tuning."""
    tariff = book.resolve(name)
    tuned = book.fine_tuned_variant(tariff)
    if tuned is None:
        tunable = sorted(
            t.fine_tune_of
            for t in book.own_tariffs()
            if t.fine_tune_of is not None and t.entry_at(day) is not None
        )
        raise NoPrice(
            f"{tariff.display_name} cannot be fine-tuned, or no training price is known for it. "
            f"Models with training prices on {day.isoformat()}: {', '.join(tunable) or 'none'}.",
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


def _finetune(
    query: FinetuneQuery, book: TariffBook, day: date, historical: bool
) -> FinetuneAnswer:
    quote, training_rate = _training_quote(query.model, book, day)
    epochs = query.epochs or DEFAULT_EPOCHS
    trained = query.training_tokens * epochs
    notes = [] if query.epochs else [f"Epochs not given: {DEFAULT_EPOCHS} assumed."]
    notes += _price_warnings(quote, historical)
    notes.append(
        f"Using {quote.tariff.display_name} then costs {format_rate(quote.entry.input_per_mtok)}"
        f"/1M input and {format_rate(quote.entry.output_per_mtok)}/1M output tokens."
    )
    return FinetuneAnswer(
        as_of=day,
        title=f"Fine-tuning {normalize_name(query.model)}: {format_count(trained)} tokens trained",
        model=normalize_name(query.model),
        model_id=quote.tariff.model,
        name=quote.tariff.display_name,
        training_tokens=query.training_tokens,
        epochs=epochs,
        trained_tokens=trained,
        training_per_mtok=training_rate,
        training_usd=cost_of(trained, training_rate),
        input_per_mtok=quote.entry.input_per_mtok,
        output_per_mtok=quote.entry.output_per_mtok,
        effective=quote.entry.effective,
        training_source=quote.entry.source,
        summary=(
            f"Fine-tuning costs {format_usd(cost_of(trained, training_rate))}: "
            f"{trained:,} tokens at {format_rate(training_rate)}/1M."
        ),
        notes=tuple(notes),
    )


def _breakeven(
    query: BreakevenQuery, book: TariffBook, day: date, historical: bool
) -> BreakevenAnswer:
    tuned_quote, training_rate = _training_quote(query.tuned, book, day)
    base_quote = book.quote(query.base, day)
    output = query.output or 0
    epochs = query.epochs or DEFAULT_EPOCHS
    tuned_row = _row(tuned_quote, query.tuned_prompt, output, historical, requests=1)
    base_row = _row(base_quote, query.base_prompt, output, historical, requests=1)
    training_usd = cost_of(query.training_tokens * epochs, training_rate)
    saving = base_row.total_usd - tuned_row.total_usd
    requests = math.ceil(training_usd / saving) if saving > 0 else None
    notes = []
    if query.epochs is None:
        notes.append(f"Epochs not given: {DEFAULT_EPOCHS} assumed.")
    if query.output is None:
        notes.append("No output size given: requests priced on prompt tokens only.")
    if query.tuned_prompt > query.base_prompt:
        notes.append(
            f"The fine-tuned prompt ({query.tuned_prompt:,}) is longer than the base prompt "
            f"({query.base_prompt:,}); 'prompt 1500 -> 200' gives the long prompt first."
        )
    if requests is None:
        summary = (
            f"Never breaks even: a {tuned_row.model} request costs "
            f"{format_usd(tuned_row.total_usd)}, not less than {format_usd(base_row.total_usd)} "
            f"on {base_row.model}."
        )
    else:
        summary = (
            f"Breaks even after {counted(requests, 'request')}: fine-tuning costs "
            f"{format_usd(training_usd)} and saves {format_usd(saving)} a request."
        )
    too_small = [row.model for row in (tuned_row, base_row) if row.fits_context is False]
    if too_small:
        summary += f" But one request does not fit {' or '.join(too_small)}: see below."
    return BreakevenAnswer(
        as_of=day,
        title=f"Break-even: {tuned_row.model} vs {base_row.model}",
        rows=(tuned_row, base_row),
        training_tokens=query.training_tokens,
        epochs=epochs,
        training_usd=training_usd,
        saving_per_request_usd=saving,
        breakeven_requests=requests,
        training_source=tuned_quote.entry.source,
        summary=summary,
        notes=tuple(notes),
    )


def _tokens(query: TokensQuery, book: TariffBook, day: date, historical: bool) -> TokensAnswer:
    from pricing import tokens

    counts = {encoding: tokens.count(query.text, encoding) for encoding in tokens.ENCODINGS}
    rows = []
    for name in TOKENS_PRICED_ON:
        try:
            quote = book.quote(name, day)
        except NoPrice:
            continue  # e.g. gpt-4o on a 2023 date: not yet released
        encoding = tokens.encoding_name_for(quote.tariff.model)
        # Sending the text once is one request: its context window and rate tier apply.
        row = _row(quote, counts[encoding or tokens.ESTIMATE_ENCODING], 0, historical, requests=1)
        if encoding is None:
            estimate = (
                f"Estimated with {tokens.ESTIMATE_ENCODING}: {quote.tariff.display_name}'s own "
                "tokenizer is not available offline."
            )
            row = row.model_copy(update={"warnings": (*row.warnings, estimate)})
        rows.append(row)
    used_by = {
        "cl100k_base": "GPT-4, GPT-3.5 Turbo",
        "o200k_base": "GPT-4o, GPT-4.1, GPT-5, o-series",
    }
    summary = ", ".join(f"{counted(n, 'token')} in {encoding}" for encoding, n in counts.items())
    return TokensAnswer(
        as_of=day,
        title=f"Tokens in {counted(len(query.text), 'character')}",
        characters=len(query.text),
        counts=tuple(
            TokenCountRow(encoding=e, tokens=n, used_by=used_by.get(e, ""))
            for e, n in counts.items()
        ),
        rows=tuple(rows),
        summary=summary[0].upper() + summary[1:] + ".",
        notes=("Cost of sending the text once as input, on each model's own tokenizer.",),
    )


def _tariff_row(tariff: Tariff, entry: PriceEntry, day: date) -> TariffRow:
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
    )


def _models(query: ModelsQuery, book: TariffBook, day: date, historical: bool) -> TableAnswer:
    if query.filter:
        candidates = [t for t in book.tariffs() if _matches(t, query.filter)]
    else:
        candidates = book.own_tariffs()
    priced = [(t, e) for t in candidates if (e := t.entry_at(day)) is not None]
    # As in 'cheapest': an undated catalog price is only known to hold today.
    undated = [(t, e) for t, e in priced if historical and e.effective is None]
    priced = [(t, e) for t, e in priced if not (historical and e.effective is None)]
    rows = tuple(_tariff_row(t, e, day) for t, e in priced[:MODELS_TABLE_LIMIT])
    notes = []
    if len(priced) > len(rows):
        notes.append(
            f"Showing {len(rows)} of {len(priced)} models; narrow the filter to see the rest."
        )
    if not query.filter:
        # Counting the catalog would load it (~0.15 s) just for this line.
        notes.append(
            "Many more models from genai-prices: filter by name or provider, "
            "e.g. 'models claude' or 'models mistral'."
        )
    if not priced and not undated:
        notes.append(f"No model matches '{query.filter}' on {day.isoformat()}.")
    if undated:
        notes.append(
            f"{counted(len(undated), 'model')} with only undated catalog prices, which may not "
            f"have applied on {day.isoformat()}: left out."
        )
    title = f"Models matching '{query.filter}'" if query.filter else "Models"
    return TableAnswer(
        kind="models",
        as_of=day,
        title=f"{title}, prices per 1M tokens",
        rows=rows,
        matched=len(priced),
        notes=tuple(notes),
    )


def _price(query: PriceQuery, book: TariffBook, day: date, historical: bool) -> TableAnswer:
    quote = book.quote(query.model, day)
    return TableAnswer(
        kind="price",
        as_of=day,
        title=f"{quote.tariff.display_name}, prices per 1M tokens",
        rows=(_tariff_row(quote.tariff, quote.entry, day),),
        matched=1,
        notes=tuple(_price_warnings(quote, historical)),
    )


def _history(query: HistoryQuery, book: TariffBook, day: date) -> TableAnswer:
    tariff = book.resolve(query.model)
    rows = tuple(_tariff_row(tariff, entry, day) for entry in tariff.entries)
    notes = []
    if tariff.retired is not None:
        notes.append(f"Shut down on {tariff.retired.isoformat()}.")
    if len(rows) == 1 and rows[0].effective is None:
        notes.append("The source records only the current price, without a start date.")
    return TableAnswer(
        kind="history",
        as_of=day,
        title=f"Price history of {tariff.display_name}, per 1M tokens",
        rows=rows,
        matched=len(rows),
        notes=tuple(notes),
    )

"""budget: what a budget buys, the inverse of `cost`.

`budget $500 gpt-4o 2k in 500 out` counts the whole requests of that size $500 pays for on each
model named, most first; with `per month` (or day, week, year) the budget is per period and the
counts are for the period and for a day. Without a request size it counts the tokens the budget
buys at the input:output split (3:1 unless told). In a budget a size is the size of one request,
so `x N requests` has no place in it: the budget says how many requests."""

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from pricing.answers import BudgetAnswer, BudgetRow, PricedRow
from pricing.costing import (
    STANDARD,
    Terms,
    long_context_warning,
    price_warnings,
    priced_row,
    rate_card,
    reads_beyond_standard,
    split_note,
)
from pricing.errors import ParseError
from pricing.lexicon import (
    MAX_MONEY,
    PERIOD_DAYS,
    PERIOD_HOURS,
    PERIOD_WORDS,
    Cursor,
    as_of_words,
    money_words,
    read_usage,
    render_names,
    render_usage,
    words,
)
from pricing.money import EXACT, MTOK, format_usd
from pricing.quantities import DEFAULT_SPLIT, Ratio, format_count
from pricing.query import Period, PricedQuery, Usage
from pricing.refinement import (
    EXAMPLE_DATE,
    CannotApply,
    Changes,
    Reply,
    changed_models,
    changed_usage,
    drops,
    refuse,
    size_follow_ups,
)
from pricing.tariffs import Quote
from pricing.verbs.spec import PricingDay

EXAMPLE = "budget $500 gpt-4o 2k in 500 out"
SUMMARY = "What a budget buys: whole requests of one size (or tokens) on each model named."
DETAILS = (
    "'budget $500 gpt-4o 2k in 500 out': the requests of that size $500 pays for, most "
    "first. Amounts: $500, 500 usd, $1.5k, $2,000 (quote '$' in a shell).",
    "Add 'per hour', 'per day', 'per week', 'per month', 'per quarter' or 'per year' (or "
    "'$1.5k/mo') for a budget per period: a week is 7 days, a month 30, a quarter 91.25, a "
    "year 365; the counts are for the period and for a day. A bare number right after "
    "'budget' is dollars.",
    "Without a request size, the tokens it buys at a 3:1 input:output split ('split 1:1' "
    "to change it). Add 'as of 2023-08-22' for the prices in force on that date.",
)
MORE_EXAMPLES = (
    "budget $500 per month gpt-4o claude-sonnet-4 2k in 500 out",
    "budget 100 usd gpt-4o",
)
BUDGET_REPLIES = True

NO_REQUESTS = (
    "In 'budget', a size is the size of one request: 'x N requests' has no place in it, "
    "because the budget says how many requests it pays for."
)


class BudgetQuery(PricedQuery):
    kind: Literal["budget"] = "budget"
    budget: Decimal = Field(gt=0, le=MAX_MONEY)
    period: Period | None = None
    models: tuple[str, ...] = Field(min_length=1)
    # The size of one request; None: count the tokens the budget buys instead.
    request: Usage | None = None
    # How those tokens divide (3:1 unless told); a request's own split lives in `request`.
    split: Ratio | None = None

    @model_validator(mode="after")
    def _one_request(self) -> "BudgetQuery":
        if self.request is not None and self.request.requests is not None:
            raise ValueError(NO_REQUESTS)
        if self.request is not None and self.split is not None:
            raise ValueError("the split of a request size belongs to that size")
        return self


QUERY = BudgetQuery


# -- grammar ---------------------------------------------------------------------------------


def _suggestion(budget: Decimal | None, models: list[str], request: Usage | None) -> str:
    """A budget question that works when pasted, keeping what the user got right."""
    money = money_words(budget) if budget else "$500"
    named = render_names(models) or "gpt-4o"
    size = f" {render_usage(request)}" if request is not None else ""
    return f"budget {money} {named}{size}"


def parse(after: str) -> BudgetQuery:
    cursor = Cursor(words(after), "budget", EXAMPLE)
    budget: Decimal | None = None
    period: Period | None = None

    def take_money_or_period(cursor: Cursor) -> bool:
        nonlocal budget, period
        if (money := cursor.take_money()) is not None:
            budget = cursor.once(budget, money, "budget")
            return True
        if (said := cursor.take_period()) is None and (
            said := PERIOD_WORDS.get(cursor.peek() or "")
        ):
            cursor.position += 1  # "$500 month": a bare period word says it too
        if said is not None:
            period = cursor.once(period, said, "period")
            return True
        return False

    amounts = read_usage(cursor, take_money_or_period)
    request = amounts.usage
    if (request is not None and request.requests is not None) or amounts.requests is not None:
        if request is not None:
            request = request.model_copy(update={"requests": None})
        example = _suggestion(budget, amounts.models, request)
        raise ParseError(f"{NO_REQUESTS} Try: {example}", suggestions=[example])
    if budget is None:
        example = _suggestion(None, amounts.models, request)
        raise ParseError(
            f"How much can you spend? Give a budget like '$500' or '500 usd'. Try: {example}",
            suggestions=[example],
        )
    if budget == 0:
        example = _suggestion(None, amounts.models, request)
        raise ParseError(f"A budget must be more than $0. Try: {example}", suggestions=[example])
    if not amounts.models:
        example = _suggestion(budget, [], request)
        raise ParseError(f"Which models? Name one or more. Try: {example}", suggestions=[example])
    return BudgetQuery(
        budget=budget,
        period=period,
        models=tuple(amounts.models),
        request=request,
        split=amounts.split,
        as_of=cursor.as_of,
    )


def render(query: BudgetQuery) -> str:
    parts = ["budget", money_words(query.budget)]
    if query.period is not None:
        parts.append(f"per {query.period}")
    parts.append(render_names(query.models))
    if query.request is not None:
        parts.append(render_usage(query.request))
    if query.split is not None:
        parts.append(f"split {query.split}")
    return " ".join(parts) + as_of_words(query.as_of)


# -- engine ----------------------------------------------------------------------------------


DAY = Decimal(24)  # hours: a period's share of a day is its hours over these


def _whole(amount: Decimal, price: Decimal) -> int:
    """How many whole `price`s `amount` pays for, rounded down, exactly."""
    return int(EXACT.divide_int(amount, price))


def _request_row(quote: Quote, query: BudgetQuery, hours: int | None, at: PricingDay) -> BudgetRow:
    assert query.request is not None
    input_tokens, output_tokens = query.request.per_request()
    # One request, priced as `cost` prices it: long-context rates, context window, warnings.
    terms = Terms.of(query.request)
    priced = priced_row(quote, input_tokens, output_tokens, at.historical, requests=1, terms=terms)
    per_request = priced.per_request_usd
    assert per_request is not None
    warnings = list(priced.warnings)
    requests = per_day = None
    if priced.fits_context is not False:
        if per_request == 0:
            warnings.append(f"{quote.tariff.display_name} is free at these rates: no count.")
        else:
            requests = _whole(query.budget, per_request)
            if hours is not None:  # a day's share of the budget, in whole hours: exact
                per_day = _whole(EXACT.multiply(query.budget, DAY), per_request * hours)
    return _row(priced, per_request, requests, per_day, None, None, warnings)


def _token_row(quote: Quote, query: BudgetQuery, hours: int | None, at: PricingDay) -> BudgetRow:
    split = query.split or DEFAULT_SPLIT
    entry = quote.entry
    input_rate, output_rate = entry.input_per_mtok, entry.output_per_mtok
    # The price of 1M tokens divided split:1 between input and output.
    weighted = EXACT.add(
        EXACT.multiply(split.input, input_rate), EXACT.multiply(split.output, output_rate)
    )
    blended = EXACT.divide(weighted, EXACT.add(split.input, split.output))
    warnings = price_warnings(quote, at.historical)
    if entry.long_context:
        remedy = "give the size of one request, e.g. '2k in 500 out', to apply it"
        card = rate_card(entry, quote.tariff.display_name, quote.day, STANDARD, None, False)
        warnings.append(long_context_warning(quote, STANDARD, None, card, remedy))
    tokens = per_day = None
    if blended == 0:
        warnings.append(f"{quote.tariff.display_name} is free at these rates: no count.")
    else:
        budget_tokens = EXACT.multiply(query.budget, MTOK)
        tokens = _whole(budget_tokens, blended)
        if hours is not None:
            per_day = _whole(EXACT.multiply(budget_tokens, DAY), EXACT.multiply(blended, hours))
    priced = priced_row(quote, 0, 0, at.historical)
    return _row(priced, None, None, None, tokens, per_day, warnings)


def _row(
    priced: PricedRow,
    per_request: Decimal | None,
    requests: int | None,
    requests_per_day: int | None,
    tokens: int | None,
    tokens_per_day: int | None,
    warnings: list[str],
) -> BudgetRow:
    return BudgetRow(
        model=priced.model,
        model_id=priced.model_id,
        name=priced.name,
        provider=priced.provider,
        input_per_mtok=priced.input_per_mtok,
        output_per_mtok=priced.output_per_mtok,
        per_request_usd=per_request,
        requests=requests,
        requests_per_day=requests_per_day,
        tokens=tokens,
        tokens_per_day=tokens_per_day,
        context_window=priced.context_window,
        fits_context=priced.fits_context,
        effective=priced.effective,
        source=priced.source,
        warnings=tuple(warnings),
    )


def dollars(amount: Decimal) -> str:
    """'$500', '$1,500', '$12.50': a budget as people say it (whole dollars without cents)."""
    return format_usd(amount, 0) if amount == amount.to_integral_value() else format_usd(amount)


def about_tokens(tokens: int) -> str:
    """'about 22.86 million', 'about 1.5 billion', '950,000': a token count said aloud."""
    for scale, word in ((10**9, "billion"), (10**6, "million")):
        if tokens >= scale:
            return (
                f"about {(Decimal(tokens) / scale).quantize(Decimal('0.01')).normalize():f} {word}"
            )
    return f"{tokens:,}"


def _summary(query: BudgetQuery, rows: list[BudgetRow]) -> str:
    money = dollars(query.budget) + (f" a {query.period}" if query.period else "")
    per = f" a {query.period}" if query.period else ""
    if query.request is None:
        counted_rows = [row for row in rows if row.tokens is not None]
        if not counted_rows:
            return f"No model named has a price to divide {money} by."
        top = counted_rows[0]
        assert top.tokens is not None
        most = "the most tokens" if len(rows) > 1 else "tokens"
        return f"{money} buys {most} on {top.model}: {about_tokens(top.tokens)}{per}."
    counted_rows = [row for row in rows if row.requests is not None]
    if not counted_rows:
        return "No model named can take one request: each context window is too small."
    top = counted_rows[0]
    assert top.requests is not None
    assert top.per_request_usd is not None
    daily = ""
    if top.requests_per_day is not None and query.period != "day":
        daily = f" ({top.requests_per_day:,} a day)"
    at = f" at {format_usd(top.per_request_usd)} a request."
    if len(rows) == 1:
        return f"{money} pays for {top.requests:,} {top.model} requests{per}{daily}{at}"
    return f"{money} pays for the most requests on {top.model}: {top.requests:,}{per}{daily}{at}"


def _notes(query: BudgetQuery) -> list[str]:
    notes = []
    if query.period is not None:
        hours = PERIOD_HOURS[query.period]
        daily = format_usd(EXACT.divide(EXACT.multiply(query.budget, DAY), Decimal(hours)))
        lengths = (
            "an hour is 1/24 of a day, a week 7 days, a month 30 days, a quarter 91.25 days, "
            "a year 365 days"
        )
        if query.period == "day":
            notes.append(f"Counts are for one day ({lengths}).")
        else:
            notes.append(
                f"Counts are for one {query.period} and for one day ({lengths}): "
                f"{dollars(query.budget)} a {query.period} is {daily} a day."
            )
    if query.request is not None:
        notes.append("Counts are whole requests, rounded down.")
        if query.request.total is not None:
            notes.append(split_note(query.request.total, query.request.split, " a request"))
    else:
        split = query.split or DEFAULT_SPLIT
        how = "assumed (say 'split 1:1' to change it)" if query.split is None else "as asked"
        notes.append(
            f"No request size given: whole tokens, rounded down, split {split} input:output "
            f"{how}. Give the size of one request, e.g. '2k in 500 out', to count requests."
        )
    return notes


def _title(query: BudgetQuery) -> str:
    money = dollars(query.budget) + (f" a {query.period}" if query.period else "")
    if query.request is None:
        return f"Budget: {money} in tokens, split {query.split or DEFAULT_SPLIT}"
    input_tokens, output_tokens = query.request.per_request()
    return (
        f"Budget: {money} for requests of {format_count(input_tokens, group_digits=True)} in, "
        f"{format_count(output_tokens, group_digits=True)} out"
    )


def _count_key(count: int | None) -> tuple[bool, int]:
    return count is None, -(count or 0)


def answer(query: BudgetQuery, at: PricingDay) -> BudgetAnswer:
    # "budget $5 gpt-4 gpt-4-8k": one row per model, under the name it was first asked by.
    quotes: dict[str, Quote] = {}
    complete = query.request is not None and reads_beyond_standard(Terms.of(query.request))
    for name in query.models:
        quote = at.book.quote(name, at.day, complete)
        quotes.setdefault(quote.tariff.model, quote)
    hours = PERIOD_HOURS[query.period] if query.period else None
    make_row = _request_row if query.request is not None else _token_row
    rows = [make_row(quote, query, hours, at) for quote in quotes.values()]
    # Most first; a model with no count (it cannot take one request) last, in the order named.
    rows.sort(key=lambda row: _count_key(row.requests if query.request else row.tokens))
    return BudgetAnswer(
        as_of=at.day,
        title=_title(query),
        budget_usd=query.budget,
        period=query.period,
        period_days=PERIOD_DAYS[query.period] if query.period else None,
        request=query.request,
        split=None if query.request is not None else query.split or DEFAULT_SPLIT,
        assumed_split=(
            DEFAULT_SPLIT
            if (query.request is None and query.split is None)
            or (query.request is not None and query.request.assumes_default_split)
            else None
        ),
        rows=tuple(rows),
        summary=_summary(query, rows),
        notes=tuple(_notes(query)),
    )


# -- thread follow-ups -----------------------------------------------------------------------


def follow_ups(previous: BudgetQuery) -> list[str]:
    money = "$1000" if previous.budget != 1000 else "$500"
    other = "gpt-4.1" if "gpt-4.1" not in previous.models else "gpt-4o-mini"
    period = "per day" if previous.period != "day" else "per month"
    size = (
        size_follow_ups(previous.request, "4k in 1k out")[0]
        if previous.request is not None
        else "make it 2k in 500 out"
    )
    return [
        f"make it {money}",
        f"what about {other}",
        period,
        *drops(previous.models)[-1:],
        size,
        EXAMPLE_DATE,
    ]


def _changed_size(previous: BudgetQuery, changes: Changes) -> tuple[Usage | None, Ratio | None]:
    """(request size, split without one) after the reply's changes."""
    if previous.request is not None:
        # The period is the budget's own, never the request size's.
        return changed_usage(previous.request, changes).model_copy(update={"period": None}), None
    sized = any(value is not None for value in (changes.total, changes.input, changes.output))
    if changes.dims.said():
        raise CannotApply(
            "Cache shares, tiers and times of day price a request; give its size too.",
            "make it 2k in 500 out",
        )
    if not sized:
        return None, changes.split or previous.split
    if changes.total is not None and (changes.input is not None or changes.output is not None):
        raise CannotApply(
            "Give either a total or input/output amounts, not both.",
            f"make it {format_count(changes.total)} tokens",
        )
    if changes.total is None:
        if changes.split is not None:
            raise CannotApply(
                "A split divides a total, and this reply gives input and output amounts.",
                "make it 2k tokens split 1:1",
            )
        return Usage(input=changes.input, output=changes.output), None
    return Usage(total=changes.total, split=changes.split or previous.split), None


def apply(previous: BudgetQuery, reply: Reply) -> BudgetQuery:
    """Money replaces the budget, a period the period, sizes the request size; models are
    added ('what about', 'add') or dropped as in a comparison."""
    changes = reply.changes
    refuse(previous, changes, "training", "epochs", "prompts")
    if changes.requests is not None or changes.times is not None:
        raise CannotApply(NO_REQUESTS)
    if changes.budget == 0:
        raise CannotApply("A budget must be more than $0.", "make it $1000")
    request, split = _changed_size(previous, changes)
    return BudgetQuery(
        budget=previous.budget if changes.budget is None else changes.budget,
        period=changes.period or previous.period,
        models=tuple(changed_models(previous.models, reply.form, changes)),
        request=request,
        split=split,
        as_of=reply.as_of,
    )

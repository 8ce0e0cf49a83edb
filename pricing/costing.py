"""The one way a usage is priced against a model's rates, and the warnings and notes that go
with it; shared by every verb's engine."""

import itertools
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from pricing.answers import PricedRow, PricePart, Rate, RequestFee, TariffRow
from pricing.errors import NoPrice
from pricing.lexicon import PERIOD_HOURS, PERIOD_LENGTHS, SELLER_LEADS, SELLER_NAMES
from pricing.money import EXACT, MTOK, cost_of, format_rate, format_usd, request_fee_of
from pricing.quantities import DEFAULT_SPLIT, Ratio, counted, format_count
from pricing.query import AskedTier, CacheTokens, Period, Usage
from pricing.tariffs import (
    INPUT_SIDE,
    RATE_KINDS,
    PriceEntry,
    Quote,
    RateKind,
    RateVariant,
    Tariff,
    TariffBook,
    Tier,
    TrainingStop,
    composed_variant,
    fallback_kind,
    name_parts,
    normalize_name,
    with_fallbacks,
)

NO_CACHE = CacheTokens(0, 0, 0)
CACHE_KINDS: tuple[RateKind, ...] = ("cache_read", "cache_write", "cache_write_1h")
TIER_WORDS: dict[Tier, str] = {
    "standard": "standard",
    "batch": "batch",
    "flex": "flex",
    "priority": "priority",
    "off_peak": "off-peak",
}
_CACHE_NAMES: dict[RateKind, str] = {
    "cache_read": "cached-input",
    "cache_write": "cache-write",
    "cache_write_1h": "1-hour cache-write",
}


@dataclass(frozen=True)
class Terms:
    """How a usage is billed beyond its token counts: cache reads and writes among the input
    tokens of one request, and the tier or time of day asked for."""

    cache: CacheTokens = NO_CACHE
    tier: AskedTier | None = None
    clock: time | None = None
    utc_assumed: bool = False

    @cached_property
    def cache_kinds(self) -> tuple[RateKind, ...]:
        """The cache kinds this bills tokens of."""
        return tuple(kind for kind, n in zip(CACHE_KINDS, self.cache, strict=True) if n)

    @staticmethod
    def of(usage: Usage, input_tokens: int | None = None) -> "Terms":
        return Terms(usage.cache_tokens(input_tokens), usage.tier, usage.clock, usage.utc_assumed)


STANDARD = Terms()


def reads_beyond_standard(terms: Terms) -> bool:
    """Whether pricing on `terms` reads more of a price than its standard rates: a tier, a
    time of day or cache rates. Only then is a bundled price completed from the catalog
    (`TariffBook.entry_on`), which a plain question's cold start does not load."""
    return bool(terms.tier or terms.clock or terms.cache_kinds)


class RateCard(NamedTuple):
    """The rate of each dimension that applies to one request, and what the reader must know
    about how it was chosen. (A tuple: the whole catalog is priced with one each.)"""

    rates: Mapping[RateKind, Decimal]
    tier: Tier
    long_context: bool
    notes: tuple[str, ...]
    # The applied tier's own source, where it has one apart from the price's.
    tier_source: str | None = None
    # The long-context thresholds of these terms' rates (the standard ones and the tier's),
    # ascending: a request with more input tokens than one is billed at other rates.
    thresholds: tuple[int, ...] = ()


def window_words(variant: RateVariant) -> str:
    """'16:30-00:30 UTC' (several windows joined with 'and')."""
    return " and ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in variant.windows) + " UTC"


def _tier_in_force(
    entry: PriceEntry, name: str, day: date, terms: Terms, explain: bool
) -> tuple[RateVariant | None, list[str]]:
    """The variant the terms ask for on `day`, or None (the standard rate) with a note why
    (when `explain`: ranking the whole catalog needs no words). A time of day and a tier
    together: the tier's rates over those of the time of day, as genai-prices layers them."""
    if not entry.variants and terms.tier is None and terms.clock is None:
        return None, []  # most of the catalog: nothing to look for
    off_peak = entry.variant("off_peak", day)
    timed: RateVariant | None = None
    notes: list[str] = []
    if terms.clock is not None:
        if off_peak is not None and off_peak.in_window(terms.clock):
            timed = off_peak
        notes = _explained(explain, _clock_note, entry, name, terms)
        if terms.tier is None or terms.tier == "off_peak":
            return timed, notes
    elif terms.tier is None:
        if off_peak is None or not explain:
            return None, []
        return None, [
            f"Standard rate; {name} is cheaper off-peak ({window_words(off_peak)}): "
            "add 'off-peak' or a time like 'at 18:00 UTC'."
        ]
    variant = entry.variant(terms.tier, day)
    if variant is None:
        later = entry.next_variant(terms.tier, day)
        return timed, [*notes, *_explained(explain, _tier_note, later, name, terms, day)]
    if timed is not None:
        variant = composed_variant([variant, timed])
    return variant, notes


def _explained(explain: bool, note: Callable[..., str], *args: object) -> list[str]:
    return [note(*args)] if explain else []


def _clock_note(entry: PriceEntry, name: str, terms: Terms) -> str:
    assert terms.clock is not None
    clock = f"{terms.clock:%H:%M} UTC" + (" (UTC assumed)" if terms.utc_assumed else "")
    off_peak = entry.variant("off_peak")
    if off_peak is None:
        return f"{name} has no time-of-day prices; {clock} changes nothing."
    if off_peak.in_window(terms.clock):
        return f"At {clock} {name}'s off-peak rate applies ({window_words(off_peak)})."
    return (
        f"At {clock} {name}'s standard rate applies; its off-peak rate applies "
        f"{window_words(off_peak)}."
    )


def _tier_note(variant: RateVariant | None, name: str, terms: Terms, day: date) -> str:
    assert terms.tier is not None
    word = TIER_WORDS[terms.tier]
    if variant is None or variant.since is None:
        return f"{name} has no {word} rate; priced at its standard rate."
    known = "known since" if variant.recorded else "starts on"
    return (
        f"{name}'s {word} rate {known} {variant.since.isoformat()}; priced at its "
        f"standard rate on {day.isoformat()}."
    )


def _cache_note(name: str, kind: RateKind, rates: Mapping[RateKind, Decimal]) -> str:
    billed = "5-minute cache-write" if fallback_kind(kind, rates) == "cache_write" else "input"
    return (
        f"{name} states no {_CACHE_NAMES[kind]} rate; those tokens are priced at its {billed} rate."
    )


def _tier_cache_note(
    name: str, variant: RateVariant, rates: Mapping[RateKind, Decimal]
) -> list[str]:
    """A tier whose cache reads cost no less than its input: said, as nobody would guess it."""
    if variant.cache_read_per_mtok is not None or rates["cache_read"] < rates["input"]:
        return []
    word = TIER_WORDS[variant.tier]
    if rates["cache_read"] == rates["input"]:
        return [
            f"{name}'s {word} rates have no cache discount: cache reads are billed at its "
            f"{word} input rate ({format_rate(rates['input'])} per 1M)."
        ]
    return [
        f"{name}'s {word} rates state no cached-input rate: cache reads are billed at its "
        f"standard cached-input rate ({format_rate(rates['cache_read'])} per 1M), above its "
        f"{word} input rate ({format_rate(rates['input'])})."
    ]


def rate_card(
    entry: PriceEntry,
    name: str,
    day: date,
    terms: Terms,
    request_input: int | None,
    explain: bool = True,
) -> RateCard:
    """The rates that bill a request of `request_input` input tokens (None: size unknown, the
    base rates) on the terms asked, each dimension as genai-prices resolves it: the tier's
    own rate where it states one (at the request's size, by the tier's own long-context
    rates), else the standard rate at that size. It holds input and output and every cache
    kind the terms bill tokens of."""
    standard = entry.standard
    if not explain and not entry.variants and (request_input is None or not entry.long_context):
        # Most of the catalog, ranked: the standard rates, their fallbacks worked out once.
        thresholds = tuple(tier.above for tier in entry.long_context)
        return RateCard(standard.filled(terms.cache_kinds), "standard", False, (), None, thresholds)
    rates, long_context = entry.rates_at(request_input)  # shared: copied before any change
    aboves = {tier.above for tier in entry.long_context}
    variant, notes = _tier_in_force(entry, name, day, terms, explain)
    if variant is not None:
        tier_rates, tier_long_context = variant.rates_at(request_input)
        if long_context or tier_long_context:
            # A tier's flat rate over a standard long-context one is no long-context rate.
            long_context = {**rates, **tier_rates} != {
                **entry.rates_at(None)[0],
                **variant.rates_at(None)[0],
            }
        rates = {**rates, **tier_rates}
        aboves |= {tier.above for tier in variant.long_context}
    # A cache kind without a rate is billed as what it is part of: writes of an hour at the
    # 5-minute write rate, any other at the input rate (genai-prices counts them the same way).
    if terms.cache != NO_CACHE:
        missing = tuple(kind for kind in terms.cache_kinds if kind not in rates)
        if missing:
            shared = rates is standard.rate_map
            rates = standard.filled(missing) if shared else with_fallbacks(rates, missing)
            if explain:
                notes += [_cache_note(name, kind, rates) for kind in missing]
    if explain and variant is not None and "cache_read" in terms.cache_kinds:
        notes += _tier_cache_note(name, variant, rates)
    tier: Tier = variant.tier if variant is not None else "standard"
    return RateCard(
        rates=rates,
        tier=tier,
        long_context=long_context,
        notes=tuple(notes),
        tier_source=variant.source if variant is not None else None,
        thresholds=tuple(sorted(aboves)),
    )


def part_tokens(input_tokens: int, output_tokens: int, cache: CacheTokens) -> dict[RateKind, int]:
    """Each input token in exactly one input-side kind (cache reads and writes are part of the
    input), and the output: the tokens of each part, in RATE_KINDS order."""
    uncached = input_tokens - sum(cache)
    if uncached < 0:
        raise ValueError("cache reads and writes exceed the input tokens")
    return {
        "input": uncached,
        "cache_read": cache.read,
        "cache_write": cache.write,
        "cache_write_1h": cache.write_1h,
        "output": output_tokens,
    }


def cost_parts(
    card: RateCard, input_tokens: int, output_tokens: int, cache: CacheTokens, count: int = 1
) -> tuple[PricePart, ...]:
    """The one way tokens become money, part by part, for `count` requests."""
    tokens = part_tokens(input_tokens, output_tokens, cache)
    return tuple(
        PricePart(
            kind=kind,
            tokens=tokens[kind] * count,
            per_mtok=card.rates[kind],
            usd=cost_of(tokens[kind] * count, card.rates[kind]),
        )
        for kind in RATE_KINDS
        # Input and output are always shown; a cache kind only when the usage has some.
        if kind in ("input", "output") or tokens[kind]
    )


def token_weights(
    input_tokens: int, output_tokens: int, cache: CacheTokens
) -> dict[RateKind, Decimal]:
    """The tokens of each part that has any, as Decimals: what `usage_cost` weighs rates by
    (worked out once for a workload priced on many models)."""
    tokens = part_tokens(input_tokens, output_tokens, cache)
    return {kind: Decimal(count) for kind, count in tokens.items() if count}


def usage_cost(rates: Mapping[RateKind, Decimal], weights: Mapping[RateKind, Decimal]) -> Decimal:
    """What `cost_parts` sums to, without building the parts (the same exact sum, divided
    once)."""
    return EXACT.divide(micro_cost(rates, tuple(weights.items())), MTOK)


def micro_cost(
    rates: Mapping[RateKind, Decimal], weights: tuple[tuple[RateKind, Decimal], ...]
) -> Decimal:
    """The same total in millionths of a dollar: rates are per million tokens, so ranking by
    it needs no division at all. `weights` are `token_weights`' items, made a tuple once."""
    weighted = Decimal(0)
    for kind, count in weights:
        weighted = EXACT.fma(count, rates[kind], weighted)
    return weighted


def ranking_cost(
    entry: PriceEntry,
    day: date,
    terms: Terms,
    request_input: int | None,
    weights: tuple[tuple[RateKind, Decimal], ...],
) -> Decimal:
    """The total `priced_row` gives for one request (`request_input` None: amounts that are
    totals), in millionths of a dollar, for ranking a whole catalog: the rates of `rate_card`
    (its own shortcut for a model with one standard rate), summed by `micro_cost`, and the
    request fee when requests are counted."""
    if not entry.variants and (request_input is None or not entry.long_context):
        cost = micro_cost(entry.standard.filled(terms.cache_kinds), weights)
    else:
        card = rate_card(entry, "", day, terms, request_input, explain=False)
        cost = micro_cost(card.rates, weights)
    if entry.per_k_requests is not None and request_input is not None:
        # $X per 1,000 requests is X/1,000 dollars a request: X x 1,000 millionths.
        cost = EXACT.fma(entry.per_k_requests, Decimal(1000), cost)
    return cost


def total_of(parts: tuple[PricePart, ...], side: frozenset[RateKind] | None = None) -> Decimal:
    """The parts' sum (on one `side`), exact: the default context would round past 28 digits."""
    total = Decimal(0)
    for part in parts:
        if side is None or part.kind in side:
            total = EXACT.add(total, part.usd)
    return total


def priced_row(
    quote: Quote,
    input_tokens: int,
    output_tokens: int,
    historical: bool,
    requests: int | None = None,
    terms: Terms = STANDARD,
) -> PricedRow:
    """Cost of `input_tokens`/`output_tokens` per request, times `requests` when given, on the
    `terms` asked (cache reads and writes among the input tokens, a tier, a time of day)."""
    entry, tariff = quote.entry, quote.tariff
    count = requests or 1
    request_input = input_tokens if requests else None
    card = rate_card(entry, tariff.display_name, quote.day, terms, request_input)
    parts = cost_parts(card, input_tokens, output_tokens, terms.cache, count)
    input_usd = total_of(parts, INPUT_SIDE)
    output_usd = total_of(parts, frozenset({"output"}))
    fee = request_fee(entry, requests)
    per_request = (
        EXACT.add(
            total_of(cost_parts(card, input_tokens, output_tokens, terms.cache)),
            request_fee_of(1, entry.per_k_requests or Decimal(0)),
        )
        if requests
        else None
    )
    window = quote.context_window
    fits = None if not requests or window is None else input_tokens + output_tokens <= window
    return PricedRow(
        model=quote.requested,
        model_id=tariff.model,
        fits_context=fits,
        name=tariff.display_name,
        provider=tariff.provider,
        input_tokens=input_tokens * count,
        output_tokens=output_tokens * count,
        input_per_mtok=card.rates["input"],
        output_per_mtok=card.rates["output"],
        input_usd=input_usd,
        output_usd=output_usd,
        total_usd=EXACT.add(EXACT.add(input_usd, output_usd), fee.usd if fee else Decimal(0)),
        per_request_usd=per_request,
        request_fee=fee,
        context_window=window,
        effective=entry.effective,
        source=(
            f"{entry.source}; {TIER_WORDS[card.tier]} rates: {card.tier_source}"
            if card.tier_source and card.tier_source != entry.source
            else entry.source
        ),
        lifecycle_source=lifecycle_source(tariff, quote.day),
        warnings=tuple(
            _row_warnings(quote, card, terms, historical, request_input, output_tokens, fits)
        ),
        tier=card.tier,
        parts=parts,
    )


def request_fee(entry: PriceEntry, requests: int | None) -> RequestFee | None:
    """The fee of `requests` requests, for a price that has one and a question that counts
    them."""
    if entry.per_k_requests is None or not requests:
        return None
    return RequestFee(
        requests=requests,
        per_k_requests=entry.per_k_requests,
        usd=request_fee_of(requests, entry.per_k_requests),
    )


def _row_warnings(
    quote: Quote,
    card: RateCard,
    terms: Terms,
    historical: bool,
    request_input: int | None,
    output_tokens: int,
    fits: bool | None,
) -> list[str]:
    """What a priced row must say: the model's lifecycle, a fee left out, long-context rates,
    how the rates were chosen, and a request that does not fit."""
    entry, name = quote.entry, quote.tariff.display_name
    warnings = price_warnings(quote, historical)
    if entry.per_k_requests and request_input is None:
        warnings.append(
            f"{name} also bills {format_rate(entry.per_k_requests)} per 1,000 requests, not in "
            "this total: add 'x N requests' to include it."
        )
    if card.thresholds and (request_input is None or card.long_context):
        warnings.append(long_context_warning(quote, terms, request_input, card))
    warnings.extend(card.notes)
    if fits is False:
        window = quote.context_window
        assert request_input is not None
        assert window is not None
        warnings.append(does_not_fit(name, request_input + output_tokens, window))
    return warnings


def does_not_fit(name: str, request_tokens: int, window: int) -> str:
    return (
        f"One request ({request_tokens:,} tokens) does not fit {name}'s {window:,}-token "
        "context window."
    )


def long_context_warning(
    quote: Quote,
    terms: Terms,
    request_input: int | None,
    card: RateCard,
    remedy: str = "add 'x N requests' to apply it",
) -> str:
    """The long-context rates of `card` (a card with thresholds): applied to a request of
    `request_input` input tokens, or (size unknown) said to apply, with the `remedy` that
    would apply them. The rates named are those of the terms asked (a tier's own)."""
    if request_input is None:
        above = card.thresholds[0]
        higher = rate_card(quote.entry, "", quote.day, terms, above + 1, explain=False).rates
    else:
        above = max(t for t in card.thresholds if request_input > t)
        higher = card.rates
    rates = (
        f"a request with over {above:,} input tokens is billed at "
        f"{format_rate(higher['input'])}/{format_rate(higher['output'])} per 1M"
    )
    if request_input is None:
        return f"Priced at the base rate, but {rates}: {remedy}."
    return f"Long-context rate applied: {rates}."


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


def period_note(period: Period, total: Decimal, model: str) -> str:
    """'per month' totals said per day, month and year, on the stated lengths."""
    # Multiplied before dividing: a day's share times 30 would turn $4.375 a month into
    # $4.3749..., shown as $4.37 beside a total of $4.38.
    hours = Decimal(PERIOD_HOURS[period])
    spans = ", ".join(
        f"{format_usd(EXACT.divide(EXACT.multiply(total, Decimal(PERIOD_HOURS[name])), hours))} "
        f"a {name}"
        for name in ("day", "month", "year")
    )
    return f"Totals are for one {period}; {model} comes to {spans} ({PERIOD_LENGTHS})."


def workload(usage: Usage) -> str:
    input_tokens, output_tokens = usage.per_request()
    text = (
        f"{format_count(input_tokens, group_digits=True)} in, "
        f"{format_count(output_tokens, group_digits=True)} out"
    )
    text = f"{text} x {counted(usage.requests, 'request')}" if usage.requests else text
    return f"{text} a {usage.period}" if usage.period else text


def tariff_matches(
    tariff: Tariff, words: str | None, providers: Collection[str] = frozenset()
) -> bool:
    """Every word of the filter describes the model. A word that is one of `providers` names
    a maker: its own listings ('openai': OpenAI's models, not resellers' copies of them);
    after 'via' or 'on' (`pricing.lexicon.SELLER_LEADS`) it names the seller ('bedrock' is
    aws), and the maker's name then only has to appear in the seller's ids ('openai via
    openrouter'). A version ('5', '4.5') is a version of its own in a name, not the end of
    another ('gpt 5' is not gpt-3.5). Any other word appears in the model's names or provider."""
    if not words:
        return True
    asked = words.lower().split()
    # "openai via openrouter", "claude on bedrock": the seller, as the question grammar reads it.
    said, seller = next(
        (
            (after, SELLER_NAMES.get(after, after))
            for word, after in itertools.pairwise(asked)
            if word in SELLER_LEADS
        ),
        (None, None),
    )
    if seller is not None and seller in providers:
        if tariff.provider != seller:
            return False
        asked = [w for w in asked if w not in SELLER_LEADS and w != said]
    names = (tariff.model, tariff.provider, tariff.name or "", *tariff.aliases)
    haystack = " ".join(names).lower()
    for word in asked:
        if word in providers and seller is None:
            if tariff.provider != word or not tariff.is_makers_listing:
                return False
        elif VERSION.fullmatch(word):
            if not any(holds_version(name_parts(name), name_parts(word)) for name in names):
                return False
        elif word not in haystack:
            return False
    return True


# "5" in "gpt 5", "4.5" in "claude 4.5": a version, compared part by part.
VERSION = re.compile(r"\d+(?:\.\d+)*")


def holds_version(parts: tuple[str, ...], version: tuple[str, ...]) -> bool:
    """`version` appears in `parts` as a version of its own, not the end of another: 'gpt 5'
    is gpt-5-nano and gpt-5.1, not gpt-3.5 (whose 5 follows the 3)."""
    size = len(version)
    return any(
        parts[i : i + size] == version and (i == 0 or not parts[i - 1].isdigit())
        for i in range(len(parts) - size + 1)
    )


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
        rates=extra_rates(entry),
        lifecycle_source=lifecycle_source(tariff, day),
    )


def extra_rates(entry: PriceEntry) -> tuple[Rate, ...]:
    """Every rate of `entry` but the standard input and output ones, which a row states
    anyway: the cache rates, then each tier variant's stated rates."""
    rates = [
        Rate(kind=kind, tier="standard", per_mtok=rate)
        for kind, rate in entry.standard.stated().items()
        if kind not in ("input", "output")
    ]
    for variant in entry.variants:
        since = variant.since if variant.since != entry.effective else None
        hours = tuple(f"{start:%H:%M}-{end:%H:%M}" for start, end in variant.windows)
        rates.extend(
            Rate(kind=kind, tier=variant.tier, per_mtok=rate, since=since, hours=hours)
            for kind, rate in variant.stated().items()
        )
    return tuple(rates)


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
            if t.fine_tune_of is not None and t.entry_at(day) is not None and not t.is_gone_on(day)
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
    quote = book.quote(tuned.model, day, complete=False)  # standard rates only
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


def training_closed(tuned: Tariff, book: TariffBook, day: date) -> str | None:
    """Why nobody can start a new fine-tuning job on `tuned` on `day` (a shutdown, or a stop
    for everyone), or None. An answer leads with it: its price is then the price it was."""
    if tuned.is_retired_on(day):
        assert tuned.retired is not None
        return f"{tuned.display_name} was shut down on {tuned.retired.isoformat()}"
    for stop in announced_stops(tuned, book, day):
        if stop.for_everyone and day >= stop.stops:
            return f"new fine-tuning jobs stopped on {stop.stops.isoformat()} for {stop.who}"
    return None


def training_stop_notes(tuned: Tariff, book: TariffBook, day: date) -> tuple[str, ...]:
    """The notices behind `training_stop_warnings` and the shutdown, for an answer's sources."""
    notices = (lifecycle_source(tuned, day), *(s.source for s in announced_stops(tuned, book, day)))
    return tuple(dict.fromkeys(notice for notice in notices if notice))


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

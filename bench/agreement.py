"""Agreement with genai-prices: every catalog model priced by llmcost and by genai-prices' own
`calc_price`, for the standard rates and each tier (batch, flex, priority), at three request
sizes (one under every long-context threshold, two past them), each with cache reads and writes;
every disagreement explained.

Run: python bench/agreement.py            (a count per tier and reason)
     python bench/agreement.py --list     (and every difference, model by model)
"""

import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from genai_prices import Usage, calc_price

from pricing.costing import Terms, priced_row
from pricing.query import AskedTier, CacheTokens
from pricing.sources import load_book
from pricing.tariffs import Quote, Tariff

TODAY = date(2026, 11, 24)
# Both sides price the same time of day: noon UTC is DeepSeek V3's standard hours and V4's
# off-peak ones (llmcost's `at 12:00 UTC`).
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Workload:
    """One request: its input tokens (cache reads and writes among them) and output tokens."""

    input: int
    output: int
    cache: CacheTokens

    @property
    def label(self) -> str:
        return f"{self.input:,} in"


# Long-context thresholds in the catalog sit at 100k to 524,288 input tokens: the first
# workload passes none of them, the second most, the third every one.
WORKLOADS = (
    Workload(100_000, 20_000, CacheTokens(read=40_000, write=10_000, write_1h=0)),
    Workload(300_000, 20_000, CacheTokens(read=120_000, write=10_000, write_1h=0)),
    Workload(600_000, 20_000, CacheTokens(read=240_000, write=10_000, write_1h=0)),
)
TIERS: dict[str, AskedTier | None] = {
    "standard": None,
    "batch": "batch",
    "flex": "flex",
    "priority": "priority",
}
# genai-prices' request context for each tier.
PRICE_CONTEXT: dict[str, dict[str, str] | None] = {
    "standard": None,
    "batch": {"processing": "batch"},
    "flex": {"service_tier": "flex"},
    "priority": {"service_tier": "priority"},
}
# genai-prices' data holds a few prices computed in floating point; llmcost keeps 12 significant
# digits of each, so a difference below this share of the total is that rounding, not a price.
FLOAT_ARTEFACT = Decimal("1e-9")
FLOAT_REASON = "float artefact in genai-prices' data (llmcost keeps 12 significant digits)"
TOKEN_KEYS = {
    "input_mtok",
    "output_mtok",
    "cache_read_mtok",
    "cache_write_mtok",
    "cache_write_5m_mtok",
    "cache_write_1h_mtok",
    "requests_kcount",
}
# Units a text workload has none of: genai-prices bills them nothing here either.
UNUSED_UNITS = {"web_searches_kcount", "storage_searches_kcount"}


@dataclass(frozen=True)
class Difference:
    tier: str
    workload: str
    model: str
    ours: Decimal
    theirs: Decimal
    reason: str


def _reason(ours: Decimal, theirs: Decimal, genai_price: object) -> str:
    """Why llmcost's total differs from genai-prices' for this model."""
    if abs(ours - theirs) <= FLOAT_ARTEFACT * max(abs(theirs), Decimal(1)):
        return FLOAT_REASON
    priced_keys = {key for key, value in vars(genai_price).items() if value is not None}
    if extra := priced_keys - TOKEN_KEYS - UNUSED_UNITS:
        return f"genai-prices also bills units llmcost does not price ({', '.join(sorted(extra))})"
    return "unexplained"


OWN_REASON = "llmcost's own tariff states the vendor's price; the catalog states another"


@dataclass
class Agreement:
    """Per tier: models priced by both, how many agree to the digit, and why the rest differ."""

    priced: Counter[str]
    agree: Counter[str]
    reasons: Counter[tuple[str, str]]
    differences: list[Difference]


def compare() -> Agreement:
    book = load_book()
    clock = WHEN.time().replace(tzinfo=None)
    result = Agreement(Counter(), Counter(), Counter(), [])
    for tariff in book.tariffs():
        # An own tariff (bundled) that replaces a catalog model is priced as llmcost prices
        # it, its own rates completed by the catalog's, against genai-prices' price of that
        # model; the catalog's own price of it stands beside, to say who differs.
        own = tariff.entries[0].origin != "genai-prices"
        listed = book.catalog_twin(tariff) if own else tariff
        entry = book.entry_on(tariff, TODAY)
        listed_entry = listed.entry_at(TODAY) if listed is not None else None
        if listed is None or entry is None or listed_entry is None:
            continue
        quote = Quote(tariff.model, tariff, entry, TODAY)
        catalog_quote = Quote(listed.model, listed, listed_entry, TODAY)
        for tier, asked in TIERS.items():
            for workload in WORKLOADS:
                _compare_one(result, listed, quote, catalog_quote, tier, asked, workload, clock)
    return result


def _compare_one(
    result: Agreement,
    tariff: Tariff,
    quote: Quote,
    catalog_quote: Quote,
    tier: str,
    asked: AskedTier | None,
    workload: Workload,
    clock: object,
) -> None:
    usage = Usage(
        input_tokens=workload.input,
        cache_read_tokens=workload.cache.read,
        cache_write_tokens=workload.cache.write,
        output_tokens=workload.output,
    )
    try:
        theirs_calc = calc_price(
            usage,
            model_ref=tariff.model.split("/", 1)[1],
            provider_id=tariff.provider,
            genai_request_timestamp=WHEN,
            price_context=PRICE_CONTEXT[tier],  # type: ignore[arg-type]
        )
    except LookupError:
        return  # genai-prices cannot find it by id again (a reseller's alias)
    terms = Terms(cache=workload.cache, tier=asked, clock=clock)  # type: ignore[arg-type]
    # One request of this size: long-context tiers apply as genai-prices applies them.
    row = priced_row(quote, workload.input, workload.output, False, requests=1, terms=terms)
    ours, theirs = row.total_usd, theirs_calc.total_price
    result.priced[tier] += 1
    if ours == theirs:
        result.agree[tier] += 1
        return
    reason = _reason(ours, theirs, theirs_calc.model_price)
    if reason == "unexplained" and quote is not catalog_quote:
        catalog = priced_row(catalog_quote, workload.input, workload.output, False, 1, terms)
        reason = OWN_REASON if catalog.total_usd == theirs else reason
    result.reasons[(tier, reason)] += 1
    result.differences.append(
        Difference(tier, workload.label, quote.tariff.model, ours, theirs, reason)
    )


def main() -> None:
    agreement = compare()
    sizes = ", ".join(workload.label for workload in WORKLOADS)
    print(f"Every catalog model, one request of each size ({sizes}; 40% of the input cache")
    print("reads, 10,000 cache writes, 20,000 out), against genai-prices' calc_price:")
    for tier in TIERS:
        priced, agree = agreement.priced[tier], agreement.agree[tier]
        print(f"  {tier:<9} {agree:,} of {priced:,} agree to the last digit")
        for (reason_tier, reason), count in agreement.reasons.most_common():
            if reason_tier == tier:
                print(f"    {count:,} differ: {reason}")
    listed = [d for d in agreement.differences if "--list" in sys.argv or d.reason == "unexplained"]
    for d in listed:
        print(f"    {d.tier} {d.workload} {d.model}: llmcost {d.ours} vs genai-prices {d.theirs}")


if __name__ == "__main__":
    main()

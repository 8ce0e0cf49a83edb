"""Agreement with genai-prices: every catalog model priced for one workload with cache reads and
writes, by llmcost and by genai-prices' own `calc_price`, and each disagreement explained.

Run: python bench/agreement.py
"""

from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal

from genai_prices import Usage, calc_price

from pricing.costing import Terms, priced_row
from pricing.query import CacheTokens
from pricing.sources import load_book
from pricing.tariffs import Quote, Tariff

TODAY = date(2026, 11, 24)
# Both sides price the same time of day: noon UTC is DeepSeek V3's standard hours and V4's
# off-peak ones (llmcost's `at 12:00 UTC`).
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
INPUT, OUTPUT = 100_000, 20_000
CACHE = CacheTokens(read=40_000, write=10_000, write_1h=0)
# genai-prices' data holds a few prices computed in floating point; llmcost keeps 12 significant
# digits of each, so a difference below this share of the total is that rounding, not a price.
FLOAT_ARTEFACT = Decimal("1e-9")


def _reason(tariff: Tariff, ours: Decimal, theirs: Decimal, genai_price: object) -> str:
    """Why llmcost's total differs from genai-prices' for this model."""
    if abs(ours - theirs) <= FLOAT_ARTEFACT * max(abs(theirs), Decimal(1)):
        return "float artefact in genai-prices' data (llmcost keeps 12 significant digits)"
    priced_keys = {key for key, value in vars(genai_price).items() if value is not None}
    token_keys = {
        "input_mtok",
        "output_mtok",
        "cache_read_mtok",
        "cache_write_mtok",
        "cache_write_5m_mtok",
        "cache_write_1h_mtok",
    }
    if priced_keys - token_keys - {"web_searches_kcount", "storage_searches_kcount"}:
        extra = ", ".join(sorted(priced_keys - token_keys))
        return f"genai-prices also bills units llmcost does not price ({extra})"
    return "unexplained"


def compare() -> tuple[int, Counter[str], list[tuple[str, Decimal, Decimal, str]]]:
    book = load_book()
    usage = Usage(
        input_tokens=INPUT,
        cache_read_tokens=CACHE.read,
        cache_write_tokens=CACHE.write,
        output_tokens=OUTPUT,
    )
    terms = Terms(cache=CACHE, clock=WHEN.time().replace(tzinfo=None))
    agree = 0
    reasons: Counter[str] = Counter()
    rows = []
    for tariff in book.tariffs():
        entry = tariff.entry_at(TODAY)
        if entry is None or entry.origin != "genai-prices":
            continue
        model_id = tariff.model.split("/", 1)[1]
        try:
            theirs_calc = calc_price(
                usage, model_ref=model_id, provider_id=tariff.provider, genai_request_timestamp=WHEN
            )
        except LookupError:
            continue  # genai-prices cannot find it by id again (a reseller's alias)
        quote = Quote(tariff.model, tariff, entry, TODAY)
        # One request of this size: long-context tiers apply as genai-prices applies them.
        ours = priced_row(quote, INPUT, OUTPUT, False, requests=1, terms=terms).total_usd
        theirs = theirs_calc.total_price
        if ours == theirs:
            agree += 1
            continue
        reason = _reason(tariff, ours, theirs, theirs_calc.model_price)
        reasons[reason] += 1
        rows.append((tariff.model, ours, theirs, reason))
    return agree, reasons, rows


def main() -> None:
    agree, reasons, rows = compare()
    total = agree + sum(reasons.values())
    print(
        f"{INPUT:,} in ({CACHE.read:,} cache reads, {CACHE.write:,} cache writes), {OUTPUT:,} out"
    )
    print(f"  {total:,} catalog models priced by both: {agree:,} agree to the last digit")
    for reason, count in reasons.most_common():
        print(f"  {count:,} differ: {reason}")
    for model, ours, theirs, reason in rows:
        if reason == "unexplained":
            print(f"    {model}: llmcost {ours} vs genai-prices {theirs}")


if __name__ == "__main__":
    main()

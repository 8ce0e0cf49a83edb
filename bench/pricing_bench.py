"""Pricing one workload across every model in the catalog: llmcost's engine vs genai-prices' own
`calc_price` over the same models, in one process. Goal: <= 0.1x genai-prices' time.

The workload has cache reads and writes among its input tokens and asks for the Batch API, and
genai-prices gets the same usage and the same tier (`price_context={"processing": "batch"}`).

Run: python bench/pricing_bench.py
"""

import time
from datetime import UTC, date, datetime

from genai_prices import Usage, calc_price

from pricing.answer import answer
from pricing.parse import parse
from pricing.sources import load_book

INPUT_TOKENS, OUTPUT_TOKENS = 150_000, 50_000
CACHE_READ, CACHE_WRITE = 90_000, 10_000  # 60% of the input cached, 10k written
BATCH = {"processing": "batch"}
TODAY = date(2026, 11, 24)
GOAL = 0.1
REPEATS = 15


def _best(run: object, repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        timings.append(time.perf_counter() - start)
    return min(timings)


def measure() -> dict[str, float]:
    book = load_book()
    in_catalog = [t for t in book.tariffs() if t.latest.origin == "genai-prices"]
    usage = Usage(
        input_tokens=INPUT_TOKENS,
        cache_read_tokens=CACHE_READ,
        cache_write_tokens=CACHE_WRITE,
        output_tokens=OUTPUT_TOKENS,
    )
    when = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    # The models genai-prices itself can price by id: its baseline runs over exactly these.
    refs = []
    for tariff in in_catalog:
        model_id = tariff.model.split("/", 1)[1]
        try:
            calc_price(
                usage,
                model_ref=model_id,
                provider_id=tariff.provider,
                genai_request_timestamp=when,
                price_context=BATCH,
            )
        except LookupError:
            continue
        refs.append((tariff.provider, model_id))

    def baseline() -> None:
        for provider, model_id in refs:
            calc_price(
                usage,
                model_ref=model_id,
                provider_id=provider,
                genai_request_timestamp=when,
                price_context=BATCH,
            )

    query = parse(
        f"cheapest {INPUT_TOKENS} in {OUTPUT_TOKENS} out cached {CACHE_READ} "
        f"cache writes {CACHE_WRITE} batch"
    )
    priced_count = sum(
        1 for t in book.tariffs() if t.entry_at(TODAY) is not None and not t.is_retired_on(TODAY)
    )

    def ours() -> None:
        answer(query, book, TODAY)

    genai_s = _best(baseline)
    ours_s = _best(ours)
    return {
        "models_genai": len(refs),
        "models_ours": priced_count,
        "genai_ms": genai_s * 1000,
        "ours_ms": ours_s * 1000,
        "ratio": ours_s / genai_s,
        "per_model_us_ours": ours_s / priced_count * 1e6,
        "per_model_us_genai": genai_s / len(refs) * 1e6,
    }


def main() -> dict[str, float]:
    figures = measure()
    verdict = "PASS" if figures["ratio"] <= GOAL else "MISS"
    print(
        "Pricing one workload (150k in of which 90k cache reads and 10k cache writes, 50k out, "
        "batch) across the catalog"
    )
    print(
        f"  genai-prices calc_price: {figures['models_genai']:,} models in "
        f"{figures['genai_ms']:.1f} ms ({figures['per_model_us_genai']:.1f} us/model)"
    )
    print(
        f"  llmcost 'cheapest':      {figures['models_ours']:,} models in "
        f"{figures['ours_ms']:.1f} ms ({figures['per_model_us_ours']:.1f} us/model)"
    )
    print(f"  ratio llmcost/genai-prices: {figures['ratio']:.3f}x (goal <= {GOAL}x) {verdict}")
    return figures


if __name__ == "__main__":
    main()

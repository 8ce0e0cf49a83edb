"""Price refreshes, two ways, ratios in one run:

1. A refresh of the real-sized genai-prices data file (download from loopback, parse, validate
   what changed, check it, diff against the file in force, store compressed with first-seen
   rows) against genai-prices' own parse of the same bytes (json.loads and its validation, as
   its UpdatePrices.fetch does): time and peak memory. Three days: a price cut (the goal's row,
   <= 1.5x), a price cut in the largest provider, and the first refresh, with nothing stored
   yet, when the whole file is validated and checked.
2. `llmcost serve` under c=16 signed commands while it swaps in a newer snapshot (loads of
   commands, each load answered, until an answer shows the new price), against as many loads
   without a swap: ack p99. Goal: <= 1.2x, and no failed or unanswered command. The
   commands ask the price the new file cuts, so their answers show that the swap came while
   they were answered (some at the old price, the rest at the new).

Run: python bench/prices_bench.py [--requests N]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slack_bench import (  # noqa: E402
    FakeSlackProcess,
    ack_latencies,
    llmcost_serve_command,
    percentiles,
    serve_env,
    wait_for_answers,
    warmed_server,
)

from bot.prices.refresh import refresh_prices  # noqa: E402
from bot.storage.snapshots import SnapshotStore  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from tests.e2e.server import free_port  # noqa: E402
from tests.prices_server import PricesServer  # noqa: E402
from tests.published_files import CUT_MODEL, cut_price, edited, installed_file  # noqa: E402

REFRESH_GOAL, SWAP_GOAL = 1.5, 1.2
# The model whose price the new file cuts (tests.published_files.cut_price): $3 then $2.50 for
# its million input tokens.
SWAP_QUESTION = f"cost {CUT_MODEL[1]} 1M in 0 out"
OLD_PRICE, NEW_PRICE = "$3.00", "$2.50"

REPEATS = 5
# The swap is measured over loads of commands sent until it has come, at most this many; the
# calm over at least this many.
MOST_SWAP_LOADS, CALM_LOADS = 20, 2
DAILY = "one price cut (a day's refresh)"
NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def _timed(work) -> tuple[float, int]:
    """(seconds, peak bytes allocated) of `work`, timed in one run and traced in another, as
    tracing allocations slows Python several times over."""
    started = time.perf_counter()
    work()
    took = time.perf_counter() - started
    tracemalloc.start()
    work()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return took, peak


def _states(home: str, server: PricesServer, number: int, stored: bool) -> list[SnapshotStore]:
    """Two databases, each with the installed data's file in force (stored by a refresh), or
    with nothing stored (the first refresh, validated whole)."""
    states = []
    for copy in range(2):
        store = Store(f"sqlite:///{Path(home) / f'{number}-{copy}.db'}")
        store.create_schema()
        snapshots = SnapshotStore(store)
        if stored:
            refresh_prices(snapshots, server.url("/data.json"), now=NOW)
        states.append(snapshots)
    return states


def genai_prices_parse(body: bytes) -> None:
    """What genai-prices' own refresh does with the bytes it fetched (UpdatePrices.fetch)."""
    from genai_prices.types import _providers_from_raw

    _providers_from_raw(json.loads(body))


def cut_openrouter_price(data: list[dict[str, Any]]) -> None:
    """A price cut in the largest provider's list (openrouter's, about 900 models)."""
    model = next(p for p in data if p["id"] == "openrouter")["models"][0]
    model["prices"] = {**model["prices"], "input_mtok": 0.123}


# What the day's file changes, and whether a file is in force already.
CHANGES = {
    DAILY: (cut_price, True),
    "one price cut in openrouter's 900 models": (cut_openrouter_price, True),
    "first refresh (nothing stored: all validated)": (cut_price, False),
}


def refresh_figures() -> dict[str, float]:
    """Each refresh timed beside a parse of genai-prices' own, taking turns, so that a drift in
    the machine's speed falls on both."""
    body = installed_file()
    figures: dict[str, float] = {"file_kb": len(body) / 1024}
    parse, parse_memory = [], []
    with PricesServer() as server, tempfile.TemporaryDirectory() as home:
        server.files["/data.json"] = body
        for number, (name, (change, stored)) in enumerate(CHANGES.items()):
            server.files["/new.json"] = edited(change)
            refresh, refresh_memory = [], []
            for repeat in range(REPEATS):
                # Each run stores the new file in a fresh copy of that state, as a day's refresh
                # does.
                states = iter(_states(home, server, number * REPEATS + repeat, stored))
                took, peak = _timed(
                    lambda states=states: refresh_prices(
                        next(states), server.url("/new.json"), now=NOW + timedelta(days=1)
                    )
                )
                refresh.append(took)
                refresh_memory.append(peak)
                took, peak = _timed(lambda: genai_prices_parse(body))
                parse.append(took)
                parse_memory.append(peak)
            figures[f"{name}: refresh_ms"] = min(refresh) * 1000
            figures[f"{name}: refresh_peak_mb"] = min(refresh_memory) / 2**20
    figures["genai_prices_parse_ms"] = min(parse) * 1000
    figures["genai_prices_parse_peak_mb"] = min(parse_memory) / 2**20
    for name in CHANGES:
        figures[f"{name}: time_ratio"] = (
            figures[f"{name}: refresh_ms"] / figures["genai_prices_parse_ms"]
        )
        figures[f"{name}: memory_ratio"] = (
            figures[f"{name}: refresh_peak_mb"] / figures["genai_prices_parse_peak_mb"]
        )
    return figures


def answered_load(url: str, fake: FakeSlackProcess, requests: int, prefix: str) -> dict:
    """channel -> (ack latency, acked at) of `requests` commands at c=16, once all are answered.
    The answers are awaited because the answer process runs below the web processes: under an
    endless flood of commands it answers, and takes up a new file, only when a core is free."""
    fake.ask("reset")
    acks = ack_latencies(url, requests, 16, prefix, SWAP_QUESTION)
    wait_for_answers(fake, set(acks), time.perf_counter() + 120)
    return acks


def acks_until_swapped(
    url: str, fake: FakeSlackProcess, requests: int
) -> tuple[dict[str, tuple[float, float]], dict[str, str], int]:
    """(channel -> (ack latency, acked at), channel -> answer, how many loads) of answered loads
    until one's answers show the new price: the acks around the swap, however long it takes on
    this machine (a single load was sometimes acked and answered before it came). The server
    builds the new book in a quiet moment (bot.answering.wait_for_quiet), here between loads."""
    acks: dict[str, tuple[float, float]] = {}
    texts: dict[str, str] = {}
    for load in range(MOST_SWAP_LOADS):
        loaded = answered_load(url, fake, requests, f"CSWAP{load}X")
        acks.update(loaded)
        texts.update(fake.ask("texts"))
        if any(NEW_PRICE in texts[channel] for channel in loaded):
            return acks, texts, load + 1
    raise RuntimeError(f"no answer at the new price after {len(acks)} commands")


def calm_acks(url: str, fake: FakeSlackProcess, requests: int, loads: int, first: int = 0) -> dict:
    """As many loads, with no new file to take up: the calm the swap is compared against
    (numbered from `first`, so that each command names a channel of its own)."""
    acks: dict[str, tuple[float, float]] = {}
    for load in range(first, first + loads):
        acks.update(answered_load(url, fake, requests, f"CCALM{load}X"))
    return acks


def swap_figures(requests: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with (
        FakeSlackProcess() as fake,
        tempfile.TemporaryDirectory() as home,
        PricesServer() as prices,
    ):
        prices.files["/data.json"] = installed_file()
        prices.files["/cut.json"] = edited(cut_price)
        database_url = f"sqlite:///{Path(home) / 'llmcost.db'}"
        store = Store(database_url)
        store.create_schema()
        snapshots = SnapshotStore(store)
        refresh_prices(snapshots, prices.url("/data.json"), now=NOW)
        env = {
            **serve_env(fake.api_url, free_port(), Path(home)),
            "LLMCOST_PRICES_CHECK_SECONDS": "0.05",
        }
        with warmed_server(llmcost_serve_command(), env, fake, answered=True) as (url, _):
            calm = calm_acks(url, fake, requests, CALM_LOADS)
            # The clock stores a newer file (here, not in a thread beside the load: that held the
            # load generator's own GIL for the refresh and charged its stall to the server); the
            # server notices it within 50 ms and takes it up in its first quiet moment.
            refresh_prices(snapshots, prices.url("/cut.json"), now=NOW + timedelta(days=1))
            swapping, texts, loads = acks_until_swapped(url, fake, requests)
            if loads > CALM_LOADS:  # as many calm commands as there were while it swapped
                calm.update(calm_acks(url, fake, requests, loads - CALM_LOADS, CALM_LOADS))
        store.close()
    # Answered at the old price, then at the new: the swap came in the middle of the load.
    figures["loads_of_commands_until_swapped"] = loads
    figures["answers_at_old_price"] = sum(OLD_PRICE in texts[c] for c in swapping)
    figures["answers_at_new_price"] = sum(NEW_PRICE in texts[c] for c in swapping)
    figures["ack_p50_calm_ms"], figures["ack_p99_calm_ms"] = percentiles(
        [elapsed for elapsed, _ in calm.values()]
    )
    figures["ack_p50_swap_ms"], figures["ack_p99_swap_ms"] = percentiles(
        [elapsed for elapsed, _ in swapping.values()]
    )
    figures["p99_ratio"] = figures["ack_p99_swap_ms"] / figures["ack_p99_calm_ms"]
    figures["max_ack_swap_ms"] = max(e for e, _ in swapping.values()) * 1000
    figures["median_ack_swap_ms"] = statistics.median(e for e, _ in swapping.values()) * 1000
    return figures


def main(requests: int = 500) -> None:
    """`requests`: commands in each load of the swap's measure (see `acks_until_swapped`)."""
    print("prices: refresh of the real-sized file vs genai-prices' own parse of it")
    refresh = refresh_figures()
    for name, value in refresh.items():
        print(f"  {name:60} {value:10.2f}")
    ratio = refresh[f"{DAILY}: time_ratio"]
    verdict = "ok" if ratio <= REFRESH_GOAL else "OVER"
    print(f"  a day's refresh: time ratio {ratio:.2f}x (goal <= {REFRESH_GOAL}x): {verdict}")
    print(
        "prices: ack latency at c=16 while serve swaps in a new snapshot "
        f"(loads of {requests} commands until it has)"
    )
    swap = swap_figures(requests)
    for name, value in swap.items():
        print(f"  {name:32} {value:10.2f}")
    verdict = "ok" if swap["p99_ratio"] <= SWAP_GOAL else "OVER"
    if not (swap["answers_at_old_price"] and swap["answers_at_new_price"]):
        verdict += " (but the swap did not come while the commands were answered: run again)"
    print(f"  p99 ratio {swap['p99_ratio']:.2f}x (goal <= {SWAP_GOAL}x), all answered: {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500, help="commands in each load")
    main(parser.parse_args().requests)

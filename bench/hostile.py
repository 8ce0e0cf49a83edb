"""Hostile inputs, counted (issue 19): seeded variants of broken price files refreshed into a
store, and of signed requests no Slack would send, posted to a real `llmcost serve`. Everything
stays on loopback. It counts what must stay zero: tracebacks, HTTP 500s, commands never
answered, prices that changed when they must not have; and how long a dripping server holds a
refresh (against its deadline).

Run: python bench/hostile.py [--files 60] [--requests 300] [--seed 19]
"""

import argparse
import contextlib
import copy
import json
import logging
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.prices.download import DownloadFailed, download  # noqa: E402
from bot.prices.refresh import refresh_prices  # noqa: E402
from bot.storage.snapshots import SnapshotStore  # noqa: E402
from bot.storage.store import Store  # noqa: E402
from pricing.catalog import catalog_from_providers, read_published  # noqa: E402
from pricing.published import installed_data, published_bytes  # noqa: E402
from tests.e2e.server import SIGNING_SECRET, free_port, running_server, server_env  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.prices_server import PricesServer  # noqa: E402
from tests.slack_requests import event_callback, message_event, post, slash_command  # noqa: E402
from tests.slack_requests import signed_headers as signed  # noqa: E402

NOW = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)
BAD_NUMBERS: list[Any] = [-1, -0.5, 1e15, 1e300, float("inf"), float("nan"), 10_001]


# --- price files --------------------------------------------------------------------------------


def _a_price_dict(model: dict[str, Any]) -> dict[str, Any] | None:
    prices = model.get("prices")
    if isinstance(prices, dict):
        return prices
    if isinstance(prices, list) and prices and isinstance(prices[-1].get("prices"), dict):
        return prices[-1]["prices"]
    return None


def _corrupt(data: list[dict[str, Any]], rng: random.Random) -> str:
    """Break the file one way; return how."""
    how = rng.choice(["number", "fold", "deep", "bom", "truncated", "not-json", "variant"])
    models = [m for p in data for m in p["models"] if _a_price_dict(m)]
    model = rng.choice(models)
    prices = _a_price_dict(model)
    assert prices is not None
    numbers = [k for k, v in prices.items() if isinstance(v, int | float | Decimal) and v]
    key = rng.choice(numbers or ["input_mtok"])
    if how == "number":
        prices[key] = rng.choice(BAD_NUMBERS)
    elif how == "fold":
        prices[key] = float(prices.get(key) or 1) * rng.choice([25, 100, 1 / 30])
    elif how == "variant":
        model["price_variants"] = [
            {"when": {"processing": "batch"}, "prices": {key: rng.choice(BAD_NUMBERS)}}
        ]
    elif how == "deep":
        nested: Any = 1
        for _ in range(rng.choice([100, 5_000, 150_000])):
            nested = [nested]
        model["x"] = nested
    return f"{how} {model['id']}.{key}"


def _file(data: list[dict[str, Any]], how: str, rng: random.Random) -> bytes:
    if how.startswith("deep"):
        # json.dumps itself recurses: write the nesting out by hand.
        depth = rng.choice([100, 5_000, 150_000])
        return b'[{"id": "x", "models": ' + b"[" * depth + b"]" * depth + b"}]"
    body = published_bytes(data)  # NaN and Infinity written as JSON-ish literals
    if how.startswith("bom"):
        return b"\xef\xbb\xbf" + body
    if how.startswith("truncated"):
        return body[: rng.randrange(1, len(body))]
    if how.startswith("not-json"):
        return b"<html>rate limited</html>"
    return body


def _prices(snapshots: SnapshotStore) -> dict[str, tuple[str, str]]:
    """Every catalog model's standard input and output rate, as the newest snapshot prices."""
    newest = snapshots.newest()
    assert newest is not None
    providers = read_published(snapshots.body(newest.id)).providers
    return {
        t.model: (str(t.latest.input_per_mtok), str(t.latest.output_per_mtok))
        for t in catalog_from_providers(providers, None).tariffs
    }


def price_files(count: int, rng: random.Random) -> Counter[str]:
    good = installed_data()
    tally: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as home, PricesServer() as server:
        for number in range(count):
            store = Store(f"sqlite:///{home}/files-{number}.db")
            store.create_schema()
            snapshots = SnapshotStore(store)
            server.files["/good.json"] = published_bytes(good)
            refresh_prices(snapshots, server.url("/good.json"), now=NOW)
            before = _prices(snapshots)
            data = copy.deepcopy(good)
            how = _corrupt(data, rng)
            server.files["/bad.json"] = _file(data, how, rng)
            try:
                report = refresh_prices(snapshots, server.url("/bad.json"), now=NOW + timedelta(1))
            except Exception as error:  # a traceback: what must never happen
                tally["tracebacks"] += 1
                print(f"  traceback for {how}: {error!r}")
                continue
            finally:
                store.close()
            tally[f"outcome {report.outcome}"] += 1
            tally["held back"] += bool(report.held_back)
            store = Store(f"sqlite:///{home}/files-{number}.db")
            after = _prices(SnapshotStore(store))
            store.close()
            changed = [model for model in before if before[model] != after.get(model)]
            tally["prices changed that must not have"] += len(changed)
            if changed:
                print(f"  {how}: {len(changed)} prices changed, e.g. {changed[:3]}")
        for path in ("/drip", "/drip-headers"):
            started = time.monotonic()
            with contextlib.suppress(DownloadFailed):
                download(server.url(path), timeout=3)
            tally[f"seconds to give up on {path} (deadline 3 s)"] = round(
                time.monotonic() - started, 2
            )
    return tally


# --- signed requests ----------------------------------------------------------------------------

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["null", "int", "float", "bool", "str", "list", "dict"] if depth < 4 else ["str"]
    kind = rng.choice(kinds)
    return {
        "null": lambda: None,
        "int": lambda: rng.randint(-5, 10**6),
        "float": lambda: rng.random() * 1e6,
        "bool": lambda: rng.random() < 0.5,
        "str": lambda: rng.choice(["", "x", "payload", "U1", "C1", "<!channel>", "1.2"]),
        "list": lambda: [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))],
        "dict": lambda: {
            rng.choice(["type", "user", "channel", "text", "ts", "event", "actions", "view"]): (
                _random_value(rng, depth + 1)
            )
            for _ in range(rng.randint(0, 4))
        },
    }[kind]()


def _malformed(rng: random.Random) -> tuple[bytes, str]:
    shape = rng.choice(["json", "form", "event", "deep", "typed"])
    content_type = rng.choice([JSON, f"{JSON}; charset=utf-8", FORM, "text/plain"])
    if shape == "json":
        return json.dumps(_random_value(rng)).encode(), content_type
    if shape == "form":
        return urlencode({"payload": json.dumps(_random_value(rng))}).encode(), content_type
    if shape == "deep":
        depth = rng.choice([65, 1_000, 200_000])
        return b"{" + b'"a":[' * 1 + b"[" * depth + b"]" * depth + b"]}", JSON
    event = message_event("help", channel_type="im")
    field = rng.choice(["user", "channel", "text", "ts", "thread_ts", "type"])
    event[field] = _random_value(rng) if shape == "event" else rng.choice([5, True, 1.5, [], {}])
    return event_callback(event)[0], rng.choice([JSON, f"{JSON}; charset=utf-8"])


def signed_requests(count: int, rng: random.Random) -> Counter[str]:
    tally: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as home, FakeSlack() as fake:
        env = server_env(fake.api_url, f"sqlite:///{home}/llmcost.db", free_port())
        with running_server(env, Path(home)) as server:
            for _ in range(count):
                body, content_type = _malformed(rng)
                status, _, _ = post(
                    server.events_url,
                    body,
                    {"Content-Type": content_type, **signed(body, SIGNING_SECRET)},
                )
                tally[f"HTTP {status}"] += 1
            # Commands whose form holds the word "payload": each must be answered. (A random
            # event can be a real question, answered too: counted from here on only.)
            server.settled()
            fake.reset()
            asked = 20
            for number in range(asked):
                text = f"tokens the payload is {number}k"
                request_body, content_type = slash_command(
                    text, channel_name=rng.choice(["general", "payload-team"])
                )
                post(
                    server.events_url,
                    request_body,
                    {"Content-Type": content_type, **signed(request_body, SIGNING_SECRET)},
                )
            with contextlib.suppress(AssertionError):  # counted below
                fake.wait_for("chat.postMessage", count=asked, timeout=60)
            answered = len(fake.calls_to("chat.postMessage"))
            tally["commands saying 'payload' never answered"] = asked - answered
            server.settled()
            tally["tracebacks in the server log"] = sum(
                "Traceback" in line for line in server.lines
            )
    return tally


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=60)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=19)
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    # Each refused file logs its one line; the counts below are the report.
    logging.getLogger("bot.prices").setLevel(logging.ERROR)
    started = time.monotonic()
    print(f"{arguments.files} broken price files (seed {arguments.seed}):")
    for key, value in sorted(price_files(arguments.files, rng).items()):
        print(f"  {key}: {value}")
    print(f"{arguments.requests} signed malformed requests to llmcost serve:")
    for key, value in sorted(signed_requests(arguments.requests, rng).items()):
        print(f"  {key}: {value}")
    print(f"({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()

"""Click and pick (issue 22), each figure against a baseline in the same run:
- the model picker's options (block_suggestion, typed searches over the whole catalog), p50 and
  p99 at c=1 and c=16, against a bare Bolt app (bench/bare_app.py) whose picker returns a fixed
  list of 25 options;
- how soon views.open reaches Slack after `/llmcost` alone is acked (p50, p99): the trigger
  expires 3 seconds after the command;
- ack p99 of commands at c=16 while a burst of 200 button clicks ("Batch" under an answer) is
  answered, against the same server's calm c=16 ack p99.

Run: python bench/click_bench.py [--requests N]
"""

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import slack_bench  # noqa: E402

from tests.e2e.server import SIGNING_SECRET, free_port  # noqa: E402
from tests.slack_requests import (  # noqa: E402
    block_action,
    block_suggestion,
    post,
    signed_headers,
    slash_command,
)

# What people type into the picker, a letter at a time and whole.
SEARCHES = (
    *("g", "gp", "gpt", "gpt-4", "gpt-4o", "cl", "claude", "claude sonnet", "sonnet 4.5"),
    *("llama 70b", "gemini 2.5 flash", "anthropic", "mistral", "groq llama", "ft-gpt", ""),
)
CLICKS = 200
BARE = "bare uvicorn+AsyncApp"


def _signed(request: tuple[bytes, str]) -> tuple[bytes, dict[str, str]]:
    body, content_type = request
    return body, {"Content-Type": content_type, **signed_headers(body, SIGNING_SECRET)}


def _latencies(url: str, prepared: list[tuple[bytes, dict[str, str]]], concurrency: int) -> list:
    def one(request: tuple[bytes, dict[str, str]]) -> tuple[float, float]:
        body, headers = request
        status, _, elapsed = post(url, body, headers, timeout=10)
        assert status == 200, status
        return elapsed, time.perf_counter()

    with slack_bench.no_collections(), ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, prepared))


def options_latency(url: str, requests: int, concurrency: int) -> tuple[float, float]:
    """(p50, p99) ms of block_suggestion requests cycling through SEARCHES."""
    prepared = [
        _signed(block_suggestion("llmcost_models", SEARCHES[i % len(SEARCHES)]))
        for i in range(requests)
    ]
    _latencies(url, prepared[:50], 4)  # warm: not counted
    return slack_bench.percentiles(
        [elapsed for elapsed, _ in _latencies(url, prepared, concurrency)]
    )


def views_open_after_ack(url: str, fake: slack_bench.FakeSlackProcess, requests: int) -> tuple:
    """(p50, p99) ms from each `/llmcost` alone's ack to its views.open at the fake Slack."""
    fake.ask("reset")
    acked: dict[str, float] = {}
    for i in range(requests):
        body, headers = _signed(slash_command("", trigger_id=f"trigger-{i}"))
        status, _, _ = post(url, body, headers, timeout=10)
        assert status == 200, status
        acked[f"trigger-{i}"] = time.perf_counter()
    deadline = time.perf_counter() + 30
    while True:
        opened = dict(fake.ask("calls views.open"))
        if len(opened) >= requests or time.perf_counter() > deadline:
            break
        time.sleep(0.05)  # polling for the fake's record, not timing anything
    missing = set(acked) - set(opened)
    if missing:
        raise RuntimeError(f"{len(missing)} of {requests} commands opened no view")
    return slack_bench.percentiles([opened[t] - acked[t] for t in acked])


def acks_under_clicks(url: str, requests: int) -> tuple[float, float, float]:
    """c=16 ack p99 ms of commands, calm and during a burst of CLICKS clicks (at c=32), and the
    clicks' own ack p99."""
    command = slack_bench.QUESTION
    commands = [_signed(slash_command(command, channel_id=f"CCALM{i}")) for i in range(requests)]
    calm = _latencies(url, commands, 16)
    value = json.dumps({"reply": "batch", "question": command})
    message = {"type": "message", "ts": "1700000000.000100", "text": ""}
    clicks = [
        _signed(block_action("llmcost_next_1", value, message=message, channel_id=f"CCLICK{i}"))
        for i in range(CLICKS)
    ]
    clicked: list = []
    burst = threading.Thread(target=lambda: clicked.extend(_latencies(url, clicks, 32)))
    busy_commands = [
        _signed(slash_command(command, channel_id=f"CBUSY{i}")) for i in range(requests)
    ]
    burst.start()
    busy = _latencies(url, busy_commands, 16)
    burst.join()
    return (
        slack_bench.percentiles([elapsed for elapsed, _ in calm])[1],
        slack_bench.percentiles([elapsed for elapsed, _ in busy])[1],
        slack_bench.percentiles([elapsed for elapsed, _ in clicked])[1],
    )


def measure(requests: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    servers = {
        BARE: slack_bench.SERVERS[BARE],
        slack_bench.LLMCOST: slack_bench.SERVERS[slack_bench.LLMCOST],
    }
    with slack_bench.FakeSlackProcess() as fake, tempfile.TemporaryDirectory() as home:
        for name, command in servers.items():
            env = slack_bench.serve_env(fake.api_url, free_port(), Path(home))
            figures: dict[str, float] = {}
            with slack_bench.started_server(command, env) as (url, _, _, _):
                if name == slack_bench.LLMCOST:
                    slack_bench.wait_for_answers(fake, {"C0WARMUP"}, time.perf_counter() + 60)
                for concurrency in (1, 16):
                    p50, p99 = options_latency(url, requests, concurrency)
                    figures[f"options_p50_c{concurrency}_ms"] = p50
                    figures[f"options_p99_c{concurrency}_ms"] = p99
                if name == slack_bench.LLMCOST:
                    p50, p99 = views_open_after_ack(url, fake, min(requests, 200))
                    figures["views_open_after_ack_p50_ms"] = p50
                    figures["views_open_after_ack_p99_ms"] = p99
                    calm, busy, clicks = acks_under_clicks(url, requests)
                    figures["ack_p99_c16_calm_ms"] = calm
                    figures["ack_p99_c16_during_clicks_ms"] = busy
                    figures["click_ack_p99_c32_ms"] = clicks
            results[name] = figures
    return results


def report(results: dict[str, dict[str, float]]) -> None:
    print("Click and pick: the model picker, the calculator's views.open, acks under clicks")
    for name, figures in results.items():
        print(f"  {name}")
        for key, value in figures.items():
            print(f"    {key:32} {value:8.2f}")
    ours, bare = results[slack_bench.LLMCOST], results[BARE]
    for concurrency in (1, 16):
        key = f"options_p99_c{concurrency}_ms"
        print(
            f"  options p99 ratio, c={concurrency:<2}          {ours[key] / bare[key]:5.2f}x   "
            "(goal <= 1.5x; vs a bare app's fixed list)"
        )
    print(
        f"  views.open after the ack, p99      {ours['views_open_after_ack_p99_ms']:6.1f} ms "
        "(goal <= 100 ms)"
    )
    during = ours["ack_p99_c16_during_clicks_ms"] / ours["ack_p99_c16_calm_ms"]
    print(f"  ack p99 c=16, {CLICKS} clicks / calm     {during:5.2f}x   (goal: unchanged)")
    clicks = ours["click_ack_p99_c32_ms"] / ours["ack_p99_c16_calm_ms"]
    print(f"  the clicks' own ack p99 / calm      {clicks:5.2f}x")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per figure")
    args = parser.parse_args(argv)
    report(measure(args.requests))


if __name__ == "__main__":
    main()

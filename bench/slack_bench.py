"""`llmcost serve` against a bare Bolt app that only acks, both on loopback in the same run.

Measures, with slash commands signed as Slack signs them:
- ack latency at concurrency 1 and 16 (p50, p99), llmcost against the fastest bare app;
- how long after its ack llmcost's answer reaches the (fake) Slack Web API (p50, p99);
- cold start: process start to the first ack.

The fake Slack runs in a process of its own so its work is not charged to the load generator.
Run: python bench/slack_bench.py [--requests N]   (the gunicorn baseline: pip install -e '.[bench]')
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.server import BOT_TOKEN, SIGNING_SECRET, free_port  # noqa: E402
from tests.slack_requests import post, signed_headers, slash_command  # noqa: E402

QUESTION = "compare gpt-4-8k ft-gpt-3.5 200k tokens"
COLD_STARTS = 5


def _fake_slack_process(pipe) -> None:
    from tests.fake_slack import FakeSlack

    # Slack's servers do not share our CPU; the stand-in yields it to the server and the client.
    os.nice(10)
    with FakeSlack() as fake:
        pipe.send(fake.api_url)
        while (request := pipe.recv()) != "stop":
            if request == "posts":
                pipe.send(
                    [
                        (c.body.get("channel"), c.received_at)
                        for c in fake.calls_to("chat.postMessage")
                    ]
                )
            elif request == "reset":
                fake.reset()
                pipe.send("ok")


class FakeSlackProcess:
    def __enter__(self) -> "FakeSlackProcess":
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_fake_slack_process, args=(child,), daemon=True
        )
        self._process.start()
        self.api_url = self._pipe.recv()
        return self

    def ask(self, request: str) -> object:
        self._pipe.send(request)
        return self._pipe.recv()

    def __exit__(self, *exc: object) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)


def _env(api_url: str, port: int, home: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))},
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{home / 'llmcost.db'}",
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def _llmcost_serve() -> list[str]:
    script = Path(sys.executable).with_name("llmcost")
    return [str(script) if script.exists() else "llmcost", "serve"]


LLMCOST = "llmcost serve"
SERVERS: dict[str, list[str]] = {
    "bare uvicorn+AsyncApp": [sys.executable, str(REPO / "bench" / "bare_app.py"), "asgi"],
    "bare gunicorn+App (2 workers)": [sys.executable, str(REPO / "bench" / "bare_app.py"), "wsgi"],
    LLMCOST: _llmcost_serve(),
}


def _signed(text: str, channel: str) -> tuple[bytes, dict[str, str]]:
    body, content_type = slash_command(text, channel_id=channel)
    return body, {"Content-Type": content_type, **signed_headers(body, SIGNING_SECRET)}


@contextmanager
def _started(command: list[str], env: dict[str, str]):
    """The server running, the seconds from its start to its first ack, and its start time."""
    url = f"http://127.0.0.1:{env['PORT']}/slack/events"
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while True:
            body, headers = _signed(QUESTION, "C0WARMUP")
            try:
                status, _, _ = post(url, body, headers, timeout=5)
            except OSError:
                status = 0
            if status == 200:
                break
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited: {process.stderr.read().decode()}")
            time.sleep(0.002)  # polling for a port to open, not timing anything
        yield url, time.perf_counter() - started, started
    finally:
        process.terminate()
        process.wait(timeout=10)


def _load(url: str, requests: int, concurrency: int, prefix: str) -> dict[str, float]:
    """Ack latency of `requests` commands; each names its own channel so answers can be matched."""
    prepared = [_signed(QUESTION, f"{prefix}{i}") for i in range(requests)]

    def one(i: int) -> tuple[str, float, float]:
        body, headers = prepared[i]
        status, _, elapsed = post(url, body, headers, timeout=10)
        assert status == 200, status
        return f"{prefix}{i}", elapsed, time.perf_counter()

    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    return {channel: (elapsed, acked) for channel, elapsed, acked in results}


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def _wait_for_answers(fake: FakeSlackProcess, channels: set[str], deadline: float) -> dict:
    while time.perf_counter() < deadline:
        posts = {channel: at for channel, at in fake.ask("posts") if channel in channels}
        if len(posts) == len(channels):
            return posts
        time.sleep(0.05)
    raise RuntimeError(f"only {len(posts)} of {len(channels)} answers reached the fake Slack")


def measure(requests: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with FakeSlackProcess() as fake, tempfile.TemporaryDirectory() as home:
        for name, command in SERVERS.items():
            if "gunicorn" in name and _missing("gunicorn"):
                print(f"  ({name}: skipped, pip install -e '.[bench]')")
                continue
            figures: dict[str, float] = {}
            cold, first_answer = [], []
            for _ in range(COLD_STARTS):
                fake.ask("reset")
                env = _env(fake.api_url, free_port(), Path(home))
                with _started(command, env) as (_, took, started):
                    cold.append(took)
                    if name == LLMCOST:
                        posts = _wait_for_answers(fake, {"C0WARMUP"}, time.perf_counter() + 30)
                        first_answer.append(posts["C0WARMUP"] - started)
            figures["cold_start_ms"] = statistics.median(cold) * 1000
            if first_answer:
                figures["cold_start_to_first_answer_ms"] = statistics.median(first_answer) * 1000
            with _started(command, _env(fake.api_url, free_port(), Path(home))) as (url, _, _):
                warm = _load(url, 50, 4, "CWARM")  # not counted
                if name == LLMCOST:  # steady state: the tariffs loaded, the database open
                    _wait_for_answers(fake, set(warm), time.perf_counter() + 60)
                for concurrency in (1, 16):
                    fake.ask("reset")
                    acks = _load(url, requests, concurrency, f"C{concurrency}X")
                    p50, p99 = _percentiles([elapsed for elapsed, _ in acks.values()])
                    figures[f"ack_p50_c{concurrency}_ms"] = p50
                    figures[f"ack_p99_c{concurrency}_ms"] = p99
                    if name == LLMCOST:
                        posts = _wait_for_answers(fake, set(acks), time.perf_counter() + 60)
                        after = [posts[c] - acked for c, (_, acked) in acks.items()]
                        p50, p99 = _percentiles(after)
                        figures[f"answer_after_ack_p50_c{concurrency}_ms"] = p50
                        figures[f"answer_after_ack_p99_c{concurrency}_ms"] = p99
            results[name] = figures
    return results


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def report(results: dict[str, dict[str, float]], show: Callable[[str], None] = print) -> None:
    show("Slack app: signed /llmcost commands on loopback")
    for name, figures in results.items():
        show(f"  {name}")
        for key, value in figures.items():
            show(f"    {key:32} {value:8.2f}")
    bare = {k: v for k, v in results.items() if k.startswith("bare")}
    ours = results[LLMCOST]
    for concurrency in (1, 16):
        key = f"ack_p99_c{concurrency}_ms"
        fastest = min(bare, key=lambda name: bare[name][key])
        ratio = ours[key] / bare[fastest][key]
        show(
            f"  ack p99 ratio, c={concurrency:<2}            {ratio:5.2f}x   (goal <= 1.2x;"
            f" vs {fastest})"
        )
    for concurrency in (1, 16):
        after = ours[f"answer_after_ack_p99_c{concurrency}_ms"]
        show(f"  answer after ack p99, c={concurrency:<2}     {after:6.1f} ms (goal <= 100 ms)")
    cold = ours["cold_start_ms"] / bare["bare uvicorn+AsyncApp"]["cold_start_ms"]
    show(f"  cold start ratio vs bare AsyncApp   {cold:5.2f}x   (goal <= 1.5x)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="commands per concurrency level")
    args = parser.parse_args(argv)
    report(measure(args.requests))


if __name__ == "__main__":
    main()

"""`llmcost serve` against bare Bolt apps that only ack, all on loopback in the same run.

Measures, with slash commands signed as Slack signs them:
- ack latency at concurrency 1 and 16 (p50, p99; keep-alive connections, each command sent the
  moment the previous one is acked), llmcost against the fastest bare app (1 or 2 processes),
  every server running side by side and taking turns in 3 interleaved rounds (`--rounds`);
- memory after the c=16 load: PSS of every process of the server, from /proc;
- how long after its ack llmcost's answer reaches the (fake) Slack Web API (p50, p99);
- cold start: process start to the first ack; for llmcost, its first `tokens` answer after that;
- answers against a bare app that acks and then posts a fixed reply: answer p99 (command sent to
  its chat.postMessage) at an open loop of 50 commands a second, and a burst of 1,000 commands at
  c=32 (every one answered exactly once; the time to the last answer, the median of 3
  interleaved rounds, as the acks');
- under attack (llmcost only): the c=16 commands again, alongside 4 unsigned 100 MB uploads and a
  stream of malformed unsigned requests, with the server's memory (all of its processes).

The fake Slack runs in a process of its own so its work is not charged to the load generator.
Run: python bench/slack_bench.py [--requests N] [--rounds N]
(the gunicorn baseline: pip install -e '.[bench]')
"""

import argparse
import collections
import gc
import http.client
import itertools
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.e2e.server import BOT_TOKEN, SIGNING_SECRET, free_port  # noqa: E402
from tests.slack_requests import post, signed_headers, slash_command  # noqa: E402

QUESTION = "compare gpt-4-8k ft-gpt-3.5 200k tokens"
TOKENS_QUESTION = "tokens " + "How much will this prompt cost on each model? " * 20
COLD_STARTS = 5
START_SECONDS = 60.0
# The attack: as many uploads at once, each offering this much, refused or not.
UPLOADS = 4
UPLOAD_BYTES = 100 * 1024 * 1024
UPLOAD_CHUNK = 64 * 1024
UPLOAD_RETRY_SECONDS = 0.05
# A malformed unsigned request about every this many seconds (the finding: 200 in 0.7 s).
MALFORMED_EVERY = 0.005
# No attacker loop runs longer than this or more often than that, whatever the server does.
ATTACK_SECONDS = 120.0
ATTACK_MAX_REQUESTS = 50_000
MALFORMED: list[tuple[bytes, dict[str, str]]] = [
    (b"{not json", {"Content-Type": "application/json", "X-Slack-Request-Timestamp": "abc"}),
    (b"null", {"Content-Type": "application/json", "X-Slack-Request-Timestamp": ""}),
    (b"\xff\xfe", {"Content-Type": "application/json", "X-Slack-Request-Timestamp": "1e9"}),
    (b"payload=%7B", {"Content-Type": "application/x-www-form-urlencoded"}),
]


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
            elif request == "texts":  # (channel, text) of every message posted
                pipe.send(
                    [
                        (c.body.get("channel"), c.body.get("text"))
                        for c in fake.calls_to("chat.postMessage")
                    ]
                )
            elif request.startswith("calls "):  # "calls views.open": (trigger, received at)
                method = request.removeprefix("calls ")
                pipe.send(
                    [(c.body.get("trigger_id"), c.received_at) for c in fake.calls_to(method)]
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


def serve_env(api_url: str, port: int, home: Path) -> dict[str, str]:
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


def llmcost_serve_command() -> list[str]:
    script = Path(sys.executable).with_name("llmcost")
    return [str(script) if script.exists() else "llmcost", "serve"]


LLMCOST = "llmcost serve"
BARE = "bare uvicorn+AsyncApp"
BARE_POST = "bare ack-and-post (uvicorn+AsyncApp)"
BARE_APP = [sys.executable, str(REPO / "bench" / "bare_app.py")]
SERVERS: dict[str, list[str]] = {
    BARE: [*BARE_APP, "asgi"],
    "bare uvicorn+AsyncApp (2 workers)": [*BARE_APP, "asgi2"],
    "bare gunicorn+App (2 workers)": [*BARE_APP, "wsgi"],
    LLMCOST: llmcost_serve_command(),
}
# Who answers: llmcost, and the baseline of an answer.
ANSWERING: dict[str, list[str]] = {BARE_POST: [*BARE_APP, "post"], LLMCOST: SERVERS[LLMCOST]}
OPEN_LOOP_RATE, OPEN_LOOP_SECONDS = 50, 10
BURST, BURST_CONCURRENCY = 1000, 32
MEMORY_GOAL_MB = 300
MEMORY_WEB_PROCESSES = 2  # the memory goal's: two web processes and the answer process
# Each server's acks are measured in this many interleaved rounds (`interleaved_acks`).
ROUNDS = 3


def _signed(text: str, channel: str) -> tuple[bytes, dict[str, str]]:
    body, content_type = slash_command(text, channel_id=channel)
    return body, {"Content-Type": content_type, **signed_headers(body, SIGNING_SECRET)}


@contextmanager
def started_server(
    command: list[str], env: dict[str, str]
) -> Iterator[tuple[str, float, float, int]]:
    """The server running: its URL, the seconds from its start to its first ack, its start
    time (perf_counter) and its pid."""
    url = f"http://127.0.0.1:{env['PORT']}/slack/events"
    # Its log goes to a file: a pipe nobody reads fills up, and then every process of the server
    # that logs a line waits on it (answers stall, and the server does not stop).
    with tempfile.TemporaryFile() as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            _wait_for_first_ack(url, process, log_file, started)
            yield url, time.perf_counter() - started, started, process.pid
        finally:
            process.terminate()
            process.wait(timeout=10)


def _wait_for_first_ack(url: str, process: subprocess.Popen, log_file, started: float) -> None:
    while True:
        if time.perf_counter() - started > START_SECONDS:
            raise RuntimeError(f"{process.args} did not ack within {START_SECONDS:g} s")
        body, headers = _signed(QUESTION, "C0WARMUP")
        try:
            status, _, _ = post(url, body, headers, timeout=5)
        except OSError:
            status = 0
        if status == 200:
            return
        if process.poll() is not None:
            log_file.seek(0)
            raise RuntimeError(f"{process.args} exited: {log_file.read().decode()[-2000:]}")
        time.sleep(0.002)  # polling for a port to open, not timing anything


@contextmanager
def warmed_server(
    command: list[str], env: dict[str, str], fake: FakeSlackProcess, answered: bool
) -> Iterator[tuple[str, int]]:
    """A server started and warmed up, its URL and pid: 50 commands acked (not counted) and, for
    a server that answers, answered (the tariffs loaded, the database open)."""
    with started_server(command, env) as (url, _, _, pid):
        fake.ask("reset")
        warm = ack_latencies(url, 50, 4, "CWARM")
        if answered:
            wait_for_answers(fake, set(warm), time.perf_counter() + 60)
        yield url, pid


@contextmanager
def no_collections() -> Iterator[None]:
    """The load generator's garbage collector held off while it times a load, as timeit does:
    its senders share one interpreter, so a collection (a full one took 6 to 50 ms here, after
    a refresh run in this process) pauses every sender at once, and at c=16 that one pause sets
    the p99 of whichever server it falls on. What they allocate is freed as it goes anyway."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def ack_latencies(
    url: str, requests: int, concurrency: int, prefix: str, question: str = QUESTION
) -> dict[str, tuple[float, float]]:
    """channel -> (ack latency, the moment acked) of `requests` commands; each names its own
    channel so answers can be matched. Each of the `concurrency` senders keeps its connection
    alive and sends its next command the moment the previous one is acked, as Slack does."""
    prepared = [_signed(question, f"{prefix}{i}") for i in range(requests)]
    parts = urlsplit(url)
    local = threading.local()

    def one(i: int) -> tuple[str, float, float]:
        body, headers = prepared[i]
        if getattr(local, "connection", None) is None:
            local.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        started = time.perf_counter()
        local.connection.request("POST", parts.path, body, headers)
        response = local.connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        assert response.status == 200, response.status
        if response.getheader("connection", "").lower() == "close":
            local.connection.close()
            local.connection = None
        return f"{prefix}{i}", elapsed, time.perf_counter()

    with no_collections(), ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    return {channel: (elapsed, acked) for channel, elapsed, acked in results}


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) * 1000, p99 * 1000


def wait_for_answers(fake: FakeSlackProcess, channels: set[str], deadline: float) -> dict:
    while time.perf_counter() < deadline:
        posts = {channel: at for channel, at in fake.ask("posts") if channel in channels}
        if len(posts) == len(channels):
            return posts
        time.sleep(0.05)
    raise RuntimeError(f"only {len(posts)} of {len(channels)} answers reached the fake Slack")


def measure(requests: int, rounds: int = ROUNDS) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}
    with FakeSlackProcess() as fake, tempfile.TemporaryDirectory() as home:
        servers = {}
        for name, command in SERVERS.items():
            if "gunicorn" in name and _missing("gunicorn"):
                print(f"  ({name}: skipped, pip install -e '.[bench]')")
                continue
            servers[name] = command
            results[name] = _cold_starts(name, command, fake, Path(home))
        with ExitStack() as running:
            urls, pids = {}, {}
            for name, command in servers.items():
                env = serve_env(fake.api_url, free_port(), Path(home))
                warmed = warmed_server(command, env, fake, answered=name == LLMCOST)
                urls[name], pids[name] = running.enter_context(warmed)
            acks = interleaved_acks(fake, urls, pids, requests, rounds, answered={LLMCOST})
            for name, figures in acks.items():
                results[name].update(figures)
            port = str(urlsplit(urls[LLMCOST]).port)
            attack = _under_attack(urls[LLMCOST], port, pids[LLMCOST], fake, requests)
            results[LLMCOST].update(attack)
        for name in (BARE, LLMCOST):
            env = serve_env(fake.api_url, free_port(), Path(home))
            pss = pss_after_load(SERVERS[name], env, fake, requests, answered=name == LLMCOST)
            results[name]["pss_after_c16_mb"] = pss
        with ExitStack() as running:
            answering = {}
            for name, command in ANSWERING.items():
                env = serve_env(fake.api_url, free_port(), Path(home))
                warmed = warmed_server(command, env, fake, answered=True)
                answering[name] = running.enter_context(warmed)
                results.setdefault(name, {}).update(_open_loop(answering[name][0], fake))
            for name, figures in interleaved_bursts(fake, answering, rounds).items():
                results[name].update(figures)
    return results


def pss_after_load(
    command: list[str], env: dict[str, str], fake: FakeSlackProcess, requests: int, answered: bool
) -> float:
    """PSS of every process of a server running alone, after the load its acks were measured
    with: warmed up, then `requests` commands at c=1 and at c=16 (and their answers); pages its
    processes share with no other server's. llmcost runs two web processes here, as the memory
    goal states, whatever this machine's default (a bare app's uvicorn.run ignores it)."""
    env = {**env, "WEB_CONCURRENCY": str(MEMORY_WEB_PROCESSES)}
    with warmed_server(command, env, fake, answered) as (url, pid):  # as before the rounds
        for concurrency in (1, 16):
            fake.ask("reset")
            acks = ack_latencies(url, requests, concurrency, f"CMEMORY{concurrency}X")
            if answered:
                wait_for_answers(fake, set(acks), time.perf_counter() + 60)
        return pss_mb(pid)


def _cold_starts(name: str, command: list[str], fake: FakeSlackProcess, home: Path) -> dict:
    """The median of COLD_STARTS starts to the first ack; for llmcost, to its first answer too,
    and its first `tokens` answer after that."""
    cold, first_answer, first_tokens = [], [], []
    for _ in range(COLD_STARTS):
        fake.ask("reset")
        env = serve_env(fake.api_url, free_port(), home)
        with started_server(command, env) as (url, took, started, _):
            cold.append(took)
            if name == LLMCOST:
                posts = wait_for_answers(fake, {"C0WARMUP"}, time.perf_counter() + 30)
                first_answer.append(posts["C0WARMUP"] - started)
                first_tokens.append(_first_tokens_answer(url, fake))
    figures = {"cold_start_ms": statistics.median(cold) * 1000}
    if first_answer:
        figures["cold_start_to_first_answer_ms"] = statistics.median(first_answer) * 1000
        figures["first_tokens_answer_after_ack_ms"] = statistics.median(first_tokens) * 1000
    return figures


def interleaved_acks(
    fake: FakeSlackProcess,
    urls: dict[str, str],
    pids: dict[str, int],
    requests: int,
    rounds: int,
    answered: Collection[str] = (),
) -> dict[str, dict[str, float]]:
    """Ack latency of every running server at c=1 and c=16, in `rounds` rounds of `requests`
    commands each; in each round every server takes its turn, in an order that moves on one
    server each round. p50 and p99 are over every round's acks together, and each round's p99
    is kept too (`ack_p99_c16_round2_ms`). At c=16 one stall of a few milliseconds (the load
    generator, the fake Slack and every server share two cores here) holds the 16 commands in
    flight, more than 1% of a run of 1,000, and so sets that run's p99 alone, whichever server
    it falls on; the fastest of three bare apps measured once each tends to be one no stall
    fell on. For the `answered` servers, how long after its ack each answer reached the fake
    Slack; each server's peak resident memory during its c=16 rounds (PSS, which splits the
    pages the servers' Python shares among all of them, is measured alone: `pss_after_load`)."""
    names = list(urls)
    latencies: dict[str, dict[int, list[float]]] = {name: {1: [], 16: []} for name in names}
    after: dict[str, dict[int, list[float]]] = {name: {1: [], 16: []} for name in names}
    figures: dict[str, dict[str, float]] = {name: {} for name in names}
    for round_number in range(1, rounds + 1):
        turn = (round_number - 1) % len(names)
        for name in names[turn:] + names[:turn]:
            for concurrency in (1, 16):
                fake.ask("reset")
                prefix = f"C{concurrency}R{round_number}X"
                with _memory(pids[name]) as peak:
                    acks = ack_latencies(urls[name], requests, concurrency, prefix)
                elapsed = [took for took, _ in acks.values()]
                latencies[name][concurrency] += elapsed
                figures[name][f"ack_p99_c{concurrency}_round{round_number}_ms"] = percentiles(
                    elapsed
                )[1]
                if name in answered:
                    posts = wait_for_answers(fake, set(acks), time.perf_counter() + 60)
                    after[name][concurrency] += [posts[c] - at for c, (_, at) in acks.items()]
                if concurrency == 16:
                    figures[name]["rss_peak_c16_mb"] = max(
                        peak[0], figures[name].get("rss_peak_c16_mb", 0.0)
                    )
    for name in names:
        for concurrency in (1, 16):
            p50, p99 = percentiles(latencies[name][concurrency])
            figures[name][f"ack_p50_c{concurrency}_ms"] = p50
            figures[name][f"ack_p99_c{concurrency}_ms"] = p99
            if name in answered:
                p50, p99 = percentiles(after[name][concurrency])
                figures[name][f"answer_after_ack_p50_c{concurrency}_ms"] = p50
                figures[name][f"answer_after_ack_p99_c{concurrency}_ms"] = p99
    return figures


def _open_loop(url: str, fake: FakeSlackProcess) -> dict[str, float]:
    """Answer p99 (command sent to its chat.postMessage) at an open loop of OPEN_LOOP_RATE
    commands a second."""
    fake.ask("reset")
    count = OPEN_LOOP_RATE * OPEN_LOOP_SECONDS
    prepared = [_signed(QUESTION, f"COPEN{i}") for i in range(count)]
    sent: dict[str, float] = {}

    def one(i: int) -> None:
        status, _, _ = post(url, *prepared[i], timeout=10)
        assert status == 200, status

    with no_collections(), ThreadPoolExecutor(BURST_CONCURRENCY) as pool:
        start = time.perf_counter() + 0.1
        for i in range(count):
            delay = start + i / OPEN_LOOP_RATE - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing the load generator's open loop, not timing anything
            sent[f"COPEN{i}"] = time.perf_counter()
            pool.submit(one, i)
    posts = wait_for_answers(fake, set(sent), time.perf_counter() + 60)
    p50, p99 = percentiles([posts[channel] - at for channel, at in sent.items()])
    return {"open_loop_answer_p50_ms": p50, "open_loop_answer_p99_ms": p99}


def _burst(url: str, pid: int, fake: FakeSlackProcess, prefix: str) -> dict[str, float]:
    """A burst of BURST commands at c=BURST_CONCURRENCY: the time to its last answer, how many
    were answered once, and the CPU each of the server's processes took for it (where its time
    goes: one process builds every answer, so its CPU for each bounds how soon the last is
    posted)."""
    fake.ask("reset")
    cpu_before = {process: cpu_seconds(process) for process in process_tree(pid)}
    started = time.perf_counter()
    acks = ack_latencies(url, BURST, BURST_CONCURRENCY, prefix)
    posts = wait_for_answers(fake, set(acks), time.perf_counter() + 120)
    cpu = {process: cpu_seconds(process) - used for process, used in cpu_before.items()}
    time.sleep(0.5)  # room for a second answer to the same command to show itself
    answered = collections.Counter(channel for channel, _ in fake.ask("posts"))
    return {
        "last_answer_s": max(posts.values()) - started,
        "cpu_s": sum(cpu.values()),
        "busiest_process_cpu_s": max(cpu.values()),
        "answered_once": float(sum(1 for c in acks if answered[c] == 1)),
        "answered_twice_or_more": float(sum(1 for c in acks if answered[c] > 1)),
    }


def interleaved_bursts(
    fake: FakeSlackProcess, servers: dict[str, tuple[str, int]], rounds: int
) -> dict[str, dict[str, float]]:
    """Each server's burst (`_burst`) in `rounds` interleaved rounds, as the acks are measured
    (`interleaved_acks`): the time to the last answer is the median of the rounds, each round's
    kept too; the CPU per command is over every round's commands; the commands answered once,
    or more than once, are counted over every round."""
    names = list(servers)
    bursts: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_number in range(1, rounds + 1):
        turn = (round_number - 1) % len(names)
        for name in names[turn:] + names[:turn]:
            url, pid = servers[name]
            bursts[name].append(_burst(url, pid, fake, f"CBURST{round_number}X"))
    figures: dict[str, dict[str, float]] = {}
    for name, measured in bursts.items():
        commands = BURST * len(measured)
        figures[name] = {
            "burst_last_answer_s": statistics.median(b["last_answer_s"] for b in measured),
            **{
                f"burst_last_answer_round{number}_s": b["last_answer_s"]
                for number, b in enumerate(measured, 1)
            },
            "burst_cpu_ms_per_command": sum(b["cpu_s"] for b in measured) / commands * 1000,
            "burst_busiest_process_cpu_ms_per_command": sum(
                b["busiest_process_cpu_s"] for b in measured
            )
            / commands
            * 1000,
            "burst_commands": float(commands),
            "burst_answered_once": sum(b["answered_once"] for b in measured),
            "burst_answered_twice_or_more": sum(b["answered_twice_or_more"] for b in measured),
        }
    return figures


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has taken so far, from /proc/PID/stat; 0 once
    it has ended."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pss_mb(pid: int) -> float:
    """Proportional memory (shared pages split among their sharers) of a process and all its
    descendants, in MB: what the server's processes take together, once each."""
    total = 0.0
    for current in process_tree(pid):
        try:
            total += smaps_rollup(current)["Pss"]
        except (OSError, KeyError):
            continue  # it ended meanwhile
    return total


def smaps_rollup(pid: int) -> dict[str, float]:
    """A process's memory totals from /proc/PID/smaps_rollup (Rss, Pss, Shared_Clean...), in MB."""
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        fields = dict(line.split(":", 1) for line in rollup if ":" in line and "-" not in line)
    return {name: int(value.split()[0]) / 1024 for name, value in fields.items()}


def process_tree(pid: int) -> list[int]:
    """`pid` and every process descended from it."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").glob("*"):  # children are per thread
                pending += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _first_tokens_answer(url: str, fake: FakeSlackProcess) -> float:
    """Seconds from the ack of the first `tokens` question after start-up to its answer."""
    body, headers = _signed(TOKENS_QUESTION, "C0TOKENS")
    status, _, _ = post(url, body, headers, timeout=10)
    assert status == 200, status
    acked = time.perf_counter()
    return wait_for_answers(fake, {"C0TOKENS"}, acked + 30)["C0TOKENS"] - acked


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB (shared pages counted in each)."""
    total = 0
    for current in process_tree(pid):
        try:
            with open(f"/proc/{current}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
        except (OSError, StopIteration):
            continue  # it ended meanwhile
    return total / 1024


@contextmanager
def _memory(pid: int, every: float = 0.05):
    """The peak resident memory of `pid`'s process tree while the block runs: peak[0]."""
    peak, done = [_rss_mb(pid)], threading.Event()

    def sample() -> None:
        while not done.wait(every):
            peak[0] = max(peak[0], _rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()
        peak[0] = max(peak[0], _rss_mb(pid))


def _upload(port: int, stop: threading.Event) -> int:
    """Unsigned 100 MB POSTs, one after another until `stop`; the bytes the server took."""
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\nContent-Length: {UPLOAD_BYTES}\r\n\r\n"
    ).encode()
    chunk, sent, deadline = b"x" * UPLOAD_CHUNK, 0, time.monotonic() + ATTACK_SECONDS
    for _ in range(ATTACK_MAX_REQUESTS):
        if stop.is_set() or time.monotonic() > deadline:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
                connection.sendall(head)
                for _ in range(UPLOAD_BYTES // UPLOAD_CHUNK):
                    if stop.is_set():
                        break
                    connection.sendall(chunk)
                    sent += len(chunk)
        except OSError:
            pass  # refused: the server closed the connection, as it should
        stop.wait(UPLOAD_RETRY_SECONDS)  # and the attacker tries again
    return sent


def _malformed_stream(url: str, stop: threading.Event) -> dict[int, int]:
    """Malformed unsigned requests, one about every MALFORMED_EVERY seconds; statuses counted."""
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + ATTACK_SECONDS
    for body, headers in itertools.islice(itertools.cycle(MALFORMED), ATTACK_MAX_REQUESTS):
        if stop.wait(MALFORMED_EVERY) or time.monotonic() > deadline:
            break
        try:
            status, _, _ = post(url, body, headers, timeout=10)
        except OSError:
            status = 0
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def _under_attack(
    url: str, port: str, pid: int, fake: FakeSlackProcess, requests: int
) -> dict[str, float]:
    stop = threading.Event()
    with ThreadPoolExecutor(UPLOADS + 1) as attackers:
        uploads = [attackers.submit(_upload, int(port), stop) for _ in range(UPLOADS)]
        malformed = attackers.submit(_malformed_stream, url, stop)
        time.sleep(0.5)  # let the attack get going before measuring
        fake.ask("reset")
        try:
            with _memory(pid) as peak:
                acks = ack_latencies(url, requests, 16, "CATTACK")
        finally:
            stop.set()
        statuses = malformed.result()
        sent = sum(upload.result() for upload in uploads)
    _, p99 = percentiles([elapsed for elapsed, _ in acks.values()])
    posts = wait_for_answers(fake, set(acks), time.perf_counter() + 60)
    after = [posts[channel] - acked for channel, (_, acked) in acks.items()]
    print(f"  (under attack: malformed requests answered {statuses}; uploads sent {sent:,} bytes)")
    return {
        "attack_ack_p99_c16_ms": p99,
        "attack_answer_after_ack_p99_c16_ms": percentiles(after)[1],
        "attack_rss_peak_c16_mb": peak[0],
        "attack_malformed_requests": float(sum(statuses.values())),
        "attack_malformed_not_401": float(sum(n for s, n in statuses.items() if s != 401)),
    }


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def report(results: dict[str, dict[str, float]], show: Callable[[str], None] = print) -> None:
    show("Slack app: signed /llmcost commands on loopback")
    for name, figures in results.items():
        show(f"  {name}")
        for key, value in figures.items():
            show(f"    {key:32} {value:8.2f}")
    bare = {k: v for k, v in results.items() if k.startswith("bare") and k != BARE_POST}
    ours = results[LLMCOST]
    for concurrency in (1, 16):
        show(ack_ratio_line(results, LLMCOST, bare, concurrency))
    for concurrency in (1, 16):
        after = ours[f"answer_after_ack_p99_c{concurrency}_ms"]
        show(f"  answer after ack p99, c={concurrency:<2}     {after:6.1f} ms (goal <= 100 ms)")
    show(
        f"  memory after c=16, PSS of every process ({MEMORY_WEB_PROCESSES} web) "
        f"{ours['pss_after_c16_mb']:6.1f} MB"
        f" (goal <= {MEMORY_GOAL_MB} MB; {BARE}: {bare[BARE]['pss_after_c16_mb']:.1f} MB)"
    )
    baseline = results[BARE_POST]
    ratio = ours["open_loop_answer_p99_ms"] / baseline["open_loop_answer_p99_ms"]
    show(
        f"  answer p99 at {OPEN_LOOP_RATE}/s open loop      {ratio:5.2f}x   (goal <= 2x;"
        f" {ours['open_loop_answer_p99_ms']:.2f} vs {baseline['open_loop_answer_p99_ms']:.2f} ms)"
    )
    ratio = ours["burst_last_answer_s"] / baseline["burst_last_answer_s"]
    rounds = [
        f"{ours[key] / baseline[key]:.2f}x"
        for key in ours
        if key.startswith("burst_last_answer_round")
    ]
    show(
        f"  last answer of {BURST} at c={BURST_CONCURRENCY}        {ratio:5.2f}x   (goal <= 2x;"
        f" {ours['burst_last_answer_s']:.2f} vs {baseline['burst_last_answer_s']:.2f} s, the"
        f" median of {len(rounds)} rounds; each round: {' '.join(rounds)}); answered once"
        f" {ours['burst_answered_once']:.0f} of {ours['burst_commands']:.0f},"
        f" more than once {ours['burst_answered_twice_or_more']:.0f}"
    )
    show(
        f"  ... CPU for each command of it      {ours['burst_cpu_ms_per_command']:.2f} ms in all,"
        f" {ours['burst_busiest_process_cpu_ms_per_command']:.2f} ms in its busiest process"
        f" ({BARE_POST}: {baseline['burst_cpu_ms_per_command']:.2f} ms)"
    )
    cold = ours["cold_start_ms"] / bare[BARE]["cold_start_ms"]
    show(f"  cold start ratio vs bare AsyncApp   {cold:5.2f}x   (goal <= 1.5x)")
    tokens = ours["first_tokens_answer_after_ack_ms"]
    show(f"  first tokens answer after its ack  {tokens:6.1f} ms (goal <= 100 ms)")
    attack = ours["attack_ack_p99_c16_ms"] / ours["ack_p99_c16_ms"]
    show(f"  ack p99 at c=16 under attack / not {attack:5.2f}x   (goal <= 1.5x)")
    memory = ours["attack_rss_peak_c16_mb"] / ours["rss_peak_c16_mb"]
    show(f"  memory at c=16 under attack / not  {memory:5.2f}x   (goal <= 1.2x)")


def ack_ratio_line(
    results: dict[str, dict[str, float]], ours: str, bare: Collection[str], concurrency: int
) -> str:
    """`ours`'s ack p99 against the fastest of the `bare` apps: over every round, and round by
    round (each round's own fastest)."""
    key = f"ack_p99_c{concurrency}_ms"
    fastest = min(bare, key=lambda name: results[name][key])
    ratio = results[ours][key] / results[fastest][key]
    per_round = []
    for round_number in itertools.count(1):
        key_of_round = f"ack_p99_c{concurrency}_round{round_number}_ms"
        if key_of_round not in results[ours]:
            break
        best = min(results[name][key_of_round] for name in bare)
        per_round.append(f"{results[ours][key_of_round] / best:.2f}x")
    return (
        f"  ack p99 ratio, c={concurrency:<2}            {ratio:5.2f}x   (goal <= 1.5x;"
        f" vs {fastest}, all {len(per_round)} rounds' acks; each round: {' '.join(per_round)})"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=400, help="commands per concurrency level and round"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="interleaved rounds of acks")
    args = parser.parse_args(argv)
    report(measure(args.requests, args.rounds))


if __name__ == "__main__":
    main()

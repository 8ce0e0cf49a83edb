"""One digest dispatch pass for many channels due at the same minute, against a fake Slack that
rate-limits each channel as Slack does, beside a bare slack_sdk client posting to the same fake.

Issue 4's scale requirement: 1,000 subscribed channels due at once, a fake Slack answering 429
above one chat.postMessage per second per channel; every digest delivered exactly once, and the
pass taking at most 1.2x the time the rate limits force.

What is measured, in this process: `await Clock.once(now)` (bot.digests.clock), which opens the
Slack client's session, claims the due periods, composes, posts and records every outcome, for 1,000
weekly subscriptions (Monday 09:00 UTC, made weeks before) at now = Monday 09:05 UTC. Start-up
(tariff load, schema creation) is left out: the Clock is built before the clock starts, and a
first pass, printed but not counted, warms the process as a running `llmcost clock` is warm.
Each timed pass starts from no delivery rows (they are deleted between passes).

The fake Slack (tests/fake_slack.py, `limit_per_channel("chat.postMessage", per_second=1)`)
runs in a process of its own so its work is not charged to the pass. Two scenarios:
- A, idle channels: nothing posted to them in the last second, so the limit forces no wait;
- B, busy channels: every channel "had a message" just before the pass (`mark_busy`), so each
  first attempt is answered 429 with Retry-After: 1.

Floors, measured in the same run against the same fake:
- T, the transport floor: a bare `AsyncWebClient` with one shared aiohttp session posting one
  small message to each channel, CONCURRENT_POSTS (bot.digests.dispatch) at a time, session opened
  and closed inside the timing as the pass does;
- A's floor is T: the limits force no waiting;
- B's floor is 1 s + T. Slack's Retry-After is in whole seconds, so no channel can take its
  digest sooner than 1 s after the 429 that told it so, and everything still has to be posted
  once after that. The 429 sweep itself overlaps that second when T < 1 s (it costs about T; if
  T ever exceeds 1 s the honest floor would be nearer 2T, and this floor is then strict).
  A reference row shows it is reachable: the bare client again, waiting out each Retry-After
  outside its concurrency gate and posting again.

Exactly once: the fake reports every chat.postMessage with its HTTP status; each channel must
have exactly one HTTP 200 ok post (duplicates and missing are counted), and every delivery row
must be `posted` afterwards. Ratios use the median of --repeat runs (min-max shown beside).
Optionally, `llmcost clock --once` as a process (cold: interpreter, imports, tariffs, schema)
on scenario A, once.

Run: python bench/digest_bench.py [--channels 1000] [--repeat 5]
     [--database-url postgresql://postgres@127.0.0.1:5432/test]  (a schema of its own, dropped)
"""

import argparse
import asyncio
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
from slack_sdk.errors import SlackApiError  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

METHOD = "chat.postMessage"
TOKEN = "xoxb-bench"
TEAM = "T0BENCH"
# A Monday, five minutes after the weekly digests were due; subscribed weeks before. In the past:
# `llmcost clock --once --now` (the cold run) refuses an instant more than a day ahead.
NOW = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)
SUBSCRIBED_AT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
GOAL = 1.2
RETRY_AFTER_FORCED = 1.0  # seconds: the fake's whole-second Retry-After for a busy channel


# ---------------------------------------------------------------------- the fake, in a process


def _fake_slack_process(pipe) -> None:
    from tests.fake_slack import FakeSlack

    # Slack's servers do not share our CPU; the stand-in yields it to the pass and the client.
    os.nice(10)

    def limited() -> None:
        fake.reset()
        fake.limit_per_channel(METHOD, per_second=1)

    with FakeSlack() as fake:
        limited()
        pipe.send(fake.api_url)
        while (request := pipe.recv()) != "stop":
            kind, *args = request
            if kind == "reset":
                limited()
                pipe.send("ok")
            elif kind == "busy":
                fake.mark_busy(METHOD, args[0])
                pipe.send("ok")
            elif kind == "posts":
                pipe.send(
                    [
                        (
                            c.body.get("channel"),
                            c.status,
                            isinstance(c.response, dict) and bool(c.response.get("ok")),
                        )
                        for c in fake.calls_to(METHOD)
                    ]
                )


class RateLimitedSlack:
    """tests.fake_slack.FakeSlack in a child process, one chat.postMessage/s per channel."""

    def __enter__(self) -> "RateLimitedSlack":
        self._pipe, child = multiprocessing.Pipe()
        self._process = multiprocessing.get_context("spawn").Process(
            target=_fake_slack_process, args=(child,), daemon=True
        )
        self._process.start()
        self.api_url: str = self._pipe.recv()
        return self

    def _ask(self, *request: object) -> object:
        self._pipe.send(request)
        return self._pipe.recv()

    def reset(self) -> None:
        """Forget every call and every channel's last message; the limit stays."""
        self._ask("reset")

    def busy(self, channels: Sequence[str]) -> None:
        """As if each channel had just had a message: its next post within 1 s gets a 429."""
        self._ask("busy", list(channels))

    def posts(self) -> list[tuple[str, int, bool]]:
        """(channel, HTTP status, ok) of every chat.postMessage since the last reset."""
        return self._ask("posts")  # type: ignore[return-value]

    def __exit__(self, *exc: object) -> None:
        self._pipe.send("stop")
        self._process.join(timeout=10)


# ---------------------------------------------------------------------- the database


def channel_names(count: int) -> list[str]:
    return [f"C{number:05d}" for number in range(count)]


@contextmanager
def database(database_url: str | None, home: Path) -> Iterator[str]:
    """A fresh SQLite file in `home`, or a fresh schema of its own on the PostgreSQL server."""
    if database_url is None:
        yield f"sqlite:///{home / 'digests.db'}"
        return
    from tests.databases import schema_of_its_own

    yield from schema_of_its_own(database_url, prefix="llmcost_bench_")


def seed(url: str, channels: Sequence[str]) -> None:
    from bot.digests.schedules import Schedule
    from bot.storage.store import Store
    from bot.storage.subscriptions import DigestStore

    monday_9_utc = Schedule(cadence="weekly", weekday=0, at=clock_time(9, 0), time_zone="UTC")
    store = Store(url)
    try:
        store.create_schema()
        digests = DigestStore(store)
        for channel in channels:
            digests.subscribe(
                team_id=TEAM,
                channel_id=channel,
                schedule=monday_9_utc,
                watch=None,
                subscribed_by="U0BENCH",
                now=SUBSCRIBED_AT,
            )
    finally:
        store.close()


def forget_deliveries(url: str) -> None:
    from sqlalchemy import delete

    from bot.storage.store import Store, digest_deliveries

    store = Store(url)
    try:
        with store.engine.begin() as connection:
            connection.execute(delete(digest_deliveries))
    finally:
        store.close()


def delivery_statuses(url: str) -> Counter[str]:
    from bot.storage.store import Store
    from bot.storage.subscriptions import DigestStore

    store = Store(url)
    try:
        return Counter(delivery.status for delivery in DigestStore(store).deliveries())
    finally:
        store.close()


# ---------------------------------------------------------------------- what is timed


async def bare_posts(api_url: str, channels: Sequence[str], concurrency: int) -> float:
    """T: one small message to each channel, `concurrency` at a time, one shared session."""
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=TOKEN, base_url=api_url, session=session)
        gate = asyncio.Semaphore(concurrency)

        async def one(channel: str) -> None:
            async with gate:
                await client.chat_postMessage(channel=channel, text="tariff digest")

        await asyncio.gather(*(one(channel) for channel in channels))
    return time.perf_counter() - started


async def bare_posts_waiting(api_url: str, channels: Sequence[str], concurrency: int) -> float:
    """The same, told 429: waits Retry-After outside the gate, then posts again."""
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=TOKEN, base_url=api_url, session=session, retry_handlers=[])
        gate = asyncio.Semaphore(concurrency)

        async def one(channel: str) -> None:
            while True:
                async with gate:
                    try:
                        await client.chat_postMessage(channel=channel, text="tariff digest")
                        return
                    except SlackApiError as error:
                        if error.response.status_code != 429:
                            raise
                        headers = {k.lower(): v for k, v in error.response.headers.items()}
                        wait = float(headers.get("retry-after", 1))
                await asyncio.sleep(wait)

        await asyncio.gather(*(one(channel) for channel in channels))
    return time.perf_counter() - started


async def dispatch_pass(clock, before: Callable[[], None] = lambda: None) -> tuple[float, str]:
    before()
    started = time.perf_counter()
    report = await clock.once(NOW)
    return time.perf_counter() - started, report.summary()


# ---------------------------------------------------------------------- checks and figures


@dataclass
class Delivery:
    """What the fake and the database say one run delivered."""

    delivered: int  # channels with exactly one HTTP 200 ok post
    duplicates: int  # ok posts beyond the first, over every channel
    missing: int  # expected channels with no ok post
    stray: int  # ok posts to channels nobody subscribed
    rate_limited: int  # 429 answers
    rows_posted: int  # delivery rows in status posted (-1: not checked)
    rows_other: int

    @property
    def exactly_once(self) -> bool:
        return (
            self.duplicates == 0
            and self.missing == 0
            and self.stray == 0
            and self.rows_other == 0
            and self.rows_posted in (-1, self.delivered)
        )


def delivery(
    posts: list[tuple[str, int, bool]], channels: Sequence[str], rows: Counter[str] | None
) -> Delivery:
    ok = Counter(channel for channel, status, good in posts if status == 200 and good)
    expected = set(channels)
    return Delivery(
        delivered=sum(1 for channel in expected if ok[channel] == 1),
        duplicates=sum(count - 1 for count in ok.values() if count > 1),
        missing=sum(1 for channel in expected if ok[channel] == 0),
        stray=sum(count for channel, count in ok.items() if channel not in expected),
        rate_limited=sum(1 for _, status, _ in posts if status == 429),
        rows_posted=-1 if rows is None else rows["posted"],
        rows_other=0 if rows is None else sum(n for s, n in rows.items() if s != "posted"),
    )


@dataclass
class Row:
    seconds: list[float] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    summary: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


BASELINE = "T: bare AsyncWebClient"
IDLE = "A: idle channels"
BUSY = "B: busy channels"
BUSY_REFERENCE = "B ref: bare client waits as told"


def measure(
    channels: int, repeat: int, database_url: str | None, cold: bool
) -> tuple[dict[str, Row], dict[str, object]]:
    from bot.digests.clock import Clock
    from bot.digests.dispatch import CONCURRENT_POSTS
    from bot.settings import load_clock_settings

    names = channel_names(channels)
    rows = {name: Row() for name in (BASELINE, IDLE, BUSY, BUSY_REFERENCE)}
    extra: dict[str, object] = {"concurrency": CONCURRENT_POSTS}
    with (
        RateLimitedSlack() as fake,
        tempfile.TemporaryDirectory() as home,
        database(database_url, Path(home)) as url,
    ):
        started = time.perf_counter()
        seed(url, names)
        extra["seed_s"] = time.perf_counter() - started
        # The bundled tariffs, whatever LLMCOST_TARIFFS a developer's .env names.
        settings = load_clock_settings(
            slack_bot_token=TOKEN,
            slack_api_url=fake.api_url,
            database_url=url,
            llmcost_tariffs=None,
        )
        started = time.perf_counter()
        clock = Clock(settings)
        extra["clock_start_s"] = time.perf_counter() - started
        try:

            def run_bare(row: Row, timed: Callable[[], float], busy: bool) -> None:
                fake.reset()
                if busy:
                    fake.busy(names)
                row.seconds.append(timed())
                row.deliveries.append(delivery(fake.posts(), names, None))

            def run_pass(row: Row | None, busy: bool) -> float:
                forget_deliveries(url)
                fake.reset()
                before = (lambda: fake.busy(names)) if busy else (lambda: None)
                seconds, summary = asyncio.run(dispatch_pass(clock, before))
                if row is not None:
                    row.seconds.append(seconds)
                    row.deliveries.append(delivery(fake.posts(), names, delivery_statuses(url)))
                    row.summary = summary
                return seconds

            # Warm-up, not counted: the first pass of a process, and the bare client's first.
            extra["first_pass_s"] = run_pass(None, busy=False)
            fake.reset()
            asyncio.run(bare_posts(fake.api_url, names, CONCURRENT_POSTS))
            for _ in range(repeat):
                run_bare(
                    rows[BASELINE],
                    lambda: asyncio.run(bare_posts(fake.api_url, names, CONCURRENT_POSTS)),
                    busy=False,
                )
                run_pass(rows[IDLE], busy=False)
                run_bare(
                    rows[BUSY_REFERENCE],
                    lambda: asyncio.run(bare_posts_waiting(fake.api_url, names, CONCURRENT_POSTS)),
                    busy=True,
                )
                run_pass(rows[BUSY], busy=True)
        finally:
            clock.close()
        if cold:
            forget_deliveries(url)
            fake.reset()
            extra["cold_process_s"] = _cold_process(fake.api_url, url, Path(home))
            extra["cold_delivery"] = delivery(fake.posts(), names, delivery_statuses(url))
    return rows, extra


def _cold_process(api_url: str, url: str, home: Path) -> float:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "DATABASE_URL", "LLMCOST_TARIFFS"))
    }
    env.update(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_API_URL=api_url,
        DATABASE_URL=url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(REPO),
    )
    command = [sys.executable, "-m", "bot.cli.main", "clock", "--once", "--now", NOW.isoformat()]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=home, capture_output=True, text=True, timeout=600)
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"llmcost clock --once failed: {done.stderr[-2000:]}")
    return took


# ---------------------------------------------------------------------- the report


def _spread(row: Row) -> str:
    return f"{min(row.seconds):6.2f}-{max(row.seconds):<6.2f}"


def _worst(row: Row) -> Delivery:
    """The worst run's figures: fewest delivered, most duplicates / missing / 429s."""
    runs = row.deliveries
    return Delivery(
        delivered=min(d.delivered for d in runs),
        duplicates=max(d.duplicates for d in runs),
        missing=max(d.missing for d in runs),
        stray=max(d.stray for d in runs),
        rate_limited=max(d.rate_limited for d in runs),
        rows_posted=min(d.rows_posted for d in runs),
        rows_other=max(d.rows_other for d in runs),
    )


def report(
    rows: dict[str, Row],
    extra: dict[str, object],
    *,
    channels: int,
    repeat: int,
    database: str,
    show: Callable[[str], None] = print,
) -> None:
    transport = rows[BASELINE].median
    floors = {
        BASELINE: None,
        IDLE: transport,
        BUSY_REFERENCE: RETRY_AFTER_FORCED + transport,
        BUSY: RETRY_AFTER_FORCED + transport,
    }
    show(
        f"Digest dispatch: {channels} channels due at once, fake Slack at 1 chat.postMessage/s"
        f" per channel; {database}; {extra['concurrency']} posts at a time;"
        f" median of {repeat} (min-max)"
    )
    show(
        f"  {'':34}{'time s':>8} {'min-max':13} {'floor s':>8} {'ratio':>7}  "
        f"{'delivered':>9} {'dup':>4} {'miss':>4} {'429s':>5} {'rows ok':>7}"
    )
    for name, row in rows.items():
        floor = floors[name]
        worst = _worst(row)
        rows_ok = "-" if worst.rows_posted < 0 else str(worst.rows_posted)
        floor_text = "" if floor is None else f"{floor:8.2f}"
        ratio = "" if floor is None else f"{row.median / floor:6.2f}x"
        show(
            f"  {name:34}{row.median:8.2f} {_spread(row)} {floor_text:>8} {ratio:>7}  "
            f"{worst.delivered:9} {worst.duplicates:4} {worst.missing:4} {worst.rate_limited:5}"
            f" {rows_ok:>7}"
        )
    for name in (IDLE, BUSY):
        row, floor = rows[name], floors[name]
        assert floor is not None
        ratio = row.median / floor
        met = "goal met" if ratio <= GOAL else "goal MISSED"
        show(f"  {name + ' pass / floor':34}{ratio:8.2f}x (goal <= {GOAL}x)  {met}")
        once = all(d.exactly_once for d in row.deliveries)
        show(
            f"  {name + ' exactly once':34}"
            + ("   every channel once, every row posted: goal met" if once else "   goal MISSED")
        )
    show(f"  last pass said: {rows[BUSY].summary}")
    show(
        f"  not counted: seeding {extra['seed_s']:.2f} s, Clock start-up (tariffs, schema)"
        f" {extra['clock_start_s']:.2f} s, the process's first pass (A)"
        f" {extra['first_pass_s']:.2f} s"
    )
    if "cold_process_s" in extra:
        cold = extra["cold_delivery"]
        assert isinstance(cold, Delivery)
        show(
            f"  cold `llmcost clock --once` process, scenario A: {extra['cold_process_s']:.2f} s"
            f" (interpreter, imports, tariffs, schema and the pass);"
            f" exactly once: {'yes' if cold.exactly_once else 'NO'}"
            f" ({cold.delivered} delivered, {cold.duplicates} duplicates)"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000, help="subscribed channels")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each; the median counts")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (a schema of its own is made and dropped); default SQLite",
    )
    parser.add_argument(
        "--no-cold", action="store_true", help="skip the `llmcost clock --once` process run"
    )
    args = parser.parse_args(argv)
    rows, extra = measure(args.channels, args.repeat, args.database_url, not args.no_cold)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    report(rows, extra, channels=args.channels, repeat=args.repeat, database=kind)


if __name__ == "__main__":
    main()

"""A price change published by genai-prices, end to end with real processes: `llmcost clock`
fetches it from a local server, a running `llmcost serve` answers with it without a restart,
`digest preview` and the posted digest report it, and the next digest does not repeat it."""

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.digests.schedules import Schedule
from bot.storage.snapshots import SnapshotStore
from bot.storage.store import Store, price_snapshots
from tests.e2e.clock import clock_env, posts_by_channel, subscribe, wait_until
from tests.e2e.server import SIGNING_SECRET, free_port, running_server, server_env
from tests.fake_slack import FakeSlack
from tests.prices_server import PricesServer
from tests.published_files import CUT_MODEL, cut_price, edited, installed_file
from tests.slack_requests import send_signed, slash_command

MODEL = f"{CUT_MODEL[0]}/{CUT_MODEL[1]}"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def prices() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = installed_file()
        running.files["/cut.json"] = edited(cut_price)
        yield running


def llmcost(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def newest_source(database_url: str) -> str | None:
    store = Store(database_url)
    try:
        newest = SnapshotStore(store).newest()
    finally:
        store.close()
    return None if newest is None else newest.source_url


def age_snapshots(database_url: str, by: timedelta) -> None:
    """As if the stored file had been fetched `by` earlier: the clock refreshes a stale one."""
    store = Store(database_url)
    try:
        with store.engine.begin() as connection:
            connection.execute(update(price_snapshots).values(fetched_at=datetime.now(UTC) - by))
    finally:
        store.close()


def test_a_published_price_cut_reaches_every_process_once(
    fake: FakeSlack, prices: PricesServer, database_url: str, tmp_path: Path
) -> None:
    home = tmp_path
    env = clock_env(fake, database_url, LLMCOST_PRICES_URL=prices.url("/data.json"))
    # The data as it was: fetched by hand, two days ago.
    first = llmcost(env, home, "prices", "refresh")
    assert first.returncode == 0, first.stderr
    age_snapshots(database_url, timedelta(days=2))
    web_env = server_env(
        fake.api_url, database_url, free_port(), LLMCOST_PRICES_CHECK_SECONDS="0.2"
    )
    with running_server(web_env, cwd=home) as web:
        web.wait_for_log("ready: tariffs loaded", timeout=30)
        send_signed(web.events_url, slash_command(f"price {MODEL}"), SIGNING_SECRET)
        before = fake.wait_for("chat.postMessage")[0].body
        assert "$3" in json.dumps(before)
        fake.reset()

        # The clock starts, finds the stored file stale and fetches the new one, beside its
        # schedule (a fetch never holds a digest or a shutdown back).
        clock = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "clock"],
            env={**env, "LLMCOST_PRICES_URL": prices.url("/cut.json")},
            cwd=home,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_until(lambda: newest_source(database_url) == prices.url("/cut.json"), 60)
        finally:
            clock.send_signal(signal.SIGTERM)
            _, clock_log = clock.communicate(timeout=30)
        assert clock.returncode == 0, clock_log
        assert "Traceback" not in clock_log

        # Today's digest, due now, reports the cut.
        daily = Schedule(cadence="daily", weekday=None, at=time(0, 0), time_zone="UTC")
        subscribe(database_url, ["C1"], schedule=daily, at=datetime.now(UTC) - timedelta(days=3))
        today = llmcost({**env, "LLMCOST_PRICES_URL": "off"}, home, "clock", "--once")
        assert today.returncode == 0, today.stderr
        posted = fake.wait_for("chat.postMessage", timeout=60)[0].body
        digest = json.dumps(posted)
        assert "claude-sonnet-4-0" in digest.lower() or "Claude Sonnet 4" in digest
        assert "$2.50" in digest
        fake.reset()

        # The web process picked the new file up by itself.
        web.wait_for_log("now answering from the snapshot", timeout=30)
        send_signed(web.events_url, slash_command(f"price {MODEL}"), SIGNING_SECRET)
        after = json.dumps(fake.wait_for("chat.postMessage")[0].body)
        assert "$2.50" in after
        assert "genai-prices data fetched" in after
        assert "price first seen" in after

    preview = llmcost(env, home, "digest", "preview", "--watch", MODEL, "--json")
    assert preview.returncode == 0, preview.stderr
    assert '"2.5"' in preview.stdout
    status = llmcost(env, home, "prices", "status", "--json")
    report = json.loads(status.stdout)
    assert report["last_change"]["prices_changed"] == 1
    assert report["snapshot"]["source_url"] == prices.url("/cut.json")

    # Tomorrow's digest starts where today's ended: the cut is not said again. Just after
    # tomorrow's run, and never more than a day ahead, which the clock refuses (00:05 tomorrow
    # was, for a test run in the five minutes after midnight).
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    tomorrow = min(midnight + timedelta(seconds=30), now + timedelta(days=1))
    fake.reset()
    again = llmcost(
        {**env, "LLMCOST_PRICES_URL": "off"},
        home,
        "clock",
        "--once",
        "--now",
        tomorrow.isoformat(),
    )
    assert again.returncode == 0, again.stderr
    assert posts_by_channel(fake) == {"C1": 1}
    assert "$2.50" not in json.dumps(fake.calls_to("chat.postMessage")[0].body)
    assert SnapshotStore(Store(database_url)).count() == 2

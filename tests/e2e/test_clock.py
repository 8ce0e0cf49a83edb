"""`llmcost clock --once --now ...` as operators and the scheduler run it: real processes, a real
database (SQLite and PostgreSQL), and a fake Slack that can throttle, fail and lose answers."""

import signal
import subprocess
import sys
import time as wall_clock
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.digests.dispatch import EVENT_TYPE
from bot.digests.schedules import Schedule
from bot.storage.store import Store, digest_deliveries
from bot.storage.subscriptions import CLAIM_LEASE, RETRY_FAILED_AFTER
from tests.e2e.clock import (
    MONDAY,
    age_deliveries,
    clock_env,
    distribution_clock_env,
    install_workspace,
    posts_by_channel,
    read_store,
    run_clock,
    start_clock,
    subscribe,
    wait_until,
)
from tests.fake_slack import TEAM_ID, FakeSlack
from tests.prices_server import PricesServer


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The clock's working directory: a developer's .env cannot change what is tested."""
    return tmp_path


@pytest.fixture(autouse=True)
def _fresh(fake: FakeSlack) -> Iterator[None]:
    yield
    fake.reset()


def test_a_due_digest_is_posted_once_however_often_the_clock_runs(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"])

    first = run_clock(fake, database_url, MONDAY, home)
    for later in (MONDAY + timedelta(minutes=1), MONDAY + timedelta(days=2)):
        run_clock(fake, database_url, later, home)

    assert "1 due, 1 claimed: 1 posted" in first.stdout
    (post,) = fake.calls_to("chat.postMessage")
    assert post.body["channel"] == "C1"
    assert post.body["metadata"]["event_type"] == EVENT_TYPE
    assert post.body["metadata"]["event_payload"]["period"] == "weekly:2026-W47"
    (delivery,) = read_store(database_url).deliveries()
    assert delivery.status == "posted"
    assert delivery.message_ts == post.response["ts"]
    assert (delivery.since, delivery.until) == (date(2026, 11, 9), date(2026, 11, 16))


def test_nothing_is_posted_before_the_time(fake: FakeSlack, database_url: str, home: Path) -> None:
    subscribe(database_url, ["C1"])

    done = run_clock(fake, database_url, datetime(2026, 11, 16, 8, 59, tzinfo=UTC), home)

    # The run that was due is last Monday's, owed since the subscription predates it; this
    # Monday's is not due yet, so only one digest (last week's) exists at all.
    assert "1 due" in done.stdout
    run_clock(fake, database_url, datetime(2026, 11, 16, 8, 59, 30, tzinfo=UTC), home)
    assert posts_by_channel(fake) == {"C1": 1}
    (delivery,) = read_store(database_url).deliveries()
    assert delivery.period == "weekly:2026-W46"


def test_a_subscription_made_after_this_weeks_run_waits_for_next_week(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"], at=MONDAY + timedelta(hours=1))

    done = run_clock(fake, database_url, MONDAY + timedelta(hours=2), home)

    assert "0 due" in done.stdout
    assert fake.calls_to("chat.postMessage") == []


def test_missed_runs_are_posted_once_when_the_clock_comes_back(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"], at=datetime(2026, 10, 1, tzinfo=UTC))

    # Nothing ran for weeks; the clock comes back on a Wednesday, then keeps ticking.
    wednesday = datetime(2026, 11, 11, 15, 0, tzinfo=UTC)
    for minutes in range(3):
        run_clock(fake, database_url, wednesday + timedelta(minutes=minutes), home)

    assert posts_by_channel(fake) == {"C1": 1}
    (delivery,) = read_store(database_url).deliveries()
    # The week the missed run belonged to (Monday 23 November), posted late, once.
    assert delivery.period == "weekly:2026-W46"
    assert (delivery.since, delivery.until) == (date(2026, 11, 2), date(2026, 11, 9))

    run_clock(fake, database_url, MONDAY, home)

    assert posts_by_channel(fake) == {"C1": 2}
    latest = read_store(database_url).last_delivery(team_id=TEAM_ID, channel_id="C1")
    assert latest is not None
    # The next digest starts where the last one ended: no change falls between two digests.
    assert (latest.since, latest.until) == (date(2026, 11, 9), date(2026, 11, 16))


def test_three_dispatchers_racing_post_each_digest_once(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    channels = [f"C{number:03d}" for number in range(30)]
    subscribe(database_url, channels)

    clocks = [start_clock(fake, database_url, MONDAY, home) for _ in range(3)]
    outputs = [clock.communicate(timeout=60) for clock in clocks]

    assert [clock.returncode for clock in clocks] == [0, 0, 0], outputs
    assert posts_by_channel(fake) == dict.fromkeys(channels, 1)
    assert {d.status for d in read_store(database_url).deliveries()} == {"posted"}
    claimed = [int(out.split(" claimed")[0].rsplit(" ", 1)[1]) for out, _ in outputs]
    assert sum(claimed) == len(channels)


@pytest.mark.parametrize("slack_took_them", [True, False], ids=["posted", "not posted"])
def test_a_clock_killed_mid_post_is_made_good_once_by_the_next_one(
    fake: FakeSlack, database_url: str, home: Path, slack_took_them: bool
) -> None:
    channels = [f"C{number}" for number in range(5)]
    subscribe(database_url, channels)
    # Slack takes each digest (or never sees it) and the clock never hears back.
    gate = fake.hold("chat.postMessage", after_answering=slack_took_them)

    clock = start_clock(fake, database_url, MONDAY, home)
    if slack_took_them:
        fake.wait_for("chat.postMessage", count=len(channels))
    else:
        _wait_until(lambda: len(read_store(database_url).deliveries()) == len(channels))
        wall_clock.sleep(0.2)  # the posts are under way, held by the fake
    clock.send_signal(signal.SIGKILL)
    clock.wait(timeout=10)
    gate.set()
    assert {d.status for d in read_store(database_url).deliveries()} == {"claimed"}

    # Within the lease nobody touches the claims; after it the next clock takes them over.
    run_clock(fake, database_url, MONDAY + timedelta(minutes=1), home)
    assert {d.status for d in read_store(database_url).deliveries()} == {"claimed"}
    age_deliveries(database_url, CLAIM_LEASE)
    run_clock(fake, database_url, MONDAY + timedelta(minutes=2), home)

    assert posts_by_channel(fake) == dict.fromkeys(channels, 1)
    deliveries = read_store(database_url).deliveries()
    assert {(d.status, d.attempts) for d in deliveries} == {("posted", 2)}
    assert len(fake.calls_to("conversations.history")) == len(channels)


def test_slack_throttling_and_outages_are_waited_out(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1", "C2"])
    fake.rate_limit("chat.postMessage", retry_after=1, times=2)
    fake.server_error("chat.postMessage", status=503, times=1)

    run_clock(fake, database_url, MONDAY, home)

    assert posts_by_channel(fake) == {"C1": 1, "C2": 1}
    statuses = sorted(call.status for call in fake.calls_to("chat.postMessage"))
    assert statuses == [200, 200, 429, 429, 503]


def test_a_post_slack_took_before_failing_is_not_posted_twice(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"])
    fake.server_error("chat.postMessage", status=503, takes_effect=True)

    run_clock(fake, database_url, MONDAY, home)

    assert posts_by_channel(fake) == {"C1": 1}
    assert len(fake.calls_to("conversations.history")) == 1
    (delivery,) = read_store(database_url).deliveries()
    assert (delivery.status, delivery.attempts) == ("posted", 1)


def test_a_channel_slack_refuses_is_paused_and_the_others_go_on(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1", "C2", "C3", "C4"])
    fake.fail("chat.postMessage", "not_in_channel", channel="C2")
    fake.fail("chat.postMessage", "is_archived", channel="C3")
    fake.fail("chat.postMessage", "channel_not_found", channel="C4")

    run_clock(fake, database_url, MONDAY, home)

    assert posts_by_channel(fake) == {"C1": 1}
    digests = read_store(database_url)
    reasons = {
        channel: digests.subscription(team_id=TEAM_ID, channel_id=channel).paused_reason  # type: ignore[union-attr]
        for channel in ("C1", "C2", "C3", "C4")
    }
    assert reasons == {
        "C1": None,
        "C2": "not_in_channel",
        "C3": "is_archived",
        "C4": "channel_not_found",
    }
    outcomes = {d.channel_id: (d.status, d.error) for d in digests.deliveries()}
    assert outcomes == {
        "C1": ("posted", None),
        "C2": ("paused", "not_in_channel"),
        "C3": ("paused", "is_archived"),
        "C4": ("paused", "channel_not_found"),
    }

    # Paused channels are not tried again until someone subscribes them anew.
    fake.reset()
    run_clock(fake, database_url, MONDAY + timedelta(days=7), home)
    assert posts_by_channel(fake) == {"C1": 1}


@pytest.mark.parametrize("reason", ["token_revoked", "account_inactive"])
def test_a_workspace_that_removed_the_app_is_paused_whole(
    fake: FakeSlack, database_url: str, home: Path, reason: str
) -> None:
    subscribe(database_url, ["C1", "C2", "C3"])
    subscribe(database_url, ["C9"], team_id="T0OTHER")
    fake.fail("chat.postMessage", reason, channel="C1")
    fake.fail("chat.postMessage", reason, channel="C2")
    fake.fail("chat.postMessage", reason, channel="C3")

    run_clock(fake, database_url, MONDAY, home)

    digests = read_store(database_url)
    assert [s.key for s in digests.active_subscriptions()] == [("T0OTHER", "C9")]
    ours = digests.deliveries(team_id=TEAM_ID)
    assert {(d.status, d.error) for d in ours} == {("paused", reason)}
    assert len(ours) == 3
    assert posts_by_channel(fake) == {"C9": 1}


def test_in_distribution_each_workspace_gets_its_digest_with_its_own_token(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    tokens = {team: install_workspace(fake, database_url, team) for team in ("T0A", "T0B", "T0C")}
    for team in ("T0A", "T0B", "T0C", "T0NEVER"):
        subscribe(database_url, [f"C{team}"], team_id=team)
    fake.revoked.add(tokens["T0B"])  # T0B revoked the app's token; the others did not

    run_clock(fake, database_url, MONDAY, home, env=distribution_clock_env(fake, database_url))

    posted = {call.body["channel"]: call.token for call in fake.calls_to("chat.postMessage")}
    assert posted == {"CT0A": tokens["T0A"], "CT0C": tokens["T0C"]}
    digests = read_store(database_url)
    assert {s.team_id for s in digests.active_subscriptions()} == {"T0A", "T0C"}
    assert {d.team_id: d.status for d in digests.deliveries()} == {
        "T0A": "posted",
        "T0B": "paused",
        "T0C": "posted",
        "T0NEVER": "paused",
    }


def test_a_failure_is_a_row_and_is_tried_again_on_the_next_pass(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"])
    fake.fail("chat.postMessage", "internal_error", times=1)

    first = start_clock(fake, database_url, MONDAY, home)
    out, _ = first.communicate(timeout=60)
    (failed,) = read_store(database_url).deliveries()
    # Not again at once: after a back-off.
    run_clock(fake, database_url, MONDAY + timedelta(minutes=1), home)
    assert read_store(database_url).deliveries()[0].status == "failed"
    age_deliveries(database_url, RETRY_FAILED_AFTER)
    run_clock(fake, database_url, MONDAY + timedelta(minutes=2), home)

    assert first.returncode == 1  # cron and operators hear of it
    assert "1 failed" in out
    assert (failed.status, failed.error) == ("failed", "internal_error")
    (delivery,) = read_store(database_url).deliveries()
    assert (delivery.status, delivery.attempts) == ("posted", 2)
    assert posts_by_channel(fake) == {"C1": 1}


NEW_YORK_9 = Schedule(cadence="weekly", weekday=0, at=time(9, 0), time_zone="America/New_York")


@pytest.mark.parametrize(
    ("monday", "utc_hour"),
    [
        (date(2026, 10, 26), 13),  # 09:00 EDT, UTC-4
        (date(2026, 11, 2), 14),  # the day after clocks went back: 09:00 EST, UTC-5
        (date(2026, 3, 9), 13),  # the day after clocks went forward
    ],
)
def test_a_schedule_keeps_its_local_time_across_daylight_saving_changes(
    fake: FakeSlack, database_url: str, home: Path, monday: date, utc_hour: int
) -> None:
    subscribe(database_url, ["C1"], schedule=NEW_YORK_9, at=datetime(2026, 1, 1, tzinfo=UTC))
    on_time = datetime.combine(monday, time(utc_hour, 0), tzinfo=UTC)
    # Settle the week before, so only this Monday's run can be due.
    run_clock(fake, database_url, on_time - timedelta(days=1), home)
    fake.reset()

    run_clock(fake, database_url, on_time - timedelta(minutes=1), home)
    assert fake.calls_to("chat.postMessage") == []
    run_clock(fake, database_url, on_time, home)

    assert posts_by_channel(fake) == {"C1": 1}
    latest = read_store(database_url).last_delivery(team_id=TEAM_ID, channel_id="C1")
    assert latest is not None
    assert latest.scheduled_for == on_time
    assert latest.until == monday


def test_bad_arguments_say_what_would_work(fake: FakeSlack, database_url: str, home: Path) -> None:
    def clock(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "clock", *args],
            env=clock_env(fake, database_url),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=30,
        )

    naive = clock("--once", "--now", "2026-11-30T09:05")
    assert naive.returncode == 2
    assert "no UTC offset" in naive.stderr
    assert "2026-11-30T09:05+00:00" in naive.stderr
    assert "Traceback" not in naive.stderr
    garbage = clock("--once", "--now", "monday")
    assert garbage.returncode == 2
    assert "2026-11-23T09:05:00+00:00" in garbage.stderr
    alone = clock("--now", "2026-11-30T09:05:00+00:00")
    assert alone.returncode == 2
    assert "--once" in alone.stderr
    helped = clock("--help")
    assert helped.returncode == 0
    assert "usage: llmcost clock" in helped.stdout


def _wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = wall_clock.monotonic() + timeout
    while not condition():
        if wall_clock.monotonic() > deadline:
            raise AssertionError("timed out")
        wall_clock.sleep(0.02)


def test_the_running_clock_posts_what_is_due_and_stops_cleanly(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    daily = Schedule(cadence="daily", weekday=None, at=time(0, 0), time_zone="UTC")
    subscribe(database_url, ["C1"], schedule=daily, at=datetime.now(UTC) - timedelta(days=3))

    clock = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "clock"],
        env=clock_env(fake, database_url),
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Its first pass runs at start: today's 00:00 run is owed.
        fake.wait_for("chat.postMessage", timeout=30)
        _wait_until(lambda: {d.status for d in read_store(database_url).deliveries()} == {"posted"})
    finally:
        clock.send_signal(signal.SIGTERM)
        _, log = clock.communicate(timeout=20)

    assert clock.returncode == 0, log
    assert "clock running" in log
    assert "clock stopping" in log
    assert "Traceback" not in log
    assert posts_by_channel(fake) == {"C1": 1}


def test_a_now_far_ahead_or_out_of_range_is_refused_before_anything_is_posted(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"])

    def clock(now: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.cli.main", "clock", "--once", "--now", now],
            env=clock_env(fake, database_url),
            cwd=home,
            capture_output=True,
            text=True,
            timeout=30,
        )

    next_year = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    typo = clock(next_year)
    assert typo.returncode == 2
    assert "more than 24 hours ahead of the real time" in typo.stderr
    for year in ("1899-12-31T09:00:00+00:00", "2201-01-01T09:00:00+00:00", "0001-01-01T00:00Z"):
        far = clock(year)
        assert far.returncode == 2, far.stderr
        assert "between 1900 and 2200" in far.stderr
        assert "Traceback" not in far.stderr
    assert fake.calls_to("chat.postMessage") == []
    assert read_store(database_url).deliveries() == []


def test_a_digest_recorded_for_the_future_heals_on_the_next_pass(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    # What `clock --once --now 2027-11-29T09:05:00+00:00` wrote before --now was bounded.
    subscribe(database_url, ["C1"])
    store = Store(database_url)
    try:
        with store.engine.begin() as connection:
            connection.execute(
                insert(digest_deliveries).values(
                    team_id=TEAM_ID,
                    channel_id="C1",
                    period="weekly:2027-W48",
                    scheduled_for=datetime(2027, 11, 29, 9, 0, tzinfo=UTC),
                    since=date(2027, 11, 22),
                    until=date(2027, 11, 29),
                    status="posted",
                    attempts=1,
                    claimed_by="typo",
                    claimed_at=MONDAY,
                    finished_at=MONDAY,
                    message_ts="1700000000.000100",
                )
            )
    finally:
        store.close()

    run_clock(fake, database_url, MONDAY, home)

    assert posts_by_channel(fake) == {"C1": 1}
    delivered = [d for d in read_store(database_url).deliveries() if d.since.year == 2026]
    assert [(d.period, d.since, d.until) for d in delivered] == [
        ("weekly:2026-W47", date(2026, 11, 9), date(2026, 11, 16))
    ]


def test_a_digest_slack_took_from_a_killed_clock_is_not_repeated_a_period_later(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    subscribe(database_url, ["C1"])
    run_clock(fake, database_url, MONDAY - timedelta(days=7), home)
    # Slack takes the next digest; the clock is killed before it can record it.
    gate = fake.hold("chat.postMessage", after_answering=True)
    clock = start_clock(fake, database_url, MONDAY, home)
    fake.wait_for("chat.postMessage", count=2)
    clock.send_signal(signal.SIGKILL)
    clock.wait(timeout=10)
    gate.set()

    # Nothing runs for the rest of the week; the next Monday's digest starts where the one
    # Slack took ended.
    run_clock(fake, database_url, MONDAY + timedelta(days=7), home)

    assert posts_by_channel(fake) == {"C1": 3}
    deliveries = read_store(database_url).deliveries()
    assert [(d.period, d.status, d.since, d.until) for d in deliveries] == [
        ("weekly:2026-W46", "posted", date(2026, 11, 2), date(2026, 11, 9)),
        ("weekly:2026-W47", "posted", date(2026, 11, 9), date(2026, 11, 16)),
        ("weekly:2026-W48", "posted", date(2026, 11, 16), date(2026, 11, 23)),
    ]


def test_a_refresh_from_a_dripping_server_delays_neither_the_digests_nor_the_shutdown(
    fake: FakeSlack, database_url: str, home: Path
) -> None:
    """The clock refreshed before it started its scheduler, and a server sending a byte every
    few seconds held it (and SIGTERM) for as long as it liked (issue 19)."""
    daily = Schedule(cadence="daily", weekday=None, at=time(0, 0), time_zone="UTC")
    subscribe(database_url, ["C1"], schedule=daily, at=datetime.now(UTC) - timedelta(days=3))
    with PricesServer() as prices:
        clock = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "clock"],
            env=clock_env(fake, database_url, LLMCOST_PRICES_URL=prices.url("/drip-headers")),
            cwd=home,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            # No stored file: the refresh starts at once, and drips; the digest goes out anyway.
            fake.wait_for("chat.postMessage", timeout=30)
            # The refresh's request, from its own thread, may reach the server just after.
            wait_until(lambda: prices.requests == ["/drip-headers"], timeout=10)
        finally:
            clock.send_signal(signal.SIGTERM)
            _, log = clock.communicate(timeout=20)

    assert clock.returncode == 0, log
    assert "clock stopping" in log
    assert "Traceback" not in log

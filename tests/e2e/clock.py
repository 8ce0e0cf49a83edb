"""The real `llmcost clock`, run as a separate process against a fake Slack and a database."""

import os
import subprocess
import sys
import time as wall_clock
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import select, update

from bot.digests.schedules import Schedule
from bot.storage.store import Store, digest_deliveries, digest_subscriptions
from bot.storage.subscriptions import DigestStore, Subscription
from tests.e2e.server import BOT_TOKEN
from tests.fake_slack import TEAM_ID, FakeSlack

ROOT = Path(__file__).resolve().parents[2]
MONDAY_9_UTC = Schedule(cadence="weekly", weekday=0, at=time(9, 0), time_zone="UTC")
# A Monday in the past (`clock --now` refuses instants more than a day ahead of the real
# time), with the Monday a week later past too; the subscriptions below were made well before it.
MONDAY = datetime(2026, 11, 16, 9, 5, tzinfo=UTC)
SUBSCRIBED_AT = datetime(2026, 10, 18, 12, 0, tzinfo=UTC)


def clock_env(fake: FakeSlack, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "DATABASE_URL", "LLMCOST_TARIFFS", "LLMCOST_PRICES"))
    }
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="DEBUG",
        PYTHONPATH=str(ROOT),
        # Nothing may reach the internet: a test that wants a refresh names a local server.
        LLMCOST_PRICES_URL="off",
    )
    env.update(extra)
    return env


def clock_command(now: datetime | None = None) -> list[str]:
    command = [sys.executable, "-m", "bot.cli.main", "clock", "--once"]
    return command + (["--now", now.isoformat()] if now is not None else [])


def run_clock(
    fake: FakeSlack,
    database_url: str,
    now: datetime,
    cwd: Path,
    timeout: float = 60,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """One `llmcost clock --once --now <now>` (with `env` instead of the one-workspace
    environment); fails the test if it does not exit cleanly."""
    done = subprocess.run(
        clock_command(now),
        env=clock_env(fake, database_url) if env is None else env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr
    return done


def start_clock(fake: FakeSlack, database_url: str, now: datetime, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(
        clock_command(now),
        env=clock_env(fake, database_url),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def subscribe(
    database_url: str,
    channels: Sequence[str],
    *,
    schedule: Schedule = MONDAY_9_UTC,
    watch: Sequence[str] | None = None,
    team_id: str = TEAM_ID,
    at: datetime = SUBSCRIBED_AT,
) -> list[Subscription]:
    store = Store(database_url)
    try:
        store.create_schema()
        digests = DigestStore(store)
        return [
            digests.subscribe(
                team_id=team_id,
                channel_id=channel,
                schedule=schedule,
                watch=watch,
                subscribed_by="U0SUBSCRIBER",
                now=at,
            )
            for channel in channels
        ]
    finally:
        store.close()


def distribution_clock_env(fake: FakeSlack, database_url: str) -> dict[str, str]:
    """The clock of a deployment any workspace installs: client credentials, no bot token."""
    env = clock_env(fake, database_url, SLACK_CLIENT_ID=fake.client_id)
    del env["SLACK_BOT_TOKEN"]
    env["SLACK_CLIENT_SECRET"] = fake.client_secret
    return env


def install_workspace(fake: FakeSlack, database_url: str, team_id: str) -> str:
    """The workspace's installation as the OAuth flow stores it (slack_sdk's store), with a
    bot token the fake Slack knows for it; the token."""
    token = f"xoxb-{team_id}-clock"
    fake.token_teams[token] = team_id
    store = Store(database_url)
    try:
        store.create_schema()
        SQLAlchemyInstallationStore(client_id=fake.client_id, engine=store.engine).save(
            Installation(
                app_id="A0LLMCOST",
                enterprise_id=None,
                team_id=team_id,
                bot_token=token,
                bot_id="B0LLMCOST",
                bot_user_id="U0LLMCOST",
                user_id="U0INSTALLER",
            )
        )
    finally:
        store.close()
    return token


def read_store(database_url: str) -> DigestStore:
    """A DigestStore for assertions; its engine is disposed of when the test's database goes."""
    return DigestStore(Store(database_url))


def posts_by_channel(fake: FakeSlack) -> dict[str, int]:
    """Digests Slack took (HTTP 200, ok), per channel."""
    counts: dict[str, int] = {}
    for call in fake.calls_to("chat.postMessage"):
        if call.status == 200 and isinstance(call.response, dict) and call.response.get("ok"):
            channel = call.body["channel"]
            counts[channel] = counts.get(channel, 0) + 1
    return counts


def backdate_subscriptions(database_url: str, by: timedelta) -> None:
    """As if every subscription had been made `by` earlier: `clock --now` takes past instants
    only, so a test subscribing now runs the clock at a run of the recent past."""
    store = Store(database_url)
    try:
        with store.engine.begin() as connection:
            for row in connection.execute(select(digest_subscriptions)).all():
                connection.execute(
                    update(digest_subscriptions)
                    .where(digest_subscriptions.c.id == row.id)
                    .values(starts_at=row.starts_at - by)
                )
    finally:
        store.close()


def age_deliveries(database_url: str, by: timedelta) -> None:
    """As if the delivery rows had been claimed and settled `by` earlier: leases and back-offs
    run on the real clock, which a test does not wait out."""
    store = Store(database_url)
    try:
        with store.engine.begin() as connection:
            for row in connection.execute(select(digest_deliveries)).all():
                connection.execute(
                    update(digest_deliveries)
                    .where(digest_deliveries.c.id == row.id)
                    .values(
                        claimed_at=row.claimed_at - by,
                        finished_at=row.finished_at and row.finished_at - by,
                    )
                )
    finally:
        store.close()


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Until `condition()` holds (polled: another process's doing), or AssertionError."""
    deadline = wall_clock.monotonic() + timeout
    while not condition():
        if wall_clock.monotonic() > deadline:
            raise AssertionError("timed out")
        wall_clock.sleep(0.05)

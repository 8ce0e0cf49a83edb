"""`/llmcost digest ...` through the real server, and the clock serving what the web process
stored: a subscription made in Slack is posted by `llmcost clock` without a restart."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.digests.schedules import Schedule
from tests.e2e.clock import backdate_subscriptions, read_store, run_clock
from tests.e2e.server import SIGNING_SECRET, Server, free_port, running_server, server_env
from tests.fake_slack import TEAM_ID, Call, FakeSlack
from tests.slack_requests import send_signed, slash_command


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    home = tmp_path_factory.mktemp("digest")
    return home, f"sqlite:///{home / 'llmcost.db'}"


@pytest.fixture(scope="module")
def server(fake: FakeSlack, database: tuple[Path, str]) -> Iterator[Server]:
    home, url = database
    with running_server(server_env(fake.api_url, url, free_port()), cwd=home) as started:
        yield started


def digest(server: Server, fake: FakeSlack, words: str, channel: str, **fields: str) -> None:
    request = slash_command(
        f"digest {words}".strip(),
        channel_id=channel,
        response_url=fake.response_url(channel),
        **fields,
    )
    status, _, _ = send_signed(server.events_url, request, SIGNING_SECRET)
    assert status == 200


def reply_to(fake: FakeSlack, channel: str, count: int = 1) -> Call:
    """The latest reply through the command's response_url."""
    return fake.wait_for(
        "response_url", count=count, predicate=lambda call: call.path.endswith(f"/{channel}")
    )[-1]


def posted_in(fake: FakeSlack, channel: str) -> Call:
    return fake.wait_for("chat.postMessage", predicate=lambda c: c.body["channel"] == channel)[-1]


def test_subscribing_is_announced_and_the_clock_posts_it_without_a_restart(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    digest(server, fake, "subscribe", "C0SUBSCRIBE")

    announced = posted_in(fake, "C0SUBSCRIBE")
    # The asker's own time zone, from their Slack profile (the fake's users are in Paris).
    assert "every Monday at 09:00 (Europe/Paris)" in announced.body["text"]
    assert "<@U0ASKER>" in announced.body["text"]
    assert "Next:" in announced.body["text"]
    assert fake.calls_to("users.info")[-1].body["user"] == "U0ASKER"

    home, url = database
    # The last Monday at 09:05 UTC, past 09:00 in Paris summer or winter, as if subscribed two
    # weeks ago (`--now` takes past instants): the clock, another process, finds the
    # subscription in the database.
    backdate_subscriptions(url, timedelta(days=14))
    now = datetime.now(UTC)
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(9, 5), tzinfo=UTC)
    run_clock(fake, url, monday if monday <= now else monday - timedelta(days=7), home)

    posted = fake.wait_for(
        "chat.postMessage",
        predicate=lambda c: c.body["channel"] == "C0SUBSCRIBE" and "metadata" in c.body,
    )
    assert len(posted) == 1
    assert "tariff" in posted[0].body["text"].lower()


def test_a_schedule_time_zone_and_watch_list_can_be_named(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    digest(server, fake, "subscribe daily 18:30 America/New_York watch openai", "C0NAMED")

    announced = posted_in(fake, "C0NAMED")
    assert "every day at 18:30 (America/New_York)" in announced.body["text"]
    assert "`openai`" in announced.body["text"]
    _, url = database
    kept = read_store(url).subscription(team_id=TEAM_ID, channel_id="C0NAMED")
    assert kept is not None
    assert kept.schedule == Schedule(
        cadence="daily", weekday=None, at=time(18, 30), time_zone="America/New_York"
    )
    assert kept.watch == ("openai",)

    digest(server, fake, "status", "C0NAMED")
    status = reply_to(fake, "C0NAMED")
    assert status.body["response_type"] == "ephemeral"
    assert "every day at 18:30 (America/New_York)" in status.body["text"]


def test_mistakes_are_explained_and_nothing_is_stored(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    digest(server, fake, "subscribe weekly mon 09:00 Europe/Pari", "C0TYPO")
    zone = reply_to(fake, "C0TYPO")
    digest(server, fake, "subscribe watch gpt-4p", "C0TYPO")
    model = reply_to(fake, "C0TYPO", count=2)
    digest(server, fake, "subscirbe", "C0TYPO")
    verb = reply_to(fake, "C0TYPO", count=3)

    for reply in (zone, model, verb):
        assert reply.body["response_type"] == "ephemeral"
    assert "Europe/Paris" in json.dumps(zone.body)
    assert "gpt-4o" in json.dumps(model.body)
    assert "subscribe" in json.dumps(verb.body)
    _, url = database
    assert read_store(url).subscription(team_id=TEAM_ID, channel_id="C0TYPO") is None


def test_typed_mentions_are_not_echoed_as_mentions(server: Server, fake: FakeSlack) -> None:
    digest(server, fake, "subscribe watch <!channel> <@U0BOSS>", "C0ECHO")

    reply = json.dumps(reply_to(fake, "C0ECHO").body)
    assert "<!channel>" not in reply
    assert "<@U0BOSS>" not in reply


def test_without_the_subscribers_time_zone_it_is_utc_and_says_so(
    server: Server, fake: FakeSlack
) -> None:
    fake.fail("users.info", "missing_scope")

    digest(server, fake, "subscribe", "C0NOZONE")

    announced = posted_in(fake, "C0NOZONE")
    assert "every Monday at 09:00 (UTC)" in announced.body["text"]
    assert "couldn't read your time zone" in announced.body["text"]


def test_a_channel_without_the_bot_is_subscribed_and_told_to_invite_it(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    fake.fail("chat.postMessage", "not_in_channel", channel="C0NOTIN")

    digest(server, fake, "subscribe", "C0NOTIN")

    reply = reply_to(fake, "C0NOTIN")
    assert reply.body["response_type"] == "ephemeral"
    assert "/invite @llmcost" in reply.body["text"]
    _, url = database
    assert read_store(url).subscription(team_id=TEAM_ID, channel_id="C0NOTIN") is not None


def test_status_shows_a_pause_and_its_reason(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    home, url = database
    digest(server, fake, "subscribe daily 07:00 UTC", "C0PAUSED")
    posted_in(fake, "C0PAUSED")
    fake.fail("chat.postMessage", "is_archived", channel="C0PAUSED")
    backdate_subscriptions(url, timedelta(days=2))
    run_clock(fake, url, datetime.now(UTC), home)

    digest(server, fake, "status", "C0PAUSED")

    text = reply_to(fake, "C0PAUSED").body["text"]
    assert "Paused" in text
    assert "is_archived" in text
    assert "archived" in text
    assert "Last digest:* not posted, paused" in text


def test_preview_shows_the_digest_only_to_the_asker(server: Server, fake: FakeSlack) -> None:
    digest(server, fake, "preview", "C0PREVIEW")

    preview = reply_to(fake, "C0PREVIEW")
    assert preview.body["response_type"] == "ephemeral"
    assert preview.body["blocks"]
    assert "tariff" in preview.body["text"].lower()


def test_unsubscribing_stops_the_digest(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    home, url = database
    digest(server, fake, "subscribe daily 07:00 UTC", "C0STOP")
    posted_in(fake, "C0STOP")
    backdate_subscriptions(url, timedelta(days=2))  # a run is due now, had it stayed

    digest(server, fake, "unsubscribe", "C0STOP")

    said = reply_to(fake, "C0STOP")
    assert said.body["response_type"] == "in_channel"
    assert "unsubscribed" in said.body["text"]
    run_clock(fake, url, datetime.now(UTC), home)
    assert "C0STOP" not in {
        call.body["channel"]
        for call in fake.calls_to("chat.postMessage")
        if "metadata" in call.body
    }
    digest(server, fake, "unsubscribe", "C0STOP")
    assert "no tariff digest" in reply_to(fake, "C0STOP", count=2).body["text"]


def test_help_lists_the_digest_commands(server: Server, fake: FakeSlack) -> None:
    digest(server, fake, "", "C0HELP")

    text = reply_to(fake, "C0HELP").body["text"]
    for verb in ("subscribe", "unsubscribe", "status", "preview", "watch"):
        assert f"digest {verb}" in text


def test_subscribing_again_resumes_a_paused_digest_as_it_was(
    server: Server, fake: FakeSlack, database: tuple[Path, str]
) -> None:
    _, url = database
    digest(server, fake, "subscribe daily 18:30 America/New_York watch openai", "C0RESUME")
    posted_in(fake, "C0RESUME")
    read_store(url).pause(
        team_id=TEAM_ID, channel_id="C0RESUME", reason="not_in_channel", now=datetime.now(UTC)
    )

    digest(server, fake, "subscribe", "C0RESUME")

    fake.wait_for("chat.postMessage", count=2, predicate=lambda c: c.body["channel"] == "C0RESUME")
    kept = read_store(url).subscription(team_id=TEAM_ID, channel_id="C0RESUME")
    assert kept is not None
    assert kept.paused_reason is None
    assert kept.schedule == Schedule(
        cadence="daily", weekday=None, at=time(18, 30), time_zone="America/New_York"
    )
    assert kept.watch == ("openai",)

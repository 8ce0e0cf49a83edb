"""Subscriptions and delivery claims on both databases: one winner per channel and period."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, update

from bot.digests.schedules import Schedule
from bot.storage.store import Store, digest_subscriptions
from bot.storage.subscriptions import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    RETRY_FAILED_AFTER,
    DigestStore,
    DueDigest,
    EarlierDigests,
    Outcome,
    Subscription,
)
from tests.bot.storage.test_store import run_together

NOW = datetime(2026, 11, 30, 9, 5, tzinfo=UTC)
MONDAY_9 = Schedule(cadence="weekly", weekday=0, at=time(9, 0), time_zone="UTC")
TEAM = "T1"


@pytest.fixture
def digests(database_url: str) -> Iterator[DigestStore]:
    store = Store(database_url)
    store.create_schema()
    yield DigestStore(store)
    store.close()


def subscribe(digests: DigestStore, channel: str, **changes: object) -> Subscription:
    arguments: dict = {
        "team_id": TEAM,
        "channel_id": channel,
        "schedule": MONDAY_9,
        "watch": None,
        "subscribed_by": "U1",
        "now": NOW - timedelta(days=10),
    }
    arguments.update(changes)
    return digests.subscribe(**arguments)


def due(subscription: Subscription, period: str = "weekly:2026-W49") -> DueDigest:
    return DueDigest(
        subscription=subscription,
        scheduled_for=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        period=period,
        since=date(2026, 11, 23),
        until=date(2026, 11, 30),
    )


# -- subscriptions ---------------------------------------------------------------------------


def test_a_subscription_is_kept_with_its_schedule_and_watch_list(digests: DigestStore) -> None:
    paris = Schedule(cadence="daily", weekday=None, at=time(18, 30), time_zone="Europe/Paris")
    subscribe(digests, "C1", schedule=paris, watch=("openai", "gpt-4o"))

    kept = digests.subscription(team_id=TEAM, channel_id="C1")

    assert kept is not None
    assert kept.schedule == paris
    assert kept.watch == ("openai", "gpt-4o")
    assert kept.subscribed_by == "U1"
    assert kept.paused_reason is None
    assert digests.subscription(team_id=TEAM, channel_id="C2") is None


def test_subscribing_again_changes_the_schedule_and_keeps_the_watch_list(
    digests: DigestStore,
) -> None:
    subscribe(digests, "C1", watch=("anthropic",))
    friday = MONDAY_9.model_copy(update={"weekday": 4})

    again = subscribe(digests, "C1", schedule=friday, now=NOW)

    assert again.schedule == friday
    assert again.watch == ("anthropic",)
    # A moved schedule owes nothing from before the move.
    assert again.starts_at == NOW
    assert len(digests.active_subscriptions()) == 1


def test_subscribing_again_with_the_same_schedule_keeps_what_is_owed(
    digests: DigestStore,
) -> None:
    first = subscribe(digests, "C1")

    again = subscribe(digests, "C1", now=NOW)

    assert again.starts_at == first.starts_at


def test_pausing_a_channel_then_subscribing_again_resumes_it(digests: DigestStore) -> None:
    subscribe(digests, "C1")
    subscribe(digests, "C2")

    assert digests.pause(team_id=TEAM, channel_id="C1", reason="not_in_channel", now=NOW) == 1

    paused = digests.subscription(team_id=TEAM, channel_id="C1")
    assert paused is not None
    assert paused.paused_reason == "not_in_channel"
    assert paused.paused_at == NOW
    assert [s.channel_id for s in digests.active_subscriptions()] == ["C2"]
    resumed = subscribe(digests, "C1", now=NOW)
    assert resumed.paused_reason is None
    assert len(digests.active_subscriptions()) == 2


def test_pausing_a_workspace_pauses_its_channels_only(digests: DigestStore) -> None:
    subscribe(digests, "C1")
    subscribe(digests, "C2")
    subscribe(digests, "C3", team_id="T2")

    assert digests.pause(team_id=TEAM, channel_id=None, reason="token_revoked", now=NOW) == 2

    assert [s.key for s in digests.active_subscriptions()] == [("T2", "C3")]


def test_unsubscribing_keeps_the_delivery_record(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")
    (claim,) = digests.claim([due(subscription)], now=NOW, claimer="a")
    digests.finish(
        [Outcome(claim.delivery_id, "posted", message_ts="1.000100")], claimer="a", now=NOW
    )

    assert digests.unsubscribe(team_id=TEAM, channel_id="C1") is True
    assert digests.unsubscribe(team_id=TEAM, channel_id="C1") is False

    assert digests.subscription(team_id=TEAM, channel_id="C1") is None
    assert [d.status for d in digests.deliveries()] == ["posted"]


def test_set_watch_needs_a_subscription(digests: DigestStore) -> None:
    assert digests.set_watch(team_id=TEAM, channel_id="C1", watch=("openai",), now=NOW) is None
    subscribe(digests, "C1", watch=("openai",))

    cleared = digests.set_watch(team_id=TEAM, channel_id="C1", watch=(), now=NOW)

    assert cleared is not None
    assert cleared.watch == ()


# -- claims ----------------------------------------------------------------------------------


def test_a_period_is_claimed_once(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")

    first = digests.claim([due(subscription)], now=NOW, claimer="a")
    second = digests.claim([due(subscription)], now=NOW, claimer="b")

    assert [claim.attempt for claim in first] == [1]
    assert second == []
    (delivery,) = digests.deliveries()
    assert (delivery.status, delivery.attempts, delivery.period) == (
        "claimed",
        1,
        "weekly:2026-W49",
    )


def test_the_next_period_is_a_new_claim(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")
    (claim,) = digests.claim([due(subscription)], now=NOW, claimer="a")
    digests.finish(
        [Outcome(claim.delivery_id, "posted", message_ts="1.000100")], claimer="a", now=NOW
    )

    later = digests.claim([due(subscription, "weekly:2026-W50")], now=NOW, claimer="a")

    assert len(later) == 1
    assert digests.last_posted_until([(TEAM, "C1")]) == {(TEAM, "C1"): date(2026, 11, 30)}


def test_an_abandoned_claim_is_taken_again_after_its_lease(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")
    (first,) = digests.claim([due(subscription)], now=NOW, claimer="killed")

    within_lease = NOW + CLAIM_LEASE - timedelta(seconds=1)
    assert digests.claim([due(subscription)], now=within_lease, claimer="b") == []
    (again,) = digests.claim([due(subscription)], now=NOW + CLAIM_LEASE, claimer="b")

    assert again.delivery_id == first.delivery_id
    assert again.attempt == 2


def test_a_failed_delivery_is_tried_again_a_few_times_further_apart(
    digests: DigestStore,
) -> None:
    subscription = subscribe(digests, "C1")
    now = NOW
    (claim,) = digests.claim([due(subscription)], now=now, claimer="a")
    attempts = [claim.attempt]
    while True:
        digests.finish(
            [Outcome(claim.delivery_id, "failed", error="fatal_error")], claimer="a", now=now
        )
        wait = RETRY_FAILED_AFTER * 2 ** (claim.attempt - 1)
        assert digests.claim([due(subscription)], now=now + wait / 2, claimer="a") == []
        now += wait
        claims = digests.claim([due(subscription)], now=now, claimer="a")
        if not claims:
            break
        (claim,) = claims
        attempts.append(claim.attempt)

    assert attempts == list(range(1, MAX_ATTEMPTS + 1))
    (delivery,) = digests.deliveries()
    assert (delivery.status, delivery.error) == ("failed", "fatal_error")


def test_a_posted_or_paused_delivery_is_not_claimed_again_while_paused(
    digests: DigestStore,
) -> None:
    posted, paused = subscribe(digests, "C1"), subscribe(digests, "C2")
    for claim in digests.claim([due(posted), due(paused)], now=NOW, claimer="a"):
        status = "posted" if claim.due.subscription.channel_id == "C1" else "paused"
        digests.finish([Outcome(claim.delivery_id, status)], claimer="a", now=NOW)
    digests.pause(team_id=TEAM, channel_id="C2", reason="not_in_channel", now=NOW)

    # The clock asks only for active subscriptions' digests: C2 is not among them.
    assert digests.claim([due(posted)], now=NOW + CLAIM_LEASE * 2, claimer="a") == []

    resumed = subscribe(digests, "C2", now=NOW + timedelta(minutes=1))
    (claim,) = digests.claim([due(resumed)], now=NOW + timedelta(minutes=1), claimer="a")
    assert claim.attempt == 2


def test_threads_claiming_the_same_periods_win_each_once(digests: DigestStore) -> None:
    subscriptions = [subscribe(digests, f"C{number:03d}") for number in range(40)]
    wanted = [due(subscription) for subscription in subscriptions]

    def claim_all() -> list[str]:
        claims = digests.claim(wanted, now=NOW, claimer="t")
        return [claim.due.subscription.channel_id for claim in claims]

    won = run_together([claim_all] * 6)

    assert Counter(channel for channels in won for channel in channels) == Counter(
        s.channel_id for s in subscriptions
    )


def test_threads_taking_an_abandoned_claim_win_it_once(digests: DigestStore) -> None:
    subscriptions = [subscribe(digests, f"C{number:03d}") for number in range(20)]
    wanted = [due(subscription) for subscription in subscriptions]
    digests.claim(wanted, now=NOW, claimer="killed")
    later = NOW + CLAIM_LEASE

    def claim_all() -> list[str]:
        return [
            c.due.subscription.channel_id for c in digests.claim(wanted, now=later, claimer="t")
        ]

    won = run_together([claim_all] * 6)

    assert sorted(channel for channels in won for channel in channels) == sorted(
        s.channel_id for s in subscriptions
    )


def test_outcomes_of_a_claim_taken_over_are_not_written(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")
    (first,) = digests.claim([due(subscription)], now=NOW, claimer="slow")
    (second,) = digests.claim([due(subscription)], now=NOW + CLAIM_LEASE, claimer="new")
    assert digests.finish([Outcome(second.delivery_id, "posted", "2.0")], claimer="new", now=NOW)

    late = digests.finish(
        [Outcome(first.delivery_id, "failed", error="x")], claimer="slow", now=NOW
    )

    assert late == 0
    (delivery,) = digests.deliveries()
    assert (delivery.status, delivery.message_ts) == ("posted", "2.0")


def test_a_renewed_claim_is_not_taken_over(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")
    digests.claim([due(subscription)], now=NOW, claimer="alive")

    assert digests.renew(claimer="alive", now=NOW + CLAIM_LEASE - timedelta(minutes=1)) == 1

    assert digests.claim([due(subscription)], now=NOW + CLAIM_LEASE, claimer="b") == []


def test_an_unreadable_subscription_does_not_hide_the_others(digests: DigestStore) -> None:
    subscribe(digests, "C1")
    subscribe(digests, "C2")
    with digests.engine.begin() as connection:
        connection.execute(
            update(digest_subscriptions)
            .where(digest_subscriptions.c.channel_id == "C1")
            .values(time_zone="Mars/Olympus_Mons")
        )

    assert [s.channel_id for s in digests.active_subscriptions()] == ["C2"]


def test_a_posted_digest_says_when_its_content_was_composed(digests: DigestStore) -> None:
    subscription = subscribe(digests, "C1")
    assert digests.composed_at(TEAM, "C1", date(2026, 11, 30)) is None
    (claim,) = digests.claim([due(subscription)], now=NOW, claimer="a")
    assert digests.composed_at(TEAM, "C1", date(2026, 11, 30)) is None  # not posted yet
    digests.finish(
        [Outcome(claim.delivery_id, "posted", message_ts="1.000100")],
        claimer="a",
        now=NOW + timedelta(minutes=2),
    )

    assert digests.composed_at(TEAM, "C1", date(2026, 11, 30)) == NOW
    assert digests.composed_at(TEAM, "C2", date(2026, 11, 30)) is None


def test_a_pass_reads_its_channels_earlier_digests_at_once(digests: DigestStore) -> None:
    """`earlier_digests`: each claim's unrecorded deliveries and when the digest before it was
    composed (as `composed_at` says), in two statements however many channels there are."""
    posted, abandoned, failed, new, elsewhere = (
        subscribe(digests, c) for c in ("C1", "C2", "C3", "C4", "C5")
    )
    week_48 = replace(
        due(posted, "weekly:2026-W48"), since=date(2026, 11, 16), until=date(2026, 11, 23)
    )
    last_week = NOW - timedelta(days=7)
    (claim,) = digests.claim([week_48], now=last_week, claimer="a")
    digests.finish([Outcome(claim.delivery_id, "posted", message_ts="1.1")], claimer="a", now=NOW)
    # C2's process died after claiming last week's digest; C3's failed: Slack may have either.
    digests.claim([replace(week_48, subscription=abandoned)], now=last_week, claimer="b")
    (claim,) = digests.claim([replace(week_48, subscription=failed)], now=last_week, claimer="b")
    digests.finish([Outcome(claim.delivery_id, "failed", error="boom")], claimer="b", now=NOW)
    # C5 is no claim of this pass: its abandoned digest is not read.
    digests.claim([replace(week_48, subscription=elsewhere)], now=last_week, claimer="b")
    dues = [
        due(posted),
        *(replace(due(s), since=date(2026, 11, 16)) for s in (abandoned, failed)),
        due(new),
    ]
    digests.claim(dues, now=NOW, claimer="c")

    statements: list[str] = []

    def counted(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(digests.engine, "before_cursor_execute", counted)
    try:
        earlier = digests.earlier_digests(dues)
    finally:
        event.remove(digests.engine, "before_cursor_execute", counted)

    assert len(statements) == 2
    assert sorted(earlier.unrecorded) == [(TEAM, "C2"), (TEAM, "C3")]
    unrecorded = [earlier.unrecorded_before(asked) for asked in dues]
    assert [[(d.channel_id, d.period, d.status) for d in found] for found in unrecorded] == [
        [],
        [("C2", "weekly:2026-W48", "claimed")],
        [("C3", "weekly:2026-W48", "failed")],
        [],  # C4's own claim of this week is not an earlier digest
    ]
    for asked in dues:
        key = (*asked.subscription.key, asked.since)
        assert key in earlier.asked
        assert earlier.composed.get(key) == digests.composed_at(*key)
    assert earlier.composed == {(TEAM, "C1", date(2026, 11, 23)): last_week}
    assert digests.earlier_digests([]) == EarlierDigests({}, frozenset(), {})

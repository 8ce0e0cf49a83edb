"""Digest subscriptions and deliveries in the database, shared by the web and clock processes.

The web process writes subscriptions (`/llmcost digest subscribe`); the clock reads them on every
pass, so a new subscription is served without a restart. Deliveries are claimed here before
anything is posted: the (team, channel, period) unique constraint lets exactly one dispatcher
win, whichever process and database (SQLite or PostgreSQL) it runs on.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Row, Select, bindparam, delete, func, select, true, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from bot.digests.schedules import Schedule
from bot.storage.store import Store, digest_deliveries, digest_subscriptions

log = logging.getLogger(__name__)
Status = Literal["claimed", "posted", "failed", "paused"]
ChannelKey = tuple[str, str]  # (team_id, channel_id)

# A claim older than this whose dispatcher never said how it ended is taken to be abandoned (a
# process killed mid-post) and may be claimed again; far longer than a post with its retries.
CLAIM_LEASE = timedelta(minutes=15)
# A digest that failed (Slack down past every retry) is tried again on later passes, this many
# attempts in all, waiting 5, 10, 20, 40 minutes: an outage of an hour or so is outlasted.
MAX_ATTEMPTS = 5
RETRY_FAILED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Subscription:
    team_id: str
    channel_id: str
    schedule: Schedule
    watch: tuple[str, ...]
    subscribed_by: str | None
    starts_at: datetime
    paused_reason: str | None = None
    paused_at: datetime | None = None

    @property
    def key(self) -> ChannelKey:
        return self.team_id, self.channel_id


@dataclass(frozen=True)
class Delivery:
    id: int
    team_id: str
    channel_id: str
    period: str
    scheduled_for: datetime
    since: date
    until: date
    status: Status
    attempts: int
    claimed_at: datetime
    finished_at: datetime | None
    message_ts: str | None
    error: str | None


@dataclass(frozen=True)
class DueDigest:
    """A channel's digest for one period, covering tariff changes in (since, until]."""

    subscription: Subscription
    scheduled_for: datetime
    period: str
    since: date
    until: date

    @property
    def key(self) -> tuple[str, str, str]:
        return self.subscription.team_id, self.subscription.channel_id, self.period


@dataclass(frozen=True)
class Outcome:
    """How one claimed delivery ended."""

    delivery_id: int
    status: Status
    message_ts: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Claim:
    due: DueDigest
    delivery_id: int
    # Above 1, an earlier attempt may have reached Slack: look before posting again.
    attempt: int


@dataclass(frozen=True)
class EarlierDigests:
    """What a pass needs of its channels' earlier digests, read in two queries when it starts:
    a query per channel, on the event loop or in a thread, held up a thousand posts."""

    # (team, channel) -> its deliveries never recorded as posted (claimed or failed).
    unrecorded: dict[ChannelKey, list[Delivery]]
    # The (team, channel, until) asked about: each claim's channel and the start of its window.
    asked: frozenset[tuple[str, str, date]]
    # Of those, each with a posted digest ending then -> when that digest was claimed.
    composed: dict[tuple[str, str, date], datetime]

    def unrecorded_before(self, due: DueDigest) -> list[Delivery]:
        """The channel's deliveries that end inside `due`'s window but were never recorded as
        posted (claimed by a process that died, or failed): Slack may have them, oldest
        first."""
        return [
            delivery
            for delivery in self.unrecorded.get(due.subscription.key, [])
            if delivery.period != due.period and due.since < delivery.until < due.until
        ]


class DigestStore:
    def __init__(self, store: Store) -> None:
        self.engine = store.engine

    # ------------------------------------------------------------------ subscriptions

    def subscribe(
        self,
        *,
        team_id: str,
        channel_id: str,
        schedule: Schedule,
        watch: Sequence[str] | None,
        subscribed_by: str | None,
        now: datetime,
    ) -> Subscription:
        """Create or change a channel's subscription and resume it if it was paused.

        `watch` None keeps what the channel watches. Runs before `now` are owed only when the
        schedule stays the same: moving Monday's digest to Friday must not owe last Friday's.
        """
        with self.engine.begin() as connection:
            current = _subscription_row(connection, team_id, channel_id, for_update=True)
            same_schedule = current is not None and _schedule(current) == schedule
            values = {
                "cadence": schedule.cadence,
                "weekday": schedule.weekday,
                "at_time": schedule.at.strftime("%H:%M"),
                "time_zone": schedule.time_zone,
                "watch": " ".join(watch)
                if watch is not None
                else (current.watch if current else ""),
                "subscribed_by": subscribed_by,
                "starts_at": current.starts_at if same_schedule and current else now,
                "paused_reason": None,
                "paused_at": None,
                "updated_at": now,
            }
            if current is None:
                connection.execute(
                    _insert(connection, digest_subscriptions)
                    .values(team_id=team_id, channel_id=channel_id, **values)
                    .on_conflict_do_update(index_elements=["team_id", "channel_id"], set_=values)
                )
            else:
                connection.execute(
                    update(digest_subscriptions)
                    .where(digest_subscriptions.c.id == current.id)
                    .values(**values)
                )
            row = _subscription_row(connection, team_id, channel_id)
        assert row is not None
        return _subscription(row)

    def unsubscribe(self, *, team_id: str, channel_id: str) -> bool:
        """False when the channel had no subscription. Its deliveries stay, as the record."""
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(digest_subscriptions).where(
                    digest_subscriptions.c.team_id == team_id,
                    digest_subscriptions.c.channel_id == channel_id,
                )
            )
        return result.rowcount > 0

    def set_watch(
        self, *, team_id: str, channel_id: str, watch: Sequence[str], now: datetime
    ) -> Subscription | None:
        with self.engine.begin() as connection:
            connection.execute(
                update(digest_subscriptions)
                .where(
                    digest_subscriptions.c.team_id == team_id,
                    digest_subscriptions.c.channel_id == channel_id,
                )
                .values(watch=" ".join(watch), updated_at=now)
            )
            row = _subscription_row(connection, team_id, channel_id)
        return None if row is None else _subscription(row)

    def subscription(self, *, team_id: str, channel_id: str) -> Subscription | None:
        with self.engine.connect() as connection:
            row = _subscription_row(connection, team_id, channel_id)
        return None if row is None else _subscription(row)

    def team_subscriptions(self, team_id: str) -> list[Subscription]:
        """A workspace's subscriptions, paused ones too, by channel; a row this host cannot
        read is left out, as in `active_subscriptions`."""
        query = (
            select(digest_subscriptions)
            .where(digest_subscriptions.c.team_id == team_id)
            .order_by(digest_subscriptions.c.channel_id)
        )
        return self._readable(query)

    def active_subscriptions(self) -> list[Subscription]:
        """Every subscription that is not paused. A row this host cannot read (a time zone its
        tz database lacks) is logged and left out, not allowed to stop every other digest."""
        query = select(digest_subscriptions).where(digest_subscriptions.c.paused_reason.is_(None))
        return self._readable(query)

    def _readable(self, query: Select) -> list[Subscription]:
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        subscriptions = []
        for row in rows:
            try:
                subscriptions.append(_subscription(row))
            except ValueError as error:  # pydantic's ValidationError is a ValueError
                log.error(
                    "subscription of %s/%s skipped, unreadable here: %s",
                    row.team_id,
                    row.channel_id,
                    str(error).splitlines()[-1].strip(),
                )
        return subscriptions

    def pause(self, *, team_id: str, channel_id: str | None, reason: str, now: datetime) -> int:
        """Pause one channel's subscription, or (channel None) the whole workspace's, and say
        why; `digest status` shows the reason and subscribing again resumes."""
        conditions = [
            digest_subscriptions.c.team_id == team_id,
            digest_subscriptions.c.paused_reason.is_(None),
        ]
        if channel_id is not None:
            conditions.append(digest_subscriptions.c.channel_id == channel_id)
        with self.engine.begin() as connection:
            result = connection.execute(
                update(digest_subscriptions)
                .where(*conditions)
                .values(paused_reason=reason, paused_at=now, updated_at=now)
            )
        return result.rowcount

    # ------------------------------------------------------------------ deliveries

    def last_delivery(self, *, team_id: str, channel_id: str) -> Delivery | None:
        query = (
            select(digest_deliveries)
            .where(
                digest_deliveries.c.team_id == team_id,
                digest_deliveries.c.channel_id == channel_id,
            )
            .order_by(digest_deliveries.c.scheduled_for.desc(), digest_deliveries.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _delivery(row)

    def deliveries(self, *, team_id: str | None = None) -> list[Delivery]:
        query = select(digest_deliveries).order_by(digest_deliveries.c.id)
        if team_id is not None:
            query = query.where(digest_deliveries.c.team_id == team_id)
        with self.engine.connect() as connection:
            return [_delivery(row) for row in connection.execute(query)]

    def earlier_digests(self, dues: Sequence[DueDigest]) -> EarlierDigests:
        """For `dues` (a pass's claims), in two queries: their channels' deliveries never
        recorded as posted, and what `composed_at` says of the digest ending where each due
        one starts."""
        channels = {due.subscription.key for due in dues}
        asked = frozenset((*due.subscription.key, due.since) for due in dues)
        if not dues:
            return EarlierDigests({}, asked, {})
        of_these_channels = tuple_(digest_deliveries.c.team_id, digest_deliveries.c.channel_id).in_(
            sorted(channels)
        )
        unrecorded_query = (
            select(digest_deliveries)
            .where(
                of_these_channels,
                digest_deliveries.c.status.in_(("claimed", "failed")),
                digest_deliveries.c.until > min(due.since for due in dues),
                digest_deliveries.c.until < max(due.until for due in dues),
            )
            .order_by(digest_deliveries.c.until)
        )
        composed_query = (
            select(
                digest_deliveries.c.team_id,
                digest_deliveries.c.channel_id,
                digest_deliveries.c.until,
                func.max(digest_deliveries.c.claimed_at),
            )
            .where(
                of_these_channels,
                digest_deliveries.c.status == "posted",
                digest_deliveries.c.until.in_(sorted({due.since for due in dues})),
            )
            .group_by(
                digest_deliveries.c.team_id,
                digest_deliveries.c.channel_id,
                digest_deliveries.c.until,
            )
        )
        unrecorded: dict[ChannelKey, list[Delivery]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(unrecorded_query):
                delivery = _delivery(row)
                unrecorded.setdefault((delivery.team_id, delivery.channel_id), []).append(delivery)
            composed = {
                (team, channel, until): claimed_at
                for team, channel, until, claimed_at in connection.execute(composed_query)
                if (team, channel, until) in asked
            }
        return EarlierDigests(unrecorded, asked, composed)

    def found_posted(
        self, delivery: Delivery, *, message_ts: str, later: Claim, now: datetime
    ) -> None:
        """Record that Slack has `delivery`'s digest after all, and start the `later` claim
        where it ended, in one transaction: its changes are then not said twice."""
        with self.engine.begin() as connection:
            connection.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.id == delivery.id,
                    digest_deliveries.c.status.in_(("claimed", "failed")),
                )
                .values(status="posted", message_ts=message_ts, finished_at=now, error=None)
            )
            connection.execute(
                update(digest_deliveries)
                .where(digest_deliveries.c.id == later.delivery_id)
                .values(since=delivery.until)
            )

    def composed_at(self, team_id: str, channel_id: str, until: date) -> datetime | None:
        """When the channel's posted digest ending on `until` was claimed, just before its
        content was composed: a price file stored after this is news for the next digest (one
        stored in the moment between the claim and composing is said again, never missed)."""
        query = select(func.max(digest_deliveries.c.claimed_at)).where(
            digest_deliveries.c.team_id == team_id,
            digest_deliveries.c.channel_id == channel_id,
            digest_deliveries.c.status == "posted",
            digest_deliveries.c.until == until,
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one_or_none()

    def last_posted_until(
        self, channels: Iterable[ChannelKey], *, not_after: date | None = None
    ) -> dict[ChannelKey, date]:
        """The end of each channel's latest posted digest: the next one starts there. Digests
        that end after `not_after` are left out."""
        wanted = set(channels)
        if not wanted:
            return {}
        query = (
            select(
                digest_deliveries.c.team_id,
                digest_deliveries.c.channel_id,
                func.max(digest_deliveries.c.until),
            )
            .where(
                digest_deliveries.c.status == "posted",
                true() if not_after is None else digest_deliveries.c.until <= not_after,
            )
            .group_by(digest_deliveries.c.team_id, digest_deliveries.c.channel_id)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return {
            (team, channel): until for team, channel, until in rows if (team, channel) in wanted
        }

    def claim(self, due: Sequence[DueDigest], *, now: datetime, claimer: str) -> list[Claim]:
        """The digests this dispatcher may post now, each claimed in the database first.

        A period with no delivery row is claimed by inserting one; the unique constraint lets
        one dispatcher win. A row is claimed again only when its earlier attempt is settled as
        worth repeating: abandoned (claimed longer than CLAIM_LEASE ago), failed (fewer than
        MAX_ATTEMPTS), or paused while the subscription has since been resumed. That update is
        conditional on the attempt count read, so two dispatchers cannot both win it.
        """
        if not due:
            return []
        by_key = {digest.key: digest for digest in due}
        existing = self._deliveries_for(by_key)
        fresh = [digest for key, digest in by_key.items() if key not in existing]
        claims = self._insert_claims(fresh, now=now, claimer=claimer)
        for key, delivery in existing.items():
            if _worth_another_attempt(delivery, now):
                claim = self._claim_again(by_key[key], delivery, now=now, claimer=claimer)
                if claim is not None:
                    claims.append(claim)
        return claims

    def finish(self, outcomes: Sequence[Outcome], *, claimer: str, now: datetime) -> int:
        """Record how deliveries ended, in one transaction: a pass posting to a thousand
        channels would otherwise queue a thousand commits behind SQLite's single writer.

        Only claims still held by `claimer` are written, so a dispatcher that lost a claim
        (taken over after the lease) cannot overwrite what the new holder records. Returns how
        many were written."""
        if not outcomes:
            return 0
        statement = (
            update(digest_deliveries)
            .where(
                digest_deliveries.c.id == bindparam("delivery_id"),
                digest_deliveries.c.claimed_by == claimer,
                digest_deliveries.c.status == "claimed",
            )
            .values(
                status=bindparam("new_status"),
                message_ts=bindparam("new_message_ts"),
                error=bindparam("new_error"),
                finished_at=now,
            )
        )
        rows = [
            {
                "delivery_id": outcome.delivery_id,
                "new_status": outcome.status,
                "new_message_ts": outcome.message_ts,
                "new_error": outcome.error,
            }
            for outcome in outcomes
        ]
        with self.engine.begin() as connection:
            result = connection.execute(statement, rows)
        return result.rowcount

    def renew(self, *, claimer: str, now: datetime) -> int:
        """Keep a live dispatcher's unfinished claims from looking abandoned: a pass that waits
        out rate limits or an outage for longer than CLAIM_LEASE is still posting them."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.claimed_by == claimer,
                    digest_deliveries.c.status == "claimed",
                )
                .values(claimed_at=now)
            )
        return result.rowcount

    def _deliveries_for(
        self, by_key: dict[tuple[str, str, str], DueDigest]
    ) -> dict[tuple[str, str, str], Delivery]:
        periods = {period for _, _, period in by_key}
        query = select(digest_deliveries).where(digest_deliveries.c.period.in_(periods))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        deliveries = (_delivery(row) for row in rows)
        return {
            key: delivery
            for delivery in deliveries
            if (key := (delivery.team_id, delivery.channel_id, delivery.period)) in by_key
        }

    def _insert_claims(
        self, fresh: Sequence[DueDigest], *, now: datetime, claimer: str
    ) -> list[Claim]:
        if not fresh:
            return []
        rows = [
            {
                "team_id": digest.subscription.team_id,
                "channel_id": digest.subscription.channel_id,
                "period": digest.period,
                "scheduled_for": digest.scheduled_for,
                "since": digest.since,
                "until": digest.until,
                "status": "claimed",
                "attempts": 1,
                "claimed_by": claimer,
                "claimed_at": now,
            }
            for digest in fresh
        ]
        by_key = {digest.key: digest for digest in fresh}
        with self.engine.begin() as connection:
            statement = (
                _insert(connection, digest_deliveries)
                .on_conflict_do_nothing(index_elements=["team_id", "channel_id", "period"])
                .returning(
                    digest_deliveries.c.id,
                    digest_deliveries.c.team_id,
                    digest_deliveries.c.channel_id,
                    digest_deliveries.c.period,
                )
            )
            won = connection.execute(statement, rows).all()
        return [
            Claim(due=by_key[(team, channel, period)], delivery_id=delivery_id, attempt=1)
            for delivery_id, team, channel, period in won
        ]

    def _claim_again(
        self, digest: DueDigest, delivery: Delivery, *, now: datetime, claimer: str
    ) -> Claim | None:
        with self.engine.begin() as connection:
            result = connection.execute(
                update(digest_deliveries)
                .where(
                    digest_deliveries.c.id == delivery.id,
                    digest_deliveries.c.status == delivery.status,
                    digest_deliveries.c.attempts == delivery.attempts,
                )
                .values(
                    status="claimed",
                    attempts=delivery.attempts + 1,
                    claimed_by=claimer,
                    claimed_at=now,
                    finished_at=None,
                    error=None,
                )
            )
        if result.rowcount != 1:
            return None
        # The window was fixed when the period was first claimed: a later attempt posts the same
        # digest, whoever makes it, and the next period starts where this one ends.
        again = DueDigest(
            subscription=digest.subscription,
            scheduled_for=delivery.scheduled_for,
            period=delivery.period,
            since=delivery.since,
            until=delivery.until,
        )
        return Claim(due=again, delivery_id=delivery.id, attempt=delivery.attempts + 1)


def _worth_another_attempt(delivery: Delivery, now: datetime) -> bool:
    if delivery.status == "claimed":
        return delivery.claimed_at <= now - CLAIM_LEASE
    if delivery.status == "failed":
        wait = RETRY_FAILED_AFTER * 2 ** (delivery.attempts - 1)
        finished = delivery.finished_at or delivery.claimed_at
        return delivery.attempts < MAX_ATTEMPTS and finished <= now - wait
    # Paused: the subscription is due again, so someone subscribed anew since.
    return delivery.status == "paused"


def _insert(connection: Connection, table: Any) -> Any:
    """INSERT with ON CONFLICT, which both databases have under the same name."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _subscription_row(
    connection: Connection, team_id: str, channel_id: str, *, for_update: bool = False
) -> Row | None:
    query = select(digest_subscriptions).where(
        digest_subscriptions.c.team_id == team_id,
        digest_subscriptions.c.channel_id == channel_id,
    )
    if for_update:
        query = query.with_for_update()  # ignored by SQLite, whose writers are serialised
    return connection.execute(query).first()


def _schedule(row: Row) -> Schedule:
    hours, minutes = (int(part) for part in row.at_time.split(":"))
    return Schedule(
        cadence=row.cadence,
        weekday=row.weekday,
        at=time(hours, minutes),
        time_zone=row.time_zone,
    )


def _subscription(row: Row) -> Subscription:
    return Subscription(
        team_id=row.team_id,
        channel_id=row.channel_id,
        schedule=_schedule(row),
        watch=tuple(row.watch.split()),
        subscribed_by=row.subscribed_by,
        starts_at=row.starts_at,
        paused_reason=row.paused_reason,
        paused_at=row.paused_at,
    )


def _delivery(row: Row) -> Delivery:
    return Delivery(
        id=row.id,
        team_id=row.team_id,
        channel_id=row.channel_id,
        period=row.period,
        scheduled_for=row.scheduled_for,
        since=row.since,
        until=row.until,
        status=row.status,
        attempts=row.attempts,
        claimed_at=row.claimed_at,
        finished_at=row.finished_at,
        message_ts=row.message_ts,
        error=row.error,
    )

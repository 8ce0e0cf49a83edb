"""Digest dispatch: who is due, what to post, and posting each digest exactly once.

A pass, given an instant, finds every active subscription whose latest scheduled run has come
and whose period has no settled delivery, claims those periods in the database, then posts. A
pass can run at any time and as often as wanted, in several processes at once: the claims
decide who posts, so a missed tick is made up by the next pass and never posted twice.

Every outcome is a row: posted (with the message's ts), paused (a channel the bot cannot post
in, or a workspace that removed the app: the subscription is paused with Slack's reason), or
failed (Slack kept failing through every retry: tried again on a later pass).
"""

import asyncio
import contextlib
import functools
import logging
import secrets
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.digests.content import Digest, compose
from bot.prices.in_force import published_catalogs
from bot.render.blocks import SlackMessage
from bot.render.digest import digest_chart_file, digest_message
from bot.slack.client import upload_image, with_token
from bot.storage.snapshots import SnapshotStore
from bot.storage.subscriptions import (
    Claim,
    DigestStore,
    DueDigest,
    EarlierDigests,
    Outcome,
    Status,
    Subscription,
)
from bot.wall_clock import utc_now
from pricing.tariffs import Catalog, TariffBook

if TYPE_CHECKING:  # matplotlib's side: imported when a week has moves to draw
    from bot.render.chart import ChartImage
    from bot.slack.install.workspaces import TokenSource

log = logging.getLogger(__name__)
Key = TypeVar("Key")
Value = TypeVar("Value")

# Slack's answers meaning this channel will not take the bot's messages until someone acts.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# ...and meaning the app is no longer installed in the workspace at all.
WORKSPACE_GONE = frozenset({"token_revoked", "account_inactive"})
# The reason given when a workspace has no installation (distribution mode).
NOT_INSTALLED = "not_installed"
# Marks a digest message, so that a dispatcher retrying an abandoned claim can tell whether the
# earlier attempt reached the channel before its process died.
EVENT_TYPE = "llmcost_digest"
# How far back a retry looks for an earlier attempt's message; a channel rarely has more new
# messages than this within the claim lease.
HISTORY_LOOKBACK = 200
# Concurrent posts: Slack limits each channel, not the app, so channels go out in parallel.
CONCURRENT_POSTS = 64
# A pass renews its claims this often, well within CLAIM_LEASE.
RENEW_EVERY = timedelta(minutes=1)
# After a 5xx or a lost connection, a post is tried again (history read first) this many times,
# 1, 2, 4, 8 seconds apart; what still fails is a failed row, tried again on a later pass.
UNCERTAIN_RETRIES = 4
DIGEST_CHART_FILE = "llmcost-digest.png"
UNCERTAIN_BACKOFF_S = 1.0


def due_digests(
    subscriptions: Iterable[Subscription],
    now: datetime,
    last_until: dict[tuple[str, str], date],
) -> list[DueDigest]:
    """Each subscription's latest scheduled run at or before `now`, if the subscription owes it.

    Only the latest run counts: a scheduler that was down for three weeks posts one digest,
    covering everything since the channel's previous one, not one per missed week.
    """
    due = []
    for subscription in subscriptions:
        schedule = subscription.schedule
        slot = schedule.latest_slot(now)
        if slot < subscription.starts_at:
            continue
        until = schedule.local_day(slot)
        since = last_until.get(subscription.key)
        if since is not None and since >= until:
            # An earlier digest already covered up to this day (a daily digest this morning,
            # before the channel switched to weekly): nothing is owed until the next run.
            continue
        if since is None:
            since = until - schedule.period
        due.append(
            DueDigest(
                subscription=subscription,
                scheduled_for=slot,
                period=schedule.period_key(slot),
                since=since,
                until=until,
            )
        )
    return due


@dataclass
class PassReport:
    due: int = 0
    claimed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        settled = ", ".join(f"{count} {status}" for status, count in sorted(self.outcomes.items()))
        return f"{self.due} due, {self.claimed} claimed" + (f": {settled}" if settled else "")


class Dispatcher:
    def __init__(
        self,
        digests: DigestStore,
        client: AsyncWebClient,
        book: Callable[[], TariffBook],
        *,
        claimer: str,
        wall_clock: Callable[[], datetime] = utc_now,
        snapshots: SnapshotStore | None = None,
        tokens: "TokenSource | None" = None,
    ) -> None:
        self._digests = digests
        # The stored price files: what changed since a channel's previous digest is news too.
        self._snapshots = snapshots
        self._client = client
        # Each workspace's bot token; by default the client's own, for the one workspace.
        self._tokens = tokens
        self._book = book
        self._claimer = claimer
        # Claims, leases and outcomes are stamped with the real time even when a pass runs "as
        # of" another instant (`clock --once --now`): a lease is about how long a process has
        # been silent, and a catch-up pass must not look abandoned to a running clock.
        self._wall_clock = wall_clock

    async def run_pass(self, now: datetime) -> PassReport:
        """Post every digest due at `now`, each once."""
        report = PassReport()
        # Each pass claims under a name of its own, so that its outcomes and lease renewals
        # touch its claims only, never those of an earlier pass of the same process.
        claimer = f"{self._claimer}/{secrets.token_hex(4)}"
        claims = await asyncio.to_thread(self._claim_due, now, claimer, report)
        report.claimed = len(claims)
        if not claims:
            return report
        recorder = _Recorder(self._digests, claimer, self._wall_clock)
        earlier = await asyncio.to_thread(
            self._digests.earlier_digests, [claim.due for claim in claims]
        )
        attempt = _Attempt(
            self._digests,
            _Clients(self._client, self._tokens),
            self._book(),
            recorder,
            self._wall_clock,
            earlier,
            self._snapshots,
        )
        gate = asyncio.Semaphore(CONCURRENT_POSTS)

        async def deliver(claim: Claim) -> None:
            async with gate:
                status: str
                try:
                    status = await attempt.deliver(claim)
                except Exception:
                    # Its claim stays open and is taken again after the lease.
                    log.exception("digest for %s: no outcome", claim.due.subscription.channel_id)
                    status = "unsettled"
            report.outcomes[status] += 1

        async with recorder, self._renewing(claimer):
            await asyncio.gather(*(deliver(claim) for claim in claims))
        return report

    def _claim_due(self, now: datetime, claimer: str, report: PassReport) -> list[Claim]:
        subscriptions = self._digests.active_subscriptions()
        # A digest recorded as covering days still to come was posted by a pass "as of" a
        # mistyped future instant (before `--now` was bounded); it is ignored, so the channel's
        # schedule heals on this pass instead of going quiet until that date.
        last_until = self._digests.last_posted_until(
            (s.key for s in subscriptions),
            not_after=self._wall_clock().date() + timedelta(days=1),
        )
        due = due_digests(subscriptions, now, last_until)
        report.due = len(due)
        return self._digests.claim(due, now=self._wall_clock(), claimer=claimer)

    @asynccontextmanager
    async def _renewing(self, claimer: str) -> AsyncIterator[None]:
        """Renew this pass's claims while it runs, so a pass slowed by rate limits or an outage
        is never taken for a dead one (whose claims expire CLAIM_LEASE after it stopped)."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(RENEW_EVERY.total_seconds())
                await asyncio.to_thread(
                    self._digests.renew, claimer=claimer, now=self._wall_clock()
                )

        renewer = asyncio.get_running_loop().create_task(renew())
        try:
            yield
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer


class _Recorder:
    """Writes outcomes in batches, in the background, while posting goes on.

    One transaction per outcome made a thousand posts wait on SQLite's single writer (measured:
    a 1,000-channel pass took 0.48 s instead of 0.24 s). Batching widens the window in which a
    crash loses the record of a post, not the post: its claim is retried after the lease, and
    the retry finds the message in the channel's history instead of posting it again.
    """

    def __init__(
        self, digests: DigestStore, claimer: str, wall_clock: Callable[[], datetime]
    ) -> None:
        self._digests = digests
        self._claimer = claimer
        self._wall_clock = wall_clock
        self._pending: list[Outcome] = []
        self._arrived = asyncio.Event()
        self._closing = False
        self._writer: asyncio.Task[None] | None = None

    def record(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        self._arrived.set()

    async def __aenter__(self) -> "_Recorder":
        self._writer = asyncio.get_running_loop().create_task(self._write())
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        self._arrived.set()
        assert self._writer is not None
        await self._writer

    async def _write(self) -> None:
        while True:
            await self._arrived.wait()
            self._arrived.clear()
            batch, self._pending = self._pending, []
            if batch:
                written = await asyncio.to_thread(
                    self._digests.finish, batch, claimer=self._claimer, now=self._wall_clock()
                )
                if written < len(batch):
                    log.warning(
                        "%d outcomes not recorded: their claims were taken over",
                        len(batch) - written,
                    )
            if self._closing and not self._pending:
                return


class SharedReads(Generic[Key, Value]):
    """Blocking reads shared by the channels of one pass: each key is read once, in a thread,
    however many channels ask at the same time. A read that fails is not kept: the next channel
    asking tries again (one failure must not take the news from every channel)."""

    def __init__(self, read: Callable[[Key], Value]) -> None:
        self._read = read
        self._reads: dict[Key, asyncio.Future[Value]] = {}

    async def get(self, key: Key) -> Value:
        read = self._reads.get(key)
        if read is None:
            read = asyncio.ensure_future(asyncio.to_thread(self._read, key))
            self._reads[key] = read
        try:
            # Shielded: one asker cancelled must not cancel the read the others wait for.
            return await asyncio.shield(read)
        except Exception:
            if self._reads.get(key) is read:
                del self._reads[key]
            raise


class _Clients:
    """Each workspace's two clients, with its own bot token: one that reads, and one that posts.

    Posts are not retried blindly on a 5xx or a dropped connection: Slack may have taken the
    message. `_post_once` looks at the channel before trying again."""

    def __init__(self, client: AsyncWebClient, tokens: "TokenSource | None") -> None:
        self._client = client
        self._tokens = tokens
        self._made: dict[str, tuple[AsyncWebClient, AsyncWebClient] | None] = {}

    async def of(self, team_id: str) -> tuple[AsyncWebClient, AsyncWebClient] | None:
        """(reader, poster) for the workspace; None when the app is not installed there."""
        if team_id not in self._made:
            token = (
                self._client.token
                if self._tokens is None
                else await self._tokens.bot_token(self._client, team_id)
            )
            self._made[team_id] = None if token is None else self._pair(token)
        return self._made[team_id]

    def _pair(self, token: str) -> tuple[AsyncWebClient, AsyncWebClient]:
        patient = [
            handler
            for handler in self._client.retry_handlers
            if isinstance(handler, AsyncRateLimitErrorRetryHandler)
        ]
        reader = with_token(self._client, token)
        return reader, with_token(self._client, token, retry_handlers=patient)


class _Attempt:
    """One pass's posting: the messages it composed, and the workspaces found gone."""

    def __init__(
        self,
        digests: DigestStore,
        clients: _Clients,
        book: TariffBook,
        recorder: _Recorder,
        wall_clock: Callable[[], datetime],
        earlier: EarlierDigests,
        snapshots: SnapshotStore | None = None,
    ) -> None:
        self._digests = digests
        self._earlier = earlier
        self._clients = clients
        self._snapshots = snapshots
        self._book = book
        self._recorder = recorder
        self._wall_clock = wall_clock
        self._messages: dict[tuple, SlackMessage] = {}
        self._composed: dict[tuple, Digest] = {}
        self._charts: dict[tuple, ChartImage | None] = {}  # drawn once per digest
        # When a channel's previous digest was composed -> the price files to compare for it.
        self._catalogs = SharedReads(functools.partial(published_catalogs, snapshots))
        self._gone: dict[str, str] = {}  # team -> Slack's reason

    async def deliver(self, claim: Claim) -> Status:
        subscription = claim.due.subscription
        if (reason := self._gone.get(subscription.team_id)) is not None:
            return self._settle(claim, "paused", error=reason)
        if await self._clients.of(subscription.team_id) is None:
            return await self._workspace_gone(claim, NOT_INSTALLED)
        try:
            claim = await self._after_unrecorded_posts(claim)
            ts = await self._post_once(claim)
        except SlackApiError as error:
            return await self._slack_refused(claim, error)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("digest for %s not posted: %r", subscription.channel_id, error)
            return self._settle(claim, "failed", error=f"connection: {error!r}")
        except Exception as error:
            log.exception("digest for %s failed", subscription.channel_id)
            return self._settle(claim, "failed", error=f"internal: {error!r}")
        status = self._settle(claim, "posted", message_ts=ts)
        await self._attach_chart(claim, ts)
        return status

    async def _attach_chart(self, claim: Claim, ts: str) -> None:
        """The window's largest price moves as a chart in the digest's thread (none for a quiet
        week). The digest is delivered either way: a chart not drawn or refused is one line."""
        channel = claim.due.subscription.channel_id
        try:
            chart = await self._chart(claim.due)
            if chart is None:
                return
            _, poster = await self._team_clients(claim)
            await upload_image(
                poster, chart, channel=channel, thread_ts=ts, filename=DIGEST_CHART_FILE
            )
        except SlackApiError as error:
            log.warning(
                "digest chart for %s not attached: %s", channel, error.response.get("error")
            )
        except Exception as error:
            log.warning("digest chart for %s not attached: %r", channel, error)

    async def _post_once(self, claim: Claim) -> str:
        """Post the claim's digest unless the channel already has it. A 429 says Slack did
        nothing and is retried as told; after a 5xx or a lost connection Slack may have posted
        it, so the channel's history is read before trying again."""
        for retry in range(UNCERTAIN_RETRIES + 1):
            looked_again = retry or claim.attempt > 1
            if looked_again and (ts := await self._earlier_post(claim)) is not None:
                return ts
            try:
                return await self._post(claim)
            except SlackApiError as error:
                if error.response.status_code < 500 or retry == UNCERTAIN_RETRIES:
                    raise
            except (aiohttp.ClientError, TimeoutError, OSError):
                if retry == UNCERTAIN_RETRIES:
                    raise
            await asyncio.sleep(UNCERTAIN_BACKOFF_S * 2**retry)
        raise AssertionError("unreachable")

    async def _post(self, claim: Claim) -> str:
        due = claim.due
        message = await self._message(due)
        _, poster = await self._team_clients(claim)
        posted = await poster.chat_postMessage(
            channel=due.subscription.channel_id,
            **message.as_kwargs(),
            metadata={
                "event_type": EVENT_TYPE,
                "event_payload": {"period": due.period, "delivery": claim.delivery_id},
            },
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(posted["ts"])

    async def _after_unrecorded_posts(self, claim: Claim) -> Claim:
        """`claim` starting after the last digest Slack has. A clock killed after Slack took a
        digest but before recording it, then down for a whole period, leaves that digest
        unrecorded: this digest would otherwise start before it and say its changes again."""
        unrecorded = self._earlier.unrecorded_before(claim.due)
        if not unrecorded:
            return claim
        posted = await self._posted_periods(claim)
        for delivery in unrecorded:
            if (ts := posted.get(delivery.period)) is None:
                continue
            log.info(
                "digest for %s, %s reached Slack but was never recorded; the next one starts "
                "after it",
                delivery.channel_id,
                delivery.period,
            )
            await asyncio.to_thread(
                self._digests.found_posted,
                delivery,
                message_ts=ts,
                later=claim,
                now=self._wall_clock(),
            )
            claim = replace(claim, due=replace(claim.due, since=delivery.until))
        return claim

    async def _posted_periods(self, claim: Claim) -> dict[str, str]:
        """period -> ts of the digests the claim's channel's recent history holds."""
        reader, _ = await self._team_clients(claim)
        history = await reader.conversations_history(
            channel=claim.due.subscription.channel_id,
            limit=HISTORY_LOOKBACK,
            include_all_metadata=True,
        )
        posted: dict[str, str] = {}
        messages: list[dict[str, Any]] = history.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            period = (metadata.get("event_payload") or {}).get("period")
            if metadata.get("event_type") == EVENT_TYPE and isinstance(period, str):
                posted.setdefault(period, str(message["ts"]))
        return posted

    async def _earlier_post(self, claim: Claim) -> str | None:
        """The ts of this period's digest if an earlier attempt posted it after all."""
        reader, _ = await self._team_clients(claim)
        history = await reader.conversations_history(
            channel=claim.due.subscription.channel_id,
            limit=HISTORY_LOOKBACK,
            include_all_metadata=True,
        )
        messages: list[dict[str, Any]] = history.get("messages") or []
        for message in messages:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == EVENT_TYPE
                and payload.get("period") == claim.due.period
            ):
                log.info(
                    "digest for %s, %s was posted by an earlier attempt; not posting again",
                    claim.due.subscription.channel_id,
                    claim.due.period,
                )
                return str(message["ts"])
        return None

    async def _digest(self, due: DueDigest) -> tuple[tuple, Digest]:
        """Channels with the same window and watch list get the same digest: composed once."""
        catalogs = await self._catalogs_since_previous(due)
        # By the catalogs' identity: `_catalogs` keeps them alive while this pass runs.
        key = (due.since, due.until, due.subscription.watch, catalogs and tuple(map(id, catalogs)))
        if key not in self._composed:
            self._composed[key] = compose(
                self._book,
                since=due.since,
                until=due.until,
                watch=due.subscription.watch,
                catalogs=catalogs,
            )
        return key, self._composed[key]

    async def _message(self, due: DueDigest) -> SlackMessage:
        key, digest = await self._digest(due)
        if key not in self._messages:
            self._messages[key] = digest_message(digest)
        return self._messages[key]

    async def _chart(self, due: DueDigest) -> "ChartImage | None":
        """The digest's chart, drawn once per digest, in a thread (matplotlib is CPU work)."""
        key, digest = await self._digest(due)
        if key not in self._charts:
            self._charts[key] = await asyncio.to_thread(digest_chart_file, digest)
        return self._charts[key]

    async def _catalogs_since_previous(self, due: DueDigest) -> tuple[Catalog, Catalog] | None:
        """The stored price files to compare for the channel: the one in force when its previous
        digest was composed, and the newest. Read off the event loop, once per such moment (the
        channels claimed in one pass share theirs)."""
        if self._snapshots is None:
            return None
        team, channel = due.subscription.key
        if (team, channel, due.since) in self._earlier.asked:
            previous = self._earlier.composed.get((team, channel, due.since))
        else:  # its window now starts after a digest found posted during this pass
            previous = await asyncio.to_thread(self._digests.composed_at, team, channel, due.since)
        try:
            return await self._catalogs.get(previous)
        except Exception as error:
            log.warning("cannot compare price snapshots for a digest: %r", error)
            return None

    async def _workspace_gone(self, claim: Claim, code: str) -> Status:
        """Every digest of the claim's workspace paused, and none of its claims tried again in
        this pass; the other workspaces' go on."""
        team_id = claim.due.subscription.team_id
        self._gone[team_id] = code
        log.warning("pausing every digest of workspace %s: %s", team_id, code)
        await asyncio.to_thread(
            self._digests.pause,
            team_id=team_id,
            channel_id=None,
            reason=code,
            now=self._wall_clock(),
        )
        return self._settle(claim, "paused", error=code)

    async def _team_clients(self, claim: Claim) -> tuple[AsyncWebClient, AsyncWebClient]:
        clients = await self._clients.of(claim.due.subscription.team_id)
        assert clients is not None, "deliver() settles a claim of a workspace without a token"
        return clients

    async def _slack_refused(self, claim: Claim, error: SlackApiError) -> Status:
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        if code in WORKSPACE_GONE:
            return await self._workspace_gone(claim, code)
        subscription = claim.due.subscription
        if code in CHANNEL_GONE:
            log.warning("pausing the digest of %s: %s", subscription.channel_id, code)
            await asyncio.to_thread(
                self._digests.pause,
                team_id=subscription.team_id,
                channel_id=subscription.channel_id,
                reason=code,
                now=self._wall_clock(),
            )
            return self._settle(claim, "paused", error=code)
        log.error("digest for %s not posted: Slack said %s", subscription.channel_id, code)
        return self._settle(claim, "failed", error=code)

    def _settle(
        self,
        claim: Claim,
        status: Status,
        *,
        message_ts: str | None = None,
        error: str | None = None,
    ) -> Status:
        self._recorder.record(Outcome(claim.delivery_id, status, message_ts, error))
        return status

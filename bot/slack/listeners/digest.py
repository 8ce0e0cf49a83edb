"""`/llmcost digest ...`: a channel's subscription to the tariff digest.

Changes to a channel's subscription (subscribe, unsubscribe, watch) are said in the channel, so
everyone there knows what they will get and who set it up; status, preview, help and errors go
only to the person who asked. The clock process (`llmcost clock`) does the posting.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.digests.content import compose
from bot.digests.grammar import (
    DIGEST_EXAMPLES,
    Preview,
    Status,
    Subscribe,
    Unsubscribe,
    Watch,
    parse_digest_request,
    schedule_for,
)
from bot.digests.schedules import Schedule
from bot.render.blocks import COMMAND, error_message
from bot.render.digest import digest_message, watching
from bot.slack.delivery import NOT_A_MEMBER, respond_to_asker
from bot.slack.markup import escape
from bot.slack.services import Services
from pricing.changes import check_watch
from pricing.errors import LlmcostError

if TYPE_CHECKING:
    from bot.storage.subscriptions import Delivery, DigestStore, Subscription

log = logging.getLogger(__name__)
T = TypeVar("T")

VERB = "digest"
FALLBACK_TIME_ZONE = "UTC"
PAUSE_EXPLAINED = {
    "not_in_channel": "I was removed from this channel",
    "channel_not_found": "I can't see this channel (for a private one, invite me)",
    "is_archived": "the channel is archived",
    "token_revoked": "llmcost was removed from this workspace",
    "account_inactive": "llmcost was removed from this workspace",
}


def is_digest_command(words: str) -> bool:
    first, _, _ = words.strip().partition(" ")
    return first.lower() == VERB


@dataclass(frozen=True)
class _Asked:
    """One `/llmcost digest` command: who asked, in which channel, and how to answer."""

    client: AsyncWebClient
    respond: AsyncRespond
    services: Services
    digests: "DigestStore"
    team_id: str
    channel: str
    user: str | None

    async def channel_data(self, method: Callable[..., T], **arguments: object) -> T:
        """A DigestStore method for this channel, off the event loop (it waits on SQL)."""
        return await self.services.off_loop(
            method, team_id=self.team_id, channel_id=self.channel, **arguments
        )

    async def tell_asker(self, text: str) -> None:
        await respond_to_asker(self.respond, text=text, response_type="ephemeral")

    async def tell_channel(self, text: str) -> None:
        await respond_to_asker(self.respond, text=text, response_type="in_channel")


async def answer_digest(
    words: str,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """`words` is what the user typed after /llmcost, Slack's markup already resolved."""
    # Here, not at the top: the digests' store brings the database, which the first ack does not
    # need; by the time an answer runs, getting ready has imported it.
    from bot.storage.subscriptions import DigestStore

    rest = words.strip()[len(VERB) :].strip()
    asked = _Asked(
        client=client,
        respond=respond,
        services=services,
        digests=DigestStore(services.store),
        team_id=body.get("team_id", ""),
        channel=body["channel_id"],
        user=body.get("user_id"),
    )
    try:
        request = parse_digest_request(rest)
        if isinstance(request, Subscribe):
            await _subscribe(request, asked)
        elif isinstance(request, Unsubscribe):
            await _unsubscribe(asked)
        elif isinstance(request, Watch):
            await _watch(request, asked)
        elif isinstance(request, Status):
            await _status(asked)
        elif isinstance(request, Preview):
            await _preview(asked)
        else:
            await asked.tell_asker(_help())
    except LlmcostError as error:
        message = error_message(error, question=f"{VERB} {rest}".strip())
        await respond_to_asker(respond, **message.as_kwargs(), response_type="ephemeral")


async def _subscribe(request: Subscribe, asked: _Asked) -> None:
    services = asked.services
    current = await asked.channel_data(asked.digests.subscription)
    zone_note = ""
    time_zone = request.time_zone or (current.schedule.time_zone if current else None)
    if time_zone is None:
        time_zone, zone_note = await _time_zone_of(asked.client, asked.user)
    schedule = schedule_for(
        request, time_zone=time_zone, current=current.schedule if current else None
    )
    watch = None if request.watch is None else check_watch(services.answerer.book(), request.watch)
    subscription = await asked.channel_data(
        asked.digests.subscribe,
        schedule=schedule,
        watch=watch,
        subscribed_by=asked.user,
        now=services.now(),
    )
    text = (
        f":newspaper: {_who(asked.user)} subscribed this channel to the LLM tariff digest: "
        f"{_plan(subscription, services.now())}{zone_note}"
    )
    try:
        await asked.client.chat_postMessage(channel=asked.channel, text=text, unfurl_links=False)
    except SlackApiError as error:
        if error.response.get("error") not in NOT_A_MEMBER:
            raise
        # Subscribed all the same: the digest will be paused unless someone invites the bot.
        await asked.tell_asker(
            text + "\n:warning: I'm not in this channel, so the digest would be paused. "
            "Invite me with `/invite @llmcost` before it is due."
        )


async def _time_zone_of(client: AsyncWebClient, user: str | None) -> tuple[str, str]:
    """The subscriber's own time zone from their Slack profile, else UTC (and say so)."""
    if user:
        try:
            profile = await client.users_info(user=user)
            zone = profile["user"].get("tz")
            if zone:
                ZoneInfo(zone)
                return zone, ""
        except Exception as error:  # a missing users:read scope, an unknown zone name
            log.warning("no time zone for %s, using UTC: %r", user, error)
    example = DIGEST_EXAMPLES["subscribe"]
    return FALLBACK_TIME_ZONE, (
        f"\n(I couldn't read your time zone, so this is UTC; name one as in `{COMMAND} {example}`.)"
    )


async def _unsubscribe(asked: _Asked) -> None:
    if not await asked.channel_data(asked.digests.unsubscribe):
        await asked.tell_asker("This channel has no tariff digest to stop.")
        return
    await asked.tell_channel(
        f"{_who(asked.user)} unsubscribed this channel from the LLM tariff digest."
    )


async def _watch(request: Watch, asked: _Asked) -> None:
    watch = check_watch(asked.services.answerer.book(), request.terms)
    subscription = await asked.channel_data(
        asked.digests.set_watch, watch=watch, now=asked.services.now()
    )
    if subscription is None:
        await asked.tell_asker(
            "This channel has no tariff digest yet. Subscribe first: "
            f"`{COMMAND} {DIGEST_EXAMPLES['subscribe']}`"
        )
        return
    await asked.tell_channel(
        f"{_who(asked.user)} set this channel's tariff digest to follow {watching(subscription)}."
    )


async def _status(asked: _Asked) -> None:
    from bot.storage.subscriptions import MAX_ATTEMPTS  # as DigestStore, in answer_digest

    subscription = await asked.channel_data(asked.digests.subscription)
    last = await asked.channel_data(asked.digests.last_delivery)
    lines = []
    if subscription is None:
        lines.append(
            "This channel has no tariff digest. Subscribe with "
            f"`{COMMAND} {DIGEST_EXAMPLES['subscribe']}`."
        )
    else:
        lines.append(f"*Tariff digest:* {_plan(subscription, asked.services.now(), last)}")
        if subscription.paused_reason is not None:
            why = PAUSE_EXPLAINED.get(subscription.paused_reason, "Slack refused it")
            lines.append(
                f":double_vertical_bar: *Paused* since {_when(subscription.paused_at)}: {why} "
                f"(`{escape(subscription.paused_reason)}`). Fix that, then "
                f"`{COMMAND} digest subscribe` again to resume."
            )
    if last is not None:
        outcome = {
            "posted": "posted",
            "claimed": "being posted",
            "failed": "failed, to be tried again"
            if last.attempts < MAX_ATTEMPTS
            else f"failed {last.attempts} times; the next one is due as scheduled",
            "paused": "not posted, paused",
        }[last.status]
        detail = f" (`{escape(last.error)}`)" if last.error else ""
        lines.append(
            f"*Last digest:* {outcome}{detail}, for {_when(last.scheduled_for)}, covering "
            f"changes from {(last.since + timedelta(days=1)).isoformat()} to "
            f"{last.until.isoformat()}."
        )
    await asked.tell_asker("\n".join(lines))


async def _preview(asked: _Asked) -> None:
    """The digest as the channel would get it now: since its last one, with its watch list."""
    subscription = await asked.channel_data(asked.digests.subscription)
    schedule = subscription.schedule if subscription else Schedule()
    watch = subscription.watch if subscription else ()
    until = schedule.local_day(asked.services.now())
    key = (asked.team_id, asked.channel)
    last = await asked.services.off_loop(
        asked.digests.last_posted_until, [key] if subscription else []
    )
    since = last.get(key)
    if since is None or since >= until:
        since = until - schedule.period
    digest = compose(asked.services.answerer.book(), since=since, until=until, watch=watch)
    message = digest_message(digest)
    await respond_to_asker(asked.respond, **message.as_kwargs(), response_type="ephemeral")


def _plan(subscription: "Subscription", now: datetime, last: "Delivery | None" = None) -> str:
    schedule = subscription.schedule
    next_run = schedule.next_slot(now)
    if last is not None and last.period == schedule.period_key(next_run):
        # That week (or day) has had its digest already: one per period.
        next_run = schedule.next_slot(next_run)
    when = "" if subscription.paused_reason else f" Next: {_when(next_run)}."
    return f"{schedule.describe()}, {watching(subscription)}.{when}"


def _who(user: str | None) -> str:
    return f"<@{user}>" if user else "Someone"


def _when(moment: datetime | None) -> str:
    """Slack shows the instant in each reader's own time zone; the text after | is for
    clients that cannot (notifications), in UTC."""
    if moment is None:
        return "an unknown time"
    fallback = moment.strftime("%a %d %b %Y %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} at {{time}}|{fallback}>"


def _help() -> str:
    lines = ["*Tariff digest:* a weekly (or daily) post of what changed in LLM prices."]
    lines += [f"• `{COMMAND} {example}`" for example in DIGEST_EXAMPLES.values()]
    return "\n".join(lines)

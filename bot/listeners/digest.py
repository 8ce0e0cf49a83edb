"""`/llmcost digest ...`: a channel's subscription to the tariff digest.

Changes to a channel's subscription (subscribe, unsubscribe, watch) are said in the channel, so
everyone there knows what they will get and who set it up; status, preview, help and errors go
only to the person who asked. The clock process (`llmcost clock`) does the posting.
"""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.digest_content import compose
from bot.digest_requests import (
    DIGEST_EXAMPLES,
    Preview,
    Status,
    Subscribe,
    Unsubscribe,
    Watch,
    parse_digest_request,
    schedule_for,
)
from bot.digest_store import MAX_ATTEMPTS, Delivery, DigestStore, Subscription
from bot.listeners.posting import respond_to_asker
from bot.render.blocks import COMMAND, error_message
from bot.render.digest import digest_message
from bot.schedules import Schedule
from bot.services import Services
from bot.slack_text import escape
from pricing.changes import check_watch
from pricing.errors import LlmcostError

log = logging.getLogger(__name__)

VERB = "digest"
FALLBACK_TIME_ZONE = "UTC"
# Slack's answers when the bot cannot post in the channel it was asked from.
NOT_A_MEMBER = {"not_in_channel", "channel_not_found"}
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


async def answer_digest(
    words: str,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
) -> None:
    """`words` is what the user typed after /llmcost, Slack's markup already resolved."""
    rest = words.strip()[len(VERB) :].strip()
    team_id, channel, user = body.get("team_id", ""), body["channel_id"], body.get("user_id")
    digests = DigestStore(services.store)
    try:
        request = parse_digest_request(rest)
        if isinstance(request, Subscribe):
            await _subscribe(request, client, respond, services, digests, team_id, channel, user)
        elif isinstance(request, Unsubscribe):
            await _unsubscribe(respond, services, digests, team_id, channel, user)
        elif isinstance(request, Watch):
            await _watch(request, respond, services, digests, team_id, channel, user)
        elif isinstance(request, Status):
            await _status(respond, services, digests, team_id, channel)
        elif isinstance(request, Preview):
            await _preview(respond, services, digests, team_id, channel)
        else:
            await _private(respond, _help())
    except LlmcostError as error:
        message = error_message(error, question=f"{VERB} {rest}".strip())
        await respond_to_asker(respond, **message.as_kwargs(), response_type="ephemeral")


async def _subscribe(
    request: Subscribe,
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
    digests: DigestStore,
    team_id: str,
    channel: str,
    user: str | None,
) -> None:
    current = await services.off_loop(digests.subscription, team_id=team_id, channel_id=channel)
    zone_note = ""
    time_zone = request.time_zone or (current.schedule.time_zone if current else None)
    if time_zone is None:
        time_zone, zone_note = await _time_zone_of(client, user)
    schedule = schedule_for(
        request, time_zone=time_zone, current=current.schedule if current else None
    )
    watch = None if request.watch is None else check_watch(services.answerer.book(), request.watch)
    subscription = await services.off_loop(
        digests.subscribe,
        team_id=team_id,
        channel_id=channel,
        schedule=schedule,
        watch=watch,
        subscribed_by=user,
        now=services.now(),
    )
    text = (
        f":newspaper: {_who(user)} subscribed this channel to the LLM tariff digest: "
        f"{_plan(subscription, services.now())}{zone_note}"
    )
    try:
        await client.chat_postMessage(channel=channel, text=text, unfurl_links=False)
    except SlackApiError as error:
        if error.response.get("error") not in NOT_A_MEMBER:
            raise
        # Subscribed all the same: the digest will be paused unless someone invites the bot.
        note = (
            "\n:warning: I'm not in this channel, so the digest would be paused. "
            "Invite me with `/invite @llmcost` before it is due."
        )
        await _private(respond, text + note)


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


async def _unsubscribe(
    respond: AsyncRespond,
    services: Services,
    digests: DigestStore,
    team_id: str,
    channel: str,
    user: str | None,
) -> None:
    removed = await services.off_loop(digests.unsubscribe, team_id=team_id, channel_id=channel)
    if not removed:
        await _private(respond, "This channel has no tariff digest to stop.")
        return
    await respond_to_asker(
        respond,
        text=f"{_who(user)} unsubscribed this channel from the LLM tariff digest.",
        response_type="in_channel",
    )


async def _watch(
    request: Watch,
    respond: AsyncRespond,
    services: Services,
    digests: DigestStore,
    team_id: str,
    channel: str,
    user: str | None,
) -> None:
    watch = check_watch(services.answerer.book(), request.terms)
    subscription = await services.off_loop(
        digests.set_watch, team_id=team_id, channel_id=channel, watch=watch, now=services.now()
    )
    if subscription is None:
        await _private(
            respond,
            "This channel has no tariff digest yet. Subscribe first: "
            f"`{COMMAND} {DIGEST_EXAMPLES['subscribe']}`",
        )
        return
    await respond_to_asker(
        respond,
        text=f"{_who(user)} set this channel's tariff digest to follow {_watching(subscription)}.",
        response_type="in_channel",
    )


async def _status(
    respond: AsyncRespond, services: Services, digests: DigestStore, team_id: str, channel: str
) -> None:
    subscription = await services.off_loop(
        digests.subscription, team_id=team_id, channel_id=channel
    )
    last = await services.off_loop(digests.last_delivery, team_id=team_id, channel_id=channel)
    lines = []
    if subscription is None:
        lines.append(
            "This channel has no tariff digest. Subscribe with "
            f"`{COMMAND} {DIGEST_EXAMPLES['subscribe']}`."
        )
    else:
        lines.append(f"*Tariff digest:* {_plan(subscription, services.now(), last)}")
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
    await _private(respond, "\n".join(lines))


async def _preview(
    respond: AsyncRespond, services: Services, digests: DigestStore, team_id: str, channel: str
) -> None:
    """The digest as the channel would get it now: since its last one, with its watch list."""
    subscription = await services.off_loop(
        digests.subscription, team_id=team_id, channel_id=channel
    )
    schedule = subscription.schedule if subscription else Schedule()
    watch = subscription.watch if subscription else ()
    until = schedule.local_day(services.now())
    last = await services.off_loop(
        digests.last_posted_until, [(team_id, channel)] if subscription else []
    )
    since = last.get((team_id, channel))
    if since is None or since >= until:
        since = until - schedule.period
    digest = compose(services.answerer.book(), since=since, until=until, watch=watch)
    message = digest_message(digest)
    await respond_to_asker(respond, **message.as_kwargs(), response_type="ephemeral")


def _plan(subscription: Subscription, now: datetime, last: Delivery | None = None) -> str:
    schedule = subscription.schedule
    next_run = schedule.next_slot(now)
    if last is not None and last.period == schedule.period_key(next_run):
        # That week (or day) has had its digest already: one per period.
        next_run = schedule.next_slot(next_run)
    when = "" if subscription.paused_reason else f" Next: {_when(next_run)}."
    return f"{schedule.describe()}, {_watching(subscription)}.{when}"


def _who(user: str | None) -> str:
    return f"<@{user}>" if user else "Someone"


def _watching(subscription: Subscription) -> str:
    if not subscription.watch:
        return "the model makers' own prices"
    return ", ".join(f"`{escape(term)}`" for term in subscription.watch)


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


async def _private(respond: AsyncRespond, text: str) -> None:
    await respond_to_asker(respond, text=text, response_type="ephemeral")

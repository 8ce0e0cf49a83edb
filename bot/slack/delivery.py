"""Delivering a Reply: in the channel (`deliver`, falling back to the asker when Slack will not
take it there), in a thread (`post_in_thread`) or only to the asker (`respond_to_asker`); and
remembering the question behind what was posted, so that its thread can follow up."""

import logging
from dataclasses import dataclass, replace

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.payloads import is_slack_ts
from bot.slack.replies import Reply
from bot.slack.services import Services

log = logging.getLogger(__name__)

# Slack's answers when the bot is not a member of the channel, or cannot see it at all (a
# private channel, someone else's direct messages): the command's response_url still works.
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})

# The channel exists and the bot is in it, but Slack will not take a message there.
POSTING_REFUSED = {"is_archived", "restricted_action", "ekm_access_denied"}
INVITE_NOTE = (
    "I'm not in this channel, so I can't start a thread here. "
    "Invite me with `/invite @llmcost` to ask follow-ups in a thread."
)
TROUBLE = (
    ":warning: Something went wrong on my side while answering; it has been logged. "
    "Please try again in a moment."
)


@dataclass(frozen=True)
class Place:
    """Where a reply is posted: a workspace's channel, in a thread or (`thread_ts` None) as a new
    message, whose own ts then starts its thread."""

    team_id: str
    channel: str
    thread_ts: str | None = None


async def post_in_thread(
    client: AsyncWebClient,
    services: Services,
    reply: Reply,
    place: Place,
    *,
    user: str,
    direct: bool = False,
    update_ts: str | None = None,
) -> None:
    """Post in a thread; help, errors and `private` go only to the asker, except in a direct
    message, where only the asker can read it anyway. With `update_ts`, the message of ours
    posted there ("counting...") becomes the reply."""
    channel, thread_ts = place.channel, place.thread_ts
    if direct and reply.private:
        reply = replace(reply, private=False)  # nobody else reads a DM: no "Post in channel"
    message = reply.message.as_kwargs()
    if update_ts is not None:
        if not direct and (reply.private or reply.is_help_or_error):
            # The asker alone sees it; the placeholder everyone saw goes.
            await client.chat_delete(channel=channel, ts=update_ts)
        else:
            await client.chat_update(channel=channel, ts=update_ts, **message)
            await remember(services, reply, place, message_ts=update_ts)
            return
    if not direct and (reply.private or reply.is_help_or_error):
        try:
            await client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread_ts, **message
            )
        except Exception as error:
            # Only the asker may see it, and a thread has no other private way in: say why here.
            reason = error.response.get("error") if isinstance(error, SlackApiError) else error
            log.warning("could not answer %s privately in %s: %r", user, channel, reason)
        return
    posted = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
    await remember(services, reply, place, message_ts=posted["ts"])


async def remember(services: Services, reply: Reply, place: Place, *, message_ts: object) -> None:
    """Store the question behind a posted answer so replies in its thread can change it. The
    ts is Slack's answer to chat.postMessage, checked as incoming ones are: a number stored
    instead made every later reply in the thread silently unmatched."""
    if reply.question is None:
        return
    if not is_slack_ts(message_ts):
        log.warning(
            "chat.postMessage returned ts %r, not a Slack timestamp: replies in that thread "
            "cannot follow this answer",
            message_ts,
        )
        return
    assert isinstance(message_ts, str)
    # Imported here, as the store is: by getting ready, off the path to the first request.
    from bot.storage.store import AnswerRow

    thread_ts = place.thread_ts or message_ts
    await services.save_answer(
        AnswerRow(
            team_id=place.team_id,
            channel_id=place.channel,
            thread_ts=thread_ts,
            message_ts=message_ts,
            question=reply.question,
            asked_by=reply.asked_by,
            now=services.now(),
        )
    )
    log.info("answered in %s, thread %s", place.channel, thread_ts)


async def respond_to_asker(respond: AsyncRespond, **message: object) -> None:
    """Through a command's or a click's response_url. Slack answers a used-up or expired URL
    with an HTTP error and no exception; an address that cannot be reached raises. Either way a
    message that did not arrive is logged, in one line: there is nobody else to tell."""
    if "delete_original" not in message:
        message.setdefault("replace_original", False)
    try:
        response = await respond(**message)  # type: ignore[arg-type]
    except (aiohttp.ClientError, OSError, TimeoutError) as error:
        log.warning("response_url cannot be reached: %r", error)
        return
    if response.status_code >= 400:
        log.warning("response_url refused a reply: %s %s", response.status_code, response.body)


async def deliver(
    reply: Reply,
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
    place: Place,
) -> str | None:
    """In the channel (or the thread), where a thread can follow; help, errors and `private`
    only to the asker, through the response_url of their command or click. The ts of the
    message posted in the channel, or None."""
    if reply.private or reply.is_help_or_error:
        await respond_to_asker(respond, **reply.message.as_kwargs(), response_type="ephemeral")
        return None
    try:
        posted = await client.chat_postMessage(
            channel=place.channel, thread_ts=place.thread_ts, **reply.message.as_kwargs()
        )
    except SlackApiError as error:
        code = error.response.get("error")
        if code in NOT_A_MEMBER:
            fallback = reply.with_note(INVITE_NOTE).as_kwargs()
            await respond_to_asker(respond, **fallback, response_type="in_channel")
        elif code in POSTING_REFUSED:
            note = (
                f"Slack would not let me post this in the channel (`{code}`), so only you see it."
            )
            await respond_to_asker(
                respond, **reply.with_note(note).as_kwargs(), response_type="ephemeral"
            )
        else:
            raise
        return None
    try:
        await remember(services, reply, place, message_ts=posted["ts"])
    except Exception:
        # The answer is posted; only follow-ups in its thread are lost, so nobody is told off.
        log.exception("remembering the question of %s failed", posted["ts"])
    return str(posted["ts"])

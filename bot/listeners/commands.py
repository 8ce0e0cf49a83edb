"""`/llmcost <words>`: ack at once, then answer in the channel so that a thread can follow."""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.digest import answer_digest, is_digest_command
from bot.listeners.posting import NOT_A_MEMBER, remember, respond_to_asker
from bot.render.blocks import COMMAND
from bot.replies import Reply
from bot.services import Services
from bot.slack.payloads import SlashCommand, read_payload
from bot.slack.workers import question
from bot.slack_text import from_slack

log = logging.getLogger(__name__)

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


def register(app: AsyncApp, services: Services) -> None:
    async def answer_command(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        command = read_payload(SlashCommand, body, what=f"a {COMMAND} command")
        if command is None:
            return
        try:
            typed = from_slack(command.text)
            if is_digest_command(typed):
                await answer_digest(typed, body, client, respond, services)
                return
            reply = await services.priced(question, command.text, command.user_id)
            await deliver(
                reply,
                client,
                respond,
                services,
                team_id=command.team_id,
                channel=command.channel_id,
            )
        except Exception:
            log.exception("answering %s failed", COMMAND)
            await respond_to_asker(respond, text=TROUBLE, response_type="ephemeral")

    @app.command(COMMAND)
    async def on_command(
        ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()  # Slack wants it within 3 seconds; the answer follows
        services.after_ack(answer_command(body, client, respond))


async def deliver(
    reply: Reply,
    client: AsyncWebClient,
    respond: AsyncRespond,
    services: Services,
    *,
    team_id: str,
    channel: str,
    thread_ts: str | None = None,
) -> None:
    """In the channel (or the thread), where a thread can follow; help, errors and `private`
    only to the asker, through the response_url of their command or click."""
    if reply.private or reply.is_help_or_error:
        await respond_to_asker(respond, **reply.message.as_kwargs(), response_type="ephemeral")
        return
    try:
        posted = await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **reply.message.as_kwargs()
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
        return
    try:
        await remember(
            services,
            reply,
            team_id=team_id,
            channel=channel,
            thread_ts=thread_ts,
            message_ts=posted["ts"],
        )
    except Exception:
        # The answer is posted; only follow-ups in its thread are lost, so nobody is told off.
        log.exception("remembering the question of %s failed", posted["ts"])

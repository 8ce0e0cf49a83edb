"""`/llmcost <words>`: ack at once, then answer in the channel so that a thread can follow."""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.posting import remember
from bot.replies import Reply, to_question
from bot.services import Services

log = logging.getLogger(__name__)

COMMAND = "/llmcost"
# Slack's answers when the bot is not a member of the channel (or cannot see it at all, as in
# a private channel or someone else's direct messages).
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
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
        try:
            reply = to_question(body.get("text", ""), services.answerer, body.get("user_id"))
            await deliver(reply, body, client, respond, services)
        except Exception:
            log.exception("answering %s failed", COMMAND)
            await respond(text=TROUBLE, response_type="ephemeral", replace_original=False)

    @app.command(COMMAND)
    async def on_command(
        ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()  # Slack wants it within 3 seconds; the answer follows
        services.after_ack(answer_command(body, client, respond))


async def deliver(
    reply: Reply, body: dict, client: AsyncWebClient, respond: AsyncRespond, services: Services
) -> None:
    message = reply.message.as_kwargs()
    if reply.private or reply.is_help_or_error:
        await respond(**message, response_type="ephemeral", replace_original=False)
        return
    channel = body["channel_id"]
    try:
        posted = await client.chat_postMessage(channel=channel, **message)
    except SlackApiError as error:
        if error.response.get("error") not in CANNOT_POST:
            raise
        # The command's response_url works wherever the command was typed.
        fallback = reply.with_note(INVITE_NOTE).as_kwargs()
        await respond(**fallback, response_type="in_channel", replace_original=False)
        return
    await remember(
        services,
        reply,
        team_id=body.get("team_id", ""),
        channel=channel,
        thread_ts=None,
        message_ts=posted["ts"],
    )

"""The message shortcut "Count tokens and price this message": the `tokens` answer for a
message's text, shown only to whoever clicked it."""

import logging
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.slack.answer_work import question
from bot.slack.delivery import TROUBLE, respond_to_asker
from bot.slack.payloads import MessageShortcut, read_payload
from bot.slack.services import Services

log = logging.getLogger(__name__)

COUNT_MESSAGE_SHORTCUT = "llmcost_count_message"
SHORTCUT_NAME = "Count tokens and price this message"  # as manifest.yml names it
NO_TEXT = "That message has no text to count (only files or attachments)."


async def on_count_message(
    ack: AsyncAck, body: dict, respond: AsyncRespond, services: Services
) -> None:
    await ack()
    services.after_ack(count_message(body, respond, services))


async def count_message(body: dict, respond: AsyncRespond, services: Services) -> None:
    shortcut = read_payload(MessageShortcut, body, what="a message shortcut")
    if shortcut is None:
        return
    text = shortcut.message.text.strip()
    if not text:
        await respond_to_asker(respond, text=NO_TEXT, response_type="ephemeral")
        return
    try:
        # Heavy: a long message counts for a while.
        reply = await services.priced(question, f"tokens {text}", shortcut.user.id)
    except Exception:
        log.exception("counting a message's tokens failed")
        await respond_to_asker(respond, text=TROUBLE, response_type="ephemeral")
        return
    # The message is in the channel already: "Asked: <the shortcut>", not the text once more.
    shown = replace(reply, asked_as=SHORTCUT_NAME) if reply.error is None else reply
    await respond_to_asker(respond, **shown.message.as_kwargs(), response_type="ephemeral")


def register(app: AsyncApp, services: Services) -> None:
    app.shortcut(COUNT_MESSAGE_SHORTCUT)(services.bind(on_count_message))

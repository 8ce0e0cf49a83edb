"""`/llmcost <words>`: ack at once, then answer in the channel so that a thread can follow."""

import logging
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.blocks import COMMAND
from bot.slack.answer_work import is_heavy, question
from bot.slack.charts import chart_command, post_chart
from bot.slack.delivery import TROUBLE, Place, deliver, respond_to_asker
from bot.slack.listeners.calculator import open_calculator
from bot.slack.listeners.digest import answer_digest, is_digest_command
from bot.slack.markup import from_slack
from bot.slack.payloads import SlashCommand, read_payload
from bot.slack.services import Services

log = logging.getLogger(__name__)


async def on_command(
    ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond, services: Services
) -> None:
    await ack()  # Slack wants it within 3 seconds; the answer follows
    if not str(body.get("text") or "").strip():
        # `/llmcost` alone: the calculator, opened at once (its trigger lasts 3 seconds).
        command = read_payload(SlashCommand, body, what=f"a {COMMAND} command")
        if command is not None and command.trigger_id:
            services.soon(open_calculator(client, command.trigger_id, command.channel_id))
            return
    services.after_ack(answer_command(body, client, respond, services))


async def answer_command(
    body: dict, client: AsyncWebClient, respond: AsyncRespond, services: Services
) -> None:
    command = read_payload(SlashCommand, body, what=f"a {COMMAND} command")
    if command is None:
        return
    try:
        typed = from_slack(command.text)
        if is_digest_command(typed):
            await answer_digest(typed, body, client, respond, services)
            return
        charted = chart_command(typed)  # "/llmcost chart compare ...": the answer, then its chart
        asked = command.text if charted is None else charted
        heavy = is_heavy(asked)
        reply = await services.priced(question, asked, command.user_id, heavy=heavy)
        place = Place(command.team_id, command.channel_id)
        posted = await deliver(reply, client, respond, services, place)
        if charted is not None and posted is not None and reply.question is not None:
            await post_chart(client, services, reply.question, replace(place, thread_ts=posted))
    except Exception:
        log.exception("answering %s failed", COMMAND)
        await respond_to_asker(respond, text=TROUBLE, response_type="ephemeral")


def register(app: AsyncApp, services: Services) -> None:
    app.command(COMMAND)(services.bind(on_command))

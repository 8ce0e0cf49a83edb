"""Buttons: "Post in channel" on an answer only the asker could see."""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.blocks import SHARE_ACTION
from bot.slack.delivery import TROUBLE, Place, deliver, respond_to_asker
from bot.slack.payloads import ButtonClick, read_payload
from bot.slack.services import Services
from bot.slack.workers import needs_a_worker, question

log = logging.getLogger(__name__)


async def on_share(
    ack: AsyncAck,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    await ack()
    services.after_ack(share(body, client, respond, context.team_id or "", services))


async def share(
    body: dict, client: AsyncWebClient, respond: AsyncRespond, team_id: str, services: Services
) -> None:
    click = read_payload(ButtonClick, body, what="a click")
    if click is None:
        return
    try:
        # The button carries the canonical question; it is asked again, so the channel sees
        # today's prices (or the question's own date), never a stale copy.
        asked = click.actions[0].value
        heavy = needs_a_worker(asked)
        reply = await services.priced(question, asked, click.user.id, heavy=heavy)
        # A private answer in a thread is shared in that thread.
        place = Place(team_id, click.channel.id, click.container.thread_ts)
        await deliver(reply, client, respond, services, place)
    except Exception:
        log.exception("sharing an answer failed")
        await respond_to_asker(respond, text=TROUBLE, response_type="ephemeral")
        return
    if not reply.is_help_or_error:
        try:
            await respond_to_asker(respond, delete_original=True)
        except Exception:  # shared all the same; the private copy just stays
            log.exception("removing the private copy failed")


def register(app: AsyncApp, services: Services) -> None:
    app.action(SHARE_ACTION)(services.bind(on_share))

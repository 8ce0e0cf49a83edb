"""Buttons: "Post in channel" on an answer only the asker could see."""

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.commands import deliver
from bot.render.blocks import SHARE_ACTION
from bot.replies import to_question
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    async def share(body: dict, client: AsyncWebClient, respond: AsyncRespond) -> None:
        action = body["actions"][0]
        user = body["user"]["id"]
        # The button carries the canonical question; it is asked again, so the channel sees
        # today's prices (or the question's own date), never a stale copy.
        reply = to_question(action["value"], services.answerer, user)
        channel = {"channel_id": body["channel"]["id"], "team_id": body["user"].get("team_id")}
        await deliver(reply, channel, client, respond, services)
        if not reply.is_help_or_error:
            await respond(delete_original=True)

    @app.action(SHARE_ACTION)
    async def on_share(
        ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        services.after_ack(share(body, client, respond))

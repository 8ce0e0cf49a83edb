"""The App Home tab: today's tariff table for the main models, and how to ask."""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.payloads import HomeOpened, read_payload
from bot.slack.services import Services
from bot.slack.workers import home

log = logging.getLogger(__name__)


async def on_home_opened(
    ack: AsyncAck, event: dict, client: AsyncWebClient, services: Services
) -> None:
    await ack()
    services.after_ack(publish_home(event, client, services))


async def publish_home(event: dict, client: AsyncWebClient, services: Services) -> None:
    opened = read_payload(HomeOpened, event, what="an app_home_opened event")
    if opened is None or opened.tab != "home":
        return  # the Messages tab needs nothing from us
    try:
        await client.views_publish(user_id=opened.user, view=await services.priced(home))
    except SlackApiError as error:
        # Like every other Web API failure: one line, the user's Home stays as it was.
        log.warning("views.publish failed for %s: %s", opened.user, error.response.get("error"))


def register(app: AsyncApp, services: Services) -> None:
    app.event("app_home_opened")(services.bind(on_home_opened))

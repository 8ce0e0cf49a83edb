"""The App Home tab: today's tariff table for the main models, and how to ask."""

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.slack.payloads import HomeOpened, read_payload
from bot.slack.workers import home


def register(app: AsyncApp, services: Services) -> None:
    async def publish_home(event: dict, client: AsyncWebClient) -> None:
        opened = read_payload(HomeOpened, event, what="an app_home_opened event")
        if opened is None or opened.tab != "home":
            return  # the Messages tab needs nothing from us
        view = await services.priced(home)
        await client.views_publish(user_id=opened.user, view=view)

    @app.event("app_home_opened")
    async def on_home_opened(ack: AsyncAck, event: dict, client: AsyncWebClient) -> None:
        await ack()
        services.after_ack(publish_home(event, client))

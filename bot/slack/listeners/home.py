"""The App Home tab: today's tariff table for the main models, and how to ask."""

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.blocks import home_view
from bot.slack.services import Services
from pricing.answers import HelpAnswer, TableAnswer
from pricing.verbs.help import HelpQuery
from pricing.verbs.models import ModelsQuery


async def on_home_opened(
    ack: AsyncAck, event: dict, client: AsyncWebClient, services: Services
) -> None:
    await ack()
    services.after_ack(publish_home(event, client, services))


async def publish_home(event: dict, client: AsyncWebClient, services: Services) -> None:
    if event.get("tab", "home") != "home":
        return  # the Messages tab needs nothing from us
    await client.views_publish(user_id=event["user"], view=home_tab(services))


def home_tab(services: Services) -> dict:
    models = services.answerer.answer(ModelsQuery())
    help_answer = services.answerer.answer(HelpQuery())
    assert isinstance(models, TableAnswer)
    assert isinstance(help_answer, HelpAnswer)
    return home_view(models, help_answer)


def register(app: AsyncApp, services: Services) -> None:
    app.event("app_home_opened")(services.bind(on_home_opened))

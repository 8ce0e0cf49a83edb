"""The App Home tab: buttons to price usage and to learn how to ask, this week's tariff changes,
the workspace's digest subscriptions and today's tariff table; published when opened and again
when prices change (bot.slack.home_tabs: at most once a minute per person)."""

import asyncio
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.answer_work import home
from bot.slack.client import with_token
from bot.slack.home_tabs import HomeTabs
from bot.slack.payloads import HomeOpened, read_payload
from bot.slack.services import Services

log = logging.getLogger(__name__)


class HomePublisher:
    """Publishes a person's Home, and all of them again once a new price file is taken."""

    def __init__(self, client: AsyncWebClient, services: Services) -> None:
        self._client = client
        self._services = services
        self._tabs = HomeTabs(services.now)
        self._following = False

    async def publish(
        self, team_id: str, user_id: str, client: AsyncWebClient | None = None
    ) -> None:
        """Publish a person's Home with `client` (a request's own), or when prices change with
        the workspace's token (each workspace's own, in distribution)."""
        services = self._services
        self._follow_prices()
        if client is None:
            client = await self._client_for(team_id)
            if client is None:
                return  # the workspace is gone; its Homes with it
        # Here: the digests' store brings the database, which the first ack does not need.
        from bot.storage.subscriptions import DigestStore

        digests = DigestStore(services.store)
        subscriptions = await services.off_loop(digests.team_subscriptions, team_id)
        view = await services.priced(home, subscriptions)
        try:
            await client.views_publish(user_id=user_id, view=view)
        except SlackApiError as error:
            # Like every other Web API failure: one line, the user's Home stays as it was.
            log.warning("views.publish failed for %s: %s", user_id, error.response.get("error"))
            return
        self._tabs.published((team_id, user_id))

    def forget_team(self, team_id: str) -> None:
        self._tabs.forget_team(team_id)

    async def _client_for(self, team_id: str) -> AsyncWebClient | None:
        workspaces = self._services.workspaces
        token = None if workspaces is None else await workspaces.bot_token(self._client, team_id)
        if token is None:
            self._tabs.forget_team(team_id)
            return None
        return with_token(self._client, token)

    def _follow_prices(self) -> None:
        """Once: when the answerer takes a new book, every known Home is published again."""
        if self._following:
            return
        self._following = True
        loop = asyncio.get_running_loop()
        self._services.answerer.when_new_book(lambda: self._tabs.republish_all(loop, self.publish))


async def on_home_opened(
    ack: AsyncAck,
    event: dict,
    context: AsyncBoltContext,
    client: AsyncWebClient,
    publisher: HomePublisher,
    services: Services,
) -> None:
    await ack()
    opened = read_payload(HomeOpened, event, what="an app_home_opened event")
    if opened is None or opened.tab != "home":
        return  # the Messages tab needs nothing from us
    services.after_ack(publisher.publish(context.team_id or "", opened.user, client))


def register(app: AsyncApp, services: Services) -> None:
    publisher = HomePublisher(app.client, services)
    services.when_workspace_forgotten(publisher.forget_team)
    listener = services.bind(on_home_opened)

    async def on_opened(
        ack: AsyncAck, event: dict, context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        await listener(ack=ack, event=event, context=context, client=client, publisher=publisher)

    app.event("app_home_opened")(on_opened)

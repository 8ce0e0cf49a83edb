"""Each workspace's bot token from its installation (distribution mode), found by Bolt's authorize
step, which refreshes a rotating token before it expires and stores the new one."""

import logging

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import ClockSettings
from bot.slack.install.stores import (
    ROTATION_MINUTES,
    CachedInstallations,
    EngineWhenReady,
    InstallationsInThreads,
)
from bot.slack.install.workspaces import EnterpriseOf

log = logging.getLogger(__name__)


class InstalledWorkspaces:
    """Each workspace's installation, from slack_sdk's store on llmcost's database."""

    def __init__(
        self, settings: ClockSettings, engine: EngineWhenReady, enterprise_of: EnterpriseOf
    ) -> None:
        self.installations = CachedInstallations(
            InstallationsInThreads(settings.slack_client_id or "", engine)
        )
        # Bot tokens only (llmcost asks for no user token): one lookup a request, cached, and
        # Slack's auth.test once per token rather than once per request.
        self.authorize = AsyncInstallationStoreAuthorize(
            logger=log,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            installation_store=self.installations,
            bot_only=True,
            cache_enabled=True,
            token_rotation_expiration_minutes=ROTATION_MINUTES,
            # Refreshes a rotating token (oauth.v2.access) on the Web API the app talks to.
            client=AsyncWebClient(base_url=settings.slack_api_url, timeout=10),
        )
        self._enterprise_of = enterprise_of

    async def bot_token(self, client: AsyncWebClient, team_id: str) -> str | None:
        context = AsyncBoltContext(client=client, is_enterprise_install=False)
        result = await self.authorize(
            context=context,
            enterprise_id=await self._enterprise_of(team_id),
            team_id=team_id,
            user_id=None,
        )
        return None if result is None else result.bot_token

    def forget(self, team_id: str) -> None:
        self.installations.forget(team_id)
        # Keyed by token, not workspace; an uninstall is rare, so all of it goes.
        self.authorize.authorize_result_cache.clear()

"""Which bot token answers which workspace: the one in the environment (one workspace), or each
workspace's own from its installation (distribution: bot.slack.install.installed, imported only
then, as it brings slack_sdk's stores and SQLAlchemy's ORM).

Requests carry their workspace and Bolt finds its token itself; this is for what no request
carries: a Home tab published again when prices change, a digest from the clock.
"""

from collections.abc import Awaitable, Callable
from typing import Protocol

from slack_sdk.web.async_client import AsyncWebClient

# The Enterprise Grid organization a workspace's installation belongs to, if any.
EnterpriseOf = Callable[[str], Awaitable[str | None]]


class TokenSource(Protocol):
    async def bot_token(self, client: AsyncWebClient, team_id: str) -> str | None:
        """The workspace's bot token; None when the app is not installed there."""
        ...

    def forget(self, team_id: str) -> None:
        """The workspace uninstalled the app: nothing cached for it may be used again."""
        ...


class OneWorkspace:
    """SLACK_BOT_TOKEN, for the one workspace it belongs to."""

    def __init__(self, token: str | None) -> None:
        self._token = token

    async def bot_token(self, client: AsyncWebClient, team_id: str) -> str | None:
        return self._token

    def forget(self, team_id: str) -> None:
        pass  # the token is the environment's, and Slack has revoked it

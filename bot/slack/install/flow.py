"""Bolt's OAuth flow behind `/slack/install` and `/slack/oauth_redirect`, for distribution mode."""

import contextlib
import logging
from importlib.resources import files
from urllib.parse import urlsplit

import yaml
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Installation

from bot.settings import ClockSettings
from bot.slack.install.pages import CALLBACKS, INSTALL_PATH, OrgInstallRefused, install_page
from bot.slack.install.stores import CachedInstallations, EngineWhenReady, StatesInThreads

REDIRECT_PATH = "/slack/oauth_redirect"
# Bolt's own flow logs a warning of its own for a refused code; the install pages log one line
# for every outcome (bot.slack.install.pages), so Bolt's flow says only errors.
FLOW_LOG = logging.getLogger("bot.slack.install.bolt")
FLOW_LOG.setLevel(logging.ERROR)


def manifest_scopes() -> list[str]:
    """The bot scopes manifest.yml asks for: the one list, for the app's settings and for the
    install alike."""
    manifest = yaml.safe_load((files("bot.slack") / "manifest.yml").read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


def authorize_url(api_url: str) -> str:
    """Slack's authorize page, on the Web API's host as on slack.com (a local fake serves both)."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/oauth/v2/authorize"


class WorkspaceInstallFlow(AsyncOAuthFlow):
    """Bolt's OAuth flow with llmcost's install page (no image from Slack's servers), refusing
    org-wide installs before anything is stored."""

    async def build_install_page_html(self, url: str, request: AsyncBoltRequest) -> str:
        return install_page(url)

    async def store_installation(
        self, request: AsyncBoltRequest, installation: Installation
    ) -> None:
        if installation.is_enterprise_install:
            # Undo it on Slack's side too, so the org does not show an app that never answers.
            with contextlib.suppress(SlackApiError):
                await self.client.auth_revoke(token=installation.bot_token)
            raise OrgInstallRefused(f"org-wide install for {installation.enterprise_id}")
        await super().store_installation(request, installation)


def build_flow(
    settings: ClockSettings, installations: CachedInstallations, engine: EngineWhenReady
) -> WorkspaceInstallFlow:
    """Bolt's OAuth flow on llmcost's database, asking for manifest.yml's scopes; it calls
    oauth.v2.access with the app's own client, which Bolt gives it."""
    oauth = AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=manifest_scopes(),
        user_scopes=[],
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url(settings.slack_api_url),
        callback_options=CALLBACKS,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=StatesInThreads(engine),
        logger=FLOW_LOG,
    )
    return WorkspaceInstallFlow(logger=FLOW_LOG, settings=oauth)


def not_installed_message(settings: ClockSettings) -> str:
    """What a slash command from a workspace without the app is told (through its
    response_url)."""
    where = "its install page"
    if settings.slack_redirect_uri is not None:
        parts = urlsplit(settings.slack_redirect_uri)
        where = f"{parts.scheme}://{parts.netloc}{INSTALL_PATH}"
    return (
        "llmcost is not installed in this workspace (or it was uninstalled). Someone who may "
        f"add apps here can install it from {where}."
    )

"""The Bolt app: Slack's requests in, listeners registered; server.py puts it on the network."""

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.settings import Settings
from bot.slack.client import configure_client
from bot.slack.listeners import (
    actions,
    calculator,
    commands,
    home,
    message_tokens,
    threads,
    workspaces,
)
from bot.slack.services import Services
from bot.slack.unhandled import answer_unhandled


def build_app(settings: Settings, services: Services) -> AsyncApp:
    app = AsyncApp(
        name="llmcost",
        signing_secret=settings.slack_signing_secret or "",
        # In HTTP mode the web process's guard verified the raw bytes (bot.slack.guard) before
        # handing them on; Bolt checks again, as defence in depth (4 us a request). In Socket
        # Mode requests come over the app's own websocket: nothing to verify.
        request_verification_enabled=not settings.socket_mode,
        # The ack goes back as soon as a listener returns (each starts its answer as a task
        # first: Services.after_ack); Bolt's default instead polls for the ack every 10 ms.
        process_before_response=True,
        # 200 and one log line for what no listener takes (bot.slack.unhandled), not 404.
        raise_error_for_unhandled_request=True,
        **_workspace_options(settings, services),
    )
    configure_client(app.client, settings.slack_api_url)
    for listeners in (commands, threads, home, actions, calculator, message_tokens, workspaces):
        listeners.register(app, services)
    answer_unhandled(app)
    return app


def _workspace_options(settings: Settings, services: Services) -> dict[str, Any]:
    """One workspace: its bot token. Distribution: each workspace's own, found by Bolt's
    authorize step in slack_sdk's installation store, and the OAuth flow that fills it."""
    from bot.slack.install.workspaces import OneWorkspace

    if not settings.distribution:
        services.workspaces = OneWorkspace(settings.slack_bot_token)
        return {"token": settings.slack_bot_token}
    # Only distribution brings the OAuth parts (and SQLAlchemy's ORM with slack_sdk's stores).
    from bot.slack.install.flow import build_flow, not_installed_message
    from bot.slack.install.installed import InstalledWorkspaces

    installed = InstalledWorkspaces(settings, services.engine, services.enterprise_of)
    services.workspaces = installed
    return {
        "authorize": installed.authorize,
        "installation_store": installed.installations,
        "installation_store_bot_only": True,
        "oauth_flow": build_flow(settings, installed.installations, services.engine),
        # Told through a slash command's response_url when its workspace has no installation.
        "user_facing_authorize_error_message": not_installed_message(settings),
    }

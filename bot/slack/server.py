"""`llmcost serve`: the Slack app over HTTP (uvicorn, ASGI) or over Socket Mode.

HTTP mode serves one endpoint, `/slack/events`, for slash commands, events and interactivity,
with Slack's request signing enforced; `GET /` answers a platform's health check. Its web
processes ack and hand each request to the answer process (bot.slack.supervisor).
"""

import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from bot.settings import LOG_FORMAT, SettingsError, load_settings
from bot.slack.readiness import EXIT_BAD_SETTINGS, fail, get_ready
from pricing.cpus import usable_cpus

if TYPE_CHECKING:  # Bolt is the answer process's (and Socket Mode's), not a web process's
    from slack_bolt.async_app import AsyncApp

    from bot.settings import Settings

log = logging.getLogger(__name__)


def default_web_processes() -> int:
    """One fewer than the CPUs, at least one: the answer process keeps a core busy building
    answers. Measured on 2 cores (interleaved rounds of 1,000 commands, the answers built
    meanwhile), one web process acked as fast as two or faster: p99 at c=16 13.4 and 14.5 ms
    against 17.4 and 14.6 ms; at c=1 1.09 and 1.26 ms against 1.13 and 1.38 ms. A bare uvicorn
    app acks faster in one process than in two there too."""
    return max(1, usable_cpus() - 1)


def serve(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    if argv and argv[0] in ("-h", "--help"):
        print(SERVE_USAGE)
        return 0
    if argv:
        print(
            f"llmcost serve: unexpected arguments {' '.join(argv)}\n{SERVE_USAGE}", file=sys.stderr
        )
        return EXIT_BAD_SETTINGS
    try:
        settings = load_settings()
    except SettingsError as error:
        return fail(error)
    logging.getLogger("bot").setLevel(settings.log_level)
    if not settings.socket_mode:
        from bot.slack.supervisor import Supervisor

        return Supervisor(settings, settings.web_concurrency or default_web_processes()).run()
    from bot.slack.app import build_app
    from bot.slack.services import Services

    services = Services()
    app = build_app(settings, services)
    # Nothing waits on a websocket's start-up: get ready first, and fail before connecting.
    try:
        get_ready(settings, services)
    except SettingsError as error:
        return fail(error)
    log.info("Socket Mode: connecting to Slack")
    try:
        asyncio.run(_socket_mode(app, settings))
    finally:
        services.close()
    return 0


async def _socket_mode(app: "AsyncApp", settings: "Settings") -> None:
    """Slack's requests over the app's websocket; in distribution, the install pages over HTTP
    beside it (an installer's browser cannot use the websocket)."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.slack.client import shared_session

    async with shared_session(app.client), asyncio.TaskGroup() as running:
        if settings.distribution:
            from bot.slack.install.served import serve_install_pages

            running.create_task(serve_install_pages(app, settings))
        handler = AsyncSocketModeHandler(app, settings.slack_app_token or "")
        running.create_task(handler.start_async())


SERVE_USAGE = """\
usage: llmcost serve

Runs the Slack app. Settings come from the environment (or a .env file):
  SLACK_BOT_TOKEN       Bot User OAuth Token, xoxb-...: one workspace (or, for any workspace:)
  SLACK_CLIENT_ID       the app's Client ID and Client Secret: any workspace installs it
  SLACK_CLIENT_SECRET   at /slack/install ("Add to Slack"); each answered with its own token
  SLACK_REDIRECT_URI    https://YOUR-HOST/slack/oauth_redirect, as the app's settings list it
  SLACK_SIGNING_SECRET  verifies Slack's requests in HTTP mode (required unless Socket Mode)
  SLACK_APP_TOKEN       app-level token, xapp-...: use Socket Mode instead of HTTP
  PORT, HOST            where HTTP mode listens (default 0.0.0.0:3000), endpoint /slack/events
                        (in Socket Mode with client credentials: the install pages only)
  WEB_CONCURRENCY       HTTP mode's web processes, which ack (default: one fewer than the
                        CPUs, at least one); one more process builds and posts the answers
  DATABASE_URL          where threads are remembered (default sqlite:///llmcost.db)
  SLACK_API_URL         Slack's Web API (default https://slack.com/api/)
  LLMCOST_TARIFFS       your own tariffs file, as for the terminal
  LLMCOST_PRICES_CHECK_SECONDS  how often to look for prices the clock stored (default 300)
  LOG_LEVEL             DEBUG, INFO (default), WARNING or ERROR"""

"""The install pages in Socket Mode: Slack's requests come over the app's websocket, but an
installer's browser still needs `/slack/install` and `/slack/oauth_redirect` over HTTP, served
here beside the websocket, from the same Bolt app (HTTP mode serves them from its web processes,
bot.slack.web)."""

import logging
from typing import TYPE_CHECKING

import uvicorn

from bot.settings import Settings
from bot.slack.answer_process import answer_page
from bot.slack.guard import Receive, Scope, Send, respond
from bot.slack.handoff import Page
from bot.slack.web import HEALTH, PAGES

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)


class InstallPages:
    """ASGI: the install pages, a health check, and 404 for anything else."""

    def __init__(self, app: "AsyncApp") -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan: nothing to start or stop
        method, path = scope["method"], scope["path"]
        if (method, path) in HEALTH:
            await respond(send, 200, b"" if method == "HEAD" else b"llmcost is up\n")
        elif path not in PAGES:
            await respond(send, 404, b"not found\n")
        elif method not in PAGES[path]:
            await respond(
                send, 405, b"method not allowed\n", more=[("allow", ", ".join(PAGES[path]))]
            )
        else:
            headers = {
                key.decode("latin-1").lower(): value.decode("latin-1")
                for key, value in scope["headers"]
            }
            page = Page(method, path, scope["query_string"].decode("latin-1"))
            answer = await answer_page(self._app, headers, page)  # type: ignore[arg-type]
            await respond(
                send,
                answer.status,
                answer.body,
                answer.content_type.encode("latin-1"),
                more=answer.headers,
            )


async def serve_install_pages(app: "AsyncApp", settings: Settings) -> None:
    """Until cancelled: the install pages on HOST:PORT."""
    config = uvicorn.Config(
        InstallPages(app),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        lifespan="off",
        workers=1,  # else uvicorn reads WEB_CONCURRENCY itself (see bot.slack.web)
    )
    server = uvicorn.Server(config)
    log.info("install pages at http://%s:%d/slack/install", settings.host, settings.port)
    await server.serve()

"""`llmcost serve`: the Slack app over HTTP (uvicorn, ASGI) or over Socket Mode.

HTTP mode serves one endpoint, `/slack/events`, for slash commands, events and interactivity,
with Slack's request signing enforced; `GET /` answers a platform's health check.
"""

import asyncio
import gc
import logging
import sys
import threading
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import LOG_FORMAT, Settings, SettingsError, load_settings
from bot.slack.client import shared_session
from bot.slack.guard import RefusalLog, SignedRequestGuard
from bot.slack.services import Services
from bot.wall_clock import utc_today
from pricing.errors import LlmcostError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class WithHealthAndWarmUp:
    """Bolt's ASGI handler, plus a health check, a warm-up started with the server, and the
    Slack client's connection pool open while it runs."""

    def __init__(
        self,
        bolt: ASGIApp,
        client: AsyncWebClient,
        services: Services,
        warm_up: Callable[[], None],
    ) -> None:
        self._bolt = bolt
        self._client = client
        self._services = services
        self._warm_up = warm_up

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http" and (scope["method"], scope["path"]) in HEALTH:
            # HEAD, as load balancers probe: the same answer without its body.
            head = scope["method"] == "HEAD"
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": b"" if head else b"llmcost is up\n"})
        else:
            await self._bolt(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as running:
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await running.enter_async_context(shared_session(self._client))
                    self._warm_up()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self._services.drain()
                    break
        await send({"type": "lifespan.shutdown.complete"})


HEALTH = {(method, path) for method in ("GET", "HEAD") for path in ("/", "/healthz")}


def get_ready(settings: Settings, services: Services) -> None:
    """Open the database and load the tariffs, start the answer workers, then hand all three to
    the listeners."""
    from bot.answering import Answerer
    from bot.slack.workers import AnswerWorkers
    from bot.storage.engine import open_store
    from bot.storage.snapshots import SnapshotStore
    from pricing.model_search import ModelIndex

    try:
        store = open_store(settings)
    except SettingsError as error:
        services.cannot_provide(error)
        raise
    answerer = Answerer(settings.llmcost_tariffs, today=utc_today, snapshots=SnapshotStore(store))
    try:
        # Here, not on the event loop, where the first question would otherwise load them.
        answerer.warm()
    except LlmcostError as error:  # a malformed LLMCOST_TARIFFS file
        services.cannot_provide(error)
        raise SettingsError(f"LLMCOST_TARIFFS: {error.message}") from error

    # The model picker's index, before the first keystroke asks for it, and for each new book
    # in the thread that takes it up, not on the event loop.
    def index_models() -> None:
        ModelIndex.of(answerer.book())

    index_models()
    answerer.when_new_book(index_models)
    # The tariffs are tens of thousands of objects that live as long as the process; without
    # this, every full collection walks them all (12 ms measured) in the middle of an answer.
    gc.freeze()
    # Started last, so that its start (about 2 s of CPU) does not compete with the server's own
    # and its first acks. Answers wait for it, so that the first `tokens` question finds the
    # tokenizers loaded; without a worker, every answer is priced here.
    workers = AnswerWorkers(
        settings.llmcost_tariffs,
        log_level=settings.log_level,
        database_url=settings.database_url,
        prices_check_seconds=settings.llmcost_prices_check_seconds,
    )
    workers.start()
    started = workers.wait_until_started()
    log.info("ready: tariffs loaded")
    answerer.follow_in_background(settings.llmcost_prices_check_seconds)
    services.provide(answerer, store, workers if started else None)


EXIT_BAD_SETTINGS = 2


def fail(error: SettingsError) -> int:
    print(f"llmcost serve: {error.message}", file=sys.stderr, flush=True)
    return EXIT_BAD_SETTINGS


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
    from bot.slack.app import build_app

    services = Services()
    app = build_app(settings, services)
    if settings.socket_mode:
        # Nothing waits on a websocket's start-up: get ready first, and fail before connecting.
        try:
            get_ready(settings, services)
        except SettingsError as error:
            return fail(error)
        log.info("Socket Mode: connecting to Slack")
        try:
            asyncio.run(_socket_mode(app, settings.slack_app_token or ""))
        finally:
            services.close()
        return 0
    return _http_mode(app, settings, services)


def _http_mode(app: AsyncApp, settings: Settings, services: Services) -> int:
    import uvicorn
    from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler

    failed: list[SettingsError] = []

    def warm_up() -> None:
        # In a thread, so that acks, which need neither tariffs nor the database, start at once.
        def run() -> None:
            try:
                get_ready(settings, services)
            except SettingsError as error:
                failed.append(error)
                server.should_exit = True
            except Exception as exc:
                # Without its store and tariffs the server would ack and never answer: stop it.
                log.exception("getting ready failed")
                services.cannot_provide(exc)
                failed.append(SettingsError(f"could not get ready: {exc!r}"))
                server.should_exit = True

        threading.Thread(target=run, name="get-ready", daemon=True).start()

    from bot.slack.connections import HeaderDeadline

    # Signature, timestamp and size checked on the raw bytes before Bolt parses anything; a
    # connection whose headers do not come in time is closed, and counted with the refusals.
    refusals = RefusalLog()
    bolt = SignedRequestGuard(
        AsyncSlackRequestHandler(app, path=EVENTS_PATH),
        signing_secret=settings.slack_signing_secret or "",
        path=EVENTS_PATH,
        refusals=refusals,
    )
    asgi = WithHealthAndWarmUp(bolt, app.client, services, warm_up)
    config = uvicorn.Config(
        asgi,
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        http=HeaderDeadline.limited(refusals),
    )
    server = uvicorn.Server(config)
    log.info(
        "HTTP mode: Slack requests at http://%s:%d%s", settings.host, settings.port, EVENTS_PATH
    )
    server.run()
    services.close()
    return fail(failed[0]) if failed else 0


async def _socket_mode(app: AsyncApp, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    async with shared_session(app.client):
        await AsyncSocketModeHandler(app, app_token).start_async()


SERVE_USAGE = """\
usage: llmcost serve

Runs the Slack app. Settings come from the environment (or a .env file):
  SLACK_BOT_TOKEN       Bot User OAuth Token, xoxb-... (required)
  SLACK_SIGNING_SECRET  verifies Slack's requests in HTTP mode (required unless Socket Mode)
  SLACK_APP_TOKEN       app-level token, xapp-...: use Socket Mode instead of HTTP
  PORT, HOST            where HTTP mode listens (default 0.0.0.0:3000), endpoint /slack/events
  DATABASE_URL          where threads are remembered (default sqlite:///llmcost.db)
  SLACK_API_URL         Slack's Web API (default https://slack.com/api/)
  LLMCOST_TARIFFS       your own tariffs file, as for the terminal
  LLMCOST_PRICES_CHECK_SECONDS  how often to look for prices the clock stored (default 300)
  LOG_LEVEL             DEBUG, INFO (default), WARNING or ERROR"""

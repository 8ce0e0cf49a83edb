"""The answer process of `llmcost serve`: every request the web processes ack comes here, through
the Bolt app and its listeners, and its answer is built and posted from here.

Its event loop is busy pricing and rendering (and its get-ready thread loading tariffs, the
tokenizers and new price files); none of it can delay an ack, which the web processes send
before the request reaches this process.
"""

import asyncio
import functools
import logging
import os
import signal
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.settings import Settings, SettingsError
from bot.slack.app import build_app
from bot.slack.client import shared_session
from bot.slack.handoff import Answer, HandOffServer, Page
from bot.slack.readiness import fail, get_ready
from bot.slack.services import Services

log = logging.getLogger(__name__)

# Below the web processes (0): where the cores are short, as while a new price file is read or a
# burst of answers is built, the scheduler gives them the CPU first, and their acks stay quick.
ANSWER_NICENESS = 10


async def dispatch(
    app: AsyncApp, headers: dict[str, str | Sequence[str]], body: bytes, page: Page | None = None
) -> Answer:
    """A handed-on request through the Bolt app, with the headers it came with (Bolt checks its
    signature again: the web process's guard checked it first); an install page through Bolt's
    OAuth flow."""
    if page is not None:
        return await answer_page(app, headers, page)
    response = await app.async_dispatch(
        AsyncBoltRequest(body=body.decode("utf-8"), headers=headers)
    )
    return _answer_of(response)


async def answer_page(app: AsyncApp, headers: dict[str, str | Sequence[str]], page: Page) -> Answer:
    """`/slack/install` or `/slack/oauth_redirect`, as Bolt's own web adapters serve them."""
    flow = app.oauth_flow
    request = AsyncBoltRequest(body="", query=page.query, headers=headers)
    if flow is not None and page.path == flow.install_path:
        response = await flow.handle_installation(request)
    elif flow is not None and page.path == flow.redirect_uri_path:
        response = await flow.handle_callback(request)
    else:
        return Answer(404, "text/plain;charset=utf-8", b"not found\n")
    answer = _answer_of(response)
    return replace(answer, body=b"") if page.method == "HEAD" else answer


def _answer_of(response: BoltResponse) -> Answer:
    content_type = next(iter(response.headers.get("content-type", ())), "text/plain;charset=utf-8")
    more = tuple(
        (name, value)
        for name, values in response.headers.items()
        if name != "content-type"
        for value in values
    )
    return Answer(response.status, content_type, response.body.encode(), more)


def run_answer_process(settings: Settings, answers: Path) -> int:
    """Take handed-on requests at `answers` until SIGTERM; then finish the answers under way.

    SIGINT is left to the supervisor: on Ctrl-C it stops the web processes first, and this one
    only once they have handed on everything they acked."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(ANSWER_NICENESS)
    services = Services()
    app = build_app(settings, services)
    try:
        return asyncio.run(_answer(app, settings, services, answers))
    finally:
        services.close()


async def _answer(app: AsyncApp, settings: Settings, services: Services, answers: Path) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    failed: list[SettingsError] = []

    def ready() -> None:
        # In a thread: the first requests are taken (and wait for the answerer) meanwhile.
        try:
            get_ready(settings, services)
        except SettingsError as error:
            failed.append(error)
            loop.call_soon_threadsafe(stop.set)
        except Exception as exc:
            # Without its store and tariffs it would take requests and never answer: stop.
            log.exception("getting ready failed")
            services.cannot_provide(exc)
            failed.append(SettingsError(f"could not get ready: {exc!r}"))
            loop.call_soon_threadsafe(stop.set)

    # Each request handed on says the web processes are busy acking: a new price file's book
    # waits for a quiet moment (bot.answering.wait_for_quiet).
    server = HandOffServer(functools.partial(dispatch, app), on_frame=services.note_request)
    async with shared_session(app.client):
        await server.start(answers)
        threading.Thread(target=ready, name="get-ready", daemon=True).start()
        await stop.wait()
        await server.stop()
        await services.drain()
    return fail(failed[0]) if failed else 0

"""A web process of `llmcost serve`: it checks each request's signature, acks it and hands it on.

Nothing that builds an answer runs here, so an ack never waits for one: before, an ack at c=1
waited whenever the previous command's answer was still being priced on the same event loop.
This process imports neither Bolt's listeners nor the pricing engine, and starts as fast as a
bare app. The answer process (bot.slack.answer_process) runs every request through the Bolt app.
"""

import gc
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn

from bot.settings import Settings
from bot.slack.connections import HeaderDeadline
from bot.slack.envelope import form_fields, is_json
from bot.slack.guard import ASGIApp, Receive, RefusalLog, Scope, Send, SignedRequestGuard, respond
from bot.slack.handoff import Answer, HandOff, Page

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH = {(method, path) for method in ("GET", "HEAD") for path in ("/", "/healthz")}
# Slack waits 3 seconds for an answer; this leaves time for it to travel.
ASK_SECONDS = 2.8
# How long a stopping web process gives what it has acked to reach the answer process.
HAND_ON_SECONDS = 5.0
# Distribution mode's pages, for browsers (bot.slack.install): the methods each answers.
PAGES = {"/slack/install": ("GET", "HEAD"), "/slack/oauth_redirect": ("GET",)}
# A page waits on Slack (oauth.v2.access, auth.test) as well as on the answer process.
PAGE_SECONDS = 10.0
# Interactive payloads whose ack is always empty: the listener answers later, by the Web API.
ACKED_EMPTY = frozenset({"block_actions", "shortcut", "message_action"})


def answered_by_its_listener(body: bytes, content_type: bytes | None) -> bool:
    """Whether a request's ack carries what its listener says (a picker's options, a modal's
    errors, the Events API's challenge), rather than an empty 200. Only slash commands, events
    and clicks are acked empty; anything else waits for the answer process to say."""
    try:
        if is_json(content_type) or body.startswith(b"{"):
            return bool(json.loads(body).get("type") != "event_callback")
        fields = form_fields(body.decode("utf-8"))
        if "payload" in fields:
            return bool(json.loads(fields["payload"]).get("type") not in ACKED_EMPTY)
        return "command" not in fields
    except (ValueError, AttributeError):  # the guard let no such body through; be safe anyway
        return True


class HandingOn:
    """ASGI app behind the signature guard: ack, and hand the request to the answer process."""

    def __init__(self, hand_off: HandOff) -> None:
        self._hand_off = hand_off

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _body(receive)
        headers = request_headers(scope)
        content_type = headers.get("content-type", "").encode("latin-1")
        if not answered_by_its_listener(body, content_type):
            self._hand_off.send(headers, body)
            await respond(send, 200, b"")
            return
        try:
            answer = await self._hand_off.ask(headers, body, ASK_SECONDS)
        except (TimeoutError, ConnectionError) as error:
            log.warning("the answer process did not answer in time: %r", error)
            await respond(send, 503, b"not ready, try again\n")
            return
        await respond(send, answer.status, answer.body, answer.content_type.encode("latin-1"))


class WebProcessApp:
    """The web process's ASGI app: a health check, the install pages in distribution mode, and
    Slack's requests through the guard; the hand-off connected while it runs."""

    def __init__(self, guarded: ASGIApp, hand_off: HandOff, *, pages: bool = False) -> None:
        self._guarded = guarded
        self._hand_off = hand_off
        self._pages = pages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] == "http" and (scope["method"], scope["path"]) in HEALTH:
            # HEAD, as load balancers probe: the same answer without its body.
            body = b"" if scope["method"] == "HEAD" else b"llmcost is up\n"
            await respond(send, 200, body)
        elif self._pages and scope["type"] == "http" and scope["path"] in PAGES:
            await self._page(scope, send)
        else:
            await self._guarded(scope, receive, send)  # anything but the events path: 404

    async def _page(self, scope: Scope, send: Send) -> None:
        """An install page, from the answer process (Bolt's OAuth flow is there, with the
        database); a browser's request carries no Slack signature to check."""

        async def from_the_answer_process(headers: dict[str, str], page: Page) -> Answer:
            return await self._hand_off.ask(headers, b"", PAGE_SECONDS, page)

        await serve_page(scope, send, from_the_answer_process)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._hand_off.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._hand_off.close(HAND_ON_SECONDS)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def serve_page(
    scope: Scope, send: Send, fetch: Callable[[dict[str, str], Page], Awaitable[Answer]]
) -> None:
    """One of `PAGES`, as `fetch` answers it; 405 for a method the page does not answer."""
    allowed = PAGES[scope["path"]]
    if scope["method"] not in allowed:
        await respond(send, 405, b"method not allowed\n", more=[("allow", ", ".join(allowed))])
        return
    page = Page(scope["method"], scope["path"], scope["query_string"].decode("latin-1"))
    try:
        answer = await fetch(request_headers(scope), page)
    except (TimeoutError, ConnectionError) as error:
        log.warning("the answer process did not serve %s in time: %r", page.path, error)
        await respond(send, 503, b"llmcost is busy or starting; try again in a minute\n")
        return
    content_type = answer.content_type.encode("latin-1")
    await respond(send, answer.status, answer.body, content_type, more=answer.headers)


def request_headers(scope: Scope) -> dict[str, str]:
    """A request's headers, names in lower case (HTTP's are case-insensitive)."""
    return {
        key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]
    }


def run_web_process(settings: Settings, listening: socket.socket, answers: Path) -> int:
    """Serve HTTP on `listening` (opened by the supervisor, shared by every web process) until
    told to stop; uvicorn stops on SIGTERM or SIGINT, after the requests under way."""
    # Signature, timestamp and size checked on the raw bytes before anything parses the body; a
    # connection whose headers do not come in time is closed, and counted with the refusals.
    refusals = RefusalLog()
    hand_off = HandOff(answers)
    guarded = SignedRequestGuard(
        HandingOn(hand_off),
        signing_secret=settings.slack_signing_secret or "",
        path=EVENTS_PATH,
        refusals=refusals,
    )
    config = uvicorn.Config(
        WebProcessApp(guarded, hand_off, pages=settings.distribution),
        host=settings.host,
        port=settings.port,
        access_log=False,
        log_config=None,
        http=HeaderDeadline.limited(refusals),
        lifespan="on",
        # One server in this process; the supervisor forks as many as WEB_CONCURRENCY says.
        # Left unset, uvicorn reads WEB_CONCURRENCY itself and fails on a blank one, which
        # llmcost's settings take as unset.
        workers=1,
    )
    # As before the fork: what serving needs from here on is not walked by each collection.
    gc.freeze()
    uvicorn.Server(config).run(sockets=[listening])
    return 0


async def _body(receive: Receive) -> bytes:
    chunks = bytearray()
    while True:
        message = await receive()
        chunks += message.get("body", b"")
        if not message.get("more_body", False):
            return bytes(chunks)

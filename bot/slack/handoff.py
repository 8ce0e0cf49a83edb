"""The hand-off between `serve`'s web processes and its answer process, over a Unix socket.

A web process acks a signed request and hands its body on as it came; the answer process runs
it through the Bolt app and its listeners, where the answer is built. Most requests are only
handed on (`HandOff.send`): their ack is an empty 200, known before any listener runs. A picker's
options and a modal's submission are answered by the listener itself, so the web process waits
for that answer (`HandOff.ask`).

A frame is two big-endian 4-byte lengths, then a JSON object (the request's headers, an `id`
when an answer is wanted, and for one of the install pages its method, path and query) and the
body's bytes. Both ends are this module: the socket lives in a
directory only `serve`'s user can enter, so nothing else speaks to it.
"""

import asyncio
import contextlib
import itertools
import json
import logging
import struct
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_LENGTHS = struct.Struct("!II")
# Frames held while the answer process is not there (starting, or started again after a crash):
# about a minute of a busy workspace's traffic. Past it the oldest are dropped, and said so.
MOST_WAITING_FRAMES = 10_000
# How soon a web process tries the socket again, doubling up to the most.
FIRST_RETRY_SECONDS = 0.01
MOST_RETRY_SECONDS = 0.1


@dataclass(frozen=True)
class Answer:
    """What the answer process's Bolt app answered a request with (a page's cookie and
    redirect among `headers`)."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Page:
    """A browser's request for one of the install pages (distribution mode), not Slack's."""

    method: str
    path: str
    query: str


Dispatch = Callable[[dict[str, str], bytes, Page | None], Awaitable[Answer]]


def frame(meta: dict[str, object], body: bytes) -> bytes:
    encoded = json.dumps(meta, separators=(",", ":")).encode()
    return _LENGTHS.pack(len(encoded), len(body)) + encoded + body


async def read_frame(reader: asyncio.StreamReader) -> tuple[dict, bytes]:
    """The next frame; IncompleteReadError once the other end has closed."""
    meta_length, body_length = _LENGTHS.unpack(await reader.readexactly(_LENGTHS.size))
    meta = json.loads(await reader.readexactly(meta_length))
    return meta, await reader.readexactly(body_length)


class HandOff:
    """A web process's end: one connection to the answer process, made again whenever it drops;
    frames sent meanwhile wait in memory and go once it is back."""

    def __init__(self, path: Path, *, most_waiting: int = MOST_WAITING_FRAMES) -> None:
        self._path = path
        self._writer: asyncio.StreamWriter | None = None
        self._waiting: deque[bytes] = deque(maxlen=most_waiting)
        self._dropped = 0
        self._answers: dict[int, asyncio.Future[Answer]] = {}
        self._ids = itertools.count(1)
        self._connection: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._connection = asyncio.get_running_loop().create_task(self._keep_connected())

    def send(self, headers: dict[str, str], body: bytes) -> None:
        """Hand a request on; its answer is the answer process's to post."""
        self._write(frame({"headers": headers}, body))

    async def ask(
        self, headers: dict[str, str], body: bytes, timeout: float, page: Page | None = None
    ) -> Answer:
        """The answer process's answer to a request (TimeoutError when it is not there in time,
        ConnectionError when the connection drops first)."""
        number = next(self._ids)
        answer: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._answers[number] = answer
        meta: dict[str, object] = {"id": number, "headers": headers}
        if page is not None:
            meta["page"] = {"method": page.method, "path": page.path, "query": page.query}
        try:
            self._write(frame(meta, body))
            return await asyncio.wait_for(answer, timeout)
        finally:
            self._answers.pop(number, None)

    def _write(self, data: bytes) -> None:
        if self._writer is None or self._writer.is_closing():
            if len(self._waiting) == self._waiting.maxlen:
                self._dropped += 1
                if self._dropped == 1 or self._dropped % 1000 == 0:
                    log.error("the answer process is away: %d requests dropped", self._dropped)
            self._waiting.append(data)
        else:
            self._writer.write(data)

    async def _keep_connected(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(self._path)
            except OSError:
                await asyncio.sleep(delay)
                delay = min(delay * 2, MOST_RETRY_SECONDS)
                continue
            delay = FIRST_RETRY_SECONDS
            while self._waiting:
                writer.write(self._waiting.popleft())
            self._writer = writer
            try:
                await self._read_answers(reader)
            finally:
                self._writer = None
                writer.close()
                for answer in self._answers.values():
                    if not answer.done():
                        answer.set_exception(ConnectionError("the answer process went away"))
            log.warning("lost the answer process; connecting again")

    async def _read_answers(self, reader: asyncio.StreamReader) -> None:
        while True:
            try:
                meta, body = await read_frame(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            answer = self._answers.get(meta["id"])
            if answer is not None and not answer.done():
                extra = tuple((name, value) for name, value in meta.get("headers", ()))
                answer.set_result(Answer(meta["status"], meta["content_type"], body, extra))

    async def close(self, timeout: float) -> None:
        """Give what is handed on but not yet written `timeout` seconds to go, then stop."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._waiting and loop.time() < deadline:
            await asyncio.sleep(FIRST_RETRY_SECONDS)
        if self._writer is not None:
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(self._writer.drain(), max(0.0, deadline - loop.time()))
        if self._waiting:
            log.error("stopped with %d requests not handed on", len(self._waiting))
        if self._connection is not None:
            self._connection.cancel()


class HandOffServer:
    """The answer process's end: every frame from every web process is dispatched as it comes,
    each in a task of its own, and answered when it asks to be; `on_frame` is told of each."""

    def __init__(self, dispatch: Dispatch, on_frame: Callable[[], None] = lambda: None) -> None:
        self._dispatch = dispatch
        self._on_frame = on_frame  # told of each frame as it comes
        self._running: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    async def start(self, path: Path) -> None:
        self._server = await asyncio.start_unix_server(self._connection, path)

    @property
    def connections(self) -> int:
        """How many web processes are connected."""
        return len(self._connections)

    async def stop(self) -> None:
        """Take no more frames; answer those being dispatched, then hang up, so that a web
        process still running connects to whichever answer process comes next."""
        if self._server is not None:
            self._server.close()
        for connection in self._connections:
            transport = connection.transport
            if isinstance(transport, asyncio.ReadTransport):  # a Unix socket's always is
                transport.pause_reading()
        if self._running:
            await asyncio.wait(set(self._running))
        for connection in self._connections:
            connection.close()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)
        try:
            while True:
                meta, body = await read_frame(reader)
                self._on_frame()
                task = asyncio.get_running_loop().create_task(self._answer(meta, body, writer))
                self._running.add(task)
                task.add_done_callback(self._running.discard)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # a web process stopped
        finally:
            self._connections.discard(writer)
            writer.close()

    async def _answer(self, meta: dict, body: bytes, writer: asyncio.StreamWriter) -> None:
        try:
            page = Page(**meta["page"]) if "page" in meta else None
            answer = await self._dispatch(meta["headers"], body, page)
        except Exception:
            log.exception("could not dispatch a request handed on")
            answer = Answer(500, "text/plain", b"")
        number = meta.get("id")
        if number is not None and not writer.is_closing():
            reply = {"id": number, "status": answer.status, "content_type": answer.content_type}
            if answer.headers:
                reply["headers"] = [list(pair) for pair in answer.headers]
            writer.write(frame(reply, answer.body))

"""What the listeners share: the answering engine, the store and the clock, how to use them from
Bolt's event loop without blocking it, and the work that follows an ack."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from bot.wall_clock import utc_now

if TYPE_CHECKING:  # imported by whoever builds them, off the path to the first ack
    from sqlalchemy.engine import Engine

    from bot.answering import Answerer
    from bot.slack.install.workspaces import TokenSource
    from bot.storage.store import AnswerRow, Store

# Work after an ack under way at once; the rest waits its turn, first come first served. Each
# answer prices and renders before its first wait (on Slack), so with every answer of a burst
# under way at once the loop took each one's next step in turn, and the first were posted almost
# as late as the last: of 1,000 commands at c=32, half were answered 1.25 s after their ack, 0.75
# s with 64 at once; the last as soon (with 16 at once, later). The server also holds 40 MB less
# after such a load (240 MB of PSS, not 283). 64 keeps the CPU busy while answers wait on
# Slack's Web API (about 100 ms a call, against 2 ms of CPU an answer).
ANSWERS_AT_ONCE = 64
# No request for this long is a quiet moment, when a new price file's book may be built
# (bot.answering.wait_for_quiet) without slowing acks.
QUIET_SECONDS = 0.25
P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)


class Services:
    """The answerer and the store may arrive after the server has started taking requests
    (`provide`): loading tariffs and opening the database take longer than an ack may. Work
    started with `after_ack` waits for them; acks never do."""

    def __init__(
        self,
        answerer: "Answerer | None" = None,
        store: "Store | None" = None,
        *,
        now: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.now = now
        self._monotonic = monotonic
        self._last_request = monotonic()
        self._parts: Future[tuple[Answerer, Store]] = Future()
        self._running: set[asyncio.Task[None]] = set()
        self._answering = asyncio.Semaphore(ANSWERS_AT_ONCE)
        self._unsaved: list[tuple[AnswerRow, asyncio.Future[None]]] = []
        self._saving: asyncio.Task[None] | None = None
        # Each workspace's bot token (bot.slack.app sets it, by the mode it runs in).
        self.workspaces: TokenSource | None = None
        self._forgetting: list[Callable[[str], None]] = []
        if answerer is not None and store is not None:
            self.provide(answerer, store)

    def provide(self, answerer: "Answerer", store: "Store") -> None:
        self._parts.set_result((answerer, store))

    def cannot_provide(self, error: BaseException) -> None:
        if not self._parts.done():
            self._parts.set_exception(error)

    @property
    def answerer(self) -> "Answerer":
        return self._parts.result()[0]

    @property
    def store(self) -> "Store":
        return self._parts.result()[1]

    async def engine(self) -> "Engine":
        """The database engine, once getting ready has opened it."""
        if not self._parts.done():
            await asyncio.wrap_future(self._parts)
        return self.store.engine

    async def enterprise_of(self, team_id: str) -> str | None:
        """The Enterprise Grid organization of an installed workspace, if it has one."""
        await self.engine()
        return await self.off_loop(self.store.installed_enterprise, team_id)

    def note_request(self) -> None:
        """A request came in (and was acked meanwhile): the web processes are busy."""
        self._last_request = self._monotonic()

    def quiet(self) -> bool:
        """Whether no request has come in for QUIET_SECONDS (called from other threads)."""
        return self._monotonic() - self._last_request >= QUIET_SECONDS

    def when_workspace_forgotten(self, forget: Callable[[str], None]) -> None:
        """`forget(team_id)` once a workspace is forgotten, for what is kept in memory."""
        self._forgetting.append(forget)

    def workspace_forgotten(self, team_id: str) -> None:
        """After `Store.forget_workspace`: nothing cached for the workspace is used again."""
        if self.workspaces is not None:
            self.workspaces.forget(team_id)
        for forget in self._forgetting:
            forget(team_id)

    def bind(self, handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """A listener's handler with these services as its `services` argument; Bolt passes the
        others (ack, body, client, ...) by their names, and names the listener after `handler`."""
        bound = partial(handler, services=self)
        bound.__name__ = handler.__name__  # type: ignore[attr-defined]
        return bound

    def after_ack(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` once Slack has its ack, on the same event loop, once the answerer and the
        store are there and fewer than ANSWERS_AT_ONCE such works are under way.

        Bolt's lazy listeners do this too, but deep-copy the whole request for each one, which
        costs more than answering a question and cannot copy a client with a connection pool.
        """
        self.soon(self._when_ready(work))

    def soon(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` once Slack has its ack without waiting for the answerer and the store:
        opening a modal needs neither, and its trigger expires 3 seconds after the click."""
        task = asyncio.get_running_loop().create_task(work)
        self._running.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._finished)

    async def ready_within(self, seconds: float) -> bool:
        """Whether the answerer and the store are there, waiting at most `seconds` for them:
        for what must answer inside the request (a picker's options, a form's errors)."""
        if not self._parts.done():
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(self._parts)), seconds)
            except Exception:  # not in time (TimeoutError), or they could not be made
                return False
        return self._parts.exception() is None

    async def _when_ready(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            if not self._parts.done():
                # Once they are there, not awaited: that would cost each answer a trip through
                # the loop's self-pipe.
                await asyncio.wrap_future(self._parts)
            self._parts.result()  # raises what getting ready raised
        except BaseException:
            work.close()
            raise
        async with self._answering:
            await work

    async def save_answer(self, row: "AnswerRow") -> None:
        """`Store.save_answers` in a thread, rows that come while one write is under way written
        together by the next: under a burst of answers, one write each held the GIL 0.3 ms
        apiece, beside the loop, and each took its own trip to a thread and back."""
        saved = asyncio.get_running_loop().create_future()
        self._unsaved.append((row, saved))
        if self._saving is None or self._saving.done():
            self._saving = asyncio.get_running_loop().create_task(self._save_unsaved())
        await saved

    async def _save_unsaved(self) -> None:
        while self._unsaved:
            batch, self._unsaved = self._unsaved, []
            try:
                await self.off_loop(self.store.save_answers, [row for row, _ in batch])
            except Exception as error:
                for _, saved in batch:
                    saved.set_exception(error)
            else:
                for _, saved in batch:
                    saved.set_result(None)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("work after an ack failed", exc_info=task.exception())

    def close(self) -> None:
        if self._parts.done() and self._parts.exception() is None:
            self.store.close()

    async def drain(self) -> None:
        """Let answers under way finish, as when the server is asked to stop."""
        if self._running:
            await asyncio.wait(set(self._running))

    async def off_loop(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """SQL waits on the database: in a thread, the loop takes other requests meanwhile.

        Pricing and rendering are not sent here but to `priced`: they are pure Python, so a
        thread would hold the GIL just as long as the loop would."""
        return await asyncio.to_thread(work, *args, **kwargs)

    async def priced(
        self, work: "Callable[Concatenate[Answerer, ...], T]", *args: Any, heavy: bool = True
    ) -> T:
        """Pricing and rendering, `work(answerer, *args)`: a heavy one in a thread, where the
        loop still gets its turn every switch interval (5 ms) instead of waiting for the whole
        of it (it holds the GIL: pricing is pure Python); the rest here, where they cost less
        than the hop. In HTTP mode no ack waits for either: the web processes send them."""
        if not heavy:
            return work(self.answerer, *args)
        return await asyncio.to_thread(work, self.answerer, *args)

    async def claim_event(self, body: dict) -> bool:
        """True when this Slack event is new; Slack retries an event it thinks was missed, and
        the claim, made in the database, holds across restarts and processes."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        return await self.off_loop(
            self.store.claim_event, event_id, now=self.now(), team_id=body.get("team_id")
        )

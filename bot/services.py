"""What the listeners share: the answering engine, the store, the clock, and how to use them
from Bolt's event loop without blocking it."""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from bot.answering import Answerer
from bot.store import Store

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class AfterAck:
    """Work started once Slack has its ack, on the same event loop.

    Bolt's lazy listeners do this too, but deep-copy the whole request for each one, which
    costs more than answering a question and cannot copy a client with a connection pool.
    """

    def __init__(self) -> None:
        self._running: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._running.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("work after an ack failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Let answers under way finish, as when the server is asked to stop."""
        if self._running:
            await asyncio.wait(set(self._running))


@dataclass(frozen=True)
class Services:
    answerer: Answerer
    store: Store
    now: Callable[[], datetime] = utc_now
    after_ack: AfterAck = field(default_factory=AfterAck)

    async def off_loop(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Pricing and SQL are blocking calls; run them in a thread so acks never wait on them."""
        return await asyncio.to_thread(work, *args, **kwargs)

    async def claim_event(self, body: dict) -> bool:
        """True when this Slack event is new; Slack retries an event it thinks was missed, and
        the claim, made in the database, holds across restarts and processes."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        return await self.off_loop(self.store.claim_event, event_id, now=self.now())

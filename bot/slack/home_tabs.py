"""Whose App Home tab was published when, so that it is published again when prices change, at
most once a minute per person (opening the tab publishes it at once, as always).

Kept in the web process's memory: a Home tab that a restart forgets is published again the next
time its owner opens it, and until then shows the prices it was published with, dated.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

# Slack rate-limits views.publish per user; a Home nobody is looking at needs no more.
LEAST_INTERVAL = timedelta(minutes=1)

Viewer = tuple[str, str]  # (team_id, user_id)
Publish = Callable[[str, str], Coroutine[Any, Any, None]]


class HomeTabs:
    """When each person's Home was last published."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._published: dict[Viewer, datetime] = {}
        self._waiting: set[Viewer] = set()

    def published(self, viewer: Viewer) -> None:
        self._published[viewer] = self._now()

    def forget_team(self, team_id: str) -> None:
        """The workspace uninstalled the app: its Homes are not published again."""
        for viewer in [viewer for viewer in self._published if viewer[0] == team_id]:
            del self._published[viewer]

    def delay_for(self, viewer: Viewer) -> timedelta:
        """How long until this person's Home may be published again."""
        last = self._published.get(viewer)
        if last is None:
            return timedelta(0)
        return max(timedelta(0), last + LEAST_INTERVAL - self._now())

    def republish_all(self, loop: asyncio.AbstractEventLoop, publish: Publish) -> None:
        """Publish every known Home again (prices changed), each no sooner than a minute after
        its last publication; one pending republication per person however often prices
        change meanwhile. Safe to call from any thread."""
        loop.call_soon_threadsafe(self._schedule_all, loop, publish)

    def _schedule_all(self, loop: asyncio.AbstractEventLoop, publish: Publish) -> None:
        for viewer in list(self._published):
            if viewer in self._waiting:
                continue
            self._waiting.add(viewer)
            delay = self.delay_for(viewer).total_seconds()
            loop.call_later(delay, self._start, loop, publish, viewer)

    def _start(self, loop: asyncio.AbstractEventLoop, publish: Publish, viewer: Viewer) -> None:
        self._waiting.discard(viewer)
        if viewer not in self._published:
            return  # its workspace was forgotten meanwhile
        task: asyncio.Task[None] = loop.create_task(publish(*viewer))
        task.add_done_callback(_log_failure)


def _log_failure(task: "asyncio.Task[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("publishing a Home tab again failed", exc_info=task.exception())

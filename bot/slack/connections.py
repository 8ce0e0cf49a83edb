"""Limits on connections, below the requests the guard checks: a connection must finish sending
a request's headers within HEADER_SECONDS of opening (or of its previous response), else it is
closed and counted like any refused request.

uvicorn's HTTP protocol waits for headers without bound, and any byte received cancels its
keep-alive timer, so a client sending a header line now and then held a connection for ever
(1,000 of them were still open after 24 s). Imported only by `llmcost serve` in HTTP mode.
"""

import asyncio
from typing import Any, ClassVar

from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.slack.guard import RefusalLog

HEADER_SECONDS = 10.0


class HeaderDeadline(H11Protocol):
    """uvicorn's h11 protocol, closing connections whose request headers come too slowly."""

    seconds: ClassVar[float] = HEADER_SECONDS
    refusals: ClassVar[RefusalLog | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    @classmethod
    def limited(
        cls, refusals: RefusalLog, seconds: float = HEADER_SECONDS
    ) -> type["HeaderDeadline"]:
        """The protocol class for one server: its deadline, and the log its refusals go to."""
        return type(cls.__name__, (cls,), {"seconds": seconds, "refusals": refusals})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        waiting_for = self.cycle
        super().handle_events()
        if self.cycle is not waiting_for:  # a request's headers are in
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.refusals is not None:
            client = self.client[0] if self.client else "an unknown client"
            self.refusals.refused(408, f"headers not sent within {self.seconds:g} s", client)
        self.transport.close()

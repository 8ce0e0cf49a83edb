"""Stopping the clock while a prices refresh runs: the process leaves at once (it did not wait
for the refresh, and an interpreter shutting down under the refresh thread, building the book in
pydantic-core, aborted: "FATAL: exception not rethrown", exit -6)."""

import asyncio
import threading

import pytest

from bot.digests import clock as clock_module
from bot.digests.clock import Clock


def _stopping_clock(refresh: threading.Thread | None) -> Clock:
    clock = Clock.__new__(Clock)  # only its refresh thread matters here
    clock._refreshing = refresh
    return clock


def test_a_refresh_in_flight_ends_with_the_process_at_once(monkeypatch):
    release = threading.Event()
    refresh = threading.Thread(target=release.wait, daemon=True)
    refresh.start()
    exits: list[int] = []
    monkeypatch.setattr(clock_module, "leave_now", exits.append)
    try:
        asyncio.run(_stopping_clock(refresh).refresh_ended())
    finally:
        release.set()
    assert exits == [0]


@pytest.mark.parametrize("refresh", [None, threading.Thread(target=lambda: None)])
def test_without_a_refresh_in_flight_the_clock_stops_as_usual(monkeypatch, refresh):
    if refresh is not None:
        refresh.start()
        refresh.join()
    exits: list[int] = []
    monkeypatch.setattr(clock_module, "leave_now", exits.append)
    asyncio.run(_stopping_clock(refresh).refresh_ended())
    assert exits == []

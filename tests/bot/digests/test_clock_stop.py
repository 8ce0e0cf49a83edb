"""Stopping the clock while a prices refresh runs: the refresh gets a grace period, and a process
that cannot wait longer leaves at once instead of aborting in interpreter shutdown (which it
did, "FATAL: exception not rethrown", when the book was being built as it stopped)."""

import asyncio
import threading

import pytest

from bot.digests import clock as clock_module
from bot.digests.clock import Clock


def _stopping_clock(refresh: threading.Thread | None) -> Clock:
    clock = Clock.__new__(Clock)  # only its refresh thread matters here
    clock._refreshing = refresh
    return clock


def test_a_refresh_in_flight_is_waited_for(monkeypatch):
    release = threading.Event()
    finished = []
    refresh = threading.Thread(target=lambda: (release.wait(5), finished.append(True)))
    refresh.start()
    exits: list[int] = []
    monkeypatch.setattr(clock_module.os, "_exit", exits.append)
    threading.Timer(0.05, release.set).start()  # the refresh ends while the clock waits
    asyncio.run(_stopping_clock(refresh).refresh_ended())
    assert finished == [True]
    assert exits == []


def test_a_refresh_past_its_grace_ends_with_the_process(monkeypatch):
    release = threading.Event()
    refresh = threading.Thread(target=release.wait, daemon=True)
    refresh.start()
    exits: list[int] = []
    monkeypatch.setattr(clock_module, "REFRESH_GRACE_SECONDS", 0.01)
    monkeypatch.setattr(clock_module.logging, "shutdown", lambda: None)
    monkeypatch.setattr(clock_module.os, "_exit", exits.append)
    try:
        asyncio.run(_stopping_clock(refresh).refresh_ended())
    finally:
        release.set()
    assert exits == [0]


@pytest.mark.parametrize("refresh", [None, threading.Thread(target=lambda: None)])
def test_no_refresh_in_flight_stops_at_once(monkeypatch, refresh):
    if refresh is not None:
        refresh.start()
        refresh.join()
    exits: list[int] = []
    monkeypatch.setattr(clock_module.os, "_exit", exits.append)
    asyncio.run(_stopping_clock(refresh).refresh_ended())
    assert exits == []

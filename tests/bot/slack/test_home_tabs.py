"""The App Home is published again when prices change, at most once a minute per person (issue
22): the republication is timed from each person's last one, once however often prices change
meanwhile, and a new price file taken up by the answerer sets it off."""

import asyncio
from datetime import UTC, datetime, timedelta

from bot.answering import Answerer
from bot.slack.home_tabs import LEAST_INTERVAL, HomeTabs
from bot.slack.install.workspaces import OneWorkspace
from bot.slack.listeners.home import HomePublisher
from bot.slack.services import Services
from bot.storage.store import Store

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class StartedTask:
    def add_done_callback(self, _callback) -> None:
        pass


class RecordingLoop:
    """What HomeTabs asks of the event loop, recorded instead of waited for."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, object, tuple]] = []

    def call_soon_threadsafe(self, callback, *args) -> None:
        callback(*args)

    def call_later(self, delay, callback, *args) -> None:
        self.timers.append((delay, callback, args))

    def create_task(self, coroutine):
        coroutine.close()  # what it publishes is the third test's
        return StartedTask()

    def fire(self) -> None:
        timers, self.timers = self.timers, []
        for _delay, callback, args in timers:
            callback(*args)


def test_a_home_is_republished_no_sooner_than_a_minute_after_its_last_publication():
    clock = Clock()
    tabs = HomeTabs(clock)
    tabs.published(("T1", "U1"))
    clock.now = T0 + timedelta(seconds=10)
    tabs.published(("T1", "U2"))
    clock.now = T0 + timedelta(seconds=20)
    assert tabs.delay_for(("T1", "U1")) == LEAST_INTERVAL - timedelta(seconds=20)
    assert tabs.delay_for(("T1", "U2")) == LEAST_INTERVAL - timedelta(seconds=10)
    assert tabs.delay_for(("T1", "U9")) == timedelta(0)  # never published
    clock.now = T0 + timedelta(minutes=5)
    assert tabs.delay_for(("T1", "U1")) == timedelta(0)


def test_prices_changing_twice_within_the_minute_republish_each_home_once():
    clock = Clock()
    tabs = HomeTabs(clock)
    tabs.published(("T1", "U1"))
    loop = RecordingLoop()
    published: list[tuple[str, str]] = []

    async def publish(team: str, user: str) -> None:
        published.append((team, user))

    clock.now = T0 + timedelta(seconds=15)
    tabs.republish_all(loop, publish)  # type: ignore[arg-type]
    tabs.republish_all(loop, publish)  # type: ignore[arg-type]
    assert [delay for delay, _, _ in loop.timers] == [45.0]
    loop.fire()
    tabs.republish_all(loop, publish)  # type: ignore[arg-type]
    assert len(loop.timers) == 1  # after it went, the next change schedules it again


def test_a_new_price_file_taken_up_publishes_the_homes_again(tmp_path):
    """The answerer's new book (here: `refresh`, as after a user's tariffs file changed) sets
    off the republication of every Home published before, a minute or more later."""
    clock = Clock()
    answerer = Answerer(None, today=lambda: T0.date())
    services = Services(answerer, Store(f"sqlite:///{tmp_path / 'llmcost.db'}"), now=clock)
    services.store.create_schema()
    services.workspaces = OneWorkspace("xoxb-test")

    class Client:
        token = "xoxb-test"

        def __init__(self) -> None:
            self.published: list[str] = []
            self.again = asyncio.Event()

        async def views_publish(self, *, user_id: str, view: dict) -> dict:
            self.published.append(user_id)
            if len(self.published) == 2:
                self.again.set()
            return {"ok": True}

    async def run() -> None:
        publisher = HomePublisher(client, services)  # type: ignore[arg-type]
        await publisher.publish("T1", "U1")
        clock.now = T0 + timedelta(minutes=2)
        await asyncio.to_thread(answerer.refresh)  # the new book, swapped in by another thread
        await asyncio.wait_for(client.again.wait(), timeout=10)

    client = Client()
    asyncio.run(run())
    assert client.published == ["U1", "U1"]

"""Services: answers remembered in batches under a burst, each caller told how its row fared;
work after acks done a bounded number at once, first come first served."""

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import pytest

from bot.answering import Answerer
from bot.slack.services import ANSWERS_AT_ONCE, QUIET_SECONDS, Services
from bot.storage.store import AnswerRow, Store

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class CountingStore(Store):
    """A real store that counts its writes of remembered answers."""

    writes: list[int]

    def save_answers(self, rows: Sequence[AnswerRow]) -> None:
        self.writes.append(len(rows))
        super().save_answers(rows)


@pytest.fixture
def store(database_url: str) -> Iterator[CountingStore]:
    counting = CountingStore(database_url)
    counting.create_schema()
    counting.writes = []
    yield counting
    counting.close()


def row(number: int) -> AnswerRow:
    return AnswerRow(
        team_id="T1",
        channel_id=f"C{number}",
        thread_ts=f"1700000000.{number:06d}",
        message_ts=f"1700000000.{number:06d}",
        question=f"cost gpt-4o {number}M tokens",
        asked_by="U1",
        now=NOW,
    )


def test_a_burst_of_answers_is_remembered_in_a_few_writes(store: CountingStore) -> None:
    services = Services(Answerer(None, lambda: NOW.date()), store)

    async def burst() -> None:
        await asyncio.gather(*(services.save_answer(row(number)) for number in range(50)))

    asyncio.run(burst())

    # The write starts once the loop is free: all 50 are waiting by then, and go together.
    assert store.writes == [50]
    for number in range(50):
        found = store.thread_question(
            team_id="T1", channel_id=f"C{number}", thread_ts=f"1700000000.{number:06d}"
        )
        assert found == f"cost gpt-4o {number}M tokens"


def test_a_failed_write_is_each_callers_to_know(
    store: CountingStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = Services(Answerer(None, lambda: NOW.date()), store)

    def down(rows: Sequence[AnswerRow]) -> None:
        raise OSError("the database is down")

    monkeypatch.setattr(store, "save_answers", down)

    async def burst() -> list[object]:
        saves = (services.save_answer(row(number)) for number in range(3))
        return await asyncio.gather(*saves, return_exceptions=True)

    failures = asyncio.run(burst())

    assert [str(failure) for failure in failures] == ["the database is down"] * 3


def test_work_after_acks_is_under_way_a_bounded_number_at_once_in_turn(
    store: CountingStore,
) -> None:
    services = Services(Answerer(None, lambda: NOW.date()), store)
    burst = ANSWERS_AT_ONCE + 10
    started: list[int] = []
    under_way = most_under_way = 0
    slack_answers = asyncio.Event()

    async def answer(number: int) -> None:
        nonlocal under_way, most_under_way
        started.append(number)
        under_way += 1
        most_under_way = max(most_under_way, under_way)
        await slack_answers.wait()
        under_way -= 1

    async def commands() -> list[int]:
        for number in range(burst):
            services.after_ack(answer(number))
        for _ in range(10):  # every task has its turn of the loop, and more
            await asyncio.sleep(0)
        first = list(started)
        slack_answers.set()
        await services.drain()
        return first

    first = asyncio.run(commands())

    assert first == list(range(ANSWERS_AT_ONCE))
    assert started == list(range(burst))
    assert most_under_way == ANSWERS_AT_ONCE


def test_quiet_once_no_request_has_come_for_a_while(store: CountingStore) -> None:
    clock = [100.0]
    services = Services(Answerer(None, lambda: NOW.date()), store, monotonic=lambda: clock[0])
    assert not services.quiet()  # just started
    clock[0] += QUIET_SECONDS
    assert services.quiet()
    services.note_request()
    assert not services.quiet()
    clock[0] += QUIET_SECONDS / 2
    assert not services.quiet()
    clock[0] += QUIET_SECONDS / 2
    assert services.quiet()

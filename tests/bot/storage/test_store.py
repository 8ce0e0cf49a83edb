"""The store on both databases: what it remembers, and that several workers agree on it."""

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from bot.storage.store import AnswerRow, Store, engine_url, slack_events

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2023, 8, 22, 12, 0, tzinfo=UTC)
EVENT_IDS = [f"Ev{number:04d}" for number in range(50)]


def run_together(workers: list[Callable[[], object]]) -> list[object]:
    """Run each worker in its own thread, all released at once, and return their results."""
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)
    errors: list[BaseException] = []

    def run(index: int, work: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=item) for item in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


# engine_url: what DATABASE_URL becomes


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        (None, "sqlite:///llmcost.db"),
        ("", "sqlite:///llmcost.db"),
        ("  ", "sqlite:///llmcost.db"),
        (
            "postgres://u:p@db.example.com:5432/d1",
            "postgresql+psycopg://u:p@db.example.com:5432/d1",
        ),
        ("postgresql://u:p@localhost/d1", "postgresql+psycopg://u:p@localhost/d1"),
        # Escapes and query options pass through untouched.
        (
            "postgres://u:p%40ss@h/d1?sslmode=require&options=-csearch_path%3Dx",
            "postgresql+psycopg://u:p%40ss@h/d1?sslmode=require&options=-csearch_path%3Dx",
        ),
        ("postgresql+psycopg://u@h/d1", "postgresql+psycopg://u@h/d1"),
        ("postgresql+psycopg2://u@h/d1", "postgresql+psycopg2://u@h/d1"),
        ("sqlite:////var/data/llmcost.db", "sqlite:////var/data/llmcost.db"),
        ("sqlite://", "sqlite://"),
        ("mysql+pymysql://u@h/d1", "mysql+pymysql://u@h/d1"),
    ],
)
def test_engine_url(setting: str | None, expected: str) -> None:
    assert engine_url(setting) == expected


@pytest.mark.parametrize(
    "setting", ["not a url", "://secret@host/db", "postgresql://u:hunter2@h:port/db"]
)
def test_engine_url_rejects_what_sqlalchemy_cannot_parse(setting: str) -> None:
    with pytest.raises(ValueError, match="not a database URL") as raised:
        engine_url(setting)
    assert "hunter2" not in str(raised.value)
    assert "sqlite:///llmcost.db" in str(raised.value)


# Schema


def test_create_schema_twice(store: Store, database_url: str) -> None:
    store.create_schema()
    store.create_schema()

    assert {"slack_events", "thread_answers"} <= set(inspect(store.engine).get_table_names())
    with store.engine.connect() as connection:
        if store.engine.dialect.name == "postgresql":
            # The fixture's search_path puts the tables in the test's own schema, not public.
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            assert schema.startswith("llmcost_test_")
            assert schema in database_url
            tables = connection.execute(
                text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            ).scalars()
            assert {"slack_events", "thread_answers"} <= set(tables)
        else:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0


def test_processes_starting_together_create_the_schema_once(database_url: str) -> None:
    # Web and clock processes start at the same moment; without a lock both see the tables
    # missing and the slower one fails with "already exists".
    stores = [Store(database_url) for _ in range(8)]
    try:
        run_together([store.create_schema for store in stores])
        assert stores[0].claim_event("Ev1", now=NOW) is True
    finally:
        for store in stores:
            store.close()


# Claiming Slack events


def test_an_event_is_claimed_once(store: Store) -> None:
    assert store.claim_event("Ev1", now=NOW) is True
    assert store.claim_event("Ev1", now=NOW) is False
    assert store.claim_event("Ev1", now=NOW + timedelta(minutes=5)) is False
    assert store.claim_event("Ev2", now=NOW) is True


def test_claims_survive_a_restart(database_url: str) -> None:
    before = Store(database_url)
    before.create_schema()
    assert before.claim_event("Ev1", now=NOW) is True
    before.close()

    after = Store(database_url)
    after.create_schema()
    try:
        assert after.claim_event("Ev1", now=NOW) is False
        assert after.claim_event("Ev2", now=NOW) is True
    finally:
        after.close()


def test_threads_claiming_the_same_events_win_each_once(store: Store) -> None:
    def claim_all() -> list[str]:
        return [event_id for event_id in EVENT_IDS if store.claim_event(event_id, now=NOW)]

    won = run_together([claim_all] * 8)

    assert Counter(event_id for ids in won for event_id in ids) == Counter(EVENT_IDS)


CLAIMER = """
import json, sys
from datetime import UTC, datetime
from bot.storage.store import Store

url, reverse = sys.argv[1], sys.argv[2] == "reverse"
event_ids = [f"Ev{number:04d}" for number in range(50)]
store = Store(url)
store.create_schema()
print("ready", flush=True)
sys.stdin.readline()
now = datetime(2023, 8, 22, 12, 0, tzinfo=UTC)
won = [e for e in (event_ids[::-1] if reverse else event_ids) if store.claim_event(e, now=now)]
store.close()
print(json.dumps(won), flush=True)
"""


def test_processes_claiming_the_same_events_win_each_once(database_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, database_url, order],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for order in ("forward", "reverse", "forward")
    ]
    try:
        # Each has its own engine and has created the schema; release them together.
        for process in processes:
            assert process.stdout is not None
            ready = process.stdout.readline()
            assert ready == "ready\n", process.communicate(timeout=60)[1]
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        won: Counter[str] = Counter()
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            won.update(json.loads(out))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    assert won == Counter(EVENT_IDS)


def test_forget_events_before(store: Store) -> None:
    for minutes, event_id in enumerate(["Ev0", "Ev1", "Ev2", "Ev3"]):
        store.claim_event(event_id, now=NOW + timedelta(minutes=10 * minutes))

    # 12:25Z written as 14:25+02:00: compared as an instant, not as wall-clock text.
    cutoff = datetime(2023, 8, 22, 14, 25, tzinfo=timezone(timedelta(hours=2)))
    assert store.forget_events_before(cutoff) == 3
    assert store.forget_events_before(cutoff) == 0

    assert store.claim_event("Ev3", now=NOW) is False
    # A forgotten id can be claimed again: hence a cutoff far beyond Slack's retries.
    assert store.claim_event("Ev0", now=NOW + timedelta(days=1)) is True


def test_claims_are_stored_as_utc(store: Store) -> None:
    eastern = timezone(timedelta(hours=-4))
    store.claim_event("Ev1", now=datetime(2023, 8, 22, 8, 0, tzinfo=eastern))

    with store.engine.connect() as connection:
        claimed_at = connection.execute(select(slack_events.c.claimed_at)).scalar_one()

    assert claimed_at == NOW
    assert claimed_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(store: Store) -> None:
    naive = datetime(2023, 8, 22, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.claim_event("Ev1", now=naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.forget_events_before(naive)
    assert store.claim_event("Ev1", now=NOW) is True


# Thread answers


THREAD = {"team_id": "T1", "channel_id": "C1", "thread_ts": "1692705600.000100"}


def answer(
    store: Store, question: str, *, minutes: int = 0, message_ts: str = "", **where: str
) -> None:
    """The bot answered `question` in THREAD (or where `where` says) `minutes` after NOW."""
    store.save_answers(
        [
            AnswerRow(
                **(THREAD | where),
                message_ts=message_ts or f"1692705600.{minutes + 200:06d}",
                question=question,
                asked_by="U1",
                now=NOW + timedelta(minutes=minutes),
            )
        ]
    )


def test_thread_question_is_that_of_the_latest_answer(store: Store) -> None:
    answer(store, "compare gpt-4-8k ft-gpt-3.5 200k tokens", minutes=0)
    answer(store, "compare gpt-4-32k ft-gpt-3.5 200k tokens", minutes=2)
    assert store.thread_question(**THREAD) == "compare gpt-4-32k ft-gpt-3.5 200k tokens"

    # Saved later but stamped earlier (a slow worker): the clock decides, not the insert order.
    answer(store, "compare gpt-4-8k gpt-3.5 200k tokens", minutes=1)
    assert store.thread_question(**THREAD) == "compare gpt-4-32k ft-gpt-3.5 200k tokens"


def test_answers_in_the_same_instant_are_ordered_by_saving(store: Store) -> None:
    answer(store, "first", minutes=3, message_ts="1692705600.000301")
    answer(store, "second", minutes=3, message_ts="1692705600.000302")
    assert store.thread_question(**THREAD) == "second"


def test_thread_question_is_none_where_the_bot_never_answered(store: Store) -> None:
    assert store.thread_question(**THREAD) is None
    answer(store, "cost gpt-4-8k 1M tokens")
    assert store.thread_question(**THREAD | {"thread_ts": "1692705600.999999"}) is None


def test_threads_are_kept_apart_by_team_and_channel(store: Store) -> None:
    answer(store, "asked in T1 C1")
    answer(store, "asked in T1 C2", channel_id="C2")
    answer(store, "asked in T2 C1", team_id="T2")

    assert store.thread_question(**THREAD) == "asked in T1 C1"
    assert store.thread_question(**THREAD | {"channel_id": "C2"}) == "asked in T1 C2"
    assert store.thread_question(**THREAD | {"team_id": "T2"}) == "asked in T2 C1"
    assert store.thread_question(**THREAD | {"team_id": "T3"}) is None


def test_saving_the_same_message_again_replaces_its_question(store: Store) -> None:
    answer(store, "cost gpt-4-8k 1M tokens", minutes=0, message_ts="1692705600.000200")
    answer(store, "later answer", minutes=1, message_ts="1692705600.000201")
    answer(store, "edited in place", minutes=2, message_ts="1692705600.000201")

    assert store.thread_question(**THREAD) == "edited in place"


def test_the_latest_answer_is_the_latest_message_whatever_the_clocks_say(store: Store) -> None:
    # Two processes with skewed clocks: Slack's timestamps decide which answer came last.
    answer(store, "later message", minutes=0, message_ts="1692705600.000300")
    answer(store, "earlier message", minutes=5, message_ts="1692705600.000200")

    assert store.thread_question(**THREAD) == "later message"


def test_answers_without_an_asker(store: Store) -> None:
    store.save_answers(
        [
            AnswerRow(
                **THREAD,
                message_ts="1692705600.000200",
                question="digest",
                asked_by=None,
                now=NOW,
            )
        ]
    )
    assert store.thread_question(**THREAD) == "digest"


def test_the_store_can_be_shared_by_threads(store: Store) -> None:
    # The app calls the store through asyncio.to_thread: one Store, many threads at once.
    def save_and_read(index: int) -> Callable[[], str | None]:
        def work() -> str | None:
            thread = {**THREAD, "thread_ts": f"1692705600.{index:06d}"}
            for step in range(5):
                store.save_answers(
                    [
                        AnswerRow(
                            **thread,
                            message_ts=f"1692705601.{index * 10 + step:06d}",
                            question=f"question {index}.{step}",
                            asked_by=None,
                            now=NOW + timedelta(minutes=step),
                        )
                    ]
                )
            return store.thread_question(**thread)

        return work

    results = run_together([save_and_read(index) for index in range(8)])

    assert results == [f"question {index}.4" for index in range(8)]


def test_a_postgresql_lock_is_waited_for_as_long_as_an_sqlite_one(database_url):
    """Every wait is bounded (issue 19): PostgreSQL waits for a lock without end unless told."""
    from sqlalchemy import text

    from bot.storage.store import SQLITE_BUSY_TIMEOUT_MS, Store

    store = Store(database_url)
    try:
        with store.engine.connect() as connection:
            if connection.dialect.name != "postgresql":
                pytest.skip("SQLite's busy timeout is checked by the SQLite tests")
            shown = connection.execute(text("SHOW lock_timeout")).scalar_one()
    finally:
        store.close()
    assert shown == f"{SQLITE_BUSY_TIMEOUT_MS // 1000}s"


def test_answers_saved_together_are_each_remembered_and_the_later_of_one_message_wins(
    store: Store,
) -> None:
    rows = [
        AnswerRow(
            **(THREAD | {"channel_id": f"C{number}"}),
            message_ts="1692705600.000200",
            question=f"cost gpt-4o {number}M tokens",
            asked_by="U1",
            now=NOW,
        )
        for number in range(1, 4)
    ]
    edited = AnswerRow(
        **THREAD,
        message_ts="1692705600.000200",
        question="cost gpt-4o 9M tokens",
        asked_by=None,
        now=NOW,
    )

    store.save_answers([*rows, edited])

    for number in (2, 3):
        where = THREAD | {"channel_id": f"C{number}"}
        assert store.thread_question(**where) == f"cost gpt-4o {number}M tokens"
    # C1's message, saved twice in one write: the edit replaced it.
    assert store.thread_question(**THREAD) == "cost gpt-4o 9M tokens"

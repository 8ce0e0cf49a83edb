"""Pricing and rendering of heavy questions in a worker process, where they cannot delay an ack.

Measured on the 2-core machine this was written on (bench/slack_bench.py and by hand): a
`compare` of every model (2,050 tariffs, 69,598 characters) prices and renders in 280 ms, and the
first `tokens` question loaded both tokenizers in 0.8-1.1 s, all on the event loop: every ack
waited meanwhile (acks during them: 273-783 ms). A thread does not help: pricing is pure Python
and holds the GIL. With those questions in a worker process, acks meanwhile took at most 9 ms
(tokens) and 36-60 ms (the compare of everything: unpickling its 0.8 MB answer is one 24 ms C
call), and the first `tokens` answer came 5-15 ms after its ack.

An ordinary question (a few models, under a millisecond to price and render) stays on the loop:
sending every answer to workers made them slower on 2 shared cores (answer after ack p99 at
c=16: 116 ms against 67 ms, ack p99 84 ms against 63 ms), as the hop costs more than the work.
`needs_a_worker` tells them apart before any pricing.

The worker loads its own tariff book and both tokenizers when it starts (in the background, from
a fork server), so no question ever loads them on the loop; the tokenizers live only there.
"""

import asyncio
import functools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from bot.digests.content import compose
from bot.leaving import leave_now
from bot.render.blocks import help_view, home_view
from bot.render.digest import subscription_blocks, week_blocks
from bot.settings import LOG_FORMAT
from bot.slack.markup import from_slack, take_private
from bot.slack.replies import Reply, to_follow_up, to_question
from bot.wall_clock import utc_today
from pricing import tokens
from pricing.answers import HelpAnswer, TableAnswer
from pricing.errors import LlmcostError
from pricing.parse import parse
from pricing.verbs.help import HelpQuery
from pricing.verbs.models import ModelsQuery
from pricing.verbs.tokens import TokensQuery

if TYPE_CHECKING:  # the answerer brings the database: imported where a worker starts
    from bot.answering import Answerer
    from bot.storage.subscriptions import Subscription
P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

# One: heavy questions are rare, the event loop's process needs a core of its own, and each
# worker holds its own tariffs and tokenizers (about 120 MB).
PROCESSES = 1
# Longer questions name many models (or count a long text): priced in a worker. A compare of 20
# models is about 400 characters and 3 ms.
SMALL_QUESTION_CHARS = 1_000
# A worker starts in about a second on an idle machine; give it plenty more on a busy one.
STARTUP_SECONDS = 60.0
# Lower priority than the server (0): its acks come first when the cores are busy.
WORKER_NICENESS = 5
# How soon a worker notices that the server has gone.
SERVER_CHECK_SECONDS = 1.0

Work = Callable[Concatenate["Answerer", P], T]


# --- what runs in a worker (module-level functions: they are sent by name) ----------------------

_worker_answerer: "Answerer | None" = None


def needs_a_worker(raw: str, previous: str | None = None) -> bool:
    """True for a question worth the hop to a worker: a long one, or one that counts tokens (the
    tokenizers are loaded only there). Parsing a short question costs microseconds."""
    texts = [raw] if previous is None else [raw, previous]
    if any(len(text) > SMALL_QUESTION_CHARS for text in texts):
        return True
    for text in texts:
        try:
            if isinstance(parse(take_private(from_slack(text))[0]), TokensQuery):
                return True
        except LlmcostError:
            pass  # a follow-up is no question on its own, or the error is cheap to render
    return False


def start_worker(
    tariffs_file: Path | None,
    log_level: str,
    server_pid: int,
    database_url: str | None = None,
    prices_check_seconds: float | None = None,
) -> None:
    """Each worker's start: the tariffs, the catalog and the tokenizers, loaded once. With a
    database, the catalog comes from its newest prices snapshot, and a newer one is taken up
    every `prices_check_seconds`, as the server's own answerer does."""
    global _worker_answerer
    threading.Thread(target=exit_with, args=(server_pid,), daemon=True).start()
    # Where cores are short, the scheduler serves the server's acks before this work.
    os.nice(WORKER_NICENESS)
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("bot").setLevel(log_level)
    started = time.perf_counter()
    snapshots = None
    if database_url is not None or prices_check_seconds is not None:
        from bot.storage.snapshots import SnapshotStore
        from bot.storage.store import Store

        snapshots = SnapshotStore(Store(database_url))  # the server made its schema current
    from bot.answering import Answerer

    answerer = Answerer(tariffs_file, today=utc_today, snapshots=snapshots)
    try:
        answerer.warm()
    except LlmcostError:
        return  # a malformed tariffs file: the server says so, once, and stops
    if snapshots is not None and prices_check_seconds is not None:
        answerer.follow_in_background(prices_check_seconds)
    try:
        for encoding in tokens.ENCODINGS:
            tokens.count("warm", encoding)
    except tokens.TokenizerDataError as error:  # a `tokens` question will say so itself
        log.error("tokenizers not loaded: %s", error)
    _worker_answerer = answerer
    log.info(
        "answer worker %d ready: tariffs and tokenizers loaded in %.2f s",
        os.getpid(),
        time.perf_counter() - started,
    )


def exit_with(server_pid: int) -> None:
    """End this worker once the server is gone, however it went (a SIGKILL leaves no time to
    stop the pool): a worker's parent is the fork server, which outlives the server too."""
    while True:
        time.sleep(SERVER_CHECK_SECONDS)
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            leave_now(0)


def run_in_worker(work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    assert _worker_answerer is not None, "start_worker runs first"
    return work(_worker_answerer, *args, **kwargs)


def ready() -> bool:
    return _worker_answerer is not None


def question(answerer: "Answerer", raw: str, asked_by: str | None) -> Reply:
    """A new question, its message rendered here too (the reply carries it)."""
    reply = to_question(raw, answerer, asked_by)
    reply.message  # noqa: B018 - a cached property: rendered now, where the CPU is free
    return reply


def follow_up(answerer: "Answerer", raw: str, previous: str, asked_by: str | None) -> Reply | None:
    reply = to_follow_up(raw, previous, answerer, asked_by)
    if reply is not None:
        reply.message  # noqa: B018 - as above
    return reply


def home(answerer: "Answerer", subscriptions: "Sequence[Subscription]" = ()) -> dict:
    """The App Home view: this week's tariff changes, the workspace's digest subscriptions,
    today's tariff table for the main models, and how to ask."""
    models = answerer.answer(ModelsQuery())
    help_answer = answerer.answer(HelpQuery())
    assert isinstance(models, TableAnswer)
    assert isinstance(help_answer, HelpAnswer)
    today = answerer.today()
    week = compose(answerer.book(), since=today - timedelta(days=7), until=today)
    return home_view(models, help_answer, week_blocks(week), subscription_blocks(subscriptions))


def help_modal(answerer: "Answerer") -> dict:
    """How to ask, as a modal (the Home's "How to ask" button)."""
    help_answer = answerer.answer(HelpQuery())
    assert isinstance(help_answer, HelpAnswer)
    return help_view(help_answer)


# --- the pool, on the server's side ------------------------------------------------------------


class AnswerWorkers:
    """Worker processes that answer with tariffs and tokenizers of their own."""

    def __init__(
        self,
        tariffs_file: Path | None,
        *,
        log_level: str = "INFO",
        processes: int = PROCESSES,
        database_url: str | None = None,
        prices_check_seconds: float | None = None,
    ) -> None:
        self._tariffs_file = tariffs_file
        self._log_level = log_level
        self._database_url = database_url
        self._prices_check_seconds = prices_check_seconds
        self._processes = processes
        # A fork server: workers fork from a clean single-threaded process that has imported
        # this module already, not from the server (threads, sockets) nor from scratch.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._pool = self._new_pool()
        self._starting: list[Future[bool]] = []

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._processes,
            mp_context=self._context,
            initializer=start_worker,
            initargs=(
                self._tariffs_file,
                self._log_level,
                os.getpid(),
                self._database_url,
                self._prices_check_seconds,
            ),
        )

    def start(self) -> None:
        """Start every worker now, so that they load while the server takes its first acks."""
        self._starting = [self._pool.submit(ready) for _ in range(self._processes)]

    def wait_until_started(self, timeout: float = STARTUP_SECONDS) -> bool:
        """Whether the workers started (False, logged, when they could not)."""
        try:
            if not all(starting.result(timeout=timeout) for starting in self._starting):
                raise RuntimeError("a worker could not load the tariffs")
        except Exception as error:
            log.error("answer workers did not start, answering in the server itself: %r", error)
            self.close()
            return False
        return True

    async def run(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        pool = self._pool
        try:
            call: Callable[[], T] = functools.partial(run_in_worker, work, *args, **kwargs)
            return await asyncio.wrap_future(pool.submit(call))
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this answer is lost, the next ones are not.
            if self._pool is pool:
                log.error("an answer worker died; starting new ones")
                self._pool = self._new_pool()
                self.start()
            raise

    def close(self) -> None:
        # Waits for the workers to exit: a server that stops leaves no process behind.
        self._pool.shutdown(wait=True, cancel_futures=True)

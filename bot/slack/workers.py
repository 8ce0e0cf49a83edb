"""Pricing and rendering in worker processes, where CPU work cannot delay an ack.

Measured on the 2-core machine this was written on (see bench/slack_bench.py): a `compare` of
every model (2,050 tariffs, 69,598 characters) prices and renders in 280 ms, and the first
`tokens` question loaded both tokenizers in 1.1 s, all on the event loop, where every ack waited
meanwhile. A thread does not help: pricing is pure Python and holds the GIL. In a worker process
the loop only waits for the result: unpickling an ordinary answer takes 0.07 ms, the largest one
24 ms, and that happens in the pool's result thread, which gives the GIL back every 5 ms.

Each worker loads its own tariff book and both tokenizers when it starts (in the background,
from a fork server started before any thread), so no question ever loads them on the loop.
"""

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from bot.answering import Answerer
from bot.render.blocks import home_view
from bot.settings import LOG_FORMAT
from bot.slack.replies import Reply, to_follow_up, to_question
from bot.wall_clock import utc_today
from pricing import tokens
from pricing.answers import HelpAnswer, TableAnswer
from pricing.query import HelpQuery, ModelsQuery

P = ParamSpec("P")
T = TypeVar("T")
log = logging.getLogger(__name__)

# One worker per core, at most two: the event loop's process needs a core too, and each worker
# holds its own tariffs and tokenizers (about 100 MB).
PROCESSES = max(1, min(2, os.cpu_count() or 1))

Work = Callable[Concatenate[Answerer, P], T]


# --- what runs in a worker (module-level functions: they are sent by name) ----------------------

_worker_answerer: Answerer | None = None


def start_worker(tariffs_file: Path | None, log_level: str) -> None:
    """Each worker's start: the tariffs, the catalog and the tokenizers, loaded once."""
    global _worker_answerer
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("bot").setLevel(log_level)
    started = time.perf_counter()
    answerer = Answerer(tariffs_file, today=utc_today)
    answerer.warm()
    for encoding in tokens.ENCODINGS:
        tokens.count("warm", encoding)
    _worker_answerer = answerer
    log.info(
        "answer worker %d ready: tariffs and tokenizers loaded in %.2f s",
        os.getpid(),
        time.perf_counter() - started,
    )


def run_in_worker(work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    assert _worker_answerer is not None, "start_worker runs first"
    return work(_worker_answerer, *args, **kwargs)


def ready() -> bool:
    return _worker_answerer is not None


def question(answerer: Answerer, raw: str, asked_by: str | None) -> Reply:
    """A new question, its message rendered here too (the reply carries it)."""
    reply = to_question(raw, answerer, asked_by)
    reply.message  # noqa: B018 - a cached property: rendered now, where the CPU is free
    return reply


def follow_up(answerer: Answerer, raw: str, previous: str, asked_by: str | None) -> Reply | None:
    reply = to_follow_up(raw, previous, answerer, asked_by)
    if reply is not None:
        reply.message  # noqa: B018 - as above
    return reply


def home(answerer: Answerer) -> dict:
    """The App Home view: today's tariff table for the main models, and how to ask."""
    models = answerer.answer(ModelsQuery())
    help_answer = answerer.answer(HelpQuery())
    assert isinstance(models, TableAnswer)
    assert isinstance(help_answer, HelpAnswer)
    return home_view(models, help_answer)


# --- the pool, on the server's side ------------------------------------------------------------


class AnswerWorkers:
    """Worker processes that answer with tariffs and tokenizers of their own."""

    def __init__(
        self, tariffs_file: Path | None, *, log_level: str = "INFO", processes: int = PROCESSES
    ) -> None:
        self._tariffs_file = tariffs_file
        self._log_level = log_level
        self._processes = processes
        # A fork server: workers fork from a clean single-threaded process that has imported
        # this module already, not from the server (threads, sockets) nor from scratch.
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self._processes,
            mp_context=self._context,
            initializer=start_worker,
            initargs=(self._tariffs_file, self._log_level),
        )

    def start(self) -> None:
        """Start every worker now, so that they load while the server takes its first acks."""
        for _ in range(self._processes):
            self._pool.submit(ready)

    async def run(self, work: Work[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(run_in_worker, work, *args, **kwargs))
        except BrokenProcessPool:
            # A worker died (killed, out of memory): this answer is lost, the next ones are not.
            if self._pool is pool:
                log.error("an answer worker died; starting new ones")
                self._pool = self._new_pool()
                self.start()
            raise

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

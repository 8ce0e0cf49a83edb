"""Questions in, Answers out, for a long-running process: the tariff book is built once.

The terminal builds the book on each run (a few milliseconds); a server answering many requests
builds it once, warms it before the first question arrives, and shares it between threads. When
a newer genai-prices snapshot is stored (by the clock), `follow_newest` builds a book on it in
the calling thread and swaps it in with one assignment: a question sees the old book or the new
one, whole.
"""

import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.prices.in_force import catalog_loader, newest_snapshot
from bot.storage.snapshots import SnapshotRecord, SnapshotStore
from pricing.answer import answer
from pricing.answers import Answer, build_all
from pricing.errors import LlmcostError
from pricing.parse import parse
from pricing.reading import BookNames, Reading, read, read_reply
from pricing.sources import load_book
from pricing.tariffs import TariffBook
from pricing.verbs.registry import Query, all_verbs

log = logging.getLogger(__name__)

# A new price file is taken up in a quiet moment: its book is built beside the web processes,
# on the same cores, and building it while they ack slowed their acks (p99 1.3x at c=16). It
# is looked for this often while requests keep coming, for at most this many times (a minute);
# then it is taken up anyway.
QUIET_POLL_SECONDS = 0.05
MOST_QUIET_POLLS = 1200


class Answerer:
    def __init__(
        self,
        tariffs_file: Path | None,
        today: Callable[[], date],
        snapshots: SnapshotStore | None = None,
    ) -> None:
        self._tariffs_file = tariffs_file
        self._today = today
        self._snapshots = snapshots
        self._book: TariffBook | None = None
        self._snapshot: SnapshotRecord | None = None
        self._lock = threading.Lock()
        self._on_new_book: list[Callable[[], None]] = []

    def book(self) -> TariffBook:
        if self._book is None:
            with self._lock:
                if self._book is None:
                    self._snapshot, self._book = self._load(newest_snapshot(self._snapshots))
        return self._book

    @property
    def snapshot(self) -> SnapshotRecord | None:
        """The genai-prices snapshot the book prices with; None: the installed data."""
        return self._snapshot

    def _load(self, snapshot: SnapshotRecord | None) -> tuple[SnapshotRecord | None, TariffBook]:
        book = load_book(self._tariffs_file, catalog=catalog_loader(self._snapshots, snapshot))
        return snapshot, book

    def follow_newest(self) -> bool:
        """Swap in a book on the newest stored snapshot if it is not the one in use; True if it
        did. Slow (the catalog is built), so called off the event loop; never raises."""
        newest = newest_snapshot(self._snapshots)
        current = self._snapshot
        if newest is None or (current is not None and newest.id == current.id):
            return False
        try:
            snapshot, book = self._load(newest)
            book.tariffs()  # built here, not by the first question that needs it
        except Exception as error:
            reason = error.message if isinstance(error, LlmcostError) else repr(error)
            log.error(
                "prices snapshot %s not taken up, keeping the one in use: %s", newest.id, reason
            )
            return False
        with self._lock:
            self._snapshot, self._book = snapshot, book
        log.info(
            "prices: now answering from the snapshot fetched %s", newest.fetched_at.isoformat()
        )
        self._tell_new_book()
        return True

    def when_new_book(self, callback: Callable[[], None]) -> None:
        """Call `callback` (in the thread that swapped it in) each time a new book is taken
        up: what shows today's prices (the App Home tab) is published again."""
        self._on_new_book.append(callback)

    def _tell_new_book(self) -> None:
        for callback in list(self._on_new_book):
            try:
                callback()
            except Exception:
                log.exception("a new book's callback failed")

    def refresh(self) -> bool:
        """Load the tariff sources again (a user's file may have new prices). If any of them
        fails or is malformed, the tariffs loaded before stay in use and the failure is
        logged; False then."""
        try:
            snapshot, book = self._load(newest_snapshot(self._snapshots))
            book.tariffs()  # the catalog too, so that a broken one fails here
        except Exception as error:
            reason = error.message if isinstance(error, LlmcostError) else repr(error)
            log.error("tariffs not refreshed, keeping the ones loaded before: %s", reason)
            return False
        with self._lock:
            self._snapshot, self._book = snapshot, book
        log.info("tariffs refreshed")
        self._tell_new_book()
        return True

    def follow_in_background(
        self, every_seconds: float, quiet: Callable[[], bool] | None = None
    ) -> threading.Event:
        """Check for a newer snapshot every `every_seconds` in a daemon thread (so the answer
        process takes one up within that time, without a restart), each time once `quiet()`
        says no request is coming in (`wait_for_quiet`); set the returned event to stop."""
        stop = threading.Event()

        def follow() -> None:
            while not stop.wait(every_seconds):
                if quiet is not None and not wait_for_quiet(quiet, stop):
                    if stop.is_set():
                        return
                    log.info("prices: no quiet moment for a minute; looking for new ones anyway")
                self.follow_newest()

        threading.Thread(target=follow, name="follow-prices", daemon=True).start()
        return stop

    def warm(self) -> None:
        """Load the tariffs, the catalog and every verb now (a terminal loads only the verb it
        is asked), so the first question is answered quickly."""
        self.book().tariffs()
        all_verbs()
        build_all()

    def today(self) -> date:
        return self._today()

    def ask(self, text: str) -> tuple[Query, Answer]:
        """Raises LlmcostError (with suggestions) for a question it cannot answer."""
        reading = self.reading(text)
        return reading.query, self.answer(reading.query, reading)

    def follow_up(self, text: str, previous_question: str) -> tuple[Query, Answer] | None:
        """A reply in a thread, read against the thread's question; None for conversation."""
        reading = read_reply(text, parse(previous_question), self._today(), self._knows)
        return None if reading is None else (reading.query, self.answer(reading.query, reading))

    def reading(self, text: str) -> Reading:
        """A new question and how it was read; raises LlmcostError for words it cannot read. A
        model's name alone ("gpt-4o") asks its price."""
        return read(text, self._today(), BookNames(self.book))

    def question(self, text: str) -> Query:
        """A new question, not yet answered (see `reading`)."""
        return self.reading(text).query

    def refined(self, text: str, previous_question: str) -> Query | None:
        """The thread's question changed by a reply, not yet answered (a training file's question
        needs the file read first); None for conversation."""
        reading = read_reply(text, parse(previous_question), self._today(), self._knows)
        return None if reading is None else reading.query

    def _knows(self, name: str) -> bool:
        """A name the tariffs know counts as a model in a reply even when it does not look like
        a model id (no digit, dash or colon), as an alias may not."""
        return self.book().lookup(name) is not None

    def answer(self, query: Query, reading: Reading | None = None) -> Answer:
        """The answer, saying how its question was read (`reading`, else its canonical words)."""
        result = answer(query, self.book(), today=self._today())
        return (reading or Reading(query)).stated(result)


def wait_for_quiet(
    quiet: Callable[[], bool],
    stop: threading.Event,
    *,
    poll_seconds: float = QUIET_POLL_SECONDS,
    most_polls: int = MOST_QUIET_POLLS,
) -> bool:
    """Whether `quiet()` said so within `most_polls` looks, `poll_seconds` apart; False at once
    when `stop` is set."""
    for _ in range(most_polls):
        if quiet():
            return True
        if stop.wait(poll_seconds):
            return False
    return False

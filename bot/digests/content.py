"""What a weekly tariff digest says: the changes a channel watches, and the standing question
answered at the prices in force at the end of the week.

A digest run composes for many channels with the same window, so the two costly parts (the diff
of the whole catalog, the standing answer) are computed once per book and window and shared.
"""

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from pricing.answer import answer
from pricing.answers import Answer
from pricing.changes import (
    TariffChanges,
    catalog_changes,
    match_watch,
    merge_changes,
    tariff_changes,
)
from pricing.errors import LlmcostError
from pricing.parse import parse
from pricing.tariffs import Catalog, TariffBook

# The article's question at today's prices: a GPT-4-class model against a fine-tuned small one.
STANDING_QUESTION = "compare gpt-4.1 ft-gpt-4.1-mini 1M tokens"

T = TypeVar("T")


@dataclass(frozen=True)
class Digest:
    changes: TariffChanges  # already narrowed to the watch list
    # STANDING_QUESTION as of `until`; None when the digest is quiet (or the question has no
    # answer on that date, see `standing_answer`)
    standing: Answer | None
    watch: tuple[str, ...]  # () = everything

    @property
    def is_quiet(self) -> bool:
        return self.changes.is_empty

    @property
    def since(self) -> date:
        return self.changes.since

    @property
    def until(self) -> date:
        return self.changes.until


class _PerBook(Generic[T]):
    """A few recent results per (book, key). A book is held weakly and checked by identity, so
    a new book at a recycled address is never served an old book's result."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[int, Hashable], tuple[weakref.ref, T]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, book: TariffBook, key: Hashable, compute: Callable[[], T]) -> T:
        slot = (id(book), key)
        with self._lock:
            held = self._entries.get(slot)
            if held is not None and held[0]() is book:
                self._entries.move_to_end(slot)
                return held[1]
        value = compute()  # outside the lock: two racing callers compute the same value
        with self._lock:
            self._entries[slot] = (weakref.ref(book), value)
            self._entries.move_to_end(slot)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value


_changes_cache: _PerBook[TariffChanges] = _PerBook(size=8)
_standing_cache: _PerBook[Answer | None] = _PerBook(size=8)
# (the two catalogs, what changed between them): the catalogs are held so an id is never reused.
_published_cache: _PerBook[tuple[Catalog, Catalog, TariffChanges]] = _PerBook(size=8)


def _all_changes(book: TariffBook, since: date, until: date) -> TariffChanges:
    return _changes_cache.get(
        book, (since, until), lambda: tariff_changes(book, since=since, until=until)
    )


def _published_changes(
    book: TariffBook, catalogs: tuple[Catalog, Catalog], since: date, until: date
) -> TariffChanges:
    before, after = catalogs
    held = _published_cache.get(
        book,
        (since, until, id(before), id(after)),
        lambda: (
            before,
            after,
            catalog_changes(before.tariffs, after.tariffs, since=since, until=until),
        ),
    )
    return held[2]


def standing_answer(book: TariffBook, until: date) -> Answer | None:
    """STANDING_QUESTION at the prices of `until`; None before its models had prices (a preview
    of 2024) or if a user's tariffs file took them away: a digest is never lost for it."""
    return _standing_cache.get(book, until, lambda: _answer_standing(book, until))


def _answer_standing(book: TariffBook, until: date) -> Answer | None:
    try:
        return answer(parse(STANDING_QUESTION), book, today=until)
    except LlmcostError:
        return None


def compose(
    book: TariffBook,
    *,
    since: date,
    until: date,
    watch: Sequence[str] = (),
    catalogs: tuple[Catalog, Catalog] | None = None,
) -> Digest:
    """The digest of (since, until] for a channel watching `watch` (checked terms, see
    `pricing.changes.check_watch`; a term no longer known matches nothing).

    `catalogs` are the published catalog in force when the channel's previous digest was posted
    and the one in force now: what changed between them is reported too (a price published late
    with an earlier date, a model added or dropped), each change once."""
    changes = _all_changes(book, since, until)
    if catalogs is not None and catalogs[0] is not catalogs[1]:
        changes = merge_changes(changes, _published_changes(book, catalogs, since, until))
    changes = changes.narrowed(match_watch(book, watch))
    standing = None if changes.is_empty else standing_answer(book, until)
    return Digest(changes=changes, standing=standing, watch=tuple(watch))

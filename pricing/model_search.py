"""Finding a model by a few typed letters, for a picker over the whole catalog.

Slack asks for options on every keystroke and gives the app 3 seconds; the answer is built from
an index made once per tariff book (`ModelIndex.of`), never by reading 2,000 tariffs per
keystroke. Each name a model answers to (its id, llmcost's friendly aliases, its display name,
its provider) is split into words the way names are compared (`name_parts`); a typed word
matches a model holding a word that starts with it ("son" finds sonnet), every typed word must
match, and the order is: a name typed whole first, then the makers' own listings, then the
resellers', each newest first.
"""

import bisect
import re
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pricing.tariffs import (
    Tariff,
    TariffBook,
    listed_name,
    name_parts,
    newest_first,
    normalize_name,
)

# Slack shows at most 100 options, and a label of at most 75 characters.
MOST_OPTIONS = 100
MOST_LABEL_CHARS = 75
# Enough words of a query to tell any model apart; a pasted paragraph is not a name.
MOST_QUERY_WORDS = 8
_ELLIPSIS = "…"
# A name typed whole ranks first, then a maker's own listing, then the rest.
_EXACT, _MAKERS, _OTHERS = 0, 1, 2
_MARKS = re.compile(r"[^\w.:/ -]+")


@dataclass(frozen=True)
class ModelChoice:
    """One option: `value` is the name a question asks it by (it looks up to this model)."""

    value: str
    label: str
    provider: str


@dataclass(frozen=True)
class _Entry:
    choice: ModelChoice
    makers_listing: bool
    ids: frozenset[tuple[str, ...]]  # name_parts: a name typed whole (not a display name) first


class ModelIndex:
    """Every model of one book that a question can ask for, searchable by word prefixes."""

    def __init__(self, tariffs: Iterable[Tariff], asks_for: Callable[[Tariff], str | None]) -> None:
        self._entries: list[_Entry] = []
        postings: dict[str, set[int]] = {}
        listed = [t for t in tariffs if not t.is_prefix]
        featured: dict[int, int] = {}
        for tariff in newest_first(listed):
            value = asks_for(tariff)
            if value is None:
                continue
            number = len(self._entries)  # newest first: a lower number is a newer model
            ids = {value, tariff.model, *tariff.aliases}
            self._entries.append(
                _Entry(
                    ModelChoice(value, _label(tariff, value), tariff.provider),
                    tariff.is_makers_listing,
                    frozenset(_words(normalize_name(name)) for name in ids),
                )
            )
            if tariff.is_own:
                featured[id(tariff)] = number
            searched = (*ids, tariff.display_name, tariff.provider)
            for word in {part for name in searched for part in _words(name)}:
                postings.setdefault(word, set()).add(number)
        # Today's main models, in the book's order (the `models` table's), for an empty query.
        self._featured = [featured[id(t)] for t in listed if id(t) in featured]
        self._words = sorted(postings)
        self._postings = [frozenset(postings[word]) for word in self._words]

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, typed: str, limit: int = MOST_OPTIONS) -> list[ModelChoice]:
        """The models every typed word finds, best first; none for words that find none.
        Nothing typed: today's main models (llmcost's own tariffs)."""
        cleaned = typed[: MOST_QUERY_WORDS * 40]
        words = _words(cleaned)[:MOST_QUERY_WORDS]
        if not typed.strip():
            return [self._entries[number].choice for number in self._featured[:limit]]
        if not words:
            return []
        found: frozenset[int] | None = None
        for word in words:
            holding = self._holding(word)
            found = holding if found is None else found & holding
            if not found:
                return []
        assert found is not None
        whole = _words(normalize_name(cleaned))
        ranked = sorted(found, key=lambda number: (self._rank(number, whole), number))
        return [self._entries[number].choice for number in ranked[:limit]]

    def _holding(self, prefix: str) -> frozenset[int]:
        """Models with a word that starts with `prefix`: the words are sorted, so those words
        are one run of the list."""
        start = bisect.bisect_left(self._words, prefix)
        end = bisect.bisect_left(self._words, prefix + "\uffff", lo=start)
        runs = self._postings[start:end]
        return frozenset().union(*runs) if runs else frozenset()

    def _rank(self, number: int, whole: tuple[str, ...]) -> int:
        entry = self._entries[number]
        if whole in entry.ids:
            return _EXACT
        return _MAKERS if entry.makers_listing else _OTHERS

    @staticmethod
    def of(book: TariffBook) -> "ModelIndex":
        """The index of `book`, built on first need and kept while the book is in use (a new
        price file makes a new book, hence a new index)."""
        with _lock:
            index = _indexes.get(book)
        if index is None:
            index = ModelIndex(book.tariffs(), _asked_by(book))
            with _lock:
                index = _indexes.setdefault(book, index)
        return index


def _asked_by(book: TariffBook) -> Callable[[Tariff], str | None]:
    """The name to ask a model by: its shortest name, or its id, whichever looks up to it;
    None for a listing that no name of its own leads back to (another listing's duplicate)."""

    def name_of(tariff: Tariff) -> str | None:
        for name in dict.fromkeys((listed_name(tariff), tariff.model)):
            if book.find(name) is tariff:
                return name
        return None

    return name_of


def _words(name: str) -> tuple[str, ...]:
    """A name's words as compared (`name_parts`), without the marks no one types ('~')."""
    return name_parts(_MARKS.sub(" ", name))


def _label(tariff: Tariff, value: str) -> str:
    """'claude-sonnet-4.5 · Claude Sonnet 4.5', cut to Slack's 75 characters."""
    shown = tariff.display_name
    label = value if normalize_name(shown) == normalize_name(value) else f"{value} · {shown}"
    if len(label) > MOST_LABEL_CHARS:
        label = label[: MOST_LABEL_CHARS - 1] + _ELLIPSIS
    return label


_indexes: "weakref.WeakKeyDictionary[TariffBook, ModelIndex]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def grouped(choices: Iterable[ModelChoice]) -> list[tuple[str, list[ModelChoice]]]:
    """The choices by provider, providers in the order of their best choice."""
    groups: dict[str, list[ModelChoice]] = {}
    for choice in choices:
        groups.setdefault(choice.provider, []).append(choice)
    return list(groups.items())

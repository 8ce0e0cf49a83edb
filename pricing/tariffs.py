"""Tariffs: dated prices per model, and the book that resolves a name to the price on a date."""

import difflib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pricing.errors import NoPrice, UnknownModel

Origin = Literal["bundled", "genai-prices", "user"]


class LongContextRate(BaseModel):
    """A request with more than `above` input tokens is billed, input and output, at these."""

    model_config = ConfigDict(frozen=True)

    above: int = Field(ge=0)
    input_per_mtok: Decimal = Field(ge=0)
    output_per_mtok: Decimal = Field(ge=0)


class PriceEntry(BaseModel):
    """One model's prices from a date on, per million tokens, with where they come from."""

    model_config = ConfigDict(frozen=True)

    # None: the source gives no start date, so the price is only known to hold today.
    effective: date | None
    input_per_mtok: Decimal = Field(ge=0)
    output_per_mtok: Decimal = Field(ge=0)
    training_per_mtok: Decimal | None = Field(default=None, ge=0)
    context_window: int | None = Field(default=None, gt=0)
    # Ascending by `above`; the highest one a request passes applies.
    long_context: tuple[LongContextRate, ...] = ()
    source: str
    origin: Origin

    def rates_for(self, request_input: int | None) -> tuple[Decimal, Decimal]:
        """(input, output) per 1M tokens for a request of `request_input` input tokens; the base
        rates when the request size is unknown (amounts that are totals)."""
        if request_input is not None:
            for rate in reversed(self.long_context):
                if request_input > rate.above:
                    return rate.input_per_mtok, rate.output_per_mtok
        return self.input_per_mtok, self.output_per_mtok


class Tariff(BaseModel):
    """A model and its price history, oldest first."""

    model_config = ConfigDict(frozen=True)

    model: str
    provider: str
    name: str | None = None
    aliases: tuple[str, ...] = ()
    fine_tune_of: str | None = None
    retired: date | None = None
    entries: tuple[PriceEntry, ...] = Field(min_length=1)

    @property
    def display_name(self) -> str:
        return self.name or self.model

    @property
    def latest(self) -> PriceEntry:
        return self.entries[-1]

    def entry_at(self, day: date) -> PriceEntry | None:
        """The price in force on `day`: the newest entry that started on or before it."""
        # Newest first: histories are a handful of entries and today's price is asked most.
        for entry in reversed(self.entries):
            if entry.effective is None or entry.effective <= day:
                return entry
        return None

    def _stated_at(self, day: date, field: str) -> object:
        """The newest value of `field` stated on or before `day`: context windows and training
        prices are written when they change, and an entry without one inherits it."""
        value = None
        for entry in self.entries:
            if entry.effective is not None and entry.effective > day:
                break
            stated = getattr(entry, field)
            value = stated if stated is not None else value
        return value

    def context_window_at(self, day: date) -> int | None:
        return self._stated_at(day, "context_window")  # type: ignore[return-value]

    def training_price_at(self, day: date) -> Decimal | None:
        return self._stated_at(day, "training_per_mtok")  # type: ignore[return-value]

    def is_retired_on(self, day: date) -> bool:
        return self.retired is not None and day >= self.retired

    def merged_with(self, override: "Tariff") -> "Tariff":
        """This tariff with `override`'s entries added (replacing any with the same date) and its
        descriptive fields taking precedence where it sets them."""
        by_date = {entry.effective: entry for entry in self.entries}
        for entry in override.entries:
            replaced = by_date.get(entry.effective)
            by_date[entry.effective] = entry if replaced is None else _filled_from(entry, replaced)
        return Tariff(
            model=self.model,
            provider=override.provider or self.provider,
            name=override.name or self.name,
            aliases=tuple(dict.fromkeys((*self.aliases, *override.aliases))),
            fine_tune_of=override.fine_tune_of or self.fine_tune_of,
            retired=override.retired or self.retired,
            entries=sort_entries(by_date.values()),
        )


def _filled_from(entry: PriceEntry, replaced: PriceEntry) -> PriceEntry:
    """A same-date override keeps what it leaves unsaid (a context window, a training price)."""
    kept = {
        field: getattr(replaced, field)
        for field in ("context_window", "training_per_mtok")
        if getattr(entry, field) is None
    }
    return entry.model_copy(update=kept)


def sort_entries(entries: Iterable[PriceEntry]) -> tuple[PriceEntry, ...]:
    return tuple(sorted(entries, key=lambda entry: entry.effective or date.min))


@dataclass(frozen=True, slots=True)
class Quote:
    """A resolved name and the price that applies on the day asked about."""

    requested: str
    tariff: Tariff
    entry: PriceEntry
    day: date

    @property
    def context_window(self) -> int | None:
        return self.tariff.context_window_at(self.day)


_TRAILING_PUNCTUATION = "?!.,;:'\"()[]{}"
_GPT_WITHOUT_HYPHEN = re.compile(r"^gpt(?=\d)")
# A fine-tuned model's full id, "ft:gpt-4o-mini-2024-07-18:acme::8abc", is priced as its base
# family: the snapshot date ("-2024-07-18", "-0613") and the ":org:suffix:id" tail go.
_FINE_TUNED_ID = re.compile(r"^ft:(?P<base>[^:]+?)(?:-\d{4}(?:-\d{2}-\d{2})?)?(?::.*)?$")


@lru_cache(maxsize=8192)
def normalize_name(name: str) -> str:
    """How a model name is looked up: case, stray punctuation and common spellings forgiven."""
    text = name.strip().strip(_TRAILING_PUNCTUATION).lower()
    text = _GPT_WITHOUT_HYPHEN.sub("gpt-", text)
    return _FINE_TUNED_ID.sub(r"ft:\g<base>", text)


# "3.5" in a name is the version people also write "3-5" (claude-3-5-sonnet).
VERSION_DOT = re.compile(r"(?<=\d)\.(?=\d)")
_PART_BREAK = re.compile(r"[-_./:@ ]+|(?<=[a-z])(?=\d)")
FAMILY_LIMIT = 6


def name_parts(name: str) -> tuple[str, ...]:
    """'llama3-70b-8192' -> ('llama', '3', '70b', '8192'); 'claude-3.5-sonnet' and
    'claude-3-5-sonnet' -> ('claude', '3', '5', 'sonnet'): how a name's words are compared."""
    return tuple(part for part in _PART_BREAK.split(name.lower()) if part)


def holds(parts: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """`wanted` appears in `parts` side by side."""
    size = len(wanted)
    return any(parts[i : i + size] == wanted for i in range(len(parts) - size + 1))


def exists_on(tariff: Tariff | None, day: date | None) -> bool:
    """Priced on `day` and not shut down by then (any tariff when no day is asked)."""
    if tariff is None or day is None:
        return tariff is not None
    return not tariff.is_retired_on(day) and tariff.entry_at(day) is not None


_VERSION_PART = re.compile(r"(\d{1,2})[a-wyz]?")  # not "8x" of "8x7b"


def version_of(name: str) -> tuple[int, ...]:
    """The version numbers in a name: 'claude-sonnet-4-6' -> (4, 6), 'gemini-3.8-flash' ->
    (3, 8), 'gpt-4o' -> (4,); sizes ('70b', '128k') and snapshot dates ('2512') are none."""
    return tuple(
        int(match[1])
        for part in name_parts(name)
        if (match := _VERSION_PART.fullmatch(part)) and part[-1:] not in ("b", "k", "m")
    )


def newest_first(tariffs: Iterable[Tariff]) -> list[Tariff]:
    """By the date of the first known price when every one has it, else by version, then by
    name: 'claude-sonnet-5' before 'claude-sonnet-4-6' before 'claude-3-sonnet'."""
    listed = list(tariffs)

    def by_name(tariff: Tariff) -> tuple[tuple[int, ...], str]:
        return version_of(listed_name(tariff)), listed_name(tariff)

    if all(t.entries[0].effective for t in listed):
        return sorted(listed, key=lambda t: (t.entries[0].effective, by_name(t)), reverse=True)
    return sorted(listed, key=by_name, reverse=True)


def listed_name(tariff: Tariff) -> str:
    """The shortest name the tariff answers to: its bare alias where it has one."""
    return min((tariff.model, *tariff.aliases), key=len)


def counted_providers(tariffs: Sequence[Tariff]) -> str:
    count = len({t.provider for t in tariffs})
    return "one provider" if count == 1 else f"{count} providers"


class Catalog(BaseModel):
    """A lower layer of tariffs (e.g. genai-prices), loaded only when the upper layers miss."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    tariffs: Sequence[Tariff]
    # Names the catalog's own matching rules accept (dated snapshots...) -> a tariff key.
    match: Callable[[str], str | None] = lambda _name: None


def _names_of(tariff: Tariff) -> Iterable[str]:
    yield tariff.model
    yield from tariff.aliases
    if tariff.provider and "/" not in tariff.model:
        yield f"{tariff.provider}/{tariff.model}"


class TariffBook:
    """Every known tariff. `tariffs` (bundled and the user's own) win over the catalog, which
    is loaded on first need so that answering about well-known models stays fast."""

    def __init__(
        self, tariffs: Iterable[Tariff], catalog: Callable[[], Catalog] | None = None
    ) -> None:
        self._own = list(tariffs)
        self._index = self._build_index(self._own)
        self._load_catalog = catalog
        self._catalog: Catalog | None = None
        self._catalog_index: dict[str, Tariff] = {}
        self._catalog_lock = threading.Lock()
        self._parts: list[tuple[Tariff, tuple[str, ...]]] | None = None

    @staticmethod
    def _build_index(tariffs: Iterable[Tariff]) -> dict[str, Tariff]:
        index: dict[str, Tariff] = {}
        for tariff in tariffs:
            for name in _names_of(tariff):
                index.setdefault(normalize_name(name), tariff)
        return index

    def _load_catalog_once(self) -> Catalog | None:
        """Load the catalog and index it once, even when several threads (Slack's listeners)
        ask at the same moment; the catalog is published last, after its index is complete."""
        if self._catalog is None and self._load_catalog is not None:
            with self._catalog_lock:
                if self._catalog is None:
                    catalog = self._load_catalog()
                    self._catalog_index = {
                        name: tariff
                        for name, tariff in self._build_index(catalog.tariffs).items()
                        if name not in self._index
                    }
                    self._catalog = catalog
        return self._catalog

    def own_tariffs(self) -> list[Tariff]:
        """Bundled and user tariffs only: the table worth showing without a filter."""
        return list(self._own)

    def tariffs(self) -> list[Tariff]:
        """Own tariffs first, then the catalog's (each once)."""
        self._load_catalog_once()
        seen: set[int] = set()
        result: list[Tariff] = []
        for tariff in (*self._own, *self._catalog_index.values()):
            if id(tariff) not in seen:
                seen.add(id(tariff))
                result.append(tariff)
        return result

    def names(self) -> list[str]:
        self._load_catalog_once()
        return [*self._index, *self._catalog_index]

    def find(self, name: str) -> Tariff | None:
        key = normalize_name(name)
        if (tariff := self._index.get(key)) is not None:
            return tariff
        catalog = self._load_catalog_once()
        if catalog is None:
            return None
        if (tariff := self._catalog_index.get(key)) is not None:
            return tariff
        matched = catalog.match(key)
        if matched is not None:
            return self._index.get(matched) or self._catalog_index.get(matched)
        return None

    def lookup(self, name: str) -> Tariff | None:
        """The tariff a name asks for, as people write names: `find`, then the version written
        with a dot ('claude-3.5-sonnet' for claude-3-5-sonnet), then the one maker's own listing
        whose id holds the name's parts in order ('claude-3-opus' for claude-3-opus-latest)."""
        if (tariff := self.find(name)) is not None:
            return tariff
        key = normalize_name(name)
        dotless = VERSION_DOT.sub("-", key)
        if dotless != key and (tariff := self.find(dotless)) is not None:
            return tariff
        parts = name_parts(key)
        if len(parts) < 2:
            return None
        makers = [t for t in self._holding(parts) if self.is_makers_listing(t)]
        return makers[0] if len(makers) == 1 else None

    def resolve(self, name: str, day: date | None = None) -> Tariff:
        """The tariff for `name`, or UnknownModel suggesting names that existed on `day`."""
        tariff = self.lookup(name)
        if tariff is not None:
            return tariff
        key = normalize_name(name)
        holding = [t for t in self._holding(name_parts(key)) if exists_on(t, day)]
        makers = [t for t in holding if self.is_makers_listing(t)]
        if holding and not makers:
            # "llama-3-70b": sold by several providers, listed by no maker: which one?
            ids = [t.model for t in newest_first(holding)]
            raise UnknownModel(
                f"'{name}' is sold by {counted_providers(holding)}, and its maker's own listing "
                "is not known: name the provider's id.",
                suggestions=ids[:FAMILY_LIMIT],
            )
        if makers:
            # "sonnet", "gemini", "claude-sonnet": the family's current models, newest first.
            names = [listed_name(t) for t in newest_first(makers)]
            raise UnknownModel(
                f"'{name}' names several models; say which one.",
                suggestions=list(dict.fromkeys(names))[:FAMILY_LIMIT],
            )
        raise UnknownModel(
            f"I don't know a model called '{name}'.", suggestions=self.suggest(name, day=day)
        )

    def is_makers_listing(self, tariff: Tariff) -> bool:
        """Ours, or the model maker's own API (the catalog names it by its bare id)."""
        return bool(tariff.aliases) or any(tariff is own for own in self._own)

    def _holding(self, parts: tuple[str, ...]) -> list[Tariff]:
        """Every tariff whose id holds `parts` side by side ('llama', '3', '70b' in
        'groq/llama3-70b-8192', not in 'llama-3.3-70b')."""
        if not parts:
            return []
        return [t for t, own in self._parts_index() if holds(own, parts)]

    def _parts_index(self) -> list[tuple[Tariff, tuple[str, ...]]]:
        """Each tariff with the parts of its id, built once (on the first name not found)."""
        if self._parts is None:
            self._parts = [
                (t, name_parts(t.model.lower().removeprefix(f"{t.provider}/")))
                for t in self.tariffs()
            ]
        return self._parts

    def suggest(self, name: str, limit: int = 3, day: date | None = None) -> list[str]:
        """Names close to `name`, never one of a model that did not exist on `day`."""
        key = normalize_name(name)
        names = [n for n in self.names() if exists_on(self.find(n), day)]
        close = difflib.get_close_matches(key, names, n=limit, cutoff=0.6)
        if len(close) < limit:
            # "claude" or "llama" are prefixes of real names that difflib scores low.
            close += [n for n in names if key and n.startswith(key) and n not in close]
        return close[:limit]

    def quote(self, name: str, day: date) -> Quote:
        tariff = self.resolve(name, day)
        entry = tariff.entry_at(day)
        if entry is None:
            first = tariff.entries[0].effective
            raise NoPrice(
                f"{tariff.display_name} had no price on {day.isoformat()}: "
                f"its first known price starts {first.isoformat() if first else 'later'}.",
                suggestions=[f"as of {first.isoformat()}"] if first else [],
            )
        return Quote(requested=self._spelled(name, tariff), tariff=tariff, entry=entry, day=day)

    def _spelled(self, name: str, tariff: Tariff) -> str:
        """The name asked, as the tariff spells it where it was written another way:
        'claude-3.5-sonnet' is answered as claude-3-5-sonnet, 'claude-3-opus' as its listing."""
        key = normalize_name(name)
        own_names = {normalize_name(n) for n in _names_of(tariff)}
        if key in own_names or (self.find(key) is not None and VERSION_DOT.search(key) is None):
            return key
        dotless = VERSION_DOT.sub("-", key)
        return dotless if dotless in own_names else listed_name(tariff)

    def fine_tuned_variant(self, tariff: Tariff) -> Tariff | None:
        """The tariff of a fine-tuned `tariff`: itself if it carries training prices, else the
        tariff that names it as its base."""
        if any(entry.training_per_mtok is not None for entry in tariff.entries):
            return tariff
        # Only our own tariffs describe fine-tuning; the catalog has no training prices.
        for candidate in self._own:
            if candidate.fine_tune_of is not None and self.find(candidate.fine_tune_of) is tariff:
                return candidate
        return None

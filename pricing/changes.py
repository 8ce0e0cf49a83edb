"""What changed in the tariffs between two dates: the content of a digest, as data.

A digest covers the window (since, until]: a change effective on `since` was in the previous
digest, one effective on `until` is in this one. Only dated prices count: an undated price is only
known to hold today, so it never marks a change. Several changes inside one window net out: the
digest compares the price in force on `since` with the one in force on `until`.
"""

import difflib
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pricing.catalog import FIRST_PARTY
from pricing.costing import Terms, rate_card
from pricing.errors import UnknownModel
from pricing.money import Money
from pricing.query import CacheTokens
from pricing.tariffs import (
    PriceEntry,
    RateKind,
    RateVariant,
    Tariff,
    TariffBook,
    Tier,
    VariantTier,
    normalize_name,
)

# Terms that bill one token of every cache kind, so each cache rate is resolved.
ONE_OF_EACH = CacheTokens(1, 1, 1)

PriceKind = Literal["input", "output", "training", "cache_read", "cache_write", "cache_write_1h"]
PRICE_KINDS: tuple[PriceKind, ...] = ("input", "output", "training")
# The other dimensions of a price: the cache rates (None: the standard tier), then every rate
# of each tier variant.
DIMENSION_TIERS: tuple[VariantTier | None, ...] = (None, "batch", "flex", "priority", "off_peak")
# Every kind of change, in the order a model's changes are listed.
_ORDER = (*PRICE_KINDS, "cache_read", "cache_write", "cache_write_1h")
# A percentage is a figure to read, not to compute with: hundredths are plenty, and keep JSON short.
PERCENT_PLACES = Decimal("0.01")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PriceChange(_Frozen):
    """One price of one model (input, output or training, per 1M tokens) that differs between
    the start and the end of the window."""

    model: str  # the tariff key
    name: str
    provider: str
    price: PriceKind
    # A rate of a tier (the Batch API...) other than the standard one.
    tier: Tier = "standard"
    old: Money
    new: Money
    # (new - old) / old * 100, to hundredths; None when the old price was 0 (no ratio exists).
    percent: Money | None
    effective: date  # the last day in the window this price changed on
    source: str  # of the entry that made that change

    @property
    def is_cut(self) -> bool:
        return self.new < self.old


class ModelAdded(_Frozen):
    """A model whose first price starts in the window, with its prices at the window's end."""

    model: str
    name: str
    provider: str
    effective: date
    input_per_mtok: Money
    output_per_mtok: Money
    training_per_mtok: Money | None
    context_window: int | None
    source: str


class ModelRetired(_Frozen):
    """A model shut down in the window, with the last price it had."""

    model: str
    name: str
    provider: str
    retired: date
    input_per_mtok: Money
    output_per_mtok: Money
    source: str


Change = PriceChange | ModelAdded | ModelRetired


class TariffChanges(_Frozen):
    """Every change in (since, until], each list in the order a reader wants it."""

    since: date
    until: date
    cuts: tuple[PriceChange, ...] = ()  # biggest cut (most negative percent) first
    rises: tuple[PriceChange, ...] = ()  # biggest rise first; a rise from 0 before any other
    added: tuple[ModelAdded, ...] = ()  # by date, then name
    retired: tuple[ModelRetired, ...] = ()  # by date, then name

    @classmethod
    def in_reading_order(
        cls, changes: Iterable["Change"], *, since: date, until: date
    ) -> "TariffChanges":
        """`changes` filed under cuts, rises, added and retired, each list in its order."""
        found = list(changes)
        prices = [change for change in found if isinstance(change, PriceChange)]
        added = [change for change in found if isinstance(change, ModelAdded)]
        retired = [change for change in found if isinstance(change, ModelRetired)]
        return cls(
            since=since,
            until=until,
            cuts=tuple(sorted((c for c in prices if c.is_cut), key=_cut_order)),
            rises=tuple(sorted((c for c in prices if not c.is_cut), key=_rise_order)),
            added=tuple(sorted(added, key=lambda item: (item.effective, *_name_order(item)))),
            retired=tuple(sorted(retired, key=lambda item: (item.retired, *_name_order(item)))),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.cuts or self.rises or self.added or self.retired)

    @property
    def count(self) -> int:
        return len(self.cuts) + len(self.rises) + len(self.added) + len(self.retired)

    def items(self) -> tuple[Change, ...]:
        return (*self.cuts, *self.rises, *self.added, *self.retired)

    def narrowed(self, keep: Callable[[Change], bool]) -> "TariffChanges":
        """Only the changes `keep` accepts (a watch list, see `match_watch`); order is kept."""
        return self.model_copy(
            update={
                "cuts": tuple(filter(keep, self.cuts)),
                "rises": tuple(filter(keep, self.rises)),
                "added": tuple(filter(keep, self.added)),
                "retired": tuple(filter(keep, self.retired)),
            }
        )


# --- the diff ----------------------------------------------------------------------------------


def tariff_changes(
    book: TariffBook, *, since: date, until: date, tariffs: Iterable[Tariff] | None = None
) -> TariffChanges:
    """The changes effective after `since`, up to and including `until`, of `tariffs` (default:
    every tariff in the book, the catalog's included)."""
    if since >= until:
        raise ValueError(f"since ({since}) must be before until ({until})")
    found: list[Change] = []
    for tariff in book.tariffs() if tariffs is None else tariffs:
        if tariff.retired is not None and since < tariff.retired <= until:
            found.append(_retirement(tariff))
        if not _dated_in_window(tariff.entries, since, until):
            continue  # most of the catalog: checked with date comparisons only
        first = tariff.entries[0].effective
        if first is not None and first > since:
            found.append(_addition(tariff, until))
        elif not tariff.is_retired_on(since):  # a model already gone has no news
            for kind in PRICE_KINDS:
                change = _price_change(tariff, kind, since, until)
                if change is not None:
                    found.append(change)
            for tier in DIMENSION_TIERS:
                found += _dimension_changes(tariff, tier, since, until)
    return TariffChanges.in_reading_order(found, since=since, until=until)


def _dated_in_window(entries: Sequence[PriceEntry], since: date, until: date) -> bool:
    """A price, or a tier of one (the Batch API from its launch), starts in the window."""
    for entry in entries:
        if entry.effective is not None and since < entry.effective <= until:
            return True
        if any(v.since is not None and since < v.since <= until for v in entry.variants):
            return True
    return False


def _card_on(
    tariff: Tariff, tier: VariantTier | None, day: date
) -> Mapping[RateKind, Decimal] | None:
    """What a token of each kind on `tier` was billed on `day`, as the costing function bills
    it: a tier or cache rate not yet stated is the standard (or input) rate."""
    entry = tariff.entry_at(day)
    if entry is None:
        return None
    return rate_card(
        entry, tariff.display_name, day, Terms(cache=ONE_OF_EACH, tier=tier), None
    ).rates


def _dimension_changes(
    tariff: Tariff, tier: VariantTier | None, since: date, until: date
) -> Iterator[PriceChange]:
    """Cache rates (tier None) or a tier's rates that differ between `since` and `until`,
    counted only where the price at `until` states them: a model without a batch rate has no
    batch news, and its standard input and output are reported once, as themselves."""
    entry = tariff.entry_at(until)
    if entry is None:
        return
    stating = entry.standard if tier is None else entry.variant(tier)
    if stating is None:
        return
    if isinstance(stating, RateVariant) and stating.since is not None and stating.since > until:
        return
    kinds = [
        kind for kind in stating.stated() if tier is not None or kind not in ("input", "output")
    ]
    if not kinds:
        return
    old_card, new_card = _card_on(tariff, tier, since), _card_on(tariff, tier, until)
    if old_card is None or new_card is None:
        return
    # The last day in the window a rate started on: the price's own date or its tier's.
    starts = [
        (day, source)
        for candidate in tariff.entries
        for day, source in (
            (candidate.effective, candidate.source),
            *(
                (v.since, v.source or candidate.source)
                for v in candidate.variants
                if tier is not None and v.tier == tier
            ),
        )
        if day is not None and since < day <= until
    ]
    if not starts:
        return
    effective, source = max(starts, key=lambda start: start[0])
    for kind in kinds:
        old, new = old_card[kind], new_card[kind]
        if old != new:
            yield PriceChange(
                model=tariff.model,
                name=tariff.display_name,
                provider=tariff.provider,
                price=kind,
                tier=tier or "standard",
                old=old,
                new=new,
                percent=percent_change(old, new),
                effective=effective,
                source=source,
            )


def _price_change(tariff: Tariff, kind: PriceKind, since: date, until: date) -> PriceChange | None:
    """The price of `kind` in force on `since` against the one on `until`, with the last entry
    in the window that changed it (entries are oldest first, an undated one before all)."""
    field = f"{kind}_per_mtok"
    # A training price is written when it changes; an entry without one keeps the earlier one.
    inherits = kind == "training"
    value: Decimal | None = None
    old: Decimal | None = None
    changed_by: PriceEntry | None = None
    for entry in tariff.entries:
        if entry.effective is not None and entry.effective > until:
            break
        stated = getattr(entry, field)
        now = value if stated is None and inherits else stated
        if entry.effective is None or entry.effective <= since:
            old = now
        elif now != value:
            changed_by = entry
        value = now
    # A training price that appears (None before) is not a price change: nothing was cheaper.
    if old is None or value is None or old == value or changed_by is None:
        return None
    assert changed_by.effective is not None  # only dated entries reach the window
    return _change(tariff, kind, "standard", old, value, changed_by.effective, changed_by.source)


# --- between two stored catalogs ---------------------------------------------------------------


def catalog_changes(
    before: Sequence[Tariff], after: Sequence[Tariff], *, since: date, until: date
) -> TariffChanges:
    """What a newer published file changed against an older one, as of `until`: models added
    and dropped, and every rate that differs. This is how a change published late, dated before
    the window, still reaches a digest; each change carries the new file's date for it (or
    `until` when the file gives none)."""
    if since >= until:
        raise ValueError(f"since ({since}) must be before until ({until})")
    old_by_model = {tariff.model: tariff for tariff in before}
    new_by_model = {tariff.model: tariff for tariff in after}
    found: list[Change] = []
    for model, tariff in new_by_model.items():
        entry = tariff.entry_at(until)
        if entry is None:
            continue
        old_tariff = old_by_model.get(model)
        if old_tariff is None or old_tariff.entry_at(until) is None:
            found.append(_addition(tariff, until, entry.effective or until))
            continue
        found += _rates_between(old_tariff, tariff, until)
    for model, tariff in old_by_model.items():
        if model not in new_by_model and (entry := tariff.entry_at(until)) is not None:
            found.append(
                ModelRetired(
                    model=tariff.model,
                    name=tariff.display_name,
                    provider=tariff.provider,
                    retired=until,
                    input_per_mtok=entry.input_per_mtok,
                    output_per_mtok=entry.output_per_mtok,
                    source=entry.source,
                )
            )
    return TariffChanges.in_reading_order(found, since=since, until=until)


def _rates_between(old: Tariff, new: Tariff, day: date) -> Iterator[PriceChange]:
    """Every rate `new` states on `day` (standard, cache and tier rates, training) that differs
    from what `old` billed for it that day."""
    entry = new.entry_at(day)
    assert entry is not None
    effective = entry.effective or day
    for tier in DIMENSION_TIERS:
        stating = entry.standard if tier is None else entry.variant(tier)
        if stating is None:
            continue
        old_card, new_card = _card_on(old, tier, day), _card_on(new, tier, day)
        if old_card is None or new_card is None:
            continue
        for kind in stating.stated():
            if kind in old_card and kind in new_card and old_card[kind] != new_card[kind]:
                yield _change(
                    new,
                    kind,
                    tier or "standard",
                    old_card[kind],
                    new_card[kind],
                    effective,
                    entry.source,
                )
    old_training, new_training = old.training_price_at(day), new.training_price_at(day)
    if old_training is not None and new_training is not None and old_training != new_training:
        yield _change(
            new, "training", "standard", old_training, new_training, effective, entry.source
        )


def _change(
    tariff: Tariff,
    kind: PriceKind,
    tier: Tier,
    old: Decimal,
    new: Decimal,
    effective: date,
    source: str,
) -> PriceChange:
    return PriceChange(
        model=tariff.model,
        name=tariff.display_name,
        provider=tariff.provider,
        price=kind,
        tier=tier,
        old=old,
        new=new,
        percent=percent_change(old, new),
        effective=effective,
        source=source,
    )


def change_identity(item: Change) -> tuple[object, ...]:
    """What makes two reports the same change: one model, dimension, tier and new rate (a
    model added or dropped is one change of that model)."""
    if isinstance(item, PriceChange):
        return item.model, item.price, item.tier, item.new
    return type(item).__name__, item.model


def merge_changes(first: TariffChanges, more: TariffChanges) -> TariffChanges:
    """`first` with the changes of `more` it does not already report (see `change_identity`),
    each list kept in its reading order."""
    seen = {change_identity(item) for item in first.items()}
    fresh = [item for item in more.items() if change_identity(item) not in seen]
    if not fresh:
        return first
    return TariffChanges.in_reading_order(
        [*first.items(), *fresh], since=first.since, until=first.until
    )


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    if old == 0:
        return None
    return ((new - old) / old * 100).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def _addition(tariff: Tariff, until: date, first: date | None = None) -> ModelAdded:
    """`tariff` as a new model first priced on `first` (default: its first entry's date)."""
    entry = tariff.entry_at(until)
    first = first or tariff.entries[0].effective
    # The first entry starts in the window (or the caller dates it), so both exist.
    assert entry is not None
    assert first is not None
    return ModelAdded(
        model=tariff.model,
        name=tariff.display_name,
        provider=tariff.provider,
        effective=first,
        input_per_mtok=entry.input_per_mtok,
        output_per_mtok=entry.output_per_mtok,
        training_per_mtok=tariff.training_price_at(until),
        context_window=tariff.context_window_at(until),
        source=entry.source,
    )


def _retirement(tariff: Tariff) -> ModelRetired:
    assert tariff.retired is not None
    # The price on its last day of service; a model shut down before its first price keeps that.
    entry = tariff.entry_at(tariff.retired - timedelta(days=1)) or tariff.entries[0]
    return ModelRetired(
        model=tariff.model,
        name=tariff.display_name,
        provider=tariff.provider,
        retired=tariff.retired,
        input_per_mtok=entry.input_per_mtok,
        output_per_mtok=entry.output_per_mtok,
        source=entry.source,
    )


_KIND_ORDER = {kind: index for index, kind in enumerate(_ORDER)}


def _name_order(item: Change) -> tuple[str, str, str]:
    return item.name.casefold(), item.provider, item.model


def _cut_order(change: PriceChange) -> tuple[object, ...]:
    assert change.percent is not None  # a cut is from a price above 0
    return change.percent, *_name_order(change), change.tier, _KIND_ORDER[change.price]


def _rise_order(change: PriceChange) -> tuple[object, ...]:
    # From 0 is the largest rise there is; then the largest percentage.
    from_zero = change.percent is None
    return (
        not from_zero,
        -(change.percent or 0),
        *_name_order(change),
        change.tier,
        _KIND_ORDER[change.price],
    )


# --- watch lists -------------------------------------------------------------------------------

_providers_of: "weakref.WeakKeyDictionary[TariffBook, frozenset[str]]" = weakref.WeakKeyDictionary()
_providers_lock = threading.Lock()


def provider_ids(book: TariffBook) -> frozenset[str]:
    """Every provider id in the book; computed once per book, as a digest run asks per channel."""
    with _providers_lock:
        known = _providers_of.get(book)
    if known is None:
        known = frozenset(tariff.provider for tariff in book.tariffs() if tariff.provider)
        with _providers_lock:
            _providers_of[book] = known
    return known


def _terms(terms: Sequence[str]) -> list[str]:
    """Each term as names are looked up, blanks dropped, each once."""
    normalized = (normalize_name(term) for term in terms)
    return list(dict.fromkeys(term for term in normalized if term))


def check_watch(book: TariffBook, terms: Sequence[str]) -> tuple[str, ...]:
    """The terms of a watch list as stored and shown: provider ids, or model names normalised
    ('GPT4' is 'gpt-4'; an alias stays the alias its user typed). A term that is neither
    raises UnknownModel with the closest known names."""
    providers = provider_ids(book)
    for term in _terms(terms):
        if term not in providers and book.find(term) is None:
            raise _unknown_term(book, term, providers)
    return tuple(_terms(terms))


def _unknown_term(book: TariffBook, term: str, providers: frozenset[str]) -> UnknownModel:
    examples = ", ".join(p for p in ("openai", "anthropic", "google") if p in providers)
    # 'opnai' means a provider: its close model names ('openai/o3') would only distract.
    close = difflib.get_close_matches(term, sorted(providers), n=3, cutoff=0.75)
    suggestions = close or book.suggest(term)
    return UnknownModel(
        f"I don't know a provider or model called '{term}'. Watch a provider id"
        + (f" ({examples}, ...)" if examples else "")
        + " or a model name (gpt-4o, claude-sonnet-4).",
        suggestions=suggestions,
    )


# Without a watch list a channel hears about the model makers' own prices (and llmcost's own
# tariffs): resellers and clouds re-price the same models every week, and would bury them
# (October-November 2026: 276 of 279 changes were resellers'). Google is here though not in
# FIRST_PARTY, which is about resolving bare names, not about whose prices matter.
MAIN_PROVIDERS = frozenset((*FIRST_PARTY, "google"))


def match_watch(book: TariffBook, terms: Sequence[str]) -> Callable[[Change], bool]:
    """Whether a change concerns the watch list: a provider term takes every tariff of that
    provider, a model term that tariff only (by any of its names). No terms: the model makers'
    own prices (MAIN_PROVIDERS) and llmcost's own and the user's tariffs.

    A term the book no longer knows (a user's tariffs file changed since it was checked) matches
    nothing rather than failing a scheduled digest."""
    if not terms:
        own = {tariff.model for tariff in book.own_tariffs()}
        return lambda item: item.provider in MAIN_PROVIDERS or item.model in own
    providers = provider_ids(book)
    watched_providers: set[str] = set()
    watched_models: set[str] = set()
    for term in _terms(terms):
        if term in providers:
            watched_providers.add(term)
        elif (tariff := book.find(term)) is not None:
            watched_models.add(tariff.model)

    def keep(item: Change) -> bool:
        return item.provider in watched_providers or item.model in watched_models

    return keep

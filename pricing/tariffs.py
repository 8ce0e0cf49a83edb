"""Tariffs: dated prices per model, and the book that resolves a name to the price on a date."""

import difflib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from pricing.errors import NoPrice, UnknownModel

Origin = Literal["bundled", "genai-prices", "user"]
# How a usage is processed: the standard rate, or a variant of it the vendor sells.
Tier = Literal["standard", "batch", "flex", "priority", "off_peak"]
VariantTier = Literal["batch", "flex", "priority", "off_peak"]
# The dimensions of a price: what one token of each kind is billed at. Cache reads and writes
# are input tokens billed at their own rates (as genai-prices counts them).
RateKind = Literal["input", "cache_read", "cache_write", "cache_write_1h", "output"]
RATE_KINDS: tuple[RateKind, ...] = (
    "input",
    "cache_read",
    "cache_write",
    "cache_write_1h",
    "output",
)
INPUT_SIDE: frozenset[RateKind] = frozenset(
    {"input", "cache_read", "cache_write", "cache_write_1h"}
)


class CachedRates(BaseModel):
    """A frozen model whose rate maps are worked out once; a copy with changes works them out
    again (pydantic's model_copy would carry the stale ones over)."""

    model_config = ConfigDict(frozen=True)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        copy = super().model_copy(update=update, deep=deep)
        for name in ("rate_map", "standard", "filled_maps"):
            copy.__dict__.pop(name, None)
        return copy


class Rates(CachedRates):
    """A rate per dimension, per million tokens; None where the source states none (a variant
    then keeps the standard rate, and a cache kind without a rate is billed as input)."""

    model_config = ConfigDict(frozen=True)

    input_per_mtok: Decimal | None = Field(default=None, ge=0)
    output_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_read_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_write_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_write_1h_per_mtok: Decimal | None = Field(default=None, ge=0)

    def rate(self, kind: RateKind) -> Decimal | None:
        return getattr(self, f"{kind}_per_mtok")  # type: ignore[no-any-return]

    @cached_property
    def rate_map(self) -> dict[RateKind, Decimal]:
        # Pricing the whole catalog reads this once per model: worked out once per object.
        return {kind: rate for kind in RATE_KINDS if (rate := self.rate(kind)) is not None}

    def stated(self) -> dict[RateKind, Decimal]:
        """The dimensions this states a rate for, in RATE_KINDS order (a copy to change)."""
        return dict(self.rate_map)

    @cached_property
    def filled_maps(self) -> dict[tuple[RateKind, ...], dict[RateKind, Decimal]]:
        return {}

    def filled(self, kinds: tuple[RateKind, ...]) -> dict[RateKind, Decimal]:
        """`rate_map` with a rate for each of `kinds` it lacks: what it is part of (an hour's
        write is a write, any other cache kind input). Worked out once per object and kinds."""
        maps = self.filled_maps
        if kinds not in maps:
            rates = self.rate_map
            maps[kinds] = with_fallbacks(rates, [kind for kind in kinds if kind not in rates])
        return maps[kinds]


def fallback_kind(kind: RateKind, rates: Mapping[RateKind, Decimal]) -> RateKind:
    """What a cache kind without a rate is billed as (genai-prices counts it the same way)."""
    return "cache_write" if kind == "cache_write_1h" and "cache_write" in rates else "input"


def with_fallbacks(
    rates: Mapping[RateKind, Decimal], missing: Iterable[RateKind]
) -> dict[RateKind, Decimal]:
    filled = dict(rates)
    for kind in missing:
        filled[kind] = filled[fallback_kind(kind, filled)]
    return filled


class SizedRates(Rates):
    """The rates a request with more than `above` input tokens is billed at, for the dimensions
    stated (genai-prices' tiered prices: crossing a threshold moves every token of the request
    to that rate)."""

    above: int = Field(ge=0)


class LongContextRate(SizedRates):
    """A request with more than `above` input tokens is billed, every dimension, at these (a
    cache rate it leaves unstated keeps the base one)."""

    input_per_mtok: Decimal = Field(ge=0)
    output_per_mtok: Decimal = Field(ge=0)


def rates_at_size(
    base: Rates, tiers: Sequence[SizedRates], request_input: int | None
) -> tuple[dict[RateKind, Decimal], bool]:
    """The rates `base` states for a request of `request_input` input tokens, with its
    long-context `tiers` (ascending) over them, and whether a tier applied. A size that is not
    known (amounts that are totals) gets the base rates."""
    if request_input is not None:
        for tier in reversed(tiers):
            if request_input > tier.above:
                return {**base.rate_map, **tier.rate_map}, True
    return base.rate_map, False


class RateVariant(Rates):
    """Rates of a tier other than the standard one (the Batch API, flex, priority, off-peak
    hours). A rate it leaves unstated is the standard one, as genai-prices resolves variants."""

    tier: VariantTier
    # The first day the variant is known to apply; None: from the entry's own date.
    since: date | None = None
    # True when `since` is the day a catalog recorded the rate, not the day the vendor started
    # selling it: before it the rate is unknown, not absent.
    recorded: bool = False
    # off_peak: the daily windows in UTC, each [start, end), wrapping midnight when end < start.
    windows: tuple[tuple[time, time], ...] = ()
    # The tier's own long-context rates (of the dimensions it states), ascending by `above`.
    long_context: tuple[SizedRates, ...] = ()
    source: str | None = None

    def in_window(self, clock: time) -> bool:
        return any(
            start <= clock < end if start < end else clock >= start or clock < end
            for start, end in self.windows
        )

    def in_force_on(self, day: date | None) -> bool:
        return day is None or self.since is None or self.since <= day

    def rates_at(self, request_input: int | None) -> tuple[dict[RateKind, Decimal], bool]:
        return rates_at_size(self, self.long_context, request_input)


def composed_variant(listed: Sequence[RateVariant]) -> RateVariant:
    """One tier's variants in force together, composed as genai-prices resolves them: each
    dimension (with its long-context rates) from the first variant, in listing order, that
    states it. Dated from the latest of them; their sources joined."""
    if len(listed) == 1:
        return listed[0]
    stating: dict[RateKind, RateVariant] = {}
    for variant in listed:
        for kind in variant.rate_map:
            stating.setdefault(kind, variant)
    aboves = sorted({tier.above for v in stating.values() for tier in v.long_context})
    long_context = tuple(
        SizedRates(
            above=above,
            **{f"{kind}_per_mtok": v.rates_at(above + 1)[0][kind] for kind, v in stating.items()},
        )
        for above in aboves
    )
    used = list({id(v): v for v in stating.values()}.values())
    dated = [v.since for v in used if v.since is not None]
    sources = dict.fromkeys(v.source for v in used if v.source)
    return RateVariant(
        tier=listed[0].tier,
        since=max(dated) if dated else None,
        recorded=any(v.recorded for v in used),
        windows=listed[0].windows,
        long_context=long_context,
        source="; ".join(sources) or None,
        **{f"{kind}_per_mtok": v.rate(kind) for kind, v in stating.items()},
    )


class PriceEntry(CachedRates):
    """One model's prices from a date on, per million tokens and dimension, with where they come
    from: input and output, the cache rates where the model has them, and tier variants."""

    model_config = ConfigDict(frozen=True)

    # None: the source gives no start date, so the price is only known to hold today.
    effective: date | None
    input_per_mtok: Decimal = Field(ge=0)
    output_per_mtok: Decimal = Field(ge=0)
    cache_read_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_write_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_write_1h_per_mtok: Decimal | None = Field(default=None, ge=0)
    variants: tuple[RateVariant, ...] = ()
    training_per_mtok: Decimal | None = Field(default=None, ge=0)
    # A fee per 1,000 requests, whatever their size (genai-prices' `requests_kcount`).
    per_k_requests: Decimal | None = Field(default=None, ge=0)
    context_window: int | None = Field(default=None, gt=0)
    # Ascending by `above`; the highest one a request passes applies.
    long_context: tuple[LongContextRate, ...] = ()
    source: str
    origin: Origin

    def rates_at(self, request_input: int | None) -> tuple[dict[RateKind, Decimal], bool]:
        """The standard rates of every stated dimension for a request of `request_input`
        input tokens (None: size unknown, the base rates), and whether a long-context rate
        applied."""
        return rates_at_size(self.standard, self.long_context, request_input)

    @cached_property
    def standard(self) -> Rates:
        """The standard rates of every dimension, at the base (not long-context) size."""
        return Rates(
            input_per_mtok=self.input_per_mtok,
            output_per_mtok=self.output_per_mtok,
            cache_read_per_mtok=self.cache_read_per_mtok,
            cache_write_per_mtok=self.cache_write_per_mtok,
            cache_write_1h_per_mtok=self.cache_write_1h_per_mtok,
        )

    def variant(self, tier: Tier, day: date | None = None) -> RateVariant | None:
        """The rates of `tier` in force on `day` (on any day when None): genai-prices may list
        several dated variants of one tier, and they compose (`composed_variant`)."""
        listed = [v for v in self.variants if v.tier == tier and v.in_force_on(day)]
        return composed_variant(listed) if listed else None

    def completed_by(self, other: "PriceEntry") -> "PriceEntry":
        """This price with what it does not state taken from `other`, the catalog's price of
        the same model: cache rates and a request fee; each tier's rates (this price's own
        variants listed first, so they keep every dimension they state); long-context rates
        when both prices agree on the base ones. What was taken names `other`'s source."""
        update: dict[str, Any] = {}
        taken: list[str] = []
        for field, words in COMPLETED_FIELDS.items():
            if getattr(self, field) is None and getattr(other, field) is not None:
                update[field] = getattr(other, field)
                taken.append(words)
        if other.variants:
            update["variants"] = (*self.variants, *other.variants)
        same_base = (self.input_per_mtok, self.output_per_mtok) == (
            other.input_per_mtok,
            other.output_per_mtok,
        )
        if not self.long_context and other.long_context and same_base:
            update["long_context"] = other.long_context
            taken.append("long-context rates")
        if taken:
            update["source"] = f"{self.source}; {', '.join(taken)} from {other.source}"
        return self.model_copy(update=update) if update else self

    def next_variant(self, tier: Tier, day: date) -> RateVariant | None:
        """The first variant of `tier` that starts after `day`, when none is in force then."""
        later = [v for v in self.variants if v.tier == tier and not v.in_force_on(day)]
        return min(later, key=lambda v: v.since or day, default=None)


# What a price may leave to the catalog's price of the same model (see `completed_by`).
COMPLETED_FIELDS = {
    "cache_read_per_mtok": "cached-input rate",
    "cache_write_per_mtok": "cache-write rate",
    "cache_write_1h_per_mtok": "1-hour cache-write rate",
    "per_k_requests": "request fee",
}


class Lifecycle(BaseModel):
    """When a model came and goes, as its vendor announced it: a release before which it is not
    priced, and a shutdown with the notice that announced it and the substitute it names."""

    model_config = ConfigDict(frozen=True)

    model: str
    released: date | None = None
    retired: date | None = None
    announced: date | None = None
    replacement: str | None = None
    # The notice also shuts down the model's fine-tuned versions (so there were some).
    with_fine_tunes: bool = False
    source: str


class TrainingStop(BaseModel):
    """From `stops` on, `who` can no longer start fine-tuning jobs on a vendor's models (all of
    `provider`'s, or only `models`), as announced on `announced`."""

    model_config = ConfigDict(frozen=True)

    provider: str
    models: tuple[str, ...] = ()
    announced: date
    stops: date
    who: str
    source: str

    @property
    def for_everyone(self) -> bool:
        """No organization is spared ('anyone', 'everyone, active customers included')."""
        return self.who.startswith(("anyone", "everyone"))

    def covers(self, tariff: "Tariff") -> bool:
        if self.models:
            names = {tariff.model, *tariff.aliases, tariff.fine_tune_of or ""}
            return any(model in names for model in self.models)
        return tariff.provider == self.provider


class Tariff(BaseModel):
    """A model and its price history, oldest first."""

    model_config = ConfigDict(frozen=True)

    model: str
    provider: str
    name: str | None = None
    aliases: tuple[str, ...] = ()
    fine_tune_of: str | None = None
    retired: date | None = None
    # Filled from the bundled lifecycle: see Lifecycle.
    released: date | None = None
    retirement: Lifecycle | None = None
    # Shut down with this base model (a fine-tune's inference ends with its base).
    retired_with: str | None = None
    # genai-prices' undated "deprecated" flag.
    deprecated: bool = False
    entries: tuple[PriceEntry, ...] = Field(min_length=1)

    @property
    def display_name(self) -> str:
        return self.name or self.model

    @property
    def is_makers_listing(self) -> bool:
        """Ours (bundled or a user's), or the model maker's own API: the catalog names such
        a listing by its bare id too."""
        return bool(self.aliases) or self.is_own

    @property
    def is_own(self) -> bool:
        """Bundled with llmcost or the user's own, not the catalog's."""
        return self.latest.origin != "genai-prices"

    @property
    def is_prefix(self) -> bool:
        """A catalog id that only prefixes others ('openai/ft:gpt-3.5-turbo-'): a price for
        every model whose id starts so, not a model anyone asks for by that id."""
        return not self.model[-1].isalnum()

    @property
    def latest(self) -> PriceEntry:
        return self.entries[-1]

    def entry_at(self, day: date) -> PriceEntry | None:
        """The price in force on `day`: the newest entry that started on or before it; none
        before the model's release."""
        if self.released is not None and day < self.released:
            return None
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

    def is_gone_on(self, day: date) -> bool:
        """Shut down on `day`, or flagged deprecated by the catalog with no date we know."""
        return self.is_retired_on(day) or (self.deprecated and self.retired is None)

    def retiring_after(self, day: date) -> bool:
        """A shutdown is announced (on or before `day`) for a later date."""
        if self.retired is None or day >= self.retired:
            return False
        announced = self.retirement.announced if self.retirement else None
        return announced is None or announced <= day

    def first_priced(self) -> date | None:
        """The first day the model has a price: its release or its first dated price."""
        first = self.entries[0].effective
        if self.released is None:
            return first
        return self.released if first is None else max(first, self.released)

    def with_lifecycle(self, lifecycle: Lifecycle, base: str | None = None) -> "Tariff":
        """This tariff with `lifecycle`'s dates where it has none of its own; `base` when the
        dates are its base model's (a fine-tune retires with its base)."""
        return self.model_copy(
            update={
                "released": self.released if base else (self.released or lifecycle.released),
                "retired": self.retired or lifecycle.retired,
                "retirement": self.retirement or lifecycle,
                "retired_with": self.retired_with or base,
            }
        )

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
            released=override.released or self.released,
            retirement=override.retirement or self.retirement,
            retired_with=override.retired_with or self.retired_with,
            deprecated=override.deprecated or self.deprecated,
            entries=sort_entries(by_date.values()),
        )


def _filled_from(entry: PriceEntry, replaced: PriceEntry) -> PriceEntry:
    """A same-date override keeps what it leaves unsaid (a context window, a training price)."""
    kept = {
        field: getattr(replaced, field)
        for field in (
            "context_window",
            "training_per_mtok",
            "cache_read_per_mtok",
            "cache_write_per_mtok",
            "cache_write_1h_per_mtok",
            "per_k_requests",
        )
        if getattr(entry, field) is None
    }
    if not entry.variants:
        kept["variants"] = replaced.variants
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
# Said when a name is close to none known: how to find the one meant.
FIND_A_MODEL = "'models' lists today's main models; 'models <word>' finds any by name or provider."


def name_parts(name: str) -> tuple[str, ...]:
    """'llama3-70b-8192' -> ('llama', '3', '70b', '8192'); 'claude-3.5-sonnet' and
    'claude-3-5-sonnet' -> ('claude', '3', '5', 'sonnet'): how a name's words are compared."""
    return tuple(part for part in _PART_BREAK.split(name.lower()) if part)


def _numbers(name: str) -> list[str]:
    """The parts of a name that are numbers: versions and snapshot dates."""
    return [part for part in name_parts(name.rpartition("/")[2]) if part.isdigit()]


def holds(parts: tuple[str, ...], wanted: tuple[str, ...]) -> bool:
    """`wanted` appears in `parts` side by side."""
    size = len(wanted)
    return any(parts[i : i + size] == wanted for i in range(len(parts) - size + 1))


def exists_on(tariff: Tariff | None, day: date | None) -> bool:
    """Released and priced on `day`, and not shut down (or deprecated) by then; any tariff when
    no day is asked."""
    if tariff is None or day is None:
        return tariff is not None
    return not tariff.is_gone_on(day) and tariff.entry_at(day) is not None


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
    """By release (or first known price) date when every one has it, else by version, then by
    name: 'claude-sonnet-5' before 'claude-sonnet-4-6' before 'claude-3-sonnet'."""
    listed = list(tariffs)

    def by_name(tariff: Tariff) -> tuple[tuple[int, ...], str]:
        return version_of(listed_name(tariff)), listed_name(tariff)

    firsts = {id(t): t.first_priced() for t in listed}
    if all(firsts.values()):
        return sorted(listed, key=lambda t: (firsts[id(t)], by_name(t)), reverse=True)
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


def _twins_of(
    own: Iterable[Tariff], catalog_names: Mapping[str, Tariff], catalog: Catalog
) -> dict[str, Tariff]:
    """Each own tariff's catalog twin: the maker's own listing (same provider) that answers to
    one of its names, directly or by genai-prices' matching rules ('ft:gpt-3.5-turbo' is
    genai-prices' 'ft:gpt-3.5-turbo-')."""
    twins = {}
    for tariff in own:
        # A fine-tune's base is not the same model, whatever genai-prices' rules match.
        base = normalize_name(tariff.fine_tune_of or "")
        for name in (tariff.model, *tariff.aliases):
            key = normalize_name(name)
            matched = catalog.match(key) or catalog.match(f"{tariff.provider}/{key}")
            twin = catalog_names.get(key) or catalog_names.get(matched or "")
            if (
                twin is not None
                and twin.provider == tariff.provider
                and twin.is_makers_listing
                and base not in {normalize_name(n) for n in _names_of(twin)}
            ):
                twins[tariff.model] = twin
                break
    return twins


class TariffBook:
    """Every known tariff. `tariffs` (bundled and the user's own) win over the catalog, which
    is loaded on first need so that answering about well-known models stays fast."""

    def __init__(
        self,
        tariffs: Iterable[Tariff],
        catalog: Callable[[], Catalog] | None = None,
        lifecycles: Iterable[Lifecycle] = (),
        training_stops: Iterable[TrainingStop] = (),
    ) -> None:
        # Later lifecycles (the user's file) win over earlier ones (the bundled file).
        self._lifecycles = {normalize_name(item.model): item for item in lifecycles}
        self.training_stops = tuple(training_stops)
        self._own = self._with_lifecycles(list(tariffs))
        self._index = self._build_index(self._own)
        self._load_catalog = catalog
        self._catalog: Catalog | None = None
        self._catalog_index: dict[str, Tariff] = {}
        self._catalog_lock = threading.Lock()
        self._parts: list[tuple[Tariff, tuple[str, ...]]] | None = None
        # Own tariff (by model) -> the catalog's listing of the same model by its maker.
        self._twins: dict[str, Tariff] = {}
        self._providers: frozenset[str] | None = None

    @staticmethod
    def _build_index(tariffs: Iterable[Tariff]) -> dict[str, Tariff]:
        """Each name to its tariff, the first listed winning; a model's own id before any
        other's alias ('perplexity/sonar' is that id, not the bare id of genai-prices'
        'perplexity/perplexity/sonar'), so every id llmcost prints asks for that model."""
        listed = list(tariffs)
        index: dict[str, Tariff] = {}
        for tariff in listed:  # in listing order: `tariffs()` lists them as indexed
            index.setdefault(normalize_name(tariff.model), tariff)
        for tariff in listed:
            for name in _names_of(tariff):
                index.setdefault(normalize_name(name), tariff)
        return index

    def lifecycles(self) -> list[Lifecycle]:
        return list(self._lifecycles.values())

    def lifecycle_of(self, name: str) -> Lifecycle | None:
        return self._lifecycles.get(normalize_name(name))

    def _with_lifecycles(self, tariffs: list[Tariff]) -> list[Tariff]:
        """Each tariff with its own lifecycle (by id, bare id or alias), then fine-tunes with
        their base's shutdown: OpenAI serves a fine-tune only until its base retires."""
        if not self._lifecycles:
            return tariffs
        dated = [self._own_lifecycle(tariff) for tariff in tariffs]
        if not any(tariff.fine_tune_of for tariff in dated):
            return dated  # the catalog: no fine-tunes to date by their base
        by_name = {normalize_name(name): t for t in dated for name in _names_of(t)}
        result = []
        for tariff in dated:
            base_name = tariff.fine_tune_of
            base = by_name.get(normalize_name(base_name)) if base_name else None
            # A base in the catalog ("openai/gpt-4.1-nano") has its maker's notice by bare id.
            lifecycle = (
                base.retirement
                if base
                else self.lifecycle_of(base_name or "")
                or self.lifecycle_of((base_name or "").rpartition("/")[2])
            )
            if base_name and tariff.retired is None and lifecycle and lifecycle.retired:
                tariff = tariff.with_lifecycle(lifecycle, base=base_name)
            result.append(tariff)
        return result

    def _own_lifecycle(self, tariff: Tariff) -> Tariff:
        bare = tariff.model.rpartition("/")[2]
        for name in (tariff.model, bare, *tariff.aliases):
            # A reseller's copy ("azure/gpt-4o") has no bare alias: the vendor's notice is not
            # about it.
            if name == bare and name != tariff.model and bare not in tariff.aliases:
                continue
            if (lifecycle := self._lifecycles.get(name)) is not None:
                return tariff.with_lifecycle(lifecycle)
        return tariff

    def _load_catalog_once(self) -> Catalog | None:
        """Load the catalog and index it once, even when several threads (Slack's listeners)
        ask at the same moment; the catalog is published last, after its index is complete."""
        if self._catalog is None and self._load_catalog is not None:
            with self._catalog_lock:
                if self._catalog is None:
                    catalog = self._load_catalog()
                    dated = self._with_lifecycles(list(catalog.tariffs))
                    every_name = self._build_index(dated)
                    self._catalog_index = {
                        name: tariff
                        for name, tariff in every_name.items()
                        if name not in self._index
                    }
                    self._twins = _twins_of(self._own, every_name, catalog)
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
        whose id holds the name's parts in order and adds no number to them ('claude-3-opus'
        for claude-3-opus-latest; not 'claude-mythos-5' for claude-mythos-5-2, another
        version)."""
        if (tariff := self.find(name)) is not None:
            return tariff
        key = normalize_name(name)
        dotless = VERSION_DOT.sub("-", key)
        if dotless != key and (tariff := self.find(dotless)) is not None:
            return tariff
        if (sold := self._sold_by(key)) is not None:
            return sold[0] if len(sold) == 1 else None
        parts = name_parts(key)
        if len(parts) < 2:
            return None
        makers = [
            t
            for t in self._holding(parts)
            if t.is_makers_listing and _numbers(t.model) == _numbers(key)
        ]
        return makers[0] if len(makers) == 1 else None

    def resolve(self, name: str, day: date | None = None) -> Tariff:
        """The tariff for `name`, or UnknownModel suggesting names that existed on `day`."""
        tariff = self.lookup(name)
        if tariff is not None:
            return tariff
        key = normalize_name(name)
        if (sold := self._sold_by(key)) is not None:
            raise self._not_sold(key, [t for t in sold if exists_on(t, day)] or sold)
        holding = [t for t in self._holding(name_parts(key)) if exists_on(t, day)]
        makers = [t for t in holding if t.is_makers_listing]
        if holding and not makers:
            # "llama-3-70b": sold by several providers, listed by no maker: which one?
            ids = [t.model for t in newest_first(holding)]
            raise UnknownModel(
                f"'{name}' is sold by {counted_providers(holding)}, and its maker's own listing "
                "is not known: name the provider's id.",
                suggestions=ids[:FAMILY_LIMIT],
            )
        if len(makers) == 1:
            # "claude-mythos-5": another version of the name, never answered in its place.
            raise UnknownModel(
                f"I don't know a model called '{name}'.", suggestions=[listed_name(makers[0])]
            )
        if makers:
            # "sonnet", "gemini", "claude-sonnet": the family's current models, newest first.
            names = [listed_name(t) for t in newest_first(makers)]
            raise UnknownModel(
                f"'{name}' names several models; say which one.",
                suggestions=list(dict.fromkeys(names))[:FAMILY_LIMIT],
            )
        suggestions = self.suggest(name, day=day)
        hint = "" if suggestions else f" {FIND_A_MODEL}"
        raise UnknownModel(f"I don't know a model called '{name}'.{hint}", suggestions=suggestions)

    def _sold_by(self, key: str) -> list[Tariff] | None:
        """'groq/llama-3.1-8b': the seller's listings whose ids hold the name's parts; None when
        the name names no seller."""
        seller, slash, bare = key.partition("/")
        if not slash or seller not in self.providers():
            return None
        sold = newest_first([t for t in self._holding(name_parts(bare)) if t.provider == seller])
        # "gpt-4o on openrouter": its listing under that very name, not its variants.
        exact = [t for t in sold if t.model.rpartition("/")[2] == bare]
        return exact if len(exact) == 1 else sold

    def _not_sold(self, key: str, sold: list[Tariff]) -> UnknownModel:
        seller, _slash, bare = key.partition("/")
        if sold:
            return UnknownModel(
                f"{seller} sells several models named '{bare}'; say which one.",
                suggestions=[t.model for t in sold][:FAMILY_LIMIT],
            )
        maker = self.lookup(bare)
        other = f" {maker.model} is sold by its maker, {maker.provider}." if maker else ""
        return UnknownModel(
            f"{seller} lists no model called '{bare}' in the prices llmcost has.{other}",
            suggestions=[maker.model] if maker else [f"models {seller}"],
        )

    def providers(self) -> frozenset[str]:
        """Every provider a tariff names (the makers and the resellers)."""
        if self._providers is None:
            self._providers = frozenset(t.provider for t in self.tariffs())
        return self._providers

    def holding(self, name: str) -> list[Tariff]:
        """Every tariff whose id holds the words of `name` side by side ('sonnet', 'llama 70b'):
        a family's models."""
        return self._holding(name_parts(normalize_name(name)))

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
        """Names close to `name`, never one of a model that did not exist on `day`, nor a
        catalog id that is only a prefix of others ('ft:gpt-3.5-turbo-')."""
        key = normalize_name(name)
        names = [n for n in self.names() if n[-1].isalnum() and exists_on(self.find(n), day)]
        close = difflib.get_close_matches(key, names, n=limit, cutoff=0.6)
        if len(close) < limit:
            # "claude" or "llama" are prefixes of real names that difflib scores low.
            close += [n for n in names if key and n.startswith(key) and n not in close]
        return close[:limit]

    def entry_on(self, tariff: Tariff, day: date, complete: bool = True) -> PriceEntry | None:
        """The price of `tariff` in force on `day`. An own tariff's current price (its latest
        entry) is completed by the catalog's listing of the same model: what it does not state
        (a tier, a cache rate, a request fee) is the catalog's (`completed_by`).

        A question on the standard rates without cache (not `complete`) leaves a bundled price
        as it is, so that it does not load the catalog: the catalog's listings of the bundled
        models state no request fee and no long-context rate (a test checks it), so only tiers
        and cache rates could come from them. A user's price is always completed."""
        entry = tariff.entry_at(day)
        if entry is None or entry is not tariff.latest or entry.origin == "genai-prices":
            return entry  # a past price, or the catalog's own: nothing to complete
        if not complete and entry.origin == "bundled":
            return entry
        twin = self.catalog_twin(tariff)
        twin_entry = twin.entry_at(day) if twin is not None else None
        return entry if twin_entry is None else entry.completed_by(twin_entry)

    def catalog_twin(self, tariff: Tariff) -> Tariff | None:
        """The catalog's listing, by its maker, of the model an own tariff prices."""
        self._load_catalog_once()
        return self._twins.get(tariff.model)

    def quote(self, name: str, day: date, complete: bool = True) -> Quote:
        """The price `name` asks for on `day`, `complete` as `entry_on` says."""
        tariff = self.resolve(name, day)
        # An alias that is a snapshot of its own ("gpt-4-0314") may shut down before the model.
        snapshot = self.lifecycle_of(name)
        if snapshot is not None and tariff.retirement is not snapshot:
            tariff = tariff.model_copy(
                update={
                    "name": f"{tariff.display_name}, snapshot {normalize_name(name)}",
                    "retired": snapshot.retired or tariff.retired,
                    "retirement": snapshot,
                }
            )
        entry = self.entry_on(tariff, day, complete)
        if entry is None:
            first = tariff.first_priced()
            since = first.isoformat() if first else "later"
            why = (
                f"it was released on {since}"
                if first is not None and first == tariff.released
                else f"its first known price starts {since}"
            )
            raise NoPrice(
                f"{tariff.display_name} had no price on {day.isoformat()}: {why}.",
                suggestions=[f"as of {since}"] if first else [],
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
        bases = [candidate for candidate in self._own if candidate.fine_tune_of is not None]
        # By name first: a base in the catalog is then found without loading the catalog.
        names = set(_names_of(tariff))
        for candidate in bases:
            if normalize_name(candidate.fine_tune_of or "") in names:
                return candidate
        # Other spellings of an own base; a catalog base ('google/...') matched by name above.
        for candidate in bases:
            base = candidate.fine_tune_of or ""
            if "/" not in base and self.find(base) is tariff:
                return candidate
        return None

"""The genai-prices catalog as tariffs: the breadth of today's models from many providers.

genai-prices is imported only here, and only when a name is not in our own tariffs, because
importing its data costs about 0.2 s of a cold start. Its providers come either from the
installed package or from a published data file that llmcost fetched and stored (a snapshot);
`read_published` is the one place that reads such a file, with genai-prices' own parser
(`published_json` reads one without validating it: a stored file, to compare a new one with).
"""

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time
from decimal import Context, Decimal
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from pricing import json_input
from pricing.errors import LlmcostError, summary
from pricing.json_input import JsonTooDeep
from pricing.money import plain_decimal
from pricing.tariffs import (
    Catalog,
    LongContextRate,
    PriceEntry,
    RateVariant,
    SizedRates,
    Tariff,
    sort_entries,
)

# A bare model id ("gpt-4o", "claude-opus-4") means the model maker's own API; resellers
# and clouds are reached with "provider/model" ("azure/gpt-4o", "openrouter/...").
FIRST_PARTY = (
    "openai",
    "anthropic",
    # Not google: Vertex AI also lists Claude, and "claude-..." must mean Anthropic's own API.
    # Gemini names still resolve to Google through genai-prices' matching rules.
    "mistral",
    "deepseek",
    "x-ai",
    "cohere",
    "meta",
    "moonshotai",
    "zai",
    "zhipuai",
    "minimax",
    "perplexity",
    "voyageai",
    "arcee",
)


# Google's own API is the maker's listing of Gemini and Gemma (Vertex AI's Claude is not).
MAKER_FAMILIES = {"google": ("gemini", "gemma")}


def _is_makers(provider_id: str, model_id: str) -> bool:
    return provider_id in FIRST_PARTY or model_id.startswith(MAKER_FAMILIES.get(provider_id, ()))


def _rank(provider_id: str) -> tuple[int, str]:
    try:
        return FIRST_PARTY.index(provider_id), provider_id
    except ValueError:
        return len(FIRST_PARTY), provider_id


# genai-prices computes some resellers' prices in floating point and stores the result, so its
# data file holds 1.0399999999999998 where the price is 1.04. Twelve significant digits, the
# most a tariffs file may state, drop those artefacts and keep every real price as written.
CATALOG_PRICE_DIGITS = Context(prec=12)


def catalog_price(value: Decimal) -> Decimal:
    """A catalog price as an exact Decimal: float artefacts rounded away, no exponent."""
    return Decimal(plain_decimal(CATALOG_PRICE_DIGITS.plus(value)))


def proper_name(name: str | None, model_id: str) -> str:
    """The catalog's display name when it is one ("GPT-5 mini", "o1-pro"); the model id where
    the catalog only spelled the id in lower case with spaces ("gpt 4.1 nano", "o3 Mini")."""
    if not name:
        return model_id
    first_word = name.split()[0]
    if " " in name and first_word == first_word.lower():
        return model_id
    return name


def _rate_at(price: object, input_tokens: int) -> Decimal | None:
    """genai-prices' rate for a request of `input_tokens`: a tier applies past its start."""
    from genai_prices.types import TieredPrices

    if isinstance(price, TieredPrices):
        rate = price.base
        for tier in price.tiers:
            if input_tokens > tier.start:
                rate = tier.price
        return catalog_price(rate)
    return catalog_price(price) if isinstance(price, Decimal) else None


# genai-prices' price keys for each dimension, the first one stated winning ("cache_write_mtok"
# is Anthropic's 5-minute write; some entries state the TTL explicitly).
PRICE_KEYS: dict[str, tuple[str, ...]] = {
    "input_per_mtok": ("input_mtok",),
    "output_per_mtok": ("output_mtok",),
    "cache_read_per_mtok": ("cache_read_mtok",),
    "cache_write_per_mtok": ("cache_write_mtok", "cache_write_5m_mtok"),
    "cache_write_1h_per_mtok": ("cache_write_1h_mtok",),
}
# genai-prices' price-variant conditions that are tiers llmcost prices ("fast" is OpenAI's new
# name for priority, listed beside it with the same rates; "default" overrides nothing).
VARIANT_TIERS = {
    ("processing", "batch"): "batch",
    ("service_tier", "flex"): "flex",
    ("service_tier", "priority"): "priority",
}


def _raw_prices(price: object) -> dict[str, object]:
    """Each dimension's genai-prices value (a Decimal or TieredPrices), where it states one."""
    found = {}
    for field, keys in PRICE_KEYS.items():
        value = next((v for key in keys if (v := getattr(price, key, None)) is not None), None)
        if value is not None:
            found[field] = value
    return found


def _rates_at(raw: dict[str, object], input_tokens: int) -> dict[str, Decimal]:
    return {
        field: rate
        for field, value in raw.items()
        if (rate := _rate_at(value, input_tokens)) is not None
    }


def _thresholds(raw: dict[str, object]) -> list[int]:
    """genai-prices bills a whole request at a higher tier once its input passes a size: the
    sizes where any dimension's rate changes, ascending."""
    from genai_prices.types import TieredPrices

    return sorted(
        {
            tier.start
            for value in raw.values()
            if isinstance(value, TieredPrices)
            for tier in value.tiers
        }
    )


def _long_context(raw: dict[str, object]) -> tuple[LongContextRate, ...]:
    """A price's long-context rates: every dimension's rate past each threshold."""
    return tuple(
        LongContextRate(above=start, **_rates_at(raw, start + 1)) for start in _thresholds(raw)
    )


def _complement(windows: list[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """The hours of a day outside `windows` (each [start, end), none wrapping midnight but the
    last may), as windows: '00:30-16:30' -> '16:30-00:30'."""
    ordered = sorted(windows)
    gaps = [(ordered[i][1], ordered[i + 1][0]) for i in range(len(ordered) - 1)]
    gaps = [(start, end) for start, end in gaps if start < end]
    if ordered[-1][1] != ordered[0][0]:
        gaps.append((ordered[-1][1], ordered[0][0]))  # from the last end round to the first start
    return tuple(gaps)


def _time_of_day(
    prices: list[object],
) -> tuple[dict[str, object], tuple[tuple[time, time], ...]] | None:
    """The price of the time-of-day windows and the windows, when a model has them."""
    from genai_prices.types import ConditionalPrice, TimeOfDateConstraint

    timed = [
        c
        for c in prices
        if isinstance(c, ConditionalPrice) and isinstance(c.constraint, TimeOfDateConstraint)
    ]
    if not timed:
        return None
    windows = [
        (c.constraint.start_time.replace(tzinfo=None), c.constraint.end_time.replace(tzinfo=None))  # type: ignore[union-attr]
        for c in timed
    ]
    return _raw_prices(timed[-1].prices), tuple(windows)


def _variants(model: object, source: str) -> tuple[RateVariant, ...]:
    """Every variant of a tier llmcost prices, in genai-prices' order (the first in force that
    states a dimension wins it), each with its own long-context rates."""
    from genai_prices.types import StartDateConstraint

    variants: list[RateVariant] = []
    for variant in getattr(model, "price_variants", None) or ():
        tier = next(
            (VARIANT_TIERS[item] for item in variant.when.items() if item in VARIANT_TIERS), None
        )
        if tier is None or len(variant.when) != 1:
            continue
        if variant.constraint is not None and not isinstance(
            variant.constraint, StartDateConstraint
        ):
            continue
        raw = _raw_prices(variant.prices)
        rates = _rates_at(raw, 0)
        if not rates:
            continue
        since = variant.constraint.start_date if variant.constraint else None
        variants.append(
            RateVariant(
                tier=tier,  # type: ignore[arg-type]
                since=since,
                recorded=since is not None,
                long_context=tuple(
                    SizedRates(above=start, **_rates_at(raw, start + 1))
                    for start in _thresholds(raw)
                ),
                source=source,
                **rates,  # type: ignore[arg-type]
            )
        )
    return tuple(variants)


def _entries(model: object, source: str) -> Iterator[PriceEntry]:
    from genai_prices.types import ConditionalPrice, ModelPrice, StartDateConstraint

    prices = model.prices  # type: ignore[attr-defined]
    dated: list[tuple[object, ModelPrice]]
    timed = None
    if isinstance(prices, ModelPrice):
        dated = [(None, prices)]
    else:
        dated = [
            (c.constraint.start_date if c.constraint else None, c.prices)
            for c in prices
            if isinstance(c, ConditionalPrice)
            and (c.constraint is None or isinstance(c.constraint, StartDateConstraint))
        ]
        timed = _time_of_day(prices)
    variants = _variants(model, source)
    has_dates = any(start is not None for start, _price in dated)
    for start, price in dated:
        raw = _raw_prices(price)
        entry_variants = variants
        # genai-prices keeps DeepSeek's standard rate in a daily window and its off-peak
        # discount as the price without one: the dearer price is the standard one, the cheaper
        # an off-peak variant for the rest of the day. A flat price dated before the windows
        # began (genai-prices keeps it unconstrained beside dated ones) stays as it was.
        if timed is not None and (start is not None or not has_dates):
            timed_raw, windows = timed
            timed_input = _rate_at(timed_raw.get("input_per_mtok"), 0)
            own_input = _rate_at(raw.get("input_per_mtok"), 0)
            if timed_input is not None and own_input is not None and timed_input > own_input:
                off_peak_rates, off_peak_windows = _rates_at(raw, 0), _complement(list(windows))
                raw = timed_raw
            else:
                off_peak_rates, off_peak_windows = _rates_at(timed_raw, 0), windows
            entry_variants = (
                *variants,
                RateVariant(
                    tier="off_peak",
                    windows=off_peak_windows,
                    source=source,
                    **off_peak_rates,  # type: ignore[arg-type]
                ),
            )
        rates = _rates_at(raw, 0)
        if "input_per_mtok" not in rates or "output_per_mtok" not in rates:
            continue  # not priced per input and output token (embeddings, audio, images)
        fee = getattr(price, "requests_kcount", None)
        yield PriceEntry(
            effective=start,  # type: ignore[arg-type]
            per_k_requests=catalog_price(fee) if isinstance(fee, Decimal) else None,
            context_window=model.context_window,  # type: ignore[attr-defined]
            long_context=_long_context(raw),
            variants=entry_variants,
            source=source,
            origin="genai-prices",
            **rates,
        )


class SnapshotInfo(BaseModel):
    """Which published data file a catalog was built from, as its sources name it."""

    model_config = ConfigDict(frozen=True)

    fetched: date
    content_hash: str

    @property
    def label(self) -> str:
        return f"genai-prices data fetched {self.fetched.isoformat()}"


class SeenPrice(BaseModel):
    """A model's published prices (`prices` and `price_variants`, as JSON) and the day llmcost
    first saw them in a stored data file."""

    model_config = ConfigDict(frozen=True)

    seen_on: date
    prices: str


def with_first_seen(
    entries: tuple[PriceEntry, ...],
    seen: Sequence[SeenPrice],
    model: Any,
    source: str,
) -> tuple[PriceEntry, ...]:
    """A catalog model's entries with the history llmcost saw: the one place a "first seen"
    date is given. genai-prices dates few prices, so an undated price is dated by the day llmcost
    first saw it, with the source saying so; the first prices llmcost saw stay undated ("date
    unknown": the model may well have existed, at that price, before llmcost looked). `entries`
    are the prices in force; `seen`, oldest first, ends with them."""
    if not seen:
        return entries
    by_date: dict[date | None, PriceEntry] = {}
    generations = [*seen[:-1], None]  # None: the prices in force, from `entries`
    for number, generation in enumerate(generations):
        if generation is None:
            day, shown = seen[-1].seen_on, entries
        else:
            day, shown = generation.seen_on, _entries_of_prices(generation.prices, model, source)
        for entry in shown:
            if entry.effective is not None:
                by_date[entry.effective] = entry
            elif number == 0:
                by_date[None] = entry.model_copy(
                    update={"source": f"{entry.source}; first seen {day.isoformat()}"}
                )
            else:
                by_date[day] = entry.model_copy(
                    update={
                        "effective": day,
                        "source": f"{entry.source}; price first seen {day.isoformat()}",
                    }
                )
    return sort_entries(by_date.values())


def _entries_of_prices(prices: str, model: Any, source: str) -> tuple[PriceEntry, ...]:
    """The entries of a model's earlier published prices, read as genai-prices reads a file."""
    raw = [
        {
            "id": "seen",
            "name": "seen",
            "api_pattern": "seen",
            "models": [{"id": model.id, "match": {"equals": model.id}, **json.loads(prices)}],
        }
    ]
    try:
        (provider,) = read_published(json.dumps(raw).encode()).providers
        earlier = provider.models[0]
        earlier.context_window = model.context_window
        return tuple(_entries(earlier, source))
    except (PublishedDataError, ValueError, ArithmeticError):
        # Prices an older genai-prices wrote and this one cannot read, or (stored before
        # llmcost checked every rate) a rate it cannot use: not shown, never fatal.
        return ()


class PublishedDataError(LlmcostError):
    """A published data file genai-prices' parser does not accept; the message says why."""


@dataclass(frozen=True)
class PublishedFile:
    """A published data file read: its JSON, each provider's text as the file writes it, and
    genai-prices' providers validated from it (see `read_published` for which)."""

    data: list[Any]
    texts: tuple[str, ...]
    providers: list[Any]


def published_json(raw: bytes, *, stored: bool = False) -> PublishedFile:
    """A published file's JSON, not validated (`providers` is empty); `stored`: a file llmcost
    checked before it stored it, whose nesting is not counted again. Raises PublishedDataError."""
    try:
        items = json_input.array_items(raw, None if stored else json_input.MAX_JSON_DEPTH)
    except JsonTooDeep as error:
        raise PublishedDataError(f"not genai-prices data: {error}") from None
    except ValueError as error:  # not JSON, or not UTF-8
        raise PublishedDataError(f"not JSON: {str(error)[:120]}") from None
    if items is None:
        raise PublishedDataError("not genai-prices data: expected a JSON array of providers")
    return PublishedFile(
        data=[item for item, _text in items],
        texts=tuple(text for _item, text in items),
        providers=[],
    )


def read_published(raw: bytes, accepted: PublishedFile | None = None) -> PublishedFile:
    """genai-prices' providers from its published v2 data file (a JSON array of providers),
    validated by genai-prices' own parser. Raises PublishedDataError.

    With `accepted`, a file the installed genai-prices accepted whole (the snapshot in force),
    only what the new file writes differently is validated: genai-prices validates each
    provider, and each model in it, on its own, so a provider written exactly as before passes
    as before, and so does a model. `providers` then holds the providers that changed, each
    with only its changed models: what a day's refresh must check. On any failure the whole
    file is validated, so that the message names the place as it would without `accepted`.

    The parser is private (`UpdatePrices.fetch` uses it); tests/pricing/test_published.py
    fails loudly if a genai-prices upgrade moves or changes it."""
    from genai_prices.types import _providers_from_raw

    read = published_json(raw)
    parts = read.data if accepted is None else _written_differently(read, accepted)
    try:
        return replace(read, providers=_providers_from_raw(parts))
    except Exception as error:  # pydantic's ValidationError, or a ValueError from a type
        if accepted is not None:
            return read_published(raw)
        raise PublishedDataError(f"fails genai-prices' validation: {summary(error)}") from None


def _as_written(value: Any) -> str:
    # Type for type, as == is not (1 == 1.0 == True, and genai-prices takes 1 for a price, not
    # true); repr is json.dumps' answer at half the cost.
    return repr(value)


def _is_provider(value: Any) -> bool:
    """Shaped enough to be compared model by model (genai-prices says what else is wrong)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), str)
        and isinstance(value.get("models"), list)
    )


def _written_differently(read: PublishedFile, accepted: PublishedFile) -> list[Any]:
    """The providers of `read` that `accepted` does not write the same, each with only the
    models it does not write the same (all of them, for a provider it does not have)."""
    known = set(accepted.texts)
    old_providers = {
        provider["id"]: provider for provider in accepted.data if _is_provider(provider)
    }
    parts = []
    for provider, text in zip(read.data, read.texts, strict=True):
        if text in known:
            continue
        old = old_providers.get(provider.get("id")) if _is_provider(provider) else None
        if old is None:
            parts.append(provider)
            continue
        written = {_as_written(model) for model in old.get("models", [])}
        models = [model for model in provider["models"] if _as_written(model) not in written]
        parts.append({**provider, "models": models})
    return parts


def check_usable(providers: Sequence[Any]) -> None:
    """Raise PublishedDataError unless llmcost can price from these providers: the check a file
    passes before it is stored is the reading that uses it later."""
    try:
        catalog_from_providers(providers, None)
    except (ValueError, ArithmeticError) as error:  # pydantic's ValidationError is a ValueError
        # pydantic's first line only counts the errors: the next two say which and why.
        reason = summary(error, lines=3)
        raise PublishedDataError(f"holds prices llmcost cannot use: {reason}") from None


def installed_providers() -> list[Any]:
    """The providers of the installed genai-prices package, as it was released."""
    from genai_prices.data import providers

    return providers


def model_ids(providers: Sequence[Any]) -> set[str]:
    """Every "provider/model" a data file lists, priced or not."""
    return {
        f"{provider.id}/{model.id.lower()}" for provider in providers for model in provider.models
    }


@cache
def genai_prices_catalog() -> Catalog:
    """The installed package's data: what answers when no snapshot has been stored."""
    return catalog_from_providers(installed_providers(), None)


def catalog_from_providers(
    providers: Sequence[Any],
    snapshot: SnapshotInfo | None,
    prices_seen: Mapping[str, Sequence[SeenPrice]] | None = None,
) -> Catalog:
    """Tariffs from genai-prices providers; `snapshot` names the fetched file they came from
    (None: the installed package's own data), `prices_seen` when llmcost first saw each model's
    prices in a stored file (see `with_first_seen`)."""
    import genai_prices
    from genai_prices.data_snapshot import DataSnapshot

    data = snapshot.label if snapshot else f"genai-prices {genai_prices.__version__}"
    tariffs: list[Tariff] = []
    # genai-prices answers some provider/model pairs with another provider's model (Azure falls
    # back to OpenAI's), so matches are mapped back by the model object they returned.
    key_of_model: dict[int, str] = {}
    # Bare ids only resellers list ("sonar" on openrouter...), tried after genai-prices' rules.
    resold: dict[str, str] = {}
    for provider in sorted(providers, key=lambda p: _rank(p.id)):
        url = f", {provider.pricing_urls[0]}" if provider.pricing_urls else ""
        source = f"{data}: {provider.name}{url}"
        first_party = provider.id in FIRST_PARTY
        for model in provider.models:
            entries = tuple(_entries(model, source))
            if not entries:
                continue
            bare = model.id.lower()
            key = f"{provider.id}/{bare}"
            if prices_seen and key in prices_seen:
                entries = with_first_seen(entries, prices_seen[key], model, source)
            first_party = _is_makers(provider.id, bare)
            key_of_model[id(model)] = key
            if not first_party:
                resold.setdefault(bare, key)
            tariffs.append(
                Tariff(
                    model=key,
                    provider=provider.id,
                    name=proper_name(model.name, model.id),
                    aliases=(bare,) if first_party else (),
                    deprecated=bool(getattr(model, "deprecated", False)),
                    entries=entries,
                )
            )

    lookup = DataSnapshot(providers=list(providers), from_auto_update=snapshot is not None)

    def match(name: str) -> str | None:
        """genai-prices' own matching rules (dated snapshots, "claude-sonnet-4" for
        "claude-sonnet-4-0", Azure falling back to OpenAI), then ids only resellers list."""
        provider_id, _, model_ref = name.rpartition("/") if "/" in name else ("", "", name)
        try:
            _provider, model = lookup.find_provider_model(
                model_ref, None, provider_id or None, None
            )
        except LookupError:
            return resold.get(name)
        return key_of_model.get(id(model)) or resold.get(name)

    return Catalog(tariffs=tariffs, match=match)

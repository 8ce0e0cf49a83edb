"""The genai-prices catalog as tariffs: the breadth of today's models from many providers.

genai-prices is imported only here, and only when a name is not in our own tariffs, because
importing its data costs about 0.2 s of a cold start.
"""

from collections.abc import Iterator
from datetime import time
from decimal import Context, Decimal
from functools import cache

from pricing.money import plain_decimal
from pricing.tariffs import Catalog, LongContextRate, PriceEntry, RateVariant, Tariff

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


def _long_context(raw: dict[str, object]) -> tuple[LongContextRate, ...]:
    """genai-prices bills a whole request at a higher tier once its input passes a size."""
    from genai_prices.types import TieredPrices

    starts = sorted(
        {
            tier.start
            for value in raw.values()
            if isinstance(value, TieredPrices)
            for tier in value.tiers
        }
    )
    return tuple(
        LongContextRate(above=start, **_rates_at(raw, start + 1))  # type: ignore[arg-type]
        for start in starts
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
    from genai_prices.types import StartDateConstraint

    variants: dict[str, RateVariant] = {}
    for variant in getattr(model, "price_variants", None) or ():
        tier = next(
            (VARIANT_TIERS[item] for item in variant.when.items() if item in VARIANT_TIERS), None
        )
        if tier is None or tier in variants or len(variant.when) != 1:
            continue
        if variant.constraint is not None and not isinstance(
            variant.constraint, StartDateConstraint
        ):
            continue
        rates = _rates_at(_raw_prices(variant.prices), 0)
        if not rates:
            continue
        since = variant.constraint.start_date if variant.constraint else None
        variants[tier] = RateVariant(
            tier=tier,  # type: ignore[arg-type]
            since=since,
            recorded=since is not None,
            source=source,
            **rates,  # type: ignore[arg-type]
        )
    return tuple(variants.values())


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
        yield PriceEntry(
            effective=start,  # type: ignore[arg-type]
            context_window=model.context_window,  # type: ignore[attr-defined]
            long_context=_long_context(raw),
            variants=entry_variants,
            source=source,
            origin="genai-prices",
            **rates,  # type: ignore[arg-type]
        )


@cache
def genai_prices_catalog() -> Catalog:
    import genai_prices
    from genai_prices.data import providers
    from genai_prices.data_snapshot import get_snapshot

    tariffs: list[Tariff] = []
    # genai-prices answers some provider/model pairs with another provider's model (Azure falls
    # back to OpenAI's), so matches are mapped back by the model object they returned.
    key_of_model: dict[int, str] = {}
    # Bare ids only resellers list ("sonar" on openrouter...), tried after genai-prices' rules.
    resold: dict[str, str] = {}
    for provider in sorted(providers, key=lambda p: _rank(p.id)):
        url = f", {provider.pricing_urls[0]}" if provider.pricing_urls else ""
        source = f"genai-prices {genai_prices.__version__}: {provider.name}{url}"
        first_party = provider.id in FIRST_PARTY
        for model in provider.models:
            entries = tuple(_entries(model, source))
            if not entries:
                continue
            bare = model.id.lower()
            key = f"{provider.id}/{bare}"
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

    snapshot = get_snapshot()

    def match(name: str) -> str | None:
        """genai-prices' own matching rules (dated snapshots, "claude-sonnet-4" for
        "claude-sonnet-4-0", Azure falling back to OpenAI), then ids only resellers list."""
        provider_id, _, model_ref = name.rpartition("/") if "/" in name else ("", "", name)
        try:
            _provider, model = snapshot.find_provider_model(
                model_ref, None, provider_id or None, None
            )
        except LookupError:
            return resold.get(name)
        return key_of_model.get(id(model)) or resold.get(name)

    return Catalog(tariffs=tariffs, match=match)

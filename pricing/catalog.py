"""The genai-prices catalog as tariffs: the breadth of today's models from many providers.

genai-prices is imported only here, and only when a name is not in our own tariffs, because
importing its data costs about 0.2 s of a cold start.
"""

from collections.abc import Iterator
from decimal import Context, Decimal
from functools import cache

from pricing.money import plain_decimal
from pricing.tariffs import Catalog, LongContextRate, PriceEntry, Tariff

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


def _long_context(input_price: object, output_price: object) -> tuple[LongContextRate, ...]:
    """genai-prices bills a whole request at a higher tier once its input passes a size."""
    from genai_prices.types import TieredPrices

    starts = sorted(
        {
            tier.start
            for price in (input_price, output_price)
            if isinstance(price, TieredPrices)
            for tier in price.tiers
        }
    )
    return tuple(
        LongContextRate(
            above=start,
            input_per_mtok=_rate_at(input_price, start + 1),  # type: ignore[arg-type]
            output_per_mtok=_rate_at(output_price, start + 1),  # type: ignore[arg-type]
        )
        for start in starts
    )


def _entries(model: object, source: str) -> Iterator[PriceEntry]:
    from genai_prices.types import ConditionalPrice, ModelPrice, StartDateConstraint

    prices = model.prices  # type: ignore[attr-defined]
    dated: list[tuple[object, ModelPrice]]
    if isinstance(prices, ModelPrice):
        dated = [(None, prices)]
    else:
        # Time-of-day prices (off-peak discounts) are not a tariff change; keep dated ones only.
        dated = [
            (c.constraint.start_date if c.constraint else None, c.prices)
            for c in prices
            if isinstance(c, ConditionalPrice)
            and (c.constraint is None or isinstance(c.constraint, StartDateConstraint))
        ]
    for start, price in dated:
        input_price = getattr(price, "input_mtok", None)
        output_price = getattr(price, "output_mtok", None)
        input_rate, output_rate = _rate_at(input_price, 0), _rate_at(output_price, 0)
        if input_rate is None or output_rate is None:
            continue  # not priced per input and output token (embeddings, audio, images)
        yield PriceEntry(
            effective=start,  # type: ignore[arg-type]
            input_per_mtok=input_rate,
            output_per_mtok=output_rate,
            context_window=model.context_window,  # type: ignore[attr-defined]
            long_context=_long_context(input_price, output_price),
            source=source,
            origin="genai-prices",
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

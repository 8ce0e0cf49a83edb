"""genai-prices' data in its published v2 format (a JSON array of providers): written out from
the installed package, and compared file to file. Reading a file is pricing.catalog's job.

genai-prices' types do not serialise themselves, so `published_form` walks them: dataclasses
become objects of their set fields (`or_` and `and_` become `or` and `and`, as the schema names
them), a ModelPrice its prices, dates and times ISO 8601, Decimals JSON numbers as written.
tests/pricing/test_published.py checks the result reads back to the same providers.
"""

import dataclasses
import json
from collections.abc import Iterator, Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

from pricing.money import plain_decimal

# A file that would drop more than this share of the models known today is refused: a
# truncated or broken export, not a week's retirements.
MAX_DROPPED_SHARE = Decimal("0.2")


def published_form(value: object) -> Any:
    """genai-prices' objects as the JSON-ready values the published file holds."""
    from genai_prices.types import ModelPrice

    if isinstance(value, ModelPrice):
        return {
            key: published_form(price) for key, price in vars(value).items() if price is not None
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name.rstrip("_"): published_form(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if not field.name.startswith("_") and getattr(value, field.name) is not None
        }
    if isinstance(value, list | tuple):
        return [published_form(item) for item in value]
    if isinstance(value, dict):
        return {key: published_form(item) for key, item in value.items()}
    if isinstance(value, time | date):
        return value.isoformat()
    return value


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, Decimal):
            # A JSON number with the same digits: genai-prices reads it back to the same Decimal.
            return int(o) if o == o.to_integral_value() else float(o)
        return super().default(o)


def published_bytes(data: Sequence[Any]) -> bytes:
    return json.dumps(data, cls=_Encoder, separators=(",", ":")).encode()


def installed_data() -> list[dict[str, Any]]:
    """The installed package's providers as the published file holds them."""
    from genai_prices.data import providers

    data: list[dict[str, Any]] = published_form(providers)
    return data


def models_of(data: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """ "provider/model" -> the model's published entry."""
    return {
        f"{provider['id']}/{str(model['id']).lower()}": model
        for provider in data
        for model in provider.get("models", [])
    }


class FileChanges(BaseModel):
    """What a data file changes against the one in force."""

    model_config = ConfigDict(frozen=True)

    added: int
    dropped: int
    known_before: int
    prices_changed: int

    @property
    def models_changed(self) -> int:
        return self.added + self.dropped

    def too_many_dropped(self) -> str | None:
        """Why the file must be refused, or None: it drops more than a fifth of the models."""
        if self.known_before and self.dropped > self.known_before * MAX_DROPPED_SHARE:
            return (
                f"would drop {self.dropped} of the {self.known_before} models known today "
                f"(more than {MAX_DROPPED_SHARE:.0%})"
            )
        return None


_PRICE_FIELDS = ("prices", "price_variants")


def price_fields(model: dict[str, Any]) -> dict[str, Any]:
    """A published model's prices: what a first-seen date is recorded for."""
    return {field: model[field] for field in _PRICE_FIELDS if model.get(field) is not None}


def prices_to_record(before: Sequence[Any] | None, after: Sequence[Any]) -> list[tuple[str, str]]:
    """("provider/model", its prices as canonical JSON) for each model of `after` whose prices
    are new against `before`; every model when there is no `before` (the first stored file)."""
    old = models_of(before) if before is not None else {}
    return [
        (key, json.dumps(price_fields(model), sort_keys=True, separators=(",", ":")))
        for key, model in models_of(after).items()
        if before is None or key not in old or price_fields(old[key]) != price_fields(model)
    ]


def file_changes(before: Sequence[Any], after: Sequence[Any]) -> FileChanges:
    old, new = models_of(before), models_of(after)
    return FileChanges(
        added=len(new.keys() - old.keys()),
        dropped=len(old.keys() - new.keys()),
        known_before=len(old),
        prices_changed=sum(
            1
            for key in old.keys() & new.keys()
            if any(old[key].get(field) != new[key].get(field) for field in _PRICE_FIELDS)
        ),
    )


# No published rate is near these (the dearest today is $600 per 1M tokens): a rate above the
# bound, or one that moves more than MAX_MOVE-fold from the last good file, is a broken export.
MAX_RATE = Decimal(10_000)
MAX_MOVE = Decimal(20)
# Keys whose numbers are not prices: a tier's threshold in tokens.
_NOT_PRICES = frozenset({"start"})


class HeldBack(BaseModel):
    """A rate a file states that llmcost does not use: its model keeps its last good rates."""

    model_config = ConfigDict(frozen=True)

    model: str  # "provider/model"
    rate: str  # where in the model's prices, e.g. "prices.input_mtok"
    value: str
    reason: str

    def line(self) -> str:
        return f"{self.model} {self.rate} = {self.value} ({self.reason})"


def _rates(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every price number under a model's price fields, with where it stands."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _NOT_PRICES and key not in ("constraint", "when"):
                yield from _rates(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _rates(item, f"{path}[{index}]")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield path, value


def _impossible(value: Decimal, last_good: Decimal | None) -> str | None:
    """Why a rate cannot be used, or None."""
    if not value.is_finite():
        return "not a finite number"
    if value < 0:
        return "negative"
    if value > MAX_RATE:
        return f"above ${MAX_RATE:,} per unit"
    if last_good is not None and last_good > 0 and value > 0:
        move = max(value / last_good, last_good / value)
        if move > MAX_MOVE:
            return f"moves {move:.0f}-fold from the last good file's {plain_decimal(last_good)}"
    return None


def held_back_rates(
    model_key: str, new: dict[str, Any], old: dict[str, Any] | None
) -> list[HeldBack]:
    """The rates of one model's entry that cannot be used, checked against its last good
    entry (`old`, None for a model the last good file did not have)."""
    before = dict(_rates({f: old.get(f) for f in _PRICE_FIELDS}, "")) if old else {}
    found = []
    for path, number in _rates({f: new.get(f) for f in _PRICE_FIELDS}, ""):
        value = Decimal(str(number))
        was = before.get(path)
        reason = _impossible(value, Decimal(str(was)) if was is not None else None)
        if reason is not None:
            found.append(
                HeldBack(
                    model=model_key,
                    rate=path.lstrip("."),
                    value=plain_decimal(value),
                    reason=reason,
                )
            )
    return found


def hold_back(after: list[Any], before: Sequence[Any]) -> tuple[list[Any], list[HeldBack]]:
    """`after` with every model that states an impossible rate put back as the last good file
    (`before`) has it, or left out if that file did not have it; and what was held back."""
    old = models_of(before)
    held: list[HeldBack] = []
    kept = []
    for provider in after:
        if not isinstance(provider, dict) or not isinstance(provider.get("models"), list):
            kept.append(provider)  # not genai-prices data: its parser says what is wrong
            continue
        models = []
        for model in provider["models"]:
            if not isinstance(model, dict):
                models.append(model)
                continue
            key = f"{provider.get('id')}/{str(model.get('id')).lower()}"
            if model == old.get(key):
                # As in force already (where 1 == true, genai-prices' parser tells them apart).
                models.append(model)
                continue
            found = held_back_rates(key, model, old.get(key))
            held += found
            if not found:
                models.append(model)
            elif key in old:
                models.append(old[key])
        kept.append({**provider, "models": models})
    return kept, held

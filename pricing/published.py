"""genai-prices' data in its published v2 format (a JSON array of providers): written out from
the installed package, and compared file to file. Reading a file is pricing.catalog's job.

genai-prices' types do not serialise themselves, so `published_form` walks them: dataclasses
become objects of their set fields (`or_` and `and_` become `or` and `and`, as the schema names
them), a ModelPrice its prices, dates and times ISO 8601, Decimals JSON numbers as written.
tests/pricing/test_published.py checks the result reads back to the same providers.
"""

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, time
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

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

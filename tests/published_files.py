"""Data files in genai-prices' published format, for the refresh tests: the installed package's
own data written out (pricing.published), and edited copies of it."""

import copy
import functools
from collections.abc import Callable
from typing import Any

from pricing.published import installed_data, published_bytes

# A catalog-only model (no bundled tariff shadows it), and its price in the installed data.
CUT_MODEL = ("anthropic", "claude-sonnet-4-0")
CUT_FROM, CUT_TO = "3", "2.5"
NEW_MODEL = ("anthropic", "claude-llmcost-test-1")
RETIRED_MODEL = ("anthropic", "claude-2")
CACHE_MODEL = ("anthropic", "claude-opus-4-1")


@functools.cache
def _installed() -> list[dict[str, Any]]:
    return installed_data()


def installed_file() -> bytes:
    return published_bytes(_installed())


def edited(change: Callable[[list[dict[str, Any]]], None]) -> bytes:
    data = copy.deepcopy(_installed())
    change(data)
    return published_bytes(data)


def provider(data: list[dict[str, Any]], provider_id: str) -> dict[str, Any]:
    return next(p for p in data if p["id"] == provider_id)


def model(data: list[dict[str, Any]], provider_id: str, model_id: str) -> dict[str, Any]:
    return next(m for m in provider(data, provider_id)["models"] if m["id"] == model_id)


def cut_price(data: list[dict[str, Any]]) -> None:
    prices = model(data, *CUT_MODEL)["prices"]
    assert str(prices["input_mtok"]) == CUT_FROM
    prices["input_mtok"] = float(CUT_TO)


def add_model(data: list[dict[str, Any]]) -> None:
    provider(data, NEW_MODEL[0])["models"].append(
        {
            "id": NEW_MODEL[1],
            "name": "Claude llmcost test",
            "match": {"equals": NEW_MODEL[1]},
            "context_window": 200000,
            "prices": {"input_mtok": 1, "output_mtok": 5},
        }
    )


def retire_model(data: list[dict[str, Any]]) -> None:
    models = provider(data, RETIRED_MODEL[0])["models"]
    models.remove(model(data, *RETIRED_MODEL))


def change_cache_price(data: list[dict[str, Any]]) -> None:
    prices = model(data, *CACHE_MODEL)["prices"]
    prices["cache_read_mtok"] = float(prices["cache_read_mtok"]) / 2


def a_weeks_changes(data: list[dict[str, Any]]) -> None:
    """A price cut, a new model, a retired one and a cache price change."""
    for change in (cut_price, add_model, retire_model, change_cache_price):
        change(data)


def drop_half(data: list[dict[str, Any]]) -> None:
    for entry in data:
        entry["models"] = entry["models"][: len(entry["models"]) // 2]


# Hostile files: one impossible rate each (issue 19). The model keeps its last good rates.
POISONED_MODEL = ("anthropic", "claude-2")


def negative_rate(data: list[dict[str, Any]]) -> None:
    model(data, *POISONED_MODEL)["prices"]["input_mtok"] = -8


def absurd_rate(data: list[dict[str, Any]]) -> None:
    model(data, *POISONED_MODEL)["prices"]["input_mtok"] = 1e15


def twenty_fold_rate(data: list[dict[str, Any]]) -> None:
    prices = model(data, *POISONED_MODEL)["prices"]
    prices["output_mtok"] = float(prices["output_mtok"]) * 25

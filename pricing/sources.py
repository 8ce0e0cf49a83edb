"""Where tariffs come from: the bundled file, a user's own file, and the genai-prices catalog."""

import difflib
import tomllib
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pricing.errors import TariffFileError
from pricing.tariffs import Origin, PriceEntry, Tariff, TariffBook, normalize_name

BUNDLED = "tariffs.toml"
T = TypeVar("T")


class TariffRecord(BaseModel):
    """One [[tariff]] block: a model's prices from one date on. The file format users write."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    model: str = Field(min_length=1)
    provider: str | None = None
    name: str | None = None
    aliases: list[str] = []
    fine_tune_of: str | None = None
    retired: date | None = None
    context_window: int | None = Field(default=None, gt=0)
    effective: date
    # 12 significant digits is far past any published price, and keeps every cost exact.
    input_per_mtok: Decimal = Field(ge=0, max_digits=12)
    output_per_mtok: Decimal = Field(ge=0, max_digits=12)
    training_per_mtok: Decimal | None = Field(default=None, ge=0, max_digits=12)
    source: str | None = None


def read_tariff_file(text: str, label: str) -> list[TariffRecord]:
    """Parse and validate a whole file; any problem raises TariffFileError naming the file, the
    entry and the field, and nothing from the file is used."""
    try:
        # parse_float=Decimal: a price written as a bare number stays exact.
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise TariffFileError(f"{label} is not valid TOML: {exc}") from exc
    unknown = sorted(set(document) - {"tariff"})
    if unknown:
        raise TariffFileError(
            f"{label}: unknown section '{unknown[0]}'; prices go in [[tariff]] blocks.",
            suggestions=["[[tariff]]"],
        )
    blocks = document.get("tariff", [])
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        raise TariffFileError(f"{label}: 'tariff' must be a list of [[tariff]] blocks.")
    records = [_validate_block(block, number, label) for number, block in enumerate(blocks, 1)]
    _reject_repeated_dates(records, label)
    return records


def _validate_block(block: dict[str, Any], number: int, label: str) -> TariffRecord:
    try:
        return TariffRecord.model_validate(block)
    except ValidationError as exc:
        # A misspelt field also makes the real one "missing": name what the user wrote first.
        errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
        error = errors[0]
        field = ".".join(str(part) for part in error["loc"]) or "(entry)"
        model = block.get("model")
        which = f"entry {number}" + (f" (model '{model}')" if isinstance(model, str) else "")
        problem = error["msg"]
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(field, TariffRecord.model_fields, n=1)
            problem = (
                f"unknown field (did you mean '{close[0]}'?)"
                if close
                else f"unknown field; allowed fields are {', '.join(TariffRecord.model_fields)}"
            )
        more = len(errors) - 1
        tail = f" ({more} more problem{'s' if more > 1 else ''} in this entry)" if more else ""
        raise TariffFileError(f"{label}, {which}, field '{field}': {problem}{tail}") from exc


def _reject_repeated_dates(
    records: list[TariffRecord], label: str, identify: Callable[[str], str] = normalize_name
) -> None:
    """One price per model and date. `identify` says which names are one model: within a file,
    spellings; against a tariff book, also an id and its alias ("gpt-4", "gpt-4-8k")."""
    first_seen: dict[tuple[str, date], int] = {}
    for number, record in enumerate(records, 1):
        key = (identify(record.model), record.effective)
        if key in first_seen:
            earlier = records[first_seen[key] - 1].model
            same = "" if earlier == record.model else f" for '{earlier}', the same model,"
            raise TariffFileError(
                f"{label}, entry {number} (model '{record.model}'): a price{same} for "
                f"{record.effective.isoformat()} was already given in entry {first_seen[key]}."
            )
        first_seen[key] = number


def tariffs_from_records(
    records: Iterable[TariffRecord], origin: Origin, default_source: str
) -> list[Tariff]:
    """Group blocks by model into tariffs; model-level fields may sit on any of a model's blocks."""
    grouped: dict[str, list[TariffRecord]] = {}
    for record in records:
        grouped.setdefault(normalize_name(record.model), []).append(record)
    tariffs = []
    for key, group in grouped.items():
        entries = sorted(group, key=lambda record: record.effective)
        tariffs.append(
            Tariff(
                model=key,
                provider=_first(record.provider for record in group) or "",
                name=_first(record.name for record in group),
                aliases=tuple(
                    dict.fromkeys(normalize_name(a) for record in group for a in record.aliases)
                ),
                fine_tune_of=_first(record.fine_tune_of for record in group),
                retired=_first(record.retired for record in group),
                entries=tuple(
                    PriceEntry(
                        effective=record.effective,
                        input_per_mtok=record.input_per_mtok,
                        output_per_mtok=record.output_per_mtok,
                        training_per_mtok=record.training_per_mtok,
                        context_window=record.context_window,
                        source=record.source or default_source,
                        origin=origin,
                    )
                    for record in entries
                ),
            )
        )
    return tariffs


def _first(values: Iterable[T | None]) -> T | None:
    return next((value for value in values if value is not None), None)


def bundled_tariffs() -> list[Tariff]:
    text = resources.files("pricing.data").joinpath(BUNDLED).read_text(encoding="utf-8")
    records = read_tariff_file(text, label=f"bundled {BUNDLED}")
    return tariffs_from_records(records, origin="bundled", default_source="llmcost bundled tariffs")


def _read_user_file(path: Path) -> list[TariffRecord]:
    label = f"tariffs file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TariffFileError(f"{label} does not exist.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise TariffFileError(f"{label} could not be read: {exc}") from exc
    return read_tariff_file(text, label=label)


def user_tariffs(path: Path) -> list[Tariff]:
    return _user_tariffs_from(_read_user_file(path), path)


def _user_tariffs_from(records: list[TariffRecord], path: Path) -> list[Tariff]:
    return tariffs_from_records(records, origin="user", default_source=f"your tariffs file {path}")


def load_book(user_file: Path | None = None, *, with_catalog: bool = True) -> TariffBook:
    """Bundled tariffs, overridden or extended by the user's file, over the genai-prices
    catalog (loaded lazily, on the first name the upper layers do not know)."""
    from pricing.catalog import genai_prices_catalog

    catalog = genai_prices_catalog if with_catalog else None
    own = bundled_tariffs()
    if user_file is None:
        return TariffBook(own, catalog)
    base = TariffBook(own, catalog)
    records = _read_user_file(user_file)

    def identify(name: str) -> str:
        known = base.find(name)
        return known.model if known else normalize_name(name)

    _reject_repeated_dates(records, f"tariffs file {user_file}", identify)
    merged: dict[int, Tariff] = {}
    added: list[Tariff] = []
    for tariff in _user_tariffs_from(records, user_file):
        existing = base.find(tariff.model)
        for alias in tariff.aliases:
            # An alias must not quietly take a name another model already answers to.
            other = base.find(alias)
            if other is not None and other is not existing:
                raise TariffFileError(
                    f"tariffs file {user_file}, model '{tariff.model}': the alias '{alias}' "
                    f"already names {other.model}. To change {other.model}'s prices, write "
                    f'model = "{alias}"; otherwise pick another alias.',
                )
        if existing is None:
            added.append(tariff.model_copy(update={"provider": tariff.provider or "custom"}))
        else:
            merged[id(existing)] = merged.get(id(existing), existing).merged_with(tariff)
    replaced = [merged.pop(id(tariff), tariff) for tariff in own]
    # What is left in `merged` overrides catalog models; it joins our own layer so it wins.
    return TariffBook([*added, *replaced, *merged.values()], catalog)

"""Where tariffs come from: the bundled file, a user's own file, and the genai-prices catalog."""

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pricing.errors import TariffFileError
from pricing.tariff_input import check_nesting, read_tariffs_text
from pricing.tariffs import (
    RATE_KINDS,
    Catalog,
    Lifecycle,
    Origin,
    PriceEntry,
    RateVariant,
    Tariff,
    TariffBook,
    TrainingStop,
    normalize_name,
)

BUNDLED = "tariffs.toml"
T = TypeVar("T")

# ASCII digits only ("[0-9]", not "\d", which also takes full-width and Arabic-Indic digits); no
# sign, exponent or underscore, so that what is written is what is charged and shown.
PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")
# Control and format characters (newlines, escapes, zero-width joiners) in a name would be
# invisible or break a line in an answer.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Co", "Cs", "Cn"})
_SHOWN_LENGTH = 40


def shown(text: str) -> str:
    """`text` safe to quote in a one-line message: unprintable characters escaped, cut short."""
    safe = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)
    return safe if len(safe) <= _SHOWN_LENGTH else safe[: _SHOWN_LENGTH - 1] + "…"


@dataclass(frozen=True)
class TomlNumber:
    """A bare TOML float as written, so that it meets the same rules as a price in quotes."""

    literal: str


def plain_price(value: object) -> object:
    """A price as an exact Decimal, from plain digits with at most one decimal point: a string
    ("2.50"), a bare TOML number written the same way, or a whole TOML integer."""
    if isinstance(value, bool):
        return value  # left for pydantic to refuse: TOML's true is not 1
    if isinstance(value, TomlNumber | str):
        text = value.literal if isinstance(value, TomlNumber) else value.strip()
        if not PLAIN_DECIMAL.fullmatch(text):
            raise PydanticCustomError(
                "plain_price",
                'write a price as plain digits with at most one decimal point, like "2.50" '
                "(got '{got}')",
                {"got": shown(text)},
            )
        return Decimal(text)
    return value


def plain_name(name: str) -> str:
    """A model, alias or provider name: real ids ("ft:gpt-3.5-turbo:acme::abc123",
    "openai/gpt-4o-mini-2024-07-18") pass; a name nobody could type or see does not."""
    if not any(ch.isalnum() for ch in name):
        raise PydanticCustomError(
            "plain_name", "a name needs a letter or a digit (got '{got}')", {"got": shown(name)}
        )
    if any(ch.isspace() or unicodedata.category(ch) in _UNPRINTABLE for ch in name):
        raise PydanticCustomError(
            "plain_name",
            "a name may not hold spaces or control characters (got '{got}')",
            {"got": shown(name)},
        )
    return name


# 12 significant digits is far past any published price, and keeps every cost exact.
Price = Annotated[Decimal, BeforeValidator(plain_price), Field(ge=0, max_digits=12)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(plain_name)]


WINDOW = re.compile(r"(?P<start>[0-9]{2}:[0-9]{2})-(?P<end>[0-9]{2}:[0-9]{2})")


def plain_window(text: str) -> tuple[time, time]:
    """'16:30-00:30': a daily window in UTC, [start, end), wrapping midnight when end < start."""
    match = WINDOW.fullmatch(text.strip())
    try:
        if match is None:
            raise ValueError
        start, end = time.fromisoformat(match["start"]), time.fromisoformat(match["end"])
    except ValueError:
        raise PydanticCustomError(
            "plain_window",
            'write a window of hours in UTC as "HH:MM-HH:MM", like "16:30-00:30" (got \'{got}\')',
            {"got": shown(text)},
        ) from None
    if start == end:
        raise PydanticCustomError(
            "plain_window", "a window must not start and end at once (got '{got}')", {"got": text}
        )
    return start, end


Window = Annotated[tuple[time, time], BeforeValidator(plain_window)]


class TierRecord(BaseModel):
    """A [tariff.batch], [tariff.flex] or [tariff.priority] table: that tier's rates, each
    optional (an unstated one is the standard rate), from `since` (the block's date if not
    given) on."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    input_per_mtok: Price | None = None
    output_per_mtok: Price | None = None
    cache_read_per_mtok: Price | None = None
    cache_write_per_mtok: Price | None = None
    cache_write_1h_per_mtok: Price | None = None
    since: date | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _states_a_rate(self) -> "TierRecord":
        if not any(getattr(self, f"{kind}_per_mtok") is not None for kind in RATE_KINDS):
            raise ValueError("give at least one rate, e.g. input_per_mtok")
        return self


class OffPeakRecord(TierRecord):
    """[tariff.off_peak]: cheaper rates in daily windows of hours, in UTC."""

    hours: list[Window] = Field(min_length=1)


class TariffRecord(BaseModel):
    """One [[tariff]] block: a model's prices from one date on. The file format users write."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    model: Name
    provider: Name | None = None
    name: str | None = None
    aliases: list[Name] = []
    fine_tune_of: Name | None = None
    retired: date | None = None
    context_window: int | None = Field(default=None, gt=0)
    effective: date
    input_per_mtok: Price
    output_per_mtok: Price
    training_per_mtok: Price | None = None
    cache_read_per_mtok: Price | None = None
    cache_write_per_mtok: Price | None = None
    cache_write_1h_per_mtok: Price | None = None
    batch: TierRecord | None = None
    flex: TierRecord | None = None
    priority: TierRecord | None = None
    off_peak: OffPeakRecord | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _tiers_start_with_or_after_the_price(self) -> "TariffRecord":
        for tier in VARIANT_FIELDS:
            record = getattr(self, tier)
            if record is not None and record.since is not None and record.since < self.effective:
                raise ValueError(
                    f"{tier}.since ({record.since.isoformat()}) is before this price's "
                    f"effective date ({self.effective.isoformat()})"
                )
        return self

    def variants(self) -> tuple[RateVariant, ...]:
        return tuple(
            RateVariant(
                tier=tier,  # type: ignore[arg-type]
                since=record.since,
                windows=tuple(getattr(record, "hours", ())),
                source=record.source,
                **{f"{kind}_per_mtok": getattr(record, f"{kind}_per_mtok") for kind in RATE_KINDS},
            )
            for tier in VARIANT_FIELDS
            if (record := getattr(self, tier)) is not None
        )


VARIANT_FIELDS = ("batch", "flex", "priority", "off_peak")


class LifecycleRecord(BaseModel):
    """One [[lifecycle]] block: when a model (ours or the catalog's, by id or alias) was
    released or shuts down, as its vendor announced it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    model: Name
    released: date | None = None
    retired: date | None = None
    announced: date | None = None
    replacement: Name | None = None
    with_fine_tunes: bool = False
    source: str = Field(min_length=1)


class TrainingStopRecord(BaseModel):
    """One [[training_stop]] block: from `stops` on, `who` cannot start new fine-tuning jobs
    on `provider`'s models (or only on `models`)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    provider: Name
    models: list[Name] = []
    announced: date
    stops: date
    who: str = Field(min_length=1)
    source: str = Field(min_length=1)


SECTIONS: dict[str, type[BaseModel]] = {
    "tariff": TariffRecord,
    "lifecycle": LifecycleRecord,
    "training_stop": TrainingStopRecord,
}


@dataclass(frozen=True)
class TariffDocument:
    """A tariffs file: prices, and the dates models come and go."""

    tariffs: list[TariffRecord]
    lifecycles: list[Lifecycle]
    training_stops: list[TrainingStop]


def read_tariff_file(text: str, label: str) -> list[TariffRecord]:
    """Parse and validate a whole file; any problem raises TariffFileError naming the file, the
    entry and the field, and nothing from the file is used."""
    return read_tariff_document(text, label).tariffs


def read_tariff_document(text: str, label: str) -> TariffDocument:
    """Parse and validate tariffs, lifecycles and training stops. Text nobody vetted goes
    through `check_nesting` first (`_read_user_document` does)."""
    try:
        # A bare float is kept as written: a price written as a bare number stays exact.
        document = tomllib.loads(text, parse_float=TomlNumber)
    except tomllib.TOMLDecodeError as exc:
        raise TariffFileError(f"{label} is not valid TOML: {exc}") from exc
    unknown = sorted(set(document) - set(SECTIONS))
    if unknown:
        raise TariffFileError(
            f"{label}: unknown section '{unknown[0]}'; prices go in [[tariff]] blocks "
            "(and shutdown dates in [[lifecycle]] blocks).",
            suggestions=["[[tariff]]"],
        )
    sections: dict[str, list[Any]] = {}
    for section, record_type in SECTIONS.items():
        blocks = document.get(section, [])
        if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
            raise TariffFileError(f"{label}: '{section}' must be a list of [[{section}]] blocks.")
        sections[section] = [
            _validate_block(block, number, label, record_type, section)
            for number, block in enumerate(blocks, 1)
        ]
    records: list[TariffRecord] = sections["tariff"]
    _reject_repeated_dates(records, label)
    _reject_shared_names(records, label)
    _reject_contradictions(records, label)
    return TariffDocument(
        tariffs=records,
        lifecycles=_lifecycles(sections["lifecycle"], label),
        training_stops=[
            TrainingStop(**{**record.model_dump(), "models": tuple(record.models)})
            for record in sections["training_stop"]
        ],
    )


def _lifecycles(records: list[LifecycleRecord], label: str) -> list[Lifecycle]:
    """One lifecycle per model, in order: released, announced, then shut down."""
    seen: dict[str, int] = {}
    for number, record in enumerate(records, 1):
        where = f"{label}, lifecycle entry {number} (model '{shown(record.model)}')"
        key = normalize_name(record.model)
        if key in seen:
            raise TariffFileError(f"{where}: the model already has lifecycle entry {seen[key]}.")
        seen[key] = number
        if record.released is None and record.retired is None:
            raise TariffFileError(f"{where}: give 'released', 'retired' or both.")
        if record.announced is not None and record.retired is None:
            raise TariffFileError(f"{where}, field 'announced': a shutdown needs 'retired'.")
        order = [("released", record.released), ("announced", record.announced)]
        for field, earlier in order:
            if earlier is not None and record.retired is not None and earlier > record.retired:
                raise TariffFileError(
                    f"{where}, field '{field}': {earlier.isoformat()} is after the shutdown, "
                    f"{record.retired.isoformat()}."
                )
    return [
        Lifecycle(**{**record.model_dump(), "model": normalize_name(record.model)})
        for record in records
    ]


def _validate_block(
    block: dict[str, Any],
    number: int,
    label: str,
    record_type: type[BaseModel] = TariffRecord,
    section: str = "tariff",
) -> Any:
    try:
        return record_type.model_validate(block)
    except ValidationError as exc:
        # A misspelt field also makes the real one "missing": name what the user wrote first.
        errors = sorted(exc.errors(), key=lambda error: error["type"] != "extra_forbidden")
        error = errors[0]
        field = ".".join(str(part) for part in error["loc"]) or "(entry)"
        model = block.get("model")
        kind = "" if section == "tariff" else f"{section} "
        which = f"{kind}entry {number}" + (
            f" (model '{shown(model)}')" if isinstance(model, str) else ""
        )
        problem = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            # In a [tariff.batch]-like table, the fields of that table are the ones allowed.
            table = error["loc"][0] if len(error["loc"]) > 1 and section == "tariff" else None
            fields_of = (
                OffPeakRecord if table == "off_peak" else TierRecord if table else record_type
            )
            allowed = list(fields_of.model_fields)
            close = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1)
            prefix = f"{table}." if table else ""
            problem = (
                f"unknown field (did you mean '{prefix}{close[0]}'?)"
                if close
                else f"unknown field; allowed fields are {', '.join(allowed)}"
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


def _names_given(record: TariffRecord) -> Iterable[tuple[str, str]]:
    """(name, field) for every name a block makes its model answer to, as the book indexes it."""
    yield record.model, "model"
    for alias in record.aliases:
        yield alias, "aliases"
    if record.provider and "/" not in record.model:
        yield f"{record.provider}/{record.model}", "provider"


def _reject_shared_names(records: list[TariffRecord], label: str) -> None:
    """A name answers for one model only: an alias that is another model's name (or alias)
    would make the answer depend on which block came first."""
    owner: dict[str, tuple[str, int]] = {}
    for number, record in enumerate(records, 1):
        model = normalize_name(record.model)
        for name, field in _names_given(record):
            other, first = owner.setdefault(normalize_name(name), (model, number))
            if other != model:
                raise TariffFileError(
                    f"{label}, entry {number} (model '{shown(record.model)}'), field '{field}': "
                    f"'{shown(name)}' already names the model '{shown(other)}' (entry {first}); "
                    "a name may belong to one model only."
                )


def _reject_contradictions(records: list[TariffRecord], label: str) -> None:
    """A model that is its own base, or a block that retires its model before its own price
    starts. (A later block may still price a retired model: catalogs keep listing them.)"""
    for number, record in enumerate(records, 1):
        where = f"{label}, entry {number} (model '{shown(record.model)}')"
        own_names = {normalize_name(name) for name, _field in _names_given(record)}
        if record.fine_tune_of is not None and normalize_name(record.fine_tune_of) in own_names:
            raise TariffFileError(
                f"{where}, field 'fine_tune_of': a model cannot be a fine-tune of itself; "
                "name the base model it was trained from."
            )
        if record.retired is not None and record.retired < record.effective:
            raise TariffFileError(
                f"{where}, field 'retired': {record.retired.isoformat()} is before this "
                f"price's effective date, {record.effective.isoformat()}."
            )


def _reject_unknown_bases(
    records: list[TariffRecord], label: str, known: Callable[[str], bool]
) -> None:
    """`fine_tune_of` names a model of this file or one `known` to the book it joins."""
    own = {normalize_name(name) for record in records for name, _field in _names_given(record)}
    for number, record in enumerate(records, 1):
        base = record.fine_tune_of
        if base is not None and normalize_name(base) not in own and not known(base):
            raise TariffFileError(
                f"{label}, entry {number} (model '{shown(record.model)}'), field 'fine_tune_of': "
                f"no model called '{shown(base)}' is known; name the base model by its id."
            )


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
                        cache_read_per_mtok=record.cache_read_per_mtok,
                        cache_write_per_mtok=record.cache_write_per_mtok,
                        cache_write_1h_per_mtok=record.cache_write_1h_per_mtok,
                        variants=record.variants(),
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


def bundled_document() -> TariffDocument:
    text = resources.files("pricing.data").joinpath(BUNDLED).read_text(encoding="utf-8")
    label = f"bundled {BUNDLED}"
    document = read_tariff_document(text, label=label)
    # A base named provider/model is the catalog's (checked by a test, since loading the
    # catalog here would cost every start ~0.6 s).
    _reject_unknown_bases(document.tariffs, label, known=lambda name: "/" in name)
    return document


def bundled_tariffs() -> list[Tariff]:
    return tariffs_from_records(
        bundled_document().tariffs, origin="bundled", default_source="llmcost bundled tariffs"
    )


def _read_user_document(path: Path) -> TariffDocument:
    """A file nobody vetted: capped, scanned for nesting before the parser sees it (the bundled
    file is ours, and tests/pricing/test_tariff_input.py scans it), then read as any other."""
    label = f"tariffs file {path}"
    text = read_tariffs_text(path, label)
    check_nesting(text, label)
    return read_tariff_document(text, label=label)


def _read_user_file(path: Path) -> list[TariffRecord]:
    return _read_user_document(path).tariffs


def user_tariffs(path: Path) -> list[Tariff]:
    return _user_tariffs_from(_read_user_file(path), path)


def _user_tariffs_from(records: list[TariffRecord], path: Path) -> list[Tariff]:
    return tariffs_from_records(records, origin="user", default_source=f"your tariffs file {path}")


def load_book(
    user_file: Path | None = None,
    *,
    with_catalog: bool = True,
    catalog: Callable[[], Catalog] | None = None,
) -> TariffBook:
    """Bundled tariffs, overridden or extended by the user's file, over the genai-prices
    catalog (loaded lazily, on the first name the upper layers do not know): `catalog` loads
    it, by default from the installed package's data."""
    if with_catalog and catalog is None:
        from pricing.catalog import genai_prices_catalog

        catalog = genai_prices_catalog
    elif not with_catalog:
        catalog = None
    bundled = bundled_document()
    own = tariffs_from_records(
        bundled.tariffs, origin="bundled", default_source="llmcost bundled tariffs"
    )
    if user_file is None:
        return TariffBook(own, catalog, bundled.lifecycles, bundled.training_stops)
    base = TariffBook(own, catalog)
    document = _read_user_document(user_file)
    records = document.tariffs

    def identify(name: str) -> str:
        known = base.find(name)
        return known.model if known else normalize_name(name)

    _reject_repeated_dates(records, f"tariffs file {user_file}", identify)
    _reject_unknown_bases(
        records, f"tariffs file {user_file}", known=lambda name: base.find(name) is not None
    )
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
    return TariffBook(
        [*added, *replaced, *merged.values()],
        catalog,
        [*bundled.lifecycles, *document.lifecycles],
        [*bundled.training_stops, *document.training_stops],
    )

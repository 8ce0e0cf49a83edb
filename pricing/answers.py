"""What the engine answers, as data: built once, rendered as Block Kit, text or JSON.

Money fields are Decimal and serialise to plain decimal strings; renderers never compute prices.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from pricing.money import Money
from pricing.quantities import Ratio
from pricing.query import Period, Usage
from pricing.tariffs import RateKind, Tier


class _Frozen(BaseModel):
    # Each model's validator is built when it is first used: a terminal, started for one
    # question, builds only its own answer's. A server builds them all first (`build_all`).
    model_config = ConfigDict(frozen=True, defer_build=True)


class PricePart(_Frozen):
    """One dimension of a priced usage: so many tokens of one kind at one rate."""

    kind: RateKind
    tokens: int
    per_mtok: Money
    usd: Money


class RequestFee(_Frozen):
    """A fee per request, whatever its size: so many requests at a price per 1,000."""

    requests: int
    per_k_requests: Money
    usd: Money


class Rate(_Frozen):
    """One rate of a model's price: a dimension on a tier, per million tokens."""

    kind: RateKind
    tier: Tier
    per_mtok: Money
    # A tier that started after the price's own date; the daily hours (UTC) of off-peak rates.
    since: date | None = None
    hours: tuple[str, ...] = ()


class PricedRow(_Frozen):
    """One model's cost for the tokens asked about."""

    model: str  # as the user named it
    model_id: str
    name: str
    provider: str
    input_tokens: int
    output_tokens: int
    input_per_mtok: Money
    output_per_mtok: Money
    # Every input-side part (uncached input, cache reads and writes), then the output part.
    input_usd: Money
    output_usd: Money
    total_usd: Money
    per_request_usd: Money | None = None
    # The tier the rates came from, and the cost per dimension (with the request fee, if any,
    # they sum to total_usd).
    tier: Tier = "standard"
    parts: tuple[PricePart, ...] = ()
    request_fee: RequestFee | None = None
    context_window: int | None
    # Whether one request fits the context window; None when request sizes are not known.
    fits_context: bool | None = None
    effective: date | None
    source: str
    # Where a shutdown the warnings state comes from (the vendor's notice).
    lifecycle_source: str | None = None
    warnings: tuple[str, ...] = ()


class TariffRow(_Frozen):
    """One model's prices (per million tokens) from one date on."""

    model: str
    name: str
    provider: str
    aliases: tuple[str, ...] = ()
    input_per_mtok: Money
    output_per_mtok: Money
    training_per_mtok: Money | None
    context_window: int | None
    effective: date | None
    retired: date | None
    source: str
    # Every rate beyond the standard input and output ones too: cache rates, tier variants.
    rates: tuple[Rate, ...] = ()
    lifecycle_source: str | None = None


class _Answer(_Frozen):
    as_of: date
    title: str
    # The one line a reader wants first (the verdict); every face shows it above the details.
    summary: str | None = None
    notes: tuple[str, ...] = ()
    # Sources of notes that no row carries (a fine-tuning wind-down notice).
    note_sources: tuple[str, ...] = ()
    # How the question was read: its canonical words (they give this answer when pasted), and
    # the words it held that carry no price meaning and were left out.
    read_as: str | None = None
    ignored: tuple[str, ...] = ()

    @property
    def ignored_said(self) -> str:
        """' (ignored: api, please)', or nothing: how every face names the words left out."""
        return f" (ignored: {', '.join(self.ignored)})" if self.ignored else ""

    @property
    def read_as_line(self) -> str | None:
        """'Read as: cost gpt-5-nano 3M in 1M out batch (ignored: api)', in plain text."""
        return None if self.read_as is None else f"Read as: {self.read_as}{self.ignored_said}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sources(self) -> list[str]:
        """Where the prices in this answer come from, each once."""
        rows: Sequence[PricedRow | TariffRow | BudgetRow | TrainingRow | LifecycleRow] = getattr(
            self, "rows", ()
        )
        extra = [source for source in (getattr(self, "training_source", None),) if source]
        dated = [getattr(row, "lifecycle_source", None) for row in rows]
        return list(
            dict.fromkeys(
                [
                    *extra,
                    *(row.source for row in rows),
                    *(source for source in dated if source),
                    *self.note_sources,
                ]
            )
        )


class PricedAnswer(_Answer):
    """compare and cost: rows in the order the models were named."""

    kind: Literal["compare", "cost", "cheapest"]
    usage: Usage
    # The input:output split applied to a total nobody split: said, so nobody has to guess.
    assumed_split: Ratio | None = None
    rows: tuple[PricedRow, ...]
    cheapest: str | None = None
    # "per month": the amounts, and so the totals, are for one such period (as in a budget).
    period: Period | None = None
    period_days: int | Decimal | None = None


class FinetuneAnswer(_Answer):
    kind: Literal["finetune"] = "finetune"
    model: str
    model_id: str
    name: str
    training_tokens: int
    epochs: int
    trained_tokens: int
    training_per_mtok: Money
    training_usd: Money
    input_per_mtok: Money
    output_per_mtok: Money
    effective: date | None
    training_source: str


class TokenStats(_Frozen):
    """Token counts of a training file's valid examples under one encoding."""

    encoding: str
    total: int
    min: int
    mean: float
    median: float
    p90: float
    max: int


class FileErrorRow(_Frozen):
    line: int
    message: str


class TrainingRow(_Frozen):
    """One fine-tunable model's price for a training file; `training_usd` None when it cannot
    train on it (the reason is in `warnings`)."""

    model: str  # the base model, as named or as listed
    model_id: str  # the fine-tuned model's tariff
    name: str
    provider: str
    encoding: str
    estimated_tokens: bool  # counted with an OpenAI encoding for another vendor's model
    cap: int | None  # longest training example; None when not published
    over_cap: int
    training_tokens: int  # the capped total of one epoch
    trained_tokens: int  # epochs x that: billed
    training_per_mtok: Money
    training_usd: Money | None
    request_input_tokens: int
    request_output_tokens: int
    request_usd: Money
    breakeven_requests: int | None = None
    effective: date | None
    source: str
    # Where a shutdown, and the end of new fine-tuning jobs, the warnings state come from.
    lifecycle_source: str | None = None
    stop_sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


class FinetuneFileAnswer(_Answer):
    kind: Literal["finetune_file"] = "finetune_file"
    file: str
    format: str  # chat, preference or prompt_completion
    format_name: str
    examples: int
    invalid: int
    errors: tuple[FileErrorRow, ...]
    error_counts: dict[str, int]
    tokens: TokenStats
    epochs: int
    epochs_rule: Literal["given", "default"]
    validation_examples: int | None = None
    validation_tokens: int | None = None
    rows: tuple[TrainingRow, ...]
    vs: str | None = None
    vs_prompt: int | None = None
    vs_request_usd: Money | None = None
    # Providers or models whose training is not priced per token, each with why.
    not_priced: tuple[str, ...] = ()


class BreakevenAnswer(_Answer):
    """rows: the fine-tuned model's and the base model's cost of one request."""

    kind: Literal["breakeven"] = "breakeven"
    rows: tuple[PricedRow, PricedRow]
    training_tokens: int
    epochs: int
    training_usd: Money
    saving_per_request_usd: Money
    breakeven_requests: int | None
    training_source: str


class TokenCountRow(_Frozen):
    encoding: str
    tokens: int
    used_by: str


class TokensAnswer(_Answer):
    kind: Literal["tokens"] = "tokens"
    characters: int
    counts: tuple[TokenCountRow, ...]
    rows: tuple[PricedRow, ...]


class TableAnswer(_Answer):
    """models, price and history: tariff rows."""

    kind: Literal["models", "price", "history"]
    rows: tuple[TariffRow, ...]
    matched: int


class LifecycleRow(_Frozen):
    """When one model came and goes: release, shutdown (done or scheduled) with its notice and
    substitute, and when new fine-tuning jobs on it stop."""

    model: str
    name: str
    provider: str
    released: date | None
    shutdown: date | None
    announced: date | None = None
    substitute: str | None = None
    status: str  # "available", "shuts down on 2026-10-23", "shut down on 2025-07-14"
    fine_tuning: str | None = None  # when new fine-tuning jobs stopped or stop
    source: str


class LifecycleAnswer(_Answer):
    """lifecycle: one model's dates, or a maker's models shut down (or scheduled to) in a year."""

    kind: Literal["lifecycle"] = "lifecycle"
    rows: tuple[LifecycleRow, ...]


class BudgetRow(_Frozen):
    """What a budget buys on one model: whole requests of the size asked (for the period, and a
    day), or, without a request size, whole tokens at the split."""

    model: str  # as the user named it
    model_id: str
    name: str
    provider: str
    input_per_mtok: Money
    output_per_mtok: Money
    per_request_usd: Money | None  # None without a request size
    requests: int | None  # None without a request size, or when one request cannot be had
    requests_per_day: int | None  # with a period
    tokens: int | None  # without a request size
    tokens_per_day: int | None  # without a request size, with a period
    context_window: int | None
    fits_context: bool | None
    effective: date | None
    source: str
    warnings: tuple[str, ...] = ()


class BudgetAnswer(_Answer):
    """budget: rows most first (requests, or tokens without a request size)."""

    kind: Literal["budget"] = "budget"
    budget_usd: Money
    period: Period | None
    period_days: int | Decimal | None
    request: Usage | None  # the size of one request
    split: Ratio | None  # how tokens divide without a request size
    # The input:output split applied to a total nobody split: said, so nobody has to guess.
    assumed_split: Ratio | None = None
    rows: tuple[BudgetRow, ...]


class HelpAnswer(_Answer):
    kind: Literal["help"] = "help"
    topic: str | None
    lines: tuple[str, ...]
    examples: tuple[str, ...]


Answer = Annotated[
    PricedAnswer
    | FinetuneAnswer
    | BreakevenAnswer
    | FinetuneFileAnswer
    | TokensAnswer
    | TableAnswer
    | BudgetAnswer
    | LifecycleAnswer
    | HelpAnswer,
    Field(discriminator="kind"),
]


def build_all() -> None:
    """Build every answer model's validator now: before a server answers, so that no question
    pays for it and no two threads build one at once."""
    for model in _Frozen.__subclasses__():
        _build(model)


def _build(model: type[BaseModel]) -> None:
    model.model_rebuild(force=True)
    for subclass in model.__subclasses__():
        _build(subclass)

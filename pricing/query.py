"""What every question shares: token amounts (Usage) and the base of each verb's Query model.

Each verb's own Query model lives in its module under `pricing.verbs`;
`pricing.verbs.registry.query_union()` is their union."""

from datetime import date, time
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pricing.quantities import DEFAULT_SPLIT, Ratio

Period = Literal["hour", "day", "week", "month", "quarter", "year"]

# The tiers a question can ask for; not saying one means the standard rate.
AskedTier = Literal["batch", "flex", "priority", "off_peak"]


class CacheTokens(NamedTuple):
    """How many of one request's input tokens are cache reads and cache writes."""

    read: int
    write: int
    write_1h: int


class FrozenQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Usage(FrozenQuery):
    """Token amounts: a total split input:output, or explicit input and/or output; per request
    when `requests` is given, otherwise for the whole workload."""

    total: int | None = Field(default=None, ge=0)
    input: int | None = Field(default=None, ge=0)
    output: int | None = Field(default=None, ge=0)
    split: Ratio | None = None
    requests: int | None = Field(default=None, ge=1)
    # "per month": the amounts are one period's, and so are the totals priced from them.
    period: Period | None = None
    # Cache reads, as a share of the input ("90% cached") or an amount ("cached 200k"), and
    # cache writes at the 5-minute and 1-hour rates: all part of the input tokens, per request
    # when `requests` is given. A share of reads implies no writes unless they are given.
    cached_percent: int | None = Field(default=None, ge=0, le=100)
    cached: int | None = Field(default=None, ge=0)
    cache_writes: int | None = Field(default=None, ge=0)
    cache_writes_1h: int | None = Field(default=None, ge=0)
    tier: AskedTier | None = None
    # A time of day in UTC ("at 18:00 UTC"): picks a time-of-day price; `utc_assumed` when the
    # question named no zone, so the answer says UTC was assumed.
    clock: time | None = None
    utc_assumed: bool = False

    @model_validator(mode="after")
    def _cache_fits_input(self) -> "Usage":
        if self.cached_percent is not None and self.cached is not None:
            raise ValueError("give cache reads as a share or an amount, not both")
        if self.clock is None and self.utc_assumed:
            raise ValueError("a zone was assumed for no time of day")
        if self.clock is not None and self.tier is not None:
            raise ValueError("give a tier or a time of day, not both")
        return self

    @model_validator(mode="after")
    def _one_way_of_saying_it(self) -> "Usage":
        explicit = self.input is not None or self.output is not None
        if self.total is None and not explicit:
            raise ValueError("no token amount given")
        if self.total is not None and explicit:
            raise ValueError("give either a total or input/output amounts, not both")
        if self.split is not None and self.total is None:
            raise ValueError("a split applies only to a total")
        return self

    @property
    def assumes_default_split(self) -> bool:
        return self.total is not None and self.split is None

    def per_request(self) -> tuple[int, int]:
        """(input, output) tokens of one request, or of the whole workload without `requests`."""
        if self.total is not None:
            return (self.split or DEFAULT_SPLIT).split(self.total)
        return self.input or 0, self.output or 0

    def cache_tokens(self, input_tokens: int | None = None) -> CacheTokens:
        """Cache reads and writes of one request (or of the whole workload) of `input_tokens`
        input tokens, this usage's own by default."""
        if input_tokens is None:
            input_tokens, _output = self.per_request()
        read = self.cached or 0
        if self.cached_percent is not None:
            read = input_tokens * self.cached_percent // 100
        return CacheTokens(read, self.cache_writes or 0, self.cache_writes_1h or 0)

    @model_validator(mode="after")
    def _cache_within_input(self) -> "Usage":
        if self.total is None and self.input is None and self.output is None:
            return self  # the other validator says what is missing
        input_tokens, _output = self.per_request()
        if sum(self.cache_tokens()) > input_tokens:
            raise ValueError(
                f"cache reads and writes ({sum(self.cache_tokens()):,} tokens) are part of the "
                f"input and cannot exceed it ({input_tokens:,} input tokens)"
            )
        return self

    @property
    def uses_cache(self) -> bool:
        return any(
            value for value in (self.cached_percent, self.cached, self.cache_writes)
        ) or bool(self.cache_writes_1h)


class VerbQuery(FrozenQuery):
    """A question one verb answers: each verb's Query names it in `kind` (a Literal)."""

    kind: str


class PricedQuery(VerbQuery):
    """A question answered with the prices in force on a date (today when not given)."""

    as_of: date | None = None


DEFAULT_EPOCHS = 3

"""What every question shares: token amounts (Usage) and the base of each verb's Query model.

Each verb's own Query model lives in its module under `pricing.verbs`; `pricing.verbs.Query` is
their union."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pricing.quantities import DEFAULT_SPLIT, Ratio

Period = Literal["day", "week", "month", "year"]


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


class PricedQuery(FrozenQuery):
    """A question answered with the prices in force on a date (today when not given)."""

    as_of: date | None = None


DEFAULT_EPOCHS = 3

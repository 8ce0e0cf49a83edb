"""What a command asks, as data: the parser produces these, the engine answers them."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pricing.quantities import DEFAULT_SPLIT, Ratio


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Usage(_Frozen):
    """Token amounts: a total split input:output, or explicit input and/or output; per request
    when `requests` is given, otherwise for the whole workload."""

    total: int | None = Field(default=None, ge=0)
    input: int | None = Field(default=None, ge=0)
    output: int | None = Field(default=None, ge=0)
    split: Ratio | None = None
    requests: int | None = Field(default=None, ge=1)

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


class _Priced(_Frozen):
    as_of: date | None = None


class CompareQuery(_Priced):
    kind: Literal["compare"] = "compare"
    models: tuple[str, ...] = Field(min_length=1)
    usage: Usage


class CostQuery(_Priced):
    kind: Literal["cost"] = "cost"
    model: str
    usage: Usage


class CheapestQuery(_Priced):
    """Every known model priced for one workload, cheapest first; `filter` narrows by name."""

    kind: Literal["cheapest"] = "cheapest"
    filter: str | None = None
    usage: Usage


class FinetuneQuery(_Priced):
    kind: Literal["finetune"] = "finetune"
    model: str
    training_tokens: int = Field(ge=1)
    epochs: int | None = Field(default=None, ge=1)


class BreakevenQuery(_Priced):
    kind: Literal["breakeven"] = "breakeven"
    tuned: str
    base: str
    base_prompt: int = Field(ge=0)
    tuned_prompt: int = Field(ge=0)
    output: int | None = Field(default=None, ge=0)
    training_tokens: int = Field(ge=1)
    epochs: int | None = Field(default=None, ge=1)


class TokensQuery(_Priced):
    """Every word after 'tokens' is the text, but for an 'as of YYYY-MM-DD' that ends it."""

    kind: Literal["tokens"] = "tokens"
    text: str = Field(min_length=1)


class ModelsQuery(_Priced):
    kind: Literal["models"] = "models"
    filter: str | None = None


class PriceQuery(_Priced):
    kind: Literal["price"] = "price"
    model: str


class HistoryQuery(_Frozen):
    kind: Literal["history"] = "history"
    model: str


class HelpQuery(_Frozen):
    kind: Literal["help"] = "help"
    topic: str | None = None


Query = Annotated[
    CompareQuery
    | CostQuery
    | CheapestQuery
    | FinetuneQuery
    | BreakevenQuery
    | TokensQuery
    | ModelsQuery
    | PriceQuery
    | HistoryQuery
    | HelpQuery,
    Field(discriminator="kind"),
]

DEFAULT_EPOCHS = 3

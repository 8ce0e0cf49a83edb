"""What a thread reply says, and the shared rules for applying it to a question.

`pricing.followup` reads a reply into `Changes`; each verb's `apply` (in `pricing.verbs`) applies
them to its own kind of question with the helpers here, or raises `CannotApply` saying why, which
`pricing.followup` turns into a ParseError suggesting follow-ups that do apply."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Literal

from pydantic import BaseModel

from pricing.lexicon import Dimensions
from pricing.quantities import Ratio, format_count
from pricing.query import Period, Usage
from pricing.tariffs import normalize_name

EXAMPLE_DATE = "as of 2023-08-22"


class Form(Enum):
    ABOUT = "what about"  # "what about X", "how about X", "and X?": models and/or changes
    ADD = "add"
    DROP = "drop"
    MAKE = "make it"  # changes only; a bare amount ("make it 500k") is a token amount
    BARE = "bare"  # changes only, each with its unit ("1M tokens", "split 1:1", "x 500 requests")


@dataclass
class Changes:
    """What a reply says, before it is applied to a question."""

    models: list[str] = field(default_factory=list)
    total: int | None = None
    bare_total: bool = False  # the total had no 'tokens' after it ("500k")
    input: int | None = None
    output: int | None = None
    requests: int | None = None
    times: int | None = None  # "x 5" alone: requests, or epochs for a training question
    epochs: int | None = None
    split: Ratio | None = None
    training: int | None = None
    prompts: tuple[int, int] | None = None
    budget: Decimal | None = None  # "make it $1000" (read only in a budget thread)
    period: Period | None = None  # "per day" (likewise)
    dated: bool = False
    as_of: date | None = None
    # Cache shares and amounts, a tier or time of day, and 'no cache' / 'standard'.
    dims: Dimensions = field(default_factory=Dimensions)

    def amounts(self) -> bool:
        return self.dims.said() or any(
            value is not None
            for value in (
                self.total,
                self.input,
                self.output,
                self.requests,
                self.times,
                self.epochs,
                self.split,
                self.training,
                self.prompts,
                self.budget,
                self.period,
            )
        )


@dataclass(frozen=True)
class Reply:
    """A reply read against a question: its form, its changes and the date the answer uses (the
    reply's own, else the thread's)."""

    form: Form
    changes: Changes
    as_of: date | None


class CannotApply(Exception):
    """A follow-up that clearly is one but cannot apply to this question. `suggestions` come
    first; the question's own follow-ups are added after them."""

    def __init__(self, message: str, *suggestions: str) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions


# What a reply can change that some questions have no place for ("dimensions": any of cache
# shares, tiers and times of day; the others are fields of Changes).
Changeable = Literal[
    "total",
    "input",
    "output",
    "requests",
    "split",
    "prompts",
    "training",
    "epochs",
    "budget",
    "period",
    "dimensions",
]
_WHAT: dict[Changeable, str] = {
    "total": "a token amount",
    "input": "an input amount",
    "output": "an output amount",
    "requests": "a number of requests",
    "split": "an input:output split",
    "prompts": "prompt sizes",
    "training": "a training size",
    "epochs": "epochs",
    "budget": "an amount of money",
    "period": "a period",
    "dimensions": "cache shares, tiers or times of day",
}


def refuse(previous: BaseModel, changes: Changes, *names: Changeable) -> None:
    """CannotApply naming the first of `names` that the reply changes and this kind of question
    has no place for."""
    kind = getattr(previous, "kind", "")
    for name in names:
        said = changes.dims.said() if name == "dimensions" else getattr(changes, name) is not None
        if said:
            raise CannotApply(f"A {kind} question has no place for {_WHAT[name]}.")


def only_usage(previous: BaseModel, changes: Changes) -> None:
    refuse(previous, changes, "training", "epochs", "prompts", "budget")


def no_amounts(previous: BaseModel, changes: Changes) -> None:
    if changes.amounts():
        raise CannotApply(f"A {getattr(previous, 'kind', '')} question has no amounts to change.")


def fixed_models(previous: BaseModel, form: Form) -> None:
    """'add' and 'drop' change the models of a comparison; other questions have none to change."""
    if form in (Form.ADD, Form.DROP):
        raise CannotApply(
            f"'{form.value}' changes the models of a comparison, and this thread asks a "
            f"{getattr(previous, 'kind', '')} question."
        )


def drops(models: Sequence[str]) -> list[str]:
    """'drop X' for each model that can go: none when there is only one (under any spelling)."""
    distinct: dict[str, str] = {}
    for model in models:
        distinct.setdefault(normalize_name(model), model)
    return [f"drop {model}" for model in distinct.values()] if len(distinct) > 1 else []


def changed_models(models: Sequence[str], form: Form, changes: Changes) -> list[str]:
    """The models after 'drop X' (each must be there, one must stay) or after naming more."""
    if form is Form.DROP:
        kept = list(models)
        for name in changes.models:
            remaining = [model for model in kept if normalize_name(model) != normalize_name(name)]
            if len(remaining) == len(kept):
                raise CannotApply(
                    f"'{name}' is not in this comparison ({', '.join(models)}).", *drops(models)
                )
            kept = remaining
        if not kept:
            raise CannotApply(
                "That would drop every model in the comparison; keep at least one.",
                *drops(models)[1:],
            )
        return kept
    added = list(models)
    seen = {normalize_name(model) for model in models}
    for model in changes.models:
        if normalize_name(model) not in seen:
            seen.add(normalize_name(model))
            added.append(model)
    return added


def changed_usage(old: Usage, changes: Changes) -> Usage:
    """The amounts with the reply's changes: a total replaces in/out and in/out replace a total;
    requests stay, and so does a split while there is a total for it to split."""
    total, input_tokens, output_tokens = old.total, old.input, old.output
    split, requests = old.split, old.requests
    explicit = changes.input is not None or changes.output is not None
    if changes.total is not None and explicit:
        raise CannotApply(
            "Give either a total or input/output amounts, not both.",
            f"make it {format_count(changes.total)} tokens",
        )
    if changes.total is not None:
        total, input_tokens, output_tokens = changes.total, None, None
    if explicit:
        if total is not None:
            total = input_tokens = output_tokens = split = None
        if changes.input is not None:
            input_tokens = changes.input
        if changes.output is not None:
            output_tokens = changes.output
    if changes.requests is not None and changes.times is not None:
        raise CannotApply("The number of requests is given twice.")
    new_requests = changes.requests if changes.requests is not None else changes.times
    if new_requests == 0:
        raise CannotApply("The number of requests must be at least 1.", "x 500 requests")
    if new_requests is not None:
        requests = new_requests
    if changes.split is not None:
        if total is None:
            whole = (input_tokens or 0) + (output_tokens or 0)
            raise CannotApply(
                f"A split divides a total, and this question gives input and output amounts "
                f"({in_out(input_tokens, output_tokens)}).",
                f"make it {format_count(whole)} tokens split {changes.split}",
            )
        split = changes.split
    return Usage(
        total=total,
        input=input_tokens,
        output=output_tokens,
        split=split,
        requests=requests,
        period=changes.period or old.period,
        **changed_dimensions(old, changes.dims),  # type: ignore[arg-type]
    )


def changed_dimensions(old: Usage, dims: Dimensions) -> dict[str, object]:
    """The Usage's price dimensions after a reply: 'no cache' clears cache reads and writes, a
    new share or amount of reads replaces the old one, 'standard' clears a tier and a time of
    day, and a tier replaces a time of day (and the other way round)."""
    kept: dict[str, object] = {
        "cached_percent": old.cached_percent,
        "cached": old.cached,
        "cache_writes": old.cache_writes,
        "cache_writes_1h": old.cache_writes_1h,
        "tier": old.tier,
        "clock": old.clock,
        "utc_assumed": old.utc_assumed,
    }
    if dims.no_cache:
        kept |= {"cached_percent": None, "cached": None, "cache_writes": None}
        kept["cache_writes_1h"] = None
    if dims.cached_percent is not None or dims.cached is not None:
        kept |= {"cached_percent": dims.cached_percent, "cached": dims.cached}
    if dims.cache_writes is not None:
        kept["cache_writes"] = dims.cache_writes
    if dims.cache_writes_1h is not None:
        kept["cache_writes_1h"] = dims.cache_writes_1h
    if dims.standard or dims.tier is not None or dims.clock is not None:
        kept |= {"tier": dims.tier, "clock": dims.clock, "utc_assumed": dims.utc_assumed}
    return kept


def in_out(input_tokens: int | None, output_tokens: int | None) -> str:
    sides = ((input_tokens, "in"), (output_tokens, "out"))
    return " ".join(f"{format_count(count)} {side}" for count, side in sides if count is not None)


def changed_epochs(previous_epochs: int | None, changes: Changes) -> int | None:
    if changes.epochs is not None and changes.times is not None:
        raise CannotApply("The number of epochs is given twice.")
    epochs = changes.epochs if changes.epochs is not None else changes.times
    if epochs == 0:
        raise CannotApply("Training needs at least 1 epoch.", "3 epochs")
    return previous_epochs if epochs is None else epochs


def one_model(kind: str, model: str, changes: Changes) -> str:
    """The one model of a finetune/price/history question, or the one a reply names."""
    if len(changes.models) > 1:
        named = " or ".join(f"'{name}'" for name in changes.models)
        raise CannotApply(
            f"A {kind} question takes one model: {named}?",
            *(f"what about {name}" for name in changes.models),
        )
    return changes.models[0] if changes.models else model


def usage_follow_ups(usage: Usage) -> list[str]:
    """Replies that change how a usage is billed: a tier, a cached share, or undoing them."""
    tier = ["standard"] if usage.tier is not None or usage.clock is not None else ["make it batch"]
    cache = ["no cache"] if usage.uses_cache else ["with 80% cached"]
    return [*tier, *cache]


def size_follow_ups(usage: Usage, size: str = "1M tokens") -> list[str]:
    """'make it 1M tokens' (or `size`: '4k in 1k out'), and 'split 1:1' for a total, where they
    keep the question's cache amounts within its input; a larger input where they would not."""
    total = 1_000_000 if size == "1M tokens" else None
    sized = Changes(total=total) if total else Changes(input=4_000, output=1_000)
    replies = []
    if _applies(usage, sized):
        replies.append(f"make it {size}")
    else:
        needed = max(sum(usage.cache_tokens()), 1_000_000)
        replies.append(f"make it {format_count(needed)} in")
    if usage.total is not None and _applies(
        usage, Changes(split=Ratio(input=Decimal(1), output=Decimal(1)))
    ):
        replies.append("split 1:1")
    return replies


def _applies(usage: Usage, changes: Changes) -> bool:
    try:
        changed_usage(usage, changes)
    except (CannotApply, ValueError):  # pydantic's ValidationError is a ValueError
        return False
    return True

"""Counts as people write them: "200k", "1.2M", "1,500", "2K"; ratios such as "3:1"."""

import re
from decimal import Decimal, InvalidOperation, localcontext

from pydantic import BaseModel, ConfigDict, Field

_SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
# Thousands separators only in groups of three, so "1,5" is not silently 15.
_COUNT = re.compile(r"(?P<number>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)(?P<scale>[kmb]?)", re.I)
_RATIO = re.compile(r"(?P<input>\d+(?:\.\d+)?):(?P<output>\d+(?:\.\d+)?)")


class QuantityError(ValueError):
    """A word that looked like a count or a ratio but is not a usable one."""


def looks_like_count(word: str) -> bool:
    return _COUNT.fullmatch(word) is not None


# A quadrillion tokens is beyond any real workload; a larger count is a typo, not a question.
MAX_COUNT = 10**15


def parse_count(word: str) -> int:
    """A whole, non-negative count up to MAX_COUNT. Raises QuantityError for anything else."""
    match = _COUNT.fullmatch(word.strip())
    if match is None:
        raise QuantityError(f"'{word}' is not a number (try 1500, 1,500, 200k or 1.2M)")
    digits = match["number"].replace(",", "")
    try:
        with localcontext() as context:
            context.prec = len(digits) + 10  # exact: the default 28 digits would round long counts
            value = Decimal(digits) * _SCALE[match["scale"].lower()]
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise QuantityError(f"'{word}' is not a number") from exc
    if value != value.to_integral_value():
        nearest = f"{int(value):,} or {int(value) + 1:,}"
        raise QuantityError(f"'{word}' is not a whole number (try {nearest})")
    if value > MAX_COUNT:
        raise QuantityError(f"'{word}' is more than llmcost prices (at most {MAX_COUNT:,})")
    return int(value)


def counted(number: int, noun: str) -> str:
    """'1 request', '10,000 requests'."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def counted_possessive(number: int, noun: str) -> str:
    """'1 model's', '2 models''."""
    return f"{number:,} {noun}'s" if number == 1 else f"{number:,} {noun}s'"


def format_count(value: int, group_digits: bool = False) -> str:
    """The shortest exact way to write a count back: 200000 -> '200k', 1200000 -> '1.2M';
    counts with no short form stay digits ('133333', or '133,333' with `group_digits`)."""
    for suffix, scale in (("B", 1_000_000_000), ("M", 1_000_000), ("k", 1_000)):
        if value >= scale:
            scaled = Decimal(value) / scale
            text = format(scaled.normalize(), "f")
            if len(text.replace(".", "")) <= 4 and len(text) < len(str(value)):
                return f"{text}{suffix}"
    return f"{value:,}" if group_digits else str(value)


class Ratio(BaseModel):
    """Input:output proportion used to split a total token count."""

    model_config = ConfigDict(frozen=True)

    input: Decimal = Field(gt=0)
    output: Decimal = Field(ge=0)

    def split(self, total: int) -> tuple[int, int]:
        """Whole tokens: input gets the rounded share, output the rest, so they add up to total."""
        with localcontext() as context:
            context.prec = len(str(total)) + 28  # whole tokens stay exact for any total
            share = Decimal(total) * self.input / (self.input + self.output)
        input_tokens = int(share.to_integral_value())
        return input_tokens, total - input_tokens

    def __str__(self) -> str:
        return f"{format(self.input.normalize(), 'f')}:{format(self.output.normalize(), 'f')}"


DEFAULT_SPLIT = Ratio(input=Decimal(3), output=Decimal(1))


def parse_ratio(word: str) -> Ratio:
    match = _RATIO.fullmatch(word.strip())
    if match is None:
        raise QuantityError(f"'{word}' is not a ratio (try 3:1 or 1:1)")
    input_part, output_part = Decimal(match["input"]), Decimal(match["output"])
    if input_part <= 0:
        raise QuantityError(f"'{word}' gives no input tokens (try 3:1 or 1:1)")
    return Ratio(input=input_part, output=output_part)


def looks_like_ratio(word: str) -> bool:
    return _RATIO.fullmatch(word) is not None

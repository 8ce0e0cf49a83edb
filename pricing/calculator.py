"""A form's fields (the calculator modal in Slack) turned into the question a person would type.

Nothing here prices: the question it makes is asked through the same reader as typed words, so a
form and the grammar can never disagree. What the fields alone show to be wrong (no model, 0
requests, 150% cached, letters in a number) is said per field, so that the form can show each
message under its own field and stay open.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from pricing.quantities import QuantityError, format_count, parse_count

MOST_MODELS = 6
# Slack's own limit for a text input or an option's value; more is a tampered payload.
MOST_FIELD_CHARS = 150

Period = Literal["once", "day", "week", "month"]
Tier = Literal["standard", "batch", "flex", "priority"]
PERIODS: tuple[Period, ...] = ("once", "day", "week", "month")
TIERS: tuple[Tier, ...] = ("standard", "batch", "flex", "priority")

# The fields, by the names a form's blocks use.
MODELS = "models"
INPUT_TOKENS = "input_tokens"
OUTPUT_TOKENS = "output_tokens"
REQUESTS = "requests"
PERIOD = "period"
CACHED = "cached"
TIER = "tier"
AS_OF = "as_of"

A_COUNT = "a whole number such as 1500, 1,500, 1.5k or 2M"


@dataclass(frozen=True)
class CalculatorForm:
    """The fields as given, text unparsed: what to make of them is `question_of`'s."""

    models: tuple[str, ...] = ()
    input_tokens: str | None = None
    output_tokens: str | None = None
    requests: str | None = None
    period: str | None = None
    cached: str | None = None
    tier: str | None = None
    as_of: str | None = None


class FormErrors(ValueError):
    """Field name -> what is wrong with it and what would do."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def question_of(form: CalculatorForm) -> str:
    """The question the fields ask, in the grammar's canonical words: `cost` for one model,
    `compare` for several. Raises FormErrors naming every field that is wrong."""
    errors: dict[str, str] = {}
    models = chosen_models(form.models, errors)
    words: list[str] = ["cost" if len(models) == 1 else "compare", *models]
    input_tokens = _count(form.input_tokens, INPUT_TOKENS, errors, required=True)
    output_tokens = _count(form.output_tokens, OUTPUT_TOKENS, errors, required=False) or 0
    words += [format_count(input_tokens or 0), "in", format_count(output_tokens), "out"]
    requests = _count(form.requests, REQUESTS, errors, required=False)
    if requests == 0:
        errors[REQUESTS] = "At least 1 request; leave it empty for one."
    # Always said, one too: the sizes are per request, so each is checked against the
    # model's context window, as a typed question with 'x N requests' is.
    words += ["x", format_count(requests or 1), "requests"]
    cached = _percent(form.cached, errors)
    if cached:
        words.append(f"{cached}% cached")
    tier = _choice(form.tier, TIERS, TIER, errors)
    if tier not in (None, "standard"):
        words.append(tier)
    period = _choice(form.period, PERIODS, PERIOD, errors)
    if period not in (None, "once"):
        words.append(f"per {period}")
    day = _day(form.as_of, errors)
    if day is not None:
        words.append(f"as of {day.isoformat()}")
    if errors:
        raise FormErrors(errors)
    return " ".join(words)


def chosen_models(chosen: tuple[str, ...], errors: dict[str, str]) -> list[str]:
    """The models chosen, each once; an error under MODELS for none, too many, or a value no
    picker option has (over Slack's length, or with spaces)."""
    models = list(dict.fromkeys(name.strip() for name in chosen if name.strip()))
    if not models:
        errors[MODELS] = "Choose at least one model."
    elif len(models) > MOST_MODELS:
        errors[MODELS] = f"At most {MOST_MODELS} models at once; {len(models)} are chosen."
    elif any(len(name) > MOST_FIELD_CHARS or " " in name for name in models):
        errors[MODELS] = "Choose the models from the list."
    return models


def _count(text: str | None, field: str, errors: dict[str, str], *, required: bool) -> int | None:
    if text is None or not text.strip():
        if required:
            errors[field] = f"Required: {A_COUNT}."
        return None
    if len(text) > MOST_FIELD_CHARS:
        errors[field] = f"Too long: {A_COUNT}."
        return None
    try:
        return parse_count(text.strip())
    except QuantityError as error:
        errors[field] = f"{str(error)[:100]}."
        return None


def _percent(text: str | None, errors: dict[str, str]) -> int | None:
    if text is None or not text.strip():
        return None
    bare = text.strip().removesuffix("%").strip()
    if not bare.isdigit() or len(bare) > 3 or int(bare) > 100:
        shown = text.strip()[:20]
        errors[CACHED] = f"A whole percentage from 0 to 100, such as 50; not '{shown}'."
        return None
    return int(bare)


def _choice(
    text: str | None, allowed: tuple[str, ...], field: str, errors: dict[str, str]
) -> str | None:
    if text is None or text == "":
        return None
    if text not in allowed:
        errors[field] = f"One of: {', '.join(allowed)}."
        return None
    return text


def _day(text: str | None, errors: dict[str, str]) -> date | None:
    if text is None or text == "":
        return None
    try:
        return date.fromisoformat(text[:MOST_FIELD_CHARS])
    except ValueError:
        errors[AS_OF] = "A date such as 2025-06-01."
        return None

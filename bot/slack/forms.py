"""A submitted view's fields, read from Slack's `view.state.values` into the calculator's form.

A signed payload can still be tampered with or malformed (a number where Slack sends text, a
list where it sends an option): each field is read on its own, and one that is not what its
element sends becomes that field's error, shown under it, never an exception.
"""

from dataclasses import dataclass

from bot.render.calculator import MODELS_ACTION, POST_TO
from pricing import calculator
from pricing.calculator import CalculatorForm

NOT_UNDERSTOOD = "Not understood; please choose or type it again."


@dataclass(frozen=True)
class ReadForm:
    form: CalculatorForm
    post_to: str | None
    errors: dict[str, str]


class _Fields:
    def __init__(self, values: object) -> None:
        self._values = values if isinstance(values, dict) else {}
        self.errors: dict[str, str] = {}

    def _state(self, block: str, action: str) -> dict:
        blocks = self._values.get(block)
        state = blocks.get(action) if isinstance(blocks, dict) else None
        return state if isinstance(state, dict) else {}

    def text(self, field: str, key: str = "value") -> str | None:
        value = self._state(field, field).get(key)
        if value is None or isinstance(value, str):
            return value
        self.errors[field] = NOT_UNDERSTOOD
        return None

    def option(self, field: str) -> str | None:
        selected = self._state(field, field).get("selected_option")
        if selected is None:
            return None
        value = selected.get("value") if isinstance(selected, dict) else None
        if isinstance(value, str):
            return value
        self.errors[field] = NOT_UNDERSTOOD
        return None

    def options(self, field: str, action: str) -> tuple[str, ...]:
        selected = self._state(field, action).get("selected_options") or []
        if not isinstance(selected, list):
            self.errors[field] = NOT_UNDERSTOOD
            return ()
        values = [item.get("value") if isinstance(item, dict) else None for item in selected]
        if not all(isinstance(value, str) for value in values):
            self.errors[field] = NOT_UNDERSTOOD
            return ()
        return tuple(value for value in values if isinstance(value, str))


def read_calculator(values: object) -> ReadForm:
    """The calculator's fields; `errors` holds those whose values are not what Slack sends."""
    fields = _Fields(values)
    form = CalculatorForm(
        models=fields.options(calculator.MODELS, MODELS_ACTION),
        input_tokens=fields.text(calculator.INPUT_TOKENS),
        output_tokens=fields.text(calculator.OUTPUT_TOKENS),
        requests=fields.text(calculator.REQUESTS),
        period=fields.option(calculator.PERIOD),
        cached=fields.text(calculator.CACHED),
        tier=fields.option(calculator.TIER),
        as_of=fields.text(calculator.AS_OF, "selected_date"),
    )
    post_to = fields.text(POST_TO, "selected_conversation")
    return ReadForm(form, post_to, fields.errors)


def read_added_models(values: object) -> tuple[list[str], dict[str, str]]:
    """The models chosen in the "Add a model…" modal, and its field's error if any."""
    fields = _Fields(values)
    chosen = fields.options(calculator.MODELS, MODELS_ACTION)
    if fields.errors:
        return [], fields.errors
    models = calculator.chosen_models(chosen, fields.errors)
    return models, fields.errors

"""The calculator modal and the "Add a model…" modal, as Block Kit views, and the model
picker's options.

Each field's block and action share the field's name in `pricing.calculator` (the picker's
action is MODELS_ACTION, by which Slack asks for its options), so a submitted view's
`state.values[field][field]` is read back by name (`bot.slack.forms`).
"""

import json

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    ExternalDataMultiSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.render import block_json
from pricing import calculator
from pricing.model_search import ModelChoice, grouped

CALCULATOR_VIEW = "llmcost_calculator"
ADD_MODEL_VIEW = "llmcost_add_model"
MODELS_ACTION = "llmcost_models"
POST_TO = "post_to"
# Slack's limits on private_metadata and on an option group's label.
MOST_METADATA_CHARS = 3000
MOST_GROUP_LABEL_CHARS = 75

PERIOD_LABELS = {"once": "Once", "day": "Per day", "week": "Per week", "month": "Per month"}
TIER_LABELS = {
    "standard": "Standard",
    "batch": "Batch (half price where offered)",
    "flex": "Flex",
    "priority": "Priority",
}
HOW_IT_ASKS = (
    "Prices one request's tokens, times the requests, at each model's published rates. "
    "The answer is posted where you choose, with the question it asked: reply in its thread "
    "to change it."
)


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=label))


def _models_field(label: str) -> InputBlock:
    return InputBlock(
        block_id=calculator.MODELS,
        label=PlainTextObject(text=label),
        element=ExternalDataMultiSelectElement(
            action_id=MODELS_ACTION,
            placeholder=PlainTextObject(text="Type a model, an alias or a maker"),
            min_query_length=0,  # the main models before a letter is typed
            max_selected_items=calculator.MOST_MODELS,
        ),
    )


def _text_field(
    field: str, label: str, hint: str, *, placeholder: str, optional: bool = False
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=PlainTextObject(text=label),
        hint=PlainTextObject(text=hint),
        optional=optional,
        element=PlainTextInputElement(
            action_id=field,
            placeholder=PlainTextObject(text=placeholder),
            max_length=calculator.MOST_FIELD_CHARS,
        ),
    )


def _select_field(field: str, label: str, labels: dict[str, str], initial: str) -> InputBlock:
    options = [_option(value, text) for value, text in labels.items()]
    return InputBlock(
        block_id=field,
        label=PlainTextObject(text=label),
        element=StaticSelectElement(
            action_id=field,
            options=options,
            initial_option=options[list(labels).index(initial)],
        ),
    )


def _as_of_field() -> InputBlock:
    return InputBlock(
        block_id=calculator.AS_OF,
        label=PlainTextObject(text="Prices as of"),
        hint=PlainTextObject(text="Empty for today's prices"),
        optional=True,
        element=DatePickerElement(action_id=calculator.AS_OF),
    )


def _post_to_field(channel_id: str | None) -> InputBlock:
    return InputBlock(
        block_id=POST_TO,
        label=PlainTextObject(text="Post the answer in"),
        element=ConversationSelectElement(
            action_id=POST_TO,
            initial_conversation=channel_id,
            default_to_current_conversation=channel_id is None,
            filter=ConversationFilter(
                include=["public", "private", "im", "mpim"], exclude_bot_users=True
            ),
        ),
    )


def calculator_view(channel_id: str | None) -> dict:
    """The calculator: models, tokens per request, how many requests, cached share, tier, a
    date, and where to post (where it was opened, when that is known)."""
    blocks: list[Block] = [
        _models_field("Models (1 to 6)"),
        _text_field(
            calculator.INPUT_TOKENS,
            "Input tokens per request",
            "The prompt: 1500, 1.5k, 2M…",
            placeholder="1.5k",
        ),
        _text_field(
            calculator.OUTPUT_TOKENS,
            "Output tokens per request",
            "The reply; empty for none",
            placeholder="300",
            optional=True,
        ),
        _text_field(
            calculator.REQUESTS,
            "Requests",
            "How many; empty for one",
            placeholder="20k",
            optional=True,
        ),
        _select_field(calculator.PERIOD, "How often", PERIOD_LABELS, "once"),
        _text_field(
            calculator.CACHED,
            "Cached share of input, %",
            "Input read from the provider's prompt cache; empty for none",
            placeholder="50",
            optional=True,
        ),
        _select_field(calculator.TIER, "Tier", TIER_LABELS, "standard"),
        _as_of_field(),
        _post_to_field(channel_id),
        ContextBlock(elements=[MarkdownTextObject(text=HOW_IT_ASKS)]),
    ]
    view = View(
        type="modal",
        callback_id=CALCULATOR_VIEW,
        title=PlainTextObject(text="Price LLM usage"),
        submit=PlainTextObject(text="Price it"),
        close=PlainTextObject(text="Cancel"),
        blocks=blocks,
    )
    return block_json.as_json(view)


def add_model_view(question: str, channel: str, thread_ts: str) -> dict | None:
    """The picker alone, to add models to the question of an answer's thread; None when the
    question is too long to carry (Slack keeps at most 3,000 characters for the view)."""
    metadata = json.dumps({"question": question, "channel": channel, "thread_ts": thread_ts})
    if len(metadata) > MOST_METADATA_CHARS:
        return None
    view = View(
        type="modal",
        callback_id=ADD_MODEL_VIEW,
        title=PlainTextObject(text="Add a model"),
        submit=PlainTextObject(text="Add"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=metadata,
        blocks=[_models_field("Models to add")],
    )
    return block_json.as_json(view)


def model_options(choices: list[ModelChoice]) -> dict:
    """The picker's options, grouped by provider (`ack(**model_options(...))`); Slack wants
    `options` when there is no group. Plain dicts, not slack_sdk's Option objects: Slack asks on
    every keystroke, and building and checking 100 of those took 2 ms of the answer's 3."""
    groups = grouped(choices)
    if not groups:
        return {"options": []}
    return {
        "option_groups": [
            {
                "label": {"type": "plain_text", "text": provider[:MOST_GROUP_LABEL_CHARS]},
                "options": [
                    {"text": {"type": "plain_text", "text": choice.label}, "value": choice.value}
                    for choice in listed
                ],
            }
            for provider, listed in groups
        ]
    }

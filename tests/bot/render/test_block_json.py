"""bot.render.block_json makes what slack_sdk's `to_dict` makes, byte for byte, for every answer,
view and modal llmcost renders (and a few shapes it does not use, the exceptions included)."""

import json
from datetime import date

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import (
    ButtonElement,
    ConfirmObject,
    Option,
    OptionGroup,
    PlainTextObject,
    RichTextBlock,
    RichTextSectionElement,
    SectionBlock,
    StaticSelectElement,
)

from bot.render import block_json
from bot.render.blocks import answer_message, help_view, home_view
from bot.render.calculator import add_model_view, calculator_view
from pricing.answer import answer
from pricing.answers import HelpAnswer, TableAnswer
from pricing.parse import parse
from pricing.sources import load_book
from pricing.verbs.help import HelpQuery
from pricing.verbs.models import ModelsQuery
from pricing.verbs.registry import all_verbs

TODAY = date(2026, 11, 24)
EXAMPLES = [example for verb in all_verbs() for example in (verb.example, *verb.more_examples)]


def slack_sdks_own(value):
    return value.to_dict()


def both_ways(render, monkeypatch) -> tuple[str, str]:
    ours = json.dumps(render())
    with monkeypatch.context() as patched:
        patched.setattr(block_json, "as_json", slack_sdks_own)
        theirs = json.dumps(render())
    return ours, theirs


@pytest.fixture(scope="module")
def book():
    return load_book(None)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_answer_is_serialised_as_slack_sdk_would(book, example, monkeypatch):
    try:
        result = answer(parse(example), book, TODAY)
    except Exception:  # an example that needs a file; its answers are rendered elsewhere
        pytest.skip("needs a training file")
    ours, theirs = both_ways(
        lambda: answer_message(result, question=example, next_from=example).blocks, monkeypatch
    )
    assert ours == theirs


def test_views_and_modals_are_serialised_as_slack_sdk_would(book, monkeypatch):
    models = answer(ModelsQuery(), book, TODAY)
    help_answer = answer(HelpQuery(), book, TODAY)
    assert isinstance(models, TableAnswer)
    assert isinstance(help_answer, HelpAnswer)
    for render in (
        lambda: home_view(models, help_answer, [], []),
        lambda: help_view(help_answer),
        lambda: calculator_view("C0GENERAL"),
        lambda: add_model_view("compare gpt-4o 1M tokens", "C0GENERAL", "1700000000.000100"),
    ):
        ours, theirs = both_ways(render, monkeypatch)
        assert ours == theirs


def test_objects_with_a_to_dict_of_their_own_and_empty_lists_slack_keeps():
    select = StaticSelectElement(
        action_id="pick",
        option_groups=[
            OptionGroup(label="A", options=[Option(text="one", value="1")]),
        ],
        confirm=ConfirmObject(title="Sure?", text="Really", confirm="Yes", deny="No"),
    )
    shapes = [
        SectionBlock(text="hi", accessory=select),
        SectionBlock(fields=[], text=PlainTextObject(text="no fields")),
        RichTextBlock(elements=[RichTextSectionElement(elements=[])]),
        ButtonElement(text="Go", action_id="go", value="v"),
    ]
    for shape in shapes:
        assert json.dumps(block_json.as_json(shape)) == json.dumps(shape.to_dict())


def test_an_object_slack_would_refuse_is_refused_with_slack_sdks_message():
    """Validated as `to_dict` validates: each of the class's validators, in its order."""
    too_long = ButtonElement(text="x" * 80, action_id="a" * 300, value="v" * 3000)
    with pytest.raises(SlackObjectFormationError) as theirs:
        too_long.to_dict()

    with pytest.raises(SlackObjectFormationError) as ours:
        block_json.as_json(SectionBlock(text="hi", accessory=too_long))

    assert str(ours.value) == str(theirs.value)

"""Every kind of Answer renders three ways (terminal text, Block Kit, JSON): a verb whose answer
one face cannot show fails here, not in a thread."""

import json
from datetime import date
from typing import get_args

import pytest

from bot.render.blocks import answer_message
from bot.render.json import render_json
from bot.render.text import answer_grid, render_text
from pricing.answer import answer
from pricing.answers import Answer
from pricing.parse import parse
from pricing.sources import load_book
from pricing.training_file import empty_tally, tally_block
from pricing.verbs.finetune import FILE_EXAMPLE
from pricing.verbs.registry import all_verbs

TODAY = date(2026, 11, 24)
EXAMPLES = [example for verb in all_verbs() for example in (verb.example, *verb.more_examples)]
# Every `kind` an Answer model declares.
KINDS = {
    kind
    for model in get_args(get_args(Answer)[0])
    for kind in get_args(model.model_fields["kind"].annotation)
}


# A training file is read by the terminal or Slack, not by the engine: its answer is made from
# a file's tally (the example's words name the file).
FILE_LINE = (
    b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hey"}]}\n'
)
EXAMPLES.append(FILE_EXAMPLE + " vs gpt-4.1 prompt 1500")


def _asked(example: str, book):
    query = parse(example)
    if getattr(query, "file", None) is not None:
        encodings = ("cl100k_base", "o200k_base")
        tally = empty_tally("chat", encodings).plus(
            tally_block(1, FILE_LINE + b"not json\n", "chat", encodings)
        )
        query = query.model_copy(update={"training": tally})
    return answer(query, book, TODAY)


@pytest.fixture(scope="module")
def answers():
    book = load_book(None)
    return [_asked(example, book) for example in EXAMPLES]


def test_the_verbs_examples_cover_every_kind_of_answer(answers):
    assert {result.kind for result in answers} == KINDS


@pytest.mark.parametrize("index", range(len(EXAMPLES)), ids=EXAMPLES)
def test_each_answer_renders_as_text_blocks_and_json(answers, index):
    result = answers[index]
    text = render_text(result)
    assert result.title in text
    if result.summary:
        assert result.summary.split(":")[0] in text
    message = answer_message(result, question=EXAMPLES[index])
    assert message.blocks
    assert message.text
    assert message.blocks[0]["type"] == "header"
    grid = answer_grid(result)
    if grid is not None and grid.rows:
        assert any(block["type"] == "table" for block in message.blocks)
    data = json.loads(render_json(result))
    assert data["kind"] == result.kind
    assert data["title"] == result.title

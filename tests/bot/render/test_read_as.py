"""'Read as' in every face (issue 20): the canonical words and the ignored words, in text, JSON
and Block Kit, for the examples of the issue."""

import json
from datetime import date

import pytest

from bot.render.blocks import answer_message
from bot.render.json import render_json
from bot.render.text import render_text
from pricing.answer import answer
from pricing.reading import BookNames, read
from pricing.sources import load_book
from tests.pricing.test_reading import READ_AS

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def book():
    return load_book()


def _answered(book, typed):
    reading = read(typed, TODAY, BookNames(lambda: book))
    return reading, reading.stated(answer(reading.query, book, TODAY))


@pytest.mark.parametrize(("typed", "read_as"), READ_AS, ids=[typed for typed, _ in READ_AS])
def test_every_face_says_how_the_question_was_read(book, typed, read_as):
    reading, result = _answered(book, typed)
    assert render_text(result).splitlines()[-1].startswith(f"Read as: {read_as}")
    document = json.loads(render_json(result))
    assert document["read_as"] == read_as
    assert document["ignored"] == list(reading.ignored)
    message = answer_message(result, question=typed)
    contexts = [
        element["text"]
        for block in message.blocks
        if block["type"] == "context"
        for element in block["elements"]
    ]
    assert any(text.startswith(f"Read as: `{read_as}`") for text in contexts)


def test_the_ignored_words_are_named_in_every_face(book):
    _reading, result = _answered(book, "cost gpt-5-nano api 3M in 1M out batch please")
    line = "Read as: cost gpt-5-nano 3M in 1M out batch (ignored: api, please)"
    assert render_text(result).splitlines()[-1] == line
    assert json.loads(render_json(result))["ignored"] == ["api", "please"]
    blocks = json.dumps(answer_message(result, question="x").blocks)
    assert "(ignored: api, please)" in blocks


def test_a_stated_rule_is_a_note_in_every_face(book):
    _reading, result = _answered(book, "cost gpt-4o 1M words")
    rule = "1M words priced as 1,333,334 tokens"
    assert rule in render_text(result, width=400)
    assert any(rule in note for note in json.loads(render_json(result))["notes"])
    assert rule in json.dumps(answer_message(result, question="x").blocks)

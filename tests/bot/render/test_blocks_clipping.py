"""Text clipped to Slack's limits keeps its markup whole: a code span cut short is closed."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.blocks import answer_message
from pricing.answer import answer
from pricing.parse import parse
from pricing.sources import load_book

COMPARE = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"


@pytest.fixture(scope="module")
def priced():
    return answer(parse(COMPARE), load_book(None), today=date(2026, 11, 24))


def asked_context(message) -> str:
    contexts = [block for block in message.blocks if block["type"] == "context"]
    return next(e["text"] for b in contexts for e in b["elements"] if e["text"].startswith("Asked"))


@pytest.mark.parametrize("asked_by", [None, "U42ABC"])
def test_a_clipped_question_closes_its_code_span(priced, asked_by):
    message = answer_message(priced, question="compare " + "x" * 5000, asked_by=asked_by)
    text = asked_context(message)
    assert len(text) <= 3000
    assert text.endswith("…`")
    assert text.count("`") % 2 == 0


@settings(derandomize=True, max_examples=40, deadline=None)
@given(length=st.integers(2900, 3100), filler=st.sampled_from(["x", "&", "<", " x"]))
def test_clipped_questions_never_leave_a_backtick_open(priced, length, filler):
    question = (filler * length)[:length]
    text = asked_context(answer_message(priced, question=question, asked_by="U42ABC"))
    assert len(text) <= 3000
    assert text.count("`") % 2 == 0

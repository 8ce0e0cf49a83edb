"""The answer work: priced and rendered, in a thread for what is heavy."""

import asyncio
from datetime import date

import pytest

from bot.answering import Answerer
from bot.slack.answer_work import is_heavy, question
from bot.slack.services import Services

ARTICLE = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"


def test_an_answer_is_priced_and_rendered():
    here = Answerer(None, today=lambda: date(2026, 11, 24))
    services = Services()
    services.provide(here, store=None)  # type: ignore[arg-type]
    reply = asyncio.run(services.priced(question, ARTICLE, None))
    assert "$7.50" in reply.message.text


@pytest.mark.parametrize(
    ("raw", "previous", "heavy"),
    [
        (ARTICLE, None, False),
        ("help", None, False),
        ("compare gtp-4-8k 200k tokens", None, False),
        ("tokens How many tokens is this sentence?", None, True),
        ("private tokens hello", None, True),
        ("compare " + "gpt-4o " * 200 + "1M tokens", None, True),
        ("make it 1M tokens", ARTICLE, False),
        ("and this one?", "tokens hello world", True),
    ],
)
def test_only_long_questions_and_token_counts_are_heavy(raw, previous, heavy):
    assert is_heavy(raw, previous) is heavy

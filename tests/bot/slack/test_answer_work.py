"""The answer work: priced and rendered, in a thread for what is heavy."""

import asyncio
from datetime import date
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.slack.answer_work import SMALL_QUESTION_CHARS, is_heavy, question
from bot.slack.markup import from_slack, take_private
from bot.slack.services import Services
from pricing.errors import LlmcostError
from pricing.parse import parse
from pricing.verbs.registry import all_verbs
from pricing.verbs.tokens import TokensQuery

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


FRESH_PHRASINGS = Path(__file__).resolve().parents[2] / "data" / "fresh_phrasings.txt"
QUESTIONS = [
    *(example for verb in all_verbs() for example in (verb.example, *verb.more_examples)),
    *(line for line in FRESH_PHRASINGS.read_text(encoding="utf-8").splitlines() if line.strip()),
    "count these words please",
    "Tokens: hello",
    "private count hi",
    "how many tokens is this sentence",
]


@pytest.mark.parametrize("raw", QUESTIONS)
def test_a_question_is_heavy_for_its_tokens_exactly_when_it_parses_as_a_token_count(raw):
    """is_heavy reads only the first word: whatever parses as a token count is heavy, and a
    short question that parses as anything else is not."""
    try:
        counts = isinstance(parse(take_private(from_slack(raw))[0]), TokensQuery)
    except LlmcostError:
        return  # refused: answered with an error, wherever it is rendered
    assert is_heavy(raw) is (counts or len(raw) > SMALL_QUESTION_CHARS)

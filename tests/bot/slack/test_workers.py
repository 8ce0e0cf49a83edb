"""Answers priced in a worker process are the answers priced here, rendered and all."""

import asyncio
from datetime import date

import pytest

from bot.answering import Answerer
from bot.slack.services import Services
from bot.slack.workers import AnswerWorkers, follow_up, needs_a_worker, question
from bot.wall_clock import utc_today

ARTICLE = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"


def test_a_worker_answers_as_this_process_would():
    here = Answerer(None, today=utc_today)
    workers = AnswerWorkers(None, processes=1)
    try:

        async def ask() -> tuple:
            services = Services()
            services.provide(here, store=None, workers=workers)  # type: ignore[arg-type]
            return (
                await services.priced(question, ARTICLE, "U1"),
                await services.priced(follow_up, "make it 1M tokens", ARTICLE, "U1"),
                await services.priced(question, "compare gtp-4o 200k tokens", "U1"),
            )

        asked, refined, failed = asyncio.run(ask())
    finally:
        workers.close()
    assert asked.message == question(here, ARTICLE, "U1").message
    assert "$7.50" in asked.message.text
    assert refined is not None
    assert refined.message == follow_up(here, "make it 1M tokens", ARTICLE, "U1").message
    assert failed.is_help_or_error
    # Did you mean, across the process boundary (never GPT-4 (8K), shut down by this day).
    assert "gpt-4o" in str(failed.message.blocks)


def test_without_workers_the_answer_is_priced_here():
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
def test_only_long_questions_and_token_counts_go_to_a_worker(raw, previous, heavy):
    assert needs_a_worker(raw, previous) is heavy

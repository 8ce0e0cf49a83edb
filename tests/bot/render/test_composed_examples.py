"""Issue 18's examples give the figure named in every face: terminal text, --json and Block Kit."""

import json
from datetime import date

import pytest

from bot.render.blocks import answer_message
from bot.render.json import render_json
from bot.render.text import render_text
from pricing.answer import answer
from pricing.parse import parse
from pricing.sources import load_book

TODAY = date(2026, 11, 24)

# (question, total as text shows it, total_usd in JSON)
EXAMPLES = [
    ("cost gemini-2.5-pro 250k in 20k out x 4 requests batch", "$1.85", "1.85"),
    ("cost gemini-3.8-flash 1M in 1M out batch", "$2.25", "2.25"),
    ("cost gpt-4.1 1M in 1M out priority", "$17.50", "17.5"),
    ("cost ft-gpt-4.1 1M in 100k out 50% cached", "$3.08", "3.075"),
    ("cost sonar-reasoning-pro 2k in 500 out x 1000 requests", "$22.00", "22"),
]


@pytest.fixture(scope="module")
def book():
    return load_book()


@pytest.mark.parametrize(("question", "shown", "exact"), EXAMPLES)
def test_each_example_gives_its_figure_in_text_json_and_block_kit(book, question, shown, exact):
    result = answer(parse(question), book, TODAY)

    text = render_text(result)
    document = json.loads(render_json(result))
    message = answer_message(result, question=question)

    assert f"Total {shown}" in text
    assert document["rows"][0]["total_usd"] == exact
    assert shown in json.dumps(message.blocks)
    assert shown in message.text


def test_the_request_fee_is_a_column_and_a_json_field_that_add_up(book):
    result = answer(parse(EXAMPLES[-1][0]), book, TODAY)

    text = render_text(result)
    (row,) = json.loads(render_json(result))["rows"]

    assert "Fees" in text.splitlines()[2]
    assert row["request_fee"] == {"requests": 1000, "per_k_requests": "14", "usd": "14"}
    parts = sum(float(part["usd"]) for part in row["parts"])
    assert parts + float(row["request_fee"]["usd"]) == float(row["total_usd"])

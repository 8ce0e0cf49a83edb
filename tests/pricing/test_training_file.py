"""A training file checked and counted as OpenAI's cookbook does, and priced: the cookbook's toy
format with numbers worked out by hand from the tokens of each string."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.answer import answer
from pricing.finetune_plan import default_epochs
from pricing.followup import refine
from pricing.parse import parse, render
from pricing.training_file import (
    MAX_LINE_BYTES,
    TrainingFileError,
    empty_tally,
    first_format,
    histogram_quantile,
    line_blocks,
    tally_block,
)
from tests.pricing.asking import TODAY

SYSTEM = "You are a happy assistant that puts a positive spin on everything."
TOY = [
    # cl100k_base: system 13, user 7, assistant 10 (o200k_base: 8); roles 1 each.
    {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": "I fell off my bike today."},
            {"role": "assistant", "content": "It's great that you're getting exercise outdoors!"},
        ]
    },
    # user 6, assistant 9.
    {
        "messages": [
            {"role": "user", "content": "I lost my book today."},
            {"role": "assistant", "content": "You can read everything on ebooks these days!"},
        ]
    },
    # name "Sam" 1 (+1 for being a name), user 5, assistant 8.
    {
        "messages": [
            {"role": "user", "name": "Sam", "content": "Tell me a joke."},
            {"role": "assistant", "content": "Why did the chicken cross the road?"},
        ]
    },
]
BAD = [
    "not json",
    "[1, 2]",
    '{"messages": []}',
    '{"messages": [{"role": "robot", "content": "hi"}, {"role": "assistant", "content": "x"}]}',
    '{"messages": [{"role": "user"}, {"role": "assistant", "content": "x"}]}',
    '{"messages": [{"role": "user", "content": "hi"}]}',
    '{"messages": [{"role": "user", "content": "hi", "mood": 1}, '
    '{"role": "assistant", "content": "x"}]}',
]
# Per example: 3 a message + each string value + 1 for a name, + 3.
# cl100k_base: 3*3 + 3 + (13+7+10) + 3 = 45; 2*3 + 2 + (6+9) + 3 = 26; 2*3 + 2 + 1+1 + 5+8 + 3 = 26.
CL100K = [45, 26, 26]
O200K = [43, 26, 26]  # the first reply is 8 tokens, not 10


def toy_bytes() -> bytes:
    lines = [json.dumps(example) for example in TOY] + BAD + [""]
    return ("\n".join(lines) + "\n").encode()


def tally(data: bytes, encodings=("cl100k_base", "o200k_base")):
    total = empty_tally(first_format(data), encodings)
    for line, block in line_blocks([data], 64):
        total = total.plus(tally_block(line, block, total.format, encodings))
    return total


def test_the_toy_file_counts_as_the_cookbook_counts():
    result = tally(toy_bytes())
    assert result.format == "chat"
    assert result.examples == 3
    assert result.invalid == len(BAD)
    for encoding, expected in (("cl100k_base", CL100K), ("o200k_base", O200K)):
        histogram = result.under(encoding).examples
        assert sorted(value for value, n in histogram.items() for _ in range(n)) == sorted(expected)


def test_each_check_reports_its_line():
    result = tally(toy_bytes())
    found = {(error.line, error.kind) for error in result.errors}
    assert found == {
        (4, "not_json"),
        (5, "not_object"),
        (6, "missing_messages"),
        (7, "unknown_role"),
        (8, "missing_content"),
        (9, "no_assistant"),
        (10, "unknown_key"),
    }
    assert sum(result.error_counts.values()) == len(BAD)


def test_the_toy_file_priced_by_hand():
    # Before GPT-3.5 Turbo's shutdown (2026-10-23), so that both encodings are priced.
    query = parse(
        "finetune toy.jsonl gpt-4o-mini gpt-3.5-turbo vs gpt-4.1 prompt 1500 as of 2026-06-01"
    )
    query = query.model_copy(update={"training": tally(toy_bytes())})
    from pricing.sources import load_book

    result = answer(query, load_book(None), today=TODAY)
    assert result.kind == "finetune_file"
    assert (result.examples, result.invalid) == (3, len(BAD))
    # Statistics under the first named model's encoding (o200k_base).
    stats = result.tokens
    assert (stats.encoding, stats.total, stats.min, stats.max) == ("o200k_base", 95, 26, 43)
    assert (stats.mean, stats.median, stats.p90) == (31.7, 26, 39.6)  # 26 + 17 x 0.8
    # 3 examples x 3 < 100: min(25, 100 // 3) = 25 epochs.
    assert (result.epochs, result.epochs_rule) == (25, "default")
    mini, turbo = result.rows
    assert (mini.model, mini.encoding, mini.cap) == ("gpt-4o-mini", "o200k_base", 65_536)
    assert (mini.training_tokens, mini.trained_tokens) == (95, 2_375)
    assert mini.training_usd == Decimal("0.007125")  # 2,375 x $3/1M
    assert (turbo.encoding, turbo.training_tokens, turbo.trained_tokens) == (
        "cl100k_base",
        97,
        2_425,
    )
    assert turbo.training_usd == Decimal("0.0194")  # 2,425 x $8/1M
    # Median request: prompts 35, 17, 18 -> 18; replies 8, 9, 8 -> 8.
    assert (mini.request_input_tokens, mini.request_output_tokens) == (18, 8)
    assert mini.request_usd == Decimal("0.000015")  # 18 x $0.30 + 8 x $1.20, per 1M
    # gpt-4.1 with 1,500 in, 8 out: $0.003064; saving $0.003049; 0.007125 / 0.003049 -> 3.
    assert result.vs_request_usd == Decimal("0.003064")
    assert mini.breakeven_requests == 3
    assert any("stop on 2027-01-06" in warning for warning in mini.warnings)
    assert any("self-serve fine-tuning" in source for source in result.sources)


def test_a_shut_down_model_is_not_offered_and_named_it_cannot_be_trained():
    from pricing.sources import load_book

    tallied = {"training": tally(toy_bytes())}
    every = answer(parse("finetune toy.jsonl").model_copy(update=tallied), load_book(None), TODAY)
    assert "gpt-3.5-turbo" not in [row.model for row in every.rows]  # shut down 2026-10-23
    named = parse("finetune toy.jsonl gpt-3.5-turbo").model_copy(update=tallied)
    (row,) = answer(named, load_book(None), today=TODAY).rows
    assert row.training_usd is None
    assert any("shut down" in warning for warning in row.warnings)


def test_after_openai_stops_new_jobs_its_training_cannot_be_bought():
    query = parse("finetune toy.jsonl gpt-4o-mini epochs 2 as of 2027-01-06")
    query = query.model_copy(update={"training": tally(toy_bytes())})
    from pricing.sources import load_book

    (row,) = answer(query, load_book(None), today=TODAY).rows
    assert row.training_usd is None
    assert row.trained_tokens == 190
    assert any("Since 2027-01-06, new fine-tuning jobs are not possible" in w for w in row.warnings)


@pytest.mark.parametrize(
    ("examples", "epochs"),
    [(1, 25), (3, 25), (4, 25), (5, 20), (33, 3), (34, 3), (8_333, 3), (8_334, 2), (25_001, 1)],
)
def test_default_epochs_follow_the_cookbook(examples, epochs):
    assert default_epochs(examples) == epochs


def test_a_line_over_the_limit_is_refused_with_its_number():
    data = b'{"messages": []}\n' + b"x" * (MAX_LINE_BYTES + 1) + b"\n"
    with pytest.raises(TrainingFileError, match="Line 2 is over"):
        tally(data)


def test_a_file_that_is_not_utf8_is_refused_with_its_line():
    data = json.dumps(TOY[0]).encode() + b"\n\xff\xfe\n"
    with pytest.raises(TrainingFileError, match="Line 2 is not UTF-8"):
        tally(data)


def test_preference_pairs_count_the_prompt_and_both_replies():
    pair = {
        "input": {"messages": [{"role": "user", "content": "I lost my book today."}]},
        "preferred_output": [{"role": "assistant", "content": "Tell me a joke."}],
        "non_preferred_output": [{"role": "assistant", "content": "I fell off my bike today."}],
    }
    result = tally((json.dumps(pair) + "\n").encode(), ("o200k_base",))
    assert result.format == "preference"
    # 3 messages x 3 + 3 roles + (6 + 5 + 7) + 3.
    assert result.under("o200k_base").examples == {33: 1}


def test_legacy_prompt_completion_counts_the_two_texts():
    line = json.dumps({"prompt": "Tell me a joke.", "completion": "I lost my book today."})
    result = tally((line + "\n").encode(), ("cl100k_base",))
    assert result.format == "prompt_completion"
    assert result.under("cl100k_base").examples == {11: 1}


@given(st.lists(st.integers(0, 1000), min_size=1, max_size=50), st.sampled_from([0.5, 0.9]))
def test_quantiles_from_a_histogram_are_numpys_linear_ones(values, fraction):
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    expected = ordered[low] + (ordered[high] - ordered[low]) * (position - low)
    histogram: dict[int, int] = {}
    for value in values:
        histogram[value] = histogram.get(value, 0) + 1
    assert histogram_quantile(histogram, fraction) == pytest.approx(expected)


@given(
    st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    st.lists(st.integers(1, 40), min_size=1, max_size=10),
    st.integers(1, 50),
)
def test_blocks_are_whole_lines_numbered_from_one(lines, cuts, block_bytes):
    data = b"".join(line + b"\n" for line in lines)
    chunks, start = [], 0
    for size in cuts * 20:
        chunks.append(data[start : start + size])
        start += size
    chunks.append(data[start:])
    blocks = list(line_blocks(chunks, block_bytes))
    assert b"".join(block for _, block in blocks) == data
    expected_line = 1
    for line, block in blocks:
        assert line == expected_line
        assert block.endswith(b"\n")
        expected_line += block.count(b"\n")


@pytest.mark.parametrize(
    ("reply", "changed"),
    [
        ("what about gpt-4.1?", {"models": ("gpt-4.1",)}),
        ("epochs 5", {"epochs": 5}),
        ("5 epochs", {"epochs": 5}),
        ("vs gpt-4o prompt 2000", {"vs": "gpt-4o", "vs_prompt": 2000}),
        ("as of 2025-06-01", {"as_of": date(2025, 6, 1)}),
    ],
)
def test_thread_replies_change_a_file_question(reply, changed):
    previous = parse("finetune slack:F1:train.jsonl gpt-4o-mini")
    refined = refine(reply, previous)
    assert refined is not None
    assert refined == previous.model_copy(update=changed)


def test_a_file_question_renders_to_words_that_parse_the_same():
    query = parse(
        "finetune ./train.jsonl gpt-4.1-mini gpt-4o-mini epochs 2 validation val.jsonl "
        "vs gpt-4.1 prompt 1500 as of 2025-06-01"
    )
    assert (query.file, query.models, query.validation) == (
        "./train.jsonl",
        ("gpt-4.1-mini", "gpt-4o-mini"),
        "val.jsonl",
    )
    assert parse(render(query)) == query


def test_a_shared_slack_file_is_shown_by_its_name():
    query = parse("finetune slack:F0ABC:train.jsonl gpt-4o-mini")
    query = query.model_copy(update={"training": tally(toy_bytes())})
    from pricing.sources import load_book

    result = answer(query, load_book(None), today=TODAY)
    assert result.file == "train.jsonl"


def test_short_text_counter_counts_as_count():
    from pricing import tokens

    for encoding in tokens.ENCODINGS:
        counter = tokens.short_text_counter(encoding)
        for text in ("user", "assistant", SYSTEM, "東京 " * 40, "user"):
            assert counter(text) == tokens.count(text, encoding)

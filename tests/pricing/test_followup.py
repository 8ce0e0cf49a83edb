"""Thread follow-ups: each form on each kind of question, chat left alone, errors that say what
would work, and properties over generated questions."""

import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.errors import ParseError
from pricing.followup import follow_ups, refine
from pricing.parse import parse, render
from pricing.quantities import Ratio
from pricing.query import Usage
from pricing.tariffs import normalize_name
from pricing.verbs.breakeven import BreakevenQuery
from pricing.verbs.cheapest import CheapestQuery
from pricing.verbs.compare import CompareQuery
from pricing.verbs.cost import CostQuery
from pricing.verbs.finetune import FinetuneQuery
from pricing.verbs.help import HelpQuery
from pricing.verbs.history import HistoryQuery
from pricing.verbs.models import ModelsQuery
from pricing.verbs.price import PriceQuery
from pricing.verbs.registry import examples
from pricing.verbs.tokens import TokensQuery
from tests.pricing.test_parse_properties import (
    AS_OF,
    FUZZ,
    MODEL,
    QUERIES,
    QUERY_TYPES,
    ROUND_TRIP,
    USAGE,
)

AUG_22 = date(2023, 8, 22)
SEP_1 = date(2023, 9, 1)
ONE_TO_ONE = Ratio(input=Decimal(1), output=Decimal(1))

COMPARE = CompareQuery(models=("gpt-4-8k", "ft-gpt-3.5"), usage=Usage(total=200_000), as_of=AUG_22)
COST = CostQuery(model="gpt-4", usage=Usage(input=2_000, output=500, requests=10), as_of=AUG_22)
CHEAPEST = CheapestQuery(usage=Usage(total=1_000_000, split=ONE_TO_ONE))
FINETUNE = FinetuneQuery(model="gpt-3.5-turbo", training_tokens=100_000, epochs=3)
BREAKEVEN = BreakevenQuery(
    tuned="ft-gpt-3.5",
    base="gpt-4-8k",
    base_prompt=1_500,
    tuned_prompt=200,
    output=300,
    training_tokens=100_000,
    epochs=3,
    as_of=AUG_22,
)
TOKENS = TokensQuery(text="How many tokens is this?")
MODELS = ModelsQuery(filter="gpt-4")
PRICE = PriceQuery(model="gpt-4-32k", as_of=AUG_22)
HISTORY = HistoryQuery(model="gpt-3.5-turbo")
HELP = HelpQuery()


def _refined(text, previous, *, is_model=None):
    """refine(), checking that what it returns is a valid Query that round-trips."""
    result = refine(text, previous, is_model=is_model)
    if result is not None:
        assert type(result).model_validate(result.model_dump()) == result
        assert parse(render(result)) == result
    return result


def _compare(*models, usage=COMPARE.usage, as_of=AUG_22):
    return CompareQuery(models=models, usage=usage, as_of=as_of)


# -- models: "what about X", "add X", "drop X" -----------------------------------------------

MODEL_FORMS = [
    # compare: X is added at the end, once
    ("what about gpt-4-32k?", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4-32k")),
    ("How about GPT-4-32K", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4-32k")),
    ("and gpt-4-32k?", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4-32k")),
    ("ok, and gpt-4o?", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4o")),
    (
        "what about gpt-4o and gpt-4-32k",
        COMPARE,
        _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4o", "gpt-4-32k"),
    ),
    ("what about gpt-4-8k", COMPARE, COMPARE),
    ("add gpt-4o", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4o")),
    (
        "add gpt-4o, gpt-4o-mini please",
        COMPARE,
        _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4o", "gpt-4o-mini"),
    ),
    ("add ft-gpt-3.5", COMPARE, COMPARE),
    ("drop gpt-4-8k", COMPARE, _compare("ft-gpt-3.5")),
    ("remove FT-GPT-3.5", COMPARE, _compare("gpt-4-8k")),
    ("without gpt-4-8k!", COMPARE, _compare("ft-gpt-3.5")),
    ("now drop gpt-4-8k.", COMPARE, _compare("ft-gpt-3.5")),
    # names are compared as the tariff book compares them
    ("drop gpt4", _compare("gpt-4", "gpt-4-32k"), _compare("gpt-4-32k")),
    ("add GPT4", _compare("gpt-4", "gpt-4-32k"), _compare("gpt-4", "gpt-4-32k")),
    # cost: side by side with the old model
    (
        "what about gpt-4o",
        COST,
        CompareQuery(models=("gpt-4", "gpt-4o"), usage=COST.usage, as_of=AUG_22),
    ),
    (
        "add gpt-4o gpt-4-32k",
        COST,
        CompareQuery(models=("gpt-4", "gpt-4o", "gpt-4-32k"), usage=COST.usage, as_of=AUG_22),
    ),
    ("what about gpt-4", COST, COST),
    # one-model questions: the model is replaced
    ("what about gpt-4o-mini", FINETUNE, FINETUNE.model_copy(update={"model": "gpt-4o-mini"})),
    ("how about gpt-4", PRICE, PriceQuery(model="gpt-4", as_of=AUG_22)),
    ("what about gpt-4o?", HISTORY, HistoryQuery(model="gpt-4o")),
    # breakeven: a fine-tuned name replaces the fine-tuned model, any other the base
    ("what about ft-gpt-4o", BREAKEVEN, BREAKEVEN.model_copy(update={"tuned": "ft-gpt-4o"})),
    (
        "what about ft:gpt-4o-mini",
        BREAKEVEN,
        BREAKEVEN.model_copy(update={"tuned": "ft:gpt-4o-mini"}),
    ),
    ("what about gpt-4-32k", BREAKEVEN, BREAKEVEN.model_copy(update={"base": "gpt-4-32k"})),
    (
        "what about ft-gpt-4o and gpt-4o",
        BREAKEVEN,
        BREAKEVEN.model_copy(update={"tuned": "ft-gpt-4o", "base": "gpt-4o"}),
    ),
    # filters
    ("what about gpt-4o", CHEAPEST, CHEAPEST.model_copy(update={"filter": "gpt-4o"})),
    ("what about gpt-3.5", MODELS, ModelsQuery(filter="gpt-3.5")),
]


@pytest.mark.parametrize(("text", "previous", "expected"), MODEL_FORMS)
def test_model_forms(text, previous, expected):
    assert _refined(text, previous) == expected


def test_added_models_keep_the_thread_order():
    result = _refined("what about gpt-4-32k?", COMPARE)
    assert result.models == ("gpt-4-8k", "ft-gpt-3.5", "gpt-4-32k")


# -- plain names the caller knows: refine(..., is_model=...) ---------------------------------


class FakeBook:
    """Stands in for the bot's `lambda name: book.find(name) is not None`: knows a few names
    and records what it was asked."""

    def __init__(self, *names):
        self.names = set(names)
        self.asked = []

    def __call__(self, word):
        self.asked.append(word)
        return word in self.names


KNOWS_PLAIN_NAMES = FakeBook("claude", "mistral", "llama")


@pytest.mark.parametrize(
    ("text", "previous", "expected"),
    [
        ("what about claude?", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "claude")),
        ("What about Claude?", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "claude")),
        ("add mistral", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "mistral")),
        (
            "add mistral and llama, gpt-4o",
            COMPARE,
            _compare("gpt-4-8k", "ft-gpt-3.5", "mistral", "llama", "gpt-4o"),
        ),
        ("and claude?", COMPARE, _compare("gpt-4-8k", "ft-gpt-3.5", "claude")),
        (
            "what about claude for 1M tokens",
            COMPARE,
            _compare("gpt-4-8k", "ft-gpt-3.5", "claude", usage=Usage(total=1_000_000)),
        ),
        (
            "what about claude",
            COST,
            CompareQuery(models=("gpt-4", "claude"), usage=COST.usage, as_of=AUG_22),
        ),
        ("how about mistral", PRICE, PriceQuery(model="mistral", as_of=AUG_22)),
        ("what about llama", FINETUNE, FINETUNE.model_copy(update={"model": "llama"})),
        ("what about claude", CHEAPEST, CHEAPEST.model_copy(update={"filter": "claude"})),
        ("what about claude", BREAKEVEN, BREAKEVEN.model_copy(update={"base": "claude"})),
        ("drop mistral", _compare("gpt-4-8k", "mistral"), _compare("gpt-4-8k")),
    ],
)
def test_a_model_slot_takes_a_plain_name_the_caller_knows(text, previous, expected):
    assert _refined(text, previous, is_model=KNOWS_PLAIN_NAMES) == expected


@pytest.mark.parametrize("text", ["what about claude?", "add mistral", "and llama?"])
def test_without_the_predicate_a_plain_name_is_chat(text):
    assert refine(text, COMPARE) is None


@pytest.mark.parametrize(
    "text",
    [
        "what about lunch?",
        "add sugar",
        "what about claude and lunch?",  # every word must be understood
        "claude?",  # no model slot: a bare name is chat, as a bare 'gpt-4o?' is
        "make it claude",
        "claude is great",
    ],
)
def test_a_word_the_predicate_does_not_know_stays_chat(text):
    assert refine(text, COMPARE, is_model=KNOWS_PLAIN_NAMES) is None
    assert refine(text, COMPARE, is_model=lambda word: False) is None


def test_the_predicate_is_asked_only_about_plain_words_in_a_model_slot():
    book = FakeBook("claude")

    refine(
        "what about claude, gpt-4o and gpt-4-8k for 1M tokens as of 2023-08-22",
        COMPARE,
        is_model=book,
    )
    refine("thanks, 200k is a lot", COMPARE, is_model=book)
    refine("make it 1M tokens", COMPARE, is_model=book)

    assert book.asked == ["claude"]


def test_a_plain_name_the_caller_knows_still_follows_the_question_rules():
    with pytest.raises(ParseError, match="'mistral' is not in this comparison"):
        refine("drop mistral", COMPARE, is_model=KNOWS_PLAIN_NAMES)
    with pytest.raises(ParseError, match="counts a text"):
        refine("what about claude", TOKENS, is_model=KNOWS_PLAIN_NAMES)


# -- amounts, splits, requests, training -----------------------------------------------------


def _usage(query, **fields):
    return query.model_copy(update={"usage": Usage(**fields)})


AMOUNT_FORMS = [
    # a total replaces a total, or input/output; the split and the requests stay
    ("make it 1M tokens", COMPARE, _usage(COMPARE, total=1_000_000)),
    ("1M tokens", COMPARE, _usage(COMPARE, total=1_000_000)),
    ("make it 500k", COMPARE, _usage(COMPARE, total=500_000)),
    ("Make it 1.5 million tokens please.", COMPARE, _usage(COMPARE, total=1_500_000)),
    ("make it 1M tokens", COST, _usage(COST, total=1_000_000, requests=10)),
    ("make it 2M", CHEAPEST, _usage(CHEAPEST, total=2_000_000, split=ONE_TO_ONE)),
    # input/output replace a total (and drop its split); one side keeps the other
    ("make it 150k in 50k out", COMPARE, _usage(COMPARE, input=150_000, output=50_000)),
    ("150k in 50k out", COMPARE, _usage(COMPARE, input=150_000, output=50_000)),
    ("input 150k output 50k", CHEAPEST, _usage(CHEAPEST, input=150_000, output=50_000)),
    ("make it 1k out", COST, _usage(COST, input=2_000, output=1_000, requests=10)),
    # splits go with a total
    ("split 1:1", COMPARE, _usage(COMPARE, total=200_000, split=ONE_TO_ONE)),
    ("make it 1:1", COMPARE, _usage(COMPARE, total=200_000, split=ONE_TO_ONE)),
    ("what about split 1:1", COMPARE, _usage(COMPARE, total=200_000, split=ONE_TO_ONE)),
    ("make it 1M tokens split 1:1", COMPARE, _usage(COMPARE, total=1_000_000, split=ONE_TO_ONE)),
    ("what about 1M tokens", COMPARE, _usage(COMPARE, total=1_000_000)),
    # requests
    ("x 500 requests", COMPARE, _usage(COMPARE, total=200_000, requests=500)),
    ("500 requests", COMPARE, _usage(COMPARE, total=200_000, requests=500)),
    ("for 500 requests", COMPARE, _usage(COMPARE, total=200_000, requests=500)),
    ("x500", COMPARE, _usage(COMPARE, total=200_000, requests=500)),
    ("x 20 requests", COST, _usage(COST, input=2_000, output=500, requests=20)),
    # finetune: tokens are training tokens, a multiplier is epochs
    ("make it 200k tokens", FINETUNE, FINETUNE.model_copy(update={"training_tokens": 200_000})),
    ("make it 200k", FINETUNE, FINETUNE.model_copy(update={"training_tokens": 200_000})),
    ("5 epochs", FINETUNE, FINETUNE.model_copy(update={"epochs": 5})),
    ("make it 5 epochs", FINETUNE, FINETUNE.model_copy(update={"epochs": 5})),
    ("x5", FINETUNE, FINETUNE.model_copy(update={"epochs": 5})),
    ("epochs 4", FINETUNE, FINETUNE.model_copy(update={"epochs": 4})),
    (
        "training 300k x2",
        FINETUNE,
        FINETUNE.model_copy(update={"training_tokens": 300_000, "epochs": 2}),
    ),
    # breakeven: each named field
    (
        "training 200k x4",
        BREAKEVEN,
        BREAKEVEN.model_copy(update={"training_tokens": 200_000, "epochs": 4}),
    ),
    ("training 200k", BREAKEVEN, BREAKEVEN.model_copy(update={"training_tokens": 200_000})),
    ("output 500", BREAKEVEN, BREAKEVEN.model_copy(update={"output": 500})),
    (
        "prompt 2000 -> 300",
        BREAKEVEN,
        BREAKEVEN.model_copy(update={"base_prompt": 2_000, "tuned_prompt": 300}),
    ),
    (
        "make it prompt 2k to 300 output 400",
        BREAKEVEN,
        BREAKEVEN.model_copy(update={"base_prompt": 2_000, "tuned_prompt": 300, "output": 400}),
    ),
    # combinations
    (
        "add gpt-4o x 500 requests",
        COMPARE,
        _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4o", usage=Usage(total=200_000, requests=500)),
    ),
    (
        "what about gpt-4o 1M tokens split 1:1",
        COST,
        CompareQuery(
            models=("gpt-4", "gpt-4o"),
            usage=Usage(total=1_000_000, split=ONE_TO_ONE, requests=10),
            as_of=AUG_22,
        ),
    ),
]


@pytest.mark.parametrize(("text", "previous", "expected"), AMOUNT_FORMS)
def test_amount_forms(text, previous, expected):
    assert _refined(text, previous) == expected


# -- the date rule ---------------------------------------------------------------------------

DATED = [COMPARE, COST, CHEAPEST, FINETUNE, BREAKEVEN, TOKENS, MODELS, PRICE]


@pytest.mark.parametrize("previous", DATED, ids=lambda q: q.kind)
@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("as of 2023-09-01", SEP_1),
        ("on 2023-09-01", SEP_1),
        ("As of 2023-9-1?", SEP_1),
        ("what about as of 2023-09-01", SEP_1),
        ("as of today", None),
        ("ok, as of today please", None),
    ],
)
def test_a_follow_up_date_replaces_the_threads_date(previous, text, day):
    assert _refined(text, previous) == previous.model_copy(update={"as_of": day})


@pytest.mark.parametrize(
    ("text", "previous"),
    [("make it 1M tokens", COMPARE), ("add gpt-4o", COMPARE), ("output 500", BREAKEVEN)],
)
def test_a_follow_up_without_a_date_keeps_the_threads_date(text, previous):
    assert _refined(text, previous).as_of == AUG_22


def test_a_date_combines_with_other_changes():
    result = _refined("what about gpt-4-32k as of 2023-09-01", COMPARE)
    assert result == _compare("gpt-4-8k", "ft-gpt-3.5", "gpt-4-32k", as_of=SEP_1)


# -- whole new questions ---------------------------------------------------------------------

NEW_QUERIES = [
    "compare gpt-4 gpt-4o 1M tokens",
    "compare gpt-4o 1M tokens",
    "price gpt-4",
    "price gpt-4-32k",
    "prices gpt-4o as of 2023-08-22",
    "history gpt-3.5-turbo",
    "cost gpt-4o 10k in 2k out",
    "finetune gpt-4o-mini 50k tokens",
    "help compare",
    "help tokens",
    "vs gpt-4 gpt-4o 1M",
    "ok, price gpt-4",
]


@pytest.mark.parametrize("text", NEW_QUERIES)
def test_a_question_that_starts_with_a_command_stands_alone(text):
    # parsed alone: the thread's models and date do not carry over
    assert _refined(text, COMPARE) == parse(text.removeprefix("ok, "))


KNOWS_IDS = FakeBook("gpt-4-32k", "gpt-3.5-turbo", "gpt-4o", "claude")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("price gpt-4-32k", PriceQuery(model="gpt-4-32k")),
        ("Price GPT-4-32K", PriceQuery(model="gpt-4-32k")),
        ("history gpt-3.5-turbo", HistoryQuery(model="gpt-3.5-turbo")),
        ("price claude", PriceQuery(model="claude")),
        ("history claude", HistoryQuery(model="claude")),
        ("price claude as of 2023-08-22", PriceQuery(model="claude", as_of=AUG_22)),
        ("compare gpt-4o 1M tokens", parse("compare gpt-4o 1M tokens")),
    ],
)
def test_a_new_question_about_a_model_the_caller_knows_is_taken(text, expected):
    assert _refined(text, COMPARE, is_model=KNOWS_IDS) == expected


@pytest.mark.parametrize(
    "text",
    [
        "price claude",  # a plain name: only the caller can say it is a model
        "history claude",
        "price steep",
        "history repeats",
        "price hike",
        "prices vary",
    ],
)
def test_without_the_predicate_price_and_history_need_a_model_id(text):
    assert refine(text, COMPARE) is None


@pytest.mark.parametrize("text", ["price steep", "history repeats", "price mistral"])
def test_with_the_predicate_price_and_history_of_plain_words_need_a_model_it_knows(text):
    assert refine(text, COMPARE, is_model=KNOWS_IDS) is None


@pytest.mark.parametrize("text", ["price gpt-5", "history gpt-4-23k"])
def test_price_and_history_of_an_unknown_model_id_are_asked(text):
    # Asked, so that a mistyped id gets "did you mean" rather than silence.
    assert refine(text, COMPARE, is_model=KNOWS_IDS) == parse(text)


@pytest.mark.parametrize(
    "text", ["price claude as of 2023-08-22", "history claude", "price Claude"]
)
def test_a_new_question_about_the_threads_own_model_is_taken(text):
    previous = HistoryQuery(model="claude")
    assert _refined(text, previous) == parse(text)
    assert _refined(text, previous, is_model=lambda word: False) == parse(text)


FREE_TEXT_QUESTIONS = [
    "tokens are expensive",
    "tokens count me please",
    "token limits bite",
    "count me in",
    "count gpt-4o",
    "models look right",
    "models claude",
    "models gpt-4",
    "model seems off",
    "list looks fine",
    "list gpt-4o",
]


@pytest.mark.parametrize("text", FREE_TEXT_QUESTIONS)
def test_tokens_and_models_do_not_lead_a_new_question_in_a_thread(text):
    # their argument is free text: in a thread they are asked with /llmcost or a mention
    parse(text)  # would parse, so only the thread rule keeps them out
    assert refine(text, COMPARE) is None
    assert refine(text, COMPARE, is_model=KNOWS_IDS) is None
    assert refine(text, MODELS, is_model=lambda word: True) is None


# -- conversation ----------------------------------------------------------------------------

CHAT = [
    "thanks!",
    "Thanks, that settles it",
    "I think 200k is too much",
    "that's pricey",
    "cost seems high",
    "compare that with last year",
    "price is right",
    "price is steep",
    "price hike",
    "prices vary",
    "history repeats",
    "history repeats itself",
    "history lesson",
    "help me understand this",
    "tokens are expensive",
    "token limits bite",
    "tokens, tokens everywhere",
    "count me in",
    "models look right",
    "model seems off",
    "list looks fine",
    "list of things to do",
    "what about lunch?",
    "what about it?",
    "how about we wait",
    "and then?",
    "and?",
    "ok",
    "?!",
    "200k?",
    "500k",
    "make it so",
    "make it work",
    "split the bill",
    "split it 50/50",
    "add me to the channel",
    "drop it",
    "without a doubt",
    "as of now we're fine",
    "as of yesterday",
    "on second thought",
    "1M tokens is a lot",
    "out of curiosity",
    "in the meantime",
    "x",
    "",
    "   ",
    ":+1:",
    "<@U0BOT> nice",
]


@pytest.mark.parametrize(
    "previous", [COMPARE, COST, FINETUNE, BREAKEVEN, TOKENS, HELP], ids=lambda q: q.kind
)
@pytest.mark.parametrize("text", CHAT)
def test_conversation_is_left_alone(text, previous):
    assert refine(text, previous) is None


# -- follow-ups that cannot apply ------------------------------------------------------------


def _error(text, previous):
    with pytest.raises(ParseError) as caught:
        refine(text, previous)
    error = caught.value
    assert error.suggestions, f"no suggestion for {text!r}"
    assert f"Try: {error.suggestions[0]}" in error.message
    for suggestion in error.suggestions:  # what would work, does
        assert _refined(suggestion, previous) is not None, suggestion
    return error


ERRORS = [
    # (text, previous, fragments of the message, a suggestion that must be offered)
    (
        "split 1:1",
        COST,
        ["split divides a total", "2k in 500 out"],
        "make it 2.5k tokens split 1:1",
    ),
    (
        "drop davinci-002",
        COMPARE,
        ["'davinci-002' is not in this comparison", "gpt-4-8k, ft-gpt-3.5"],
        "drop ft-gpt-3.5",
    ),
    ("drop gpt-4-8k", _compare("gpt-4-8k"), ["drop every model"], "what about gpt-4o"),
    ("drop gpt-4-8k ft-gpt-3.5", COMPARE, ["drop every model"], "drop ft-gpt-3.5"),
    ("drop gpt-4", COST, ["prices one model"], "what about gpt-4o"),
    ("add gpt-4o", TOKENS, ["'add'", "tokens question"], "as of 2023-08-22"),
    ("what about gpt-4o", TOKENS, ["counts a text"], "as of 2023-08-22"),
    ("1M tokens", TOKENS, ["no amounts"], "as of 2023-08-22"),
    ("make it 1M tokens", MODELS, ["no amounts"], "what about gpt-4"),
    ("x 5 requests", PRICE, ["no amounts"], "what about gpt-4-32k"),
    ("add gpt-4o", FINETUNE, ["'add'", "finetune question"], "what about gpt-4o-mini"),
    ("drop gpt-4o", CHEAPEST, ["'drop'", "cheapest question"], "what about gpt-4"),
    ("5 epochs", COMPARE, ["compare question", "epochs"], "make it 1M tokens"),
    ("training 200k x4", COST, ["cost question", "training"], "make it 1M tokens"),
    ("prompt 2000 -> 300", COMPARE, ["prompt sizes"], "make it 1M tokens"),
    ("x 500 requests", FINETUNE, ["finetune question", "requests"], "5 epochs"),
    ("150k in 50k out", FINETUNE, ["finetune question", "input"], "make it 200k tokens"),
    ("make it 1M tokens", BREAKEVEN, ["breakeven question", "token amount"], "training 200k x4"),
    ("split 1:1", BREAKEVEN, ["breakeven question", "split"], "output 500"),
    ("prompt 2000", BREAKEVEN, ["breakeven question", "input"], "prompt 2000 -> 300"),
    ("what about gpt-4o and gpt-4-32k", PRICE, ["one model"], "what about gpt-4o"),
    ("what about ft-a1 and ft-b2", BREAKEVEN, ["one fine-tuned model"], "training 200k x4"),
    ("as of 2023-08-22", HISTORY, ["every date"], "price gpt-3.5-turbo as of 2023-08-22"),
    ("what about gpt-4o", HELP, ["no question in this thread"], examples()["compare"]),
    ("as of 2023-02-30", COMPARE, ["'2023-02-30' is not a real date"], "as of 2023-08-22"),
    ("as of", COMPARE, ["'as of' needs a date"], "as of 2023-08-22"),
    ("make it 1,5M tokens", COMPARE, ["'1,5M' is not a number"], "make it 1M tokens"),
    ("make it 1.2345k tokens", COMPARE, ["not a whole number", "1,234 or 1,235"], None),
    ("make it -5k tokens", COMPARE, ["cannot be negative"], None),
    ("make it 1e6 tokens", COMPARE, ["without an exponent"], None),
    ("split 0:1", COMPARE, ["gives no input tokens"], "split 1:1"),
    ("split", COMPARE, ["needs an input:output ratio"], "split 1:1"),
    ("x 0 requests", COST, ["at least 1"], "x 500 requests"),
    ("0 epochs", FINETUNE, ["at least 1 epoch"], "3 epochs"),
    ("make it 0 tokens", FINETUNE, ["at least one token"], "make it 200k tokens"),
    ("make it 1M tokens 50k out", COMPARE, ["either a total or input/output"], "make it 1M tokens"),
    ("1M tokens 2M tokens", COMPARE, ["given twice"], None),
    ("as of 2023-08-22 on 2023-09-01", COMPARE, ["date is given twice"], None),
    ("add", COMPARE, [], None),  # chat: nothing to add
    ("add x 5 requests", COMPARE, ["'add' needs model names"], "what about gpt-4o"),
]


@pytest.mark.parametrize(
    ("text", "previous", "fragments", "suggestion"), ERRORS, ids=[e[0] or "-" for e in ERRORS]
)
def test_follow_ups_that_cannot_apply_say_what_would_work(text, previous, fragments, suggestion):
    if not fragments:
        assert refine(text, previous) is None
        return
    error = _error(text, previous)
    for fragment in fragments:
        assert fragment in error.message
    if suggestion is not None:
        assert suggestion in error.suggestions


@pytest.mark.parametrize(
    "previous",
    [
        COMPARE,
        _compare("gpt-4o"),
        COST,
        CHEAPEST,
        FINETUNE,
        BREAKEVEN,
        TOKENS,
        MODELS,
        PRICE,
        HISTORY,
        HELP,
    ],
    ids=lambda q: q.kind,
)
def test_every_offered_follow_up_applies(previous):
    for text in follow_ups(previous):
        assert _refined(text, previous) is not None, text


def test_reading_a_follow_up_loads_no_tariffs():
    """Pure and fast: neither the tariff sources nor the catalog are imported."""
    code = (
        "import sys; from pricing.followup import refine; from pricing.parse import parse; "
        "refine('what about gpt-4-32k?', parse('compare gpt-4-8k 200k tokens')); "
        "print(sorted(m for m in sys.modules if m in {'pricing.sources', 'pricing.catalog', "
        "'genai_prices', 'pricing.answer'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"


# -- properties ------------------------------------------------------------------------------


def _id_like(name: str) -> bool:
    """The names a model slot takes without knowing them: gpt-4o, claude-3-haiku, o1."""
    return bool(re.search(r"[\d\-:/.]", name))


# A thread's question is one the bot rendered and read back: any generated query, since every one
# round-trips (tests/pricing/test_parse_properties.py).
COMPARES = st.builds(
    CompareQuery,
    models=st.lists(MODEL, min_size=1, max_size=4).map(tuple),
    usage=USAGE,
    as_of=AS_OF,
)
DATED_QUERIES = QUERIES.filter(lambda q: q.kind not in {"history", "help"})


def _taken_in_a_thread(question, previous) -> bool:
    """Whether a whole question asked in a thread is taken: not tokens or models (free text),
    price and history only about a model id or the thread's own model."""
    if question.kind in {"tokens", "models"}:
        return False
    if question.kind in {"price", "history"}:
        names = {getattr(previous, slot, None) for slot in ("model", "tuned", "base")}
        names |= set(getattr(previous, "models", ()))
        thread = {normalize_name(name) for name in names if name}
        return _id_like(question.model) or normalize_name(question.model) in thread
    return True


@ROUND_TRIP
@given(QUERIES, QUERIES)
def test_a_whole_question_in_a_thread_is_that_question(previous, question):
    expected = question if _taken_in_a_thread(question, previous) else None
    assert refine(render(question), previous) == expected


@ROUND_TRIP
@given(QUERIES, QUERIES)
def test_a_whole_question_about_a_model_the_caller_knows_is_that_question(previous, question):
    knows = FakeBook(getattr(question, "model", ""))
    expected = None if question.kind in {"tokens", "models"} else question
    assert refine(render(question), previous, is_model=knows) == expected


@ROUND_TRIP
@given(QUERIES, COMPARES)
def test_a_comparison_asked_in_a_thread_is_exactly_that_comparison(previous, question):
    assert refine(render(question), previous) == question


@ROUND_TRIP
@given(DATED_QUERIES, st.dates(min_value=date(1000, 1, 1)))
def test_a_date_changes_only_the_date(previous, day):
    assert _refined(f"as of {day.isoformat()}", previous) == previous.model_copy(
        update={"as_of": day}
    )
    assert _refined("as of today", previous) == previous.model_copy(update={"as_of": None})


@ROUND_TRIP
@given(COMPARES, MODEL.filter(_id_like))
def test_adding_a_model_keeps_the_order_and_names_it_once(previous, name):
    result = _refined(f"add {name}", previous)
    assert result.models[: len(previous.models)] == previous.models
    assert result.usage == previous.usage
    assert result.as_of == previous.as_of
    if normalize_name(name) in {normalize_name(model) for model in previous.models}:
        assert result == previous
    else:
        assert result.models == (*previous.models, name)
    assert _refined(f"what about {name}?", previous) == result


@ROUND_TRIP
@given(COMPARES, MODEL)
def test_any_name_the_caller_knows_can_be_added(previous, name):
    knows = FakeBook(name)
    result = _refined(f"add {name}", previous, is_model=knows)
    assert result.models[: len(previous.models)] == previous.models
    assert (result.usage, result.as_of) == (previous.usage, previous.as_of)
    if normalize_name(name) not in {normalize_name(model) for model in previous.models}:
        assert result.models == (*previous.models, name)
    assert _refined(f"what about {name}?", previous, is_model=knows) == result


@ROUND_TRIP
@given(COMPARES.filter(lambda q: len(set(map(normalize_name, q.models))) > 1), st.data())
def test_dropping_a_model_keeps_the_others_in_order(previous, data):
    name = data.draw(st.sampled_from(previous.models))
    result = _refined(f"drop {name}", previous)
    kept = tuple(m for m in previous.models if normalize_name(m) != normalize_name(name))
    assert result.models == kept
    assert (result.usage, result.as_of) == (previous.usage, previous.as_of)


# Mostly the grammar's own pieces, some malformed ones, a little chat.
GOOD_PIECES = [
    *["gpt-4o", "gpt-4-8k", "ft-gpt-3.5", "ft:gpt-4o", "GPT4", "claude-3-haiku"],
    *["1M tokens", "500k", "150k in 50k out", "output 500", "in 2k", "1.5 million"],
    *["split 1:1", "1:1", "x 500 requests", "500 requests", "x5", "5 epochs"],
    *["training 200k x4", "prompt 2000 -> 300", "as of 2023-08-22", "as of today"],
    *["on 2023-9-1", "and", "please", "for"],
    *["$1000", "500 usd", "$1.5k", "per day", "a month", "every year"],
]
ODD_PIECES = ["split 0:1", "prompt 2k", "as of 2023-02-30", "1,5", "-5k", "1e6", "0", "x 0"]
ODD_PIECES += ["0 epochs", "thanks", "it", "lunch", "is", "?", "the"]
ODD_PIECES += ["$0", "$-5", "$", "$1,5", "day", "usd"]
PIECES = st.sampled_from(GOOD_PIECES * 3 + ODD_PIECES)
LEADS = st.sampled_from(
    ["", "what about ", "How about ", "and ", "add ", "drop ", "remove ", "make it ", "ok now "]
)
FOLLOW_UPS = st.builds(
    lambda lead, pieces, tail: lead + " ".join(pieces) + tail,
    LEADS,
    st.lists(PIECES, max_size=3),
    st.sampled_from(["", "?", ".", "!"]),
)


@FUZZ
@given(QUERIES, FOLLOW_UPS)
def test_a_reply_is_chat_a_valid_question_or_an_error_that_helps(previous, text):
    error = result = None
    try:
        result = _refined(text, previous)
    except ParseError as raised:
        error = raised
    if error is not None:
        assert error.suggestions, f"{text!r}: {error.message} (nothing suggested)"
        assert f"Try: {error.suggestions[0]}" in error.message
        for suggestion in error.suggestions:
            assert _refined(suggestion, previous) is not None, (text, suggestion)
        return
    dated = "as of" in text.lower() or " on 2" in f" {text}"
    if result is not None and result.kind != "help" and not dated:
        # no date given: the thread's date stays
        assert getattr(result, "as_of", None) == getattr(previous, "as_of", None)


@FUZZ
@given(
    QUERIES,
    st.lists(
        st.sampled_from(
            ["thanks", "I", "think", "that's", "too", "much", "pricey", "lol", "it", "we", "is"]
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_words_that_are_not_the_grammar_are_chat(previous, words):
    assert refine(" ".join(words), previous) is None


@FUZZ
@given(
    QUERIES,
    st.text()
    | st.lists(st.sampled_from(GOOD_PIECES + ODD_PIECES) | st.text(max_size=4)).map(" ".join),
)
def test_any_reply_is_chat_a_question_or_a_parse_error(previous, text):
    error = result = None
    try:
        result = _refined(text, previous)
    except ParseError as raised:
        error = raised
    if error is not None:
        assert error.suggestions, f"{text!r}: {error.message} (nothing suggested)"
    assert result is None or isinstance(result, QUERY_TYPES)


# --- price dimensions in a thread ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("make it batch", "cost claude-sonnet-4 1M in 100k out 90% cached batch"),
        ("with 80% cached", "cost claude-sonnet-4 1M in 100k out 80% cached"),
        ("cached 200k", "cost claude-sonnet-4 1M in 100k out cached 200k"),
        ("no cache", "cost claude-sonnet-4 1M in 100k out"),
        (
            "and cache writes 50k 1h",
            "cost claude-sonnet-4 1M in 100k out 90% cached cache writes 50k 1h",
        ),
        ("at 18:00 UTC", "cost claude-sonnet-4 1M in 100k out 90% cached at 18:00 UTC"),
        ("make it 2M in", "cost claude-sonnet-4 2M in 100k out 90% cached"),
    ],
)
def test_replies_change_how_the_usage_is_billed(reply, expected):
    previous = parse("cost claude-sonnet-4 1M in 100k out 90% cached")

    assert render(refine(reply, previous)) == expected


def test_standard_undoes_a_tier_and_a_time_of_day():
    batch = parse("compare gpt-4o gpt-4.1 1M tokens batch")
    evening = parse("cost deepseek-chat 1M tokens at 18:00")

    assert render(refine("standard", batch)) == "compare gpt-4o gpt-4.1 1M tokens"
    assert render(refine("standard", evening)) == "cost deepseek-chat 1M tokens"
    assert render(refine("make it flex", evening)) == "cost deepseek-chat 1M tokens flex"


def test_dimension_replies_are_offered_and_refused_where_they_have_no_place():
    assert {"make it batch", "with 80% cached"} <= set(follow_ups(parse("cost gpt-4o 1M tokens")))
    assert {"standard", "no cache"} <= set(
        follow_ups(parse("cost gpt-4o 1M tokens 50% cached batch"))
    )
    with pytest.raises(ParseError, match="no place for cache shares, tiers or times of day"):
        refine("make it batch", parse("finetune gpt-4o 100k tokens"))
    with pytest.raises(ParseError, match="cannot exceed"):
        refine("cached 2M", parse("cost gpt-4o 1M in 1M out"))

"""Grammar properties: any text gives a Query or a ParseError; render and parse round-trip."""

import re
from datetime import date, time
from decimal import Decimal
from typing import get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.errors import ParseError
from pricing.lexicon import (
    CURRENCY_WORDS,
    MAX_MONEY,
    NAME_WORDS,
    PERIOD_LEAD,
    PERIOD_WORDS,
    RESERVED,
    scaled_word,
)
from pricing.parse import parse, render
from pricing.phrasing.sentences import LEADS
from pricing.quantities import MAX_COUNT, Ratio, looks_like_count, looks_like_ratio
from pricing.query import Usage
from pricing.verbs.breakeven import BreakevenQuery
from pricing.verbs.budget import BudgetQuery
from pricing.verbs.cheapest import CheapestQuery
from pricing.verbs.compare import CompareQuery
from pricing.verbs.cost import CostQuery
from pricing.verbs.finetune import FinetuneQuery
from pricing.verbs.help import HelpQuery
from pricing.verbs.history import HistoryQuery
from pricing.verbs.models import ModelsQuery
from pricing.verbs.price import PriceQuery
from pricing.verbs.registry import VERBS, examples, query_union
from pricing.verbs.tokens import TokensQuery

EXAMPLES = examples()
QUERY_TYPES = get_args(get_args(query_union())[0])

# Deterministic for CI: the same examples every run, no example database, no timing flakes.
FUZZ = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ROUND_TRIP = settings(FUZZ, max_examples=150)

# ---------------------------------------------------------------------------------------------
# (a) Anything typed is either understood or reported: a Query or a ParseError, nothing else.

KEYWORDS = sorted(
    RESERVED
    | set(VERBS)
    | {"vs.", "fine-tune", "break-even", "payback", "prompts", "list", "count", "?", "as of"}
)
SAMPLES = [
    "gpt-4-8k",
    "GPT-4-32K",
    "ft-gpt-3.5",
    "ft:gpt-3.5-turbo",
    "gpt4",
    "4o-mini",
    "3.5-turbo",
    "200k",
    "1.2M",
    "1,500",
    "1,5",
    "1.2345k",
    ".5k",
    "0",
    "00",
    "1e5",
    "9" * 40 + "b",
    "x3",
    "x10000",
    "\u00d72",
    "*3",
    "3:1",
    "1:0",
    "0:1",
    "1.5:0.5",
    "2023-08-22",
    "2023-8-1",
    "2023-02-30",
    "0000-01-01",
    "99999-01-01",
    "->",
    "\u2192",
    "1500->200",
    "1500\u2192200",
    ",",
    ".",
    ":",
    "?",
    "!",
    "(",
    '"',
    "\u00e9t\u00e9",
    "\u00b2",
    "\u0663",
    "\uff12",
    "\U0001f600",
    "\u200b",
    "\u00a0",
    *["$500", "$1.5k", "$2,000", "$0", "$-5", "-$5", "$", "$ 500", "$1,5", "$.5", "$1e5"],
    *["usd", "dollars", "per month", "a day", "week", "every year", "per", "500 usd"],
    *["90%", "100%", "120%", "9.5%", "%", "at 18:00", "18:00", "25:00", "utc+8", "+05:30", "z"],
    *["cache writes", "cache reads", "no cache", "1h", "off-peak", "cached 200k", "200k cached"],
]
WORD = st.sampled_from(KEYWORDS + SAMPLES) | st.text(max_size=5)
SEPARATOR = st.sampled_from([" ", "  ", ", ", ",", "\n", "\t", ""])
GRAMMARISH = st.builds(
    lambda verb, words, sep, tail: verb + sep.join(words) + tail,
    st.sampled_from([*VERBS, "vs ", "?", "", "comapre ", "help "]).map(lambda v: v + " "),
    st.lists(WORD, max_size=14),
    SEPARATOR,
    st.sampled_from(["", "?", " as of 2023-08-22", " as of", " as of today", "."]),
)


def _parse_or_error(text: str):
    """The Query for `text`, or None after checking the ParseError says what would work."""
    error = None
    try:
        query = parse(text)
    except ParseError as raised:
        error = raised
    if error is not None:
        assert error.message.strip()
        assert error.suggestions, f"{text!r}: {error.message} (nothing suggested)"
        assert all(isinstance(s, str) and s.strip() for s in error.suggestions)
        return None
    assert isinstance(query, QUERY_TYPES)
    return query


@FUZZ
@given(st.text())
def test_any_text_is_a_query_or_a_parse_error(text):
    _parse_or_error(text)


@FUZZ
@given(GRAMMARISH)
def test_grammar_like_text_is_a_query_or_a_parse_error(text):
    _parse_or_error(text)


@FUZZ
@given(GRAMMARISH)
def test_what_parses_renders_to_words_that_parse_the_same(text):
    query = _parse_or_error(text)
    if query is not None:
        assert parse(render(query)) == query


# ---------------------------------------------------------------------------------------------
# (b) Every valid Query renders to words that parse back to the same Query.


# An amount written with an exponent: parse refuses it ("write 1M") rather than read a model name.
_EXPONENT = re.compile(r"\d+(\.\d+)?e\d+", re.I)


def _usable_model_name(name: str) -> bool:
    """Names the grammar can tell from its own words: no keyword, count, ratio, date, 'x3' or
    amount with an exponent ('0e0', '1e6')."""
    return (
        name not in RESERVED
        and not looks_like_count(name)
        and not _EXPONENT.fullmatch(name)
        and not looks_like_ratio(name)
        and not re.match(r"[x*]\d", name)
        and not re.search(r"[.:]$", name)
        and scaled_word(name) is None  # "2mil" is an amount, 2M
        # a leading digit needs a letter before any k/m/b suffix, as in "4o-mini" or "3.5-turbo"
        and (not name[0].isdecimal() or any(c.isalpha() for c in name.rstrip("kmb")))
    )


MODEL = (
    st.from_regex(r"[a-z0-9][a-z0-9._:-]{0,24}", fullmatch=True)
    | st.sampled_from(
        [
            *["gpt-4-8k", "ft:gpt-3.5-turbo", "gpt4", "4o-mini", "3.5-turbo", "compare", "help"],
            *["prompts", "models", "price", "tokens", "cheapest", "k", "m", "b", "x", "e5"],
            *["1e6", "0e0", "2.5e3", "1e", "e1e1", "1e6x"],
        ]
    )
).filter(_usable_model_name)
COUNT = st.one_of(
    st.integers(min_value=0, max_value=MAX_COUNT),
    st.integers(min_value=0, max_value=9_999),
    st.builds(lambda m, e: m * 10**e, st.integers(0, 9_999), st.integers(0, 11)),
)
POSITIVE = COUNT.filter(lambda n: n >= 1)
EPOCHS = st.none() | st.integers(min_value=1, max_value=100)
AS_OF = st.none() | st.dates(min_value=date(1000, 1, 1))
RATIO = st.builds(
    Ratio,
    input=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2),
    output=st.decimals(min_value=Decimal(0), max_value=Decimal(1000), places=2),
)
PERIOD = st.sampled_from([None, "day", "week", "month", "year"])
TOTAL_USAGE = st.builds(
    Usage, total=COUNT, split=st.none() | RATIO, requests=st.none() | POSITIVE, period=PERIOD
)
SPLIT_USAGE = st.builds(
    Usage, input=COUNT, output=st.none() | COUNT, requests=st.none() | POSITIVE, period=PERIOD
) | st.builds(Usage, output=COUNT, requests=st.none() | POSITIVE, period=PERIOD)
PLAIN_USAGE = TOTAL_USAGE | SPLIT_USAGE
CLOCK = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@st.composite
def priced_usage(draw: st.DrawFn) -> Usage:
    """A usage with, often, price dimensions: cache reads (a share or an amount within the
    input), cache writes at either rate, and a tier or a time of day."""
    usage = draw(PLAIN_USAGE)
    input_tokens, _output = usage.per_request()
    room = input_tokens
    dims: dict[str, object] = {}
    reads = draw(st.sampled_from(["none", "share", "amount"]))
    if reads == "share":
        dims["cached_percent"] = draw(st.integers(0, 100))
        room -= input_tokens * dims["cached_percent"] // 100  # type: ignore[operator]
    elif reads == "amount":
        dims["cached"] = draw(st.integers(0, room))
        room -= dims["cached"]  # type: ignore[operator]
    for field in ("cache_writes", "cache_writes_1h"):
        if draw(st.booleans()):
            dims[field] = draw(st.integers(0, room))
            room -= dims[field]  # type: ignore[operator]
    when = draw(st.sampled_from(["none", "tier", "clock"]))
    if when == "tier":
        dims["tier"] = draw(st.sampled_from(["batch", "flex", "priority", "off_peak"]))
    elif when == "clock":
        dims["clock"] = draw(CLOCK)
        dims["utc_assumed"] = draw(st.booleans())
    return usage.model_copy(update=dims)


USAGE = priced_usage()
FILTER_WORD = MODEL | st.sampled_from(["4", "200k", "3.5"])
# A text to count, often ending in whitespace, which it keeps with or without a date after it.
# A text that itself ends in "as of <date>" would be read as the date of the prices.
TEXT = (
    st.builds(
        str.__add__,
        st.text(min_size=1),
        st.sampled_from(["", "", " ", "  ", "\n", "\t", " \n", "\r\n", "\u00a0"]),
    )
    .filter(str.strip)
    .filter(lambda t: not re.search(r"as of \S+\s*$", t))
)

# In a budget, money and period words are grammar, so they are no model names there.
BUDGET_MODEL = MODEL.filter(
    lambda name: name not in CURRENCY_WORDS | set(PERIOD_WORDS) | PERIOD_LEAD
)
MONEY = st.one_of(
    st.integers(min_value=1, max_value=int(MAX_MONEY)).map(Decimal),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100_000), places=2),
)
# A request size: per request already, so no 'x N requests' (and its period is the budget's).
REQUEST = st.builds(Usage, total=COUNT, split=st.none() | RATIO) | st.builds(
    Usage, input=COUNT, output=st.none() | COUNT
)
BUDGETS = st.builds(
    BudgetQuery,
    budget=MONEY,
    period=st.sampled_from([None, "day", "week", "month", "year"]),
    models=st.lists(BUDGET_MODEL, min_size=1, max_size=3).map(tuple),
    request=REQUEST,
    as_of=AS_OF,
) | st.builds(
    BudgetQuery,
    budget=MONEY,
    period=st.sampled_from([None, "day", "week", "month", "year"]),
    models=st.lists(BUDGET_MODEL, min_size=1, max_size=3).map(tuple),
    split=st.none() | RATIO,
    as_of=AS_OF,
)

QUERIES = st.one_of(
    st.builds(
        CompareQuery,
        models=st.lists(MODEL, min_size=1, max_size=4).map(tuple),
        usage=USAGE,
        as_of=AS_OF,
    ),
    st.builds(CostQuery, model=MODEL, usage=USAGE, as_of=AS_OF),
    st.builds(
        CheapestQuery,
        filter=st.none() | st.lists(MODEL, min_size=1, max_size=3).map(" ".join),
        usage=USAGE,
        as_of=AS_OF,
    ),
    st.builds(FinetuneQuery, model=MODEL, training_tokens=POSITIVE, epochs=EPOCHS, as_of=AS_OF),
    st.builds(
        BreakevenQuery,
        tuned=MODEL,
        base=MODEL,
        base_prompt=COUNT,
        tuned_prompt=COUNT,
        output=st.none() | COUNT,
        training_tokens=POSITIVE,
        epochs=EPOCHS,
        as_of=AS_OF,
    ),
    st.builds(TokensQuery, text=TEXT, as_of=AS_OF),
    st.builds(
        ModelsQuery,
        filter=st.none() | st.lists(FILTER_WORD, min_size=1, max_size=3).map(" ".join),
        as_of=AS_OF,
    ),
    st.builds(PriceQuery, model=MODEL, as_of=AS_OF),
    st.builds(HistoryQuery, model=MODEL),
    st.builds(HelpQuery, topic=st.none() | st.sampled_from(VERBS)),
    BUDGETS,
)


@ROUND_TRIP
@given(QUERIES)
def test_render_then_parse_gives_the_same_query(query):
    assert parse(render(query)) == query


@ROUND_TRIP
@given(
    st.builds(CompareQuery, models=st.lists(MODEL, min_size=1, max_size=4).map(tuple), usage=USAGE)
)
def test_a_comparison_reads_the_same_without_its_verb(query):
    words = render(query).removeprefix("compare ")
    first = words.split()[0]
    # A first word that is a verb, or a sentence's lead ('is', 'what'), reads as such.
    if first not in {*VERBS, *LEADS} and first not in {"vs", "?", "count", "list"}:
        assert parse(words) == query


@ROUND_TRIP
@given(
    st.sampled_from(sorted(EXAMPLES.values())),
    st.sampled_from([str.upper, str.lower, str.title]),
    st.sampled_from(["", "?", "."]),
)
def test_examples_survive_case_and_trailing_punctuation(example, case, tail):
    query = parse(example)
    if query.kind == "tokens":
        return  # the text to count is kept as typed, case included
    assert parse(case(example) + tail) == query


# ---------------------------------------------------------------------------------------------
# (c) A budget reads the same however its amount and period are written, wherever they stand.


def _spellings(amount: Decimal) -> list[str]:
    plain = format(amount.normalize(), "f")
    whole, _, cents = plain.partition(".")
    grouped = f"{int(whole):,}" + (f".{cents}" if cents else "")
    return [f"${plain}", f"{plain} usd", f"{plain} dollars", f"$ {plain}", f"${grouped}"]


@ROUND_TRIP
@given(BUDGETS, st.data())
def test_a_budget_reads_the_same_however_the_money_and_period_are_written(query, data):
    money = data.draw(st.sampled_from(_spellings(query.budget)))
    lead = data.draw(st.sampled_from(sorted(PERIOD_LEAD)))
    period = f"{lead} {query.period}" if query.period else ""
    rest = render(query).split(" ", 2)[2].removeprefix(f"per {query.period} ")
    first = data.draw(st.booleans())
    words = f"budget {money} {period} {rest}" if first else f"budget {rest} {money} {period}"
    if query.as_of is not None and not first:
        return  # the date ends the rendered words; moving money after it is covered above
    assert parse(words) == query


# A model's name written in words, as vendors' pages write it: "claude 3.5 sonnet", "llama 3 70b".
NAME_IN_WORDS = st.builds(
    lambda lead, sizes, tail: [lead, *sizes, *tail],
    st.sampled_from(["claude", "llama", "gemini", "mistral", "gpt", "Qwen", "mixtral"]),
    st.lists(st.sampled_from(["3", "3.5", "2.0", "70b", "8x7b", "4o", "405b", "1.5"]), max_size=2),
    st.lists(st.sampled_from(sorted(NAME_WORDS)), max_size=2),
)


@ROUND_TRIP
@given(NAME_IN_WORDS, st.sampled_from(["price {}", "cost {} 1M tokens", "compare gpt-4o {} 2k in"]))
def test_a_name_in_words_is_one_model_and_renders_to_words_that_parse_back(parts, question):
    query = parse(question.format(" ".join(parts)))
    named = query.models if isinstance(query, CompareQuery) else (query.model,)
    assert named[-1] == "-".join(part.lower() for part in parts)
    assert parse(render(query)) == query


@ROUND_TRIP
@given(st.lists(MODEL, min_size=2, max_size=4), USAGE)
def test_models_side_by_side_stay_apart_whatever_their_names(models, usage):
    query = CompareQuery(models=tuple(models), usage=usage)
    assert parse(render(query)).models == query.models


FILE_WORDS = st.sampled_from(
    ["train.jsonl", "./data.jsonl", "validation", "val.jsonl", "vs", "prompt", "epochs", "x3"]
)


@FUZZ
@given(st.lists(WORD | FILE_WORDS, max_size=10), SEPARATOR)
def test_a_training_file_question_with_any_words_is_a_query_or_a_parse_error(words, sep):
    """`finetune FILE AMOUNT` crashed the grammar (IndexError): every such question parses or
    says what would work (issue 19)."""
    _parse_or_error("finetune train.jsonl " + sep.join(words))


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("finetune train.jsonl 2k", "finetune train.jsonl"),
        ("finetune train.jsonl 100k tokens", "finetune train.jsonl"),
        ("finetune train.jsonl 100k tokens 3 epochs", "finetune train.jsonl 3 epochs"),
    ],
)
def test_an_amount_after_a_training_file_is_refused_in_one_line(question, kept):
    with pytest.raises(ParseError, match="counted from the file") as raised:
        parse(question)

    assert raised.value.suggestions == [kept]

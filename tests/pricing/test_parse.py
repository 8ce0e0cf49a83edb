"""The command grammar: every documented form, its natural variants, and the errors users see."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.errors import ParseError
from pricing.parse import parse, render
from pricing.quantities import Ratio
from pricing.query import Usage
from pricing.verbs.breakeven import BreakevenQuery
from pricing.verbs.compare import CompareQuery
from pricing.verbs.cost import CostQuery
from pricing.verbs.finetune import FinetuneQuery
from pricing.verbs.help import HelpQuery
from pricing.verbs.history import HistoryQuery
from pricing.verbs.models import ModelsQuery
from pricing.verbs.price import PriceQuery
from pricing.verbs.registry import examples
from pricing.verbs.tokens import TokensQuery

EXAMPLES = examples()

AUG_22 = date(2023, 8, 22)
ONE_TO_ONE = Ratio(input=Decimal(1), output=Decimal(1))

COMPARE_200K = CompareQuery(models=("gpt-4-8k", "ft-gpt-3.5"), usage=Usage(total=200_000))
COST_32K = CostQuery(model="gpt-4-32k", usage=Usage(input=1_200_000, output=300_000))
COST_REQUESTS = CostQuery(model="ft-gpt-3.5", usage=Usage(input=2_000, output=500, requests=10_000))
FINETUNE = FinetuneQuery(model="gpt-3.5-turbo", training_tokens=100_000, epochs=3)
BREAKEVEN = BreakevenQuery(
    tuned="ft-gpt-3.5",
    base="gpt-4-8k",
    base_prompt=1_500,
    tuned_prompt=200,
    output=300,
    training_tokens=100_000,
    epochs=3,
)

CONTRACT = [
    ("compare gpt-4-8k ft-gpt-3.5 200k tokens", COMPARE_200K),
    (
        "compare gpt-4-8k gpt-4-32k ft-gpt-3.5 150k in 50k out",
        CompareQuery(
            models=("gpt-4-8k", "gpt-4-32k", "ft-gpt-3.5"),
            usage=Usage(input=150_000, output=50_000),
        ),
    ),
    (
        "compare gpt-4-8k ft-gpt-3.5 200k tokens split 1:1",
        CompareQuery(
            models=("gpt-4-8k", "ft-gpt-3.5"), usage=Usage(total=200_000, split=ONE_TO_ONE)
        ),
    ),
    ("cost gpt-4-32k 1.2M in 300k out", COST_32K),
    ("cost ft-gpt-3.5 2k in 500 out x 10000 requests", COST_REQUESTS),
    ("finetune gpt-3.5-turbo 100k tokens 3 epochs", FINETUNE),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3", BREAKEVEN),
    ("tokens How many tokens is this?", TokensQuery(text="How many tokens is this?")),
    ("models", ModelsQuery()),
    ("models gpt-4", ModelsQuery(filter="gpt-4")),
    ("price gpt-4-32k", PriceQuery(model="gpt-4-32k")),
    ("history gpt-3.5-turbo", HistoryQuery(model="gpt-3.5-turbo")),
    ("help", HelpQuery()),
    ("help compare", HelpQuery(topic="compare")),
    ("help breakeven", HelpQuery(topic="breakeven")),
    ("", HelpQuery()),
    ("   \n ", HelpQuery()),
    ("?", HelpQuery()),
]


@pytest.mark.parametrize(("text", "expected"), CONTRACT, ids=[t or "empty" for t, _ in CONTRACT])
def test_contract_forms_parse_to_exact_queries(text, expected):
    assert parse(text) == expected


def test_n_tokens_without_a_split_means_three_to_one():
    usage = parse("compare gpt-4-8k ft-gpt-3.5 200k tokens").usage
    assert usage.assumes_default_split
    assert usage.per_request() == (150_000, 50_000)


def test_split_one_to_one_changes_the_default():
    usage = parse("compare gpt-4-8k ft-gpt-3.5 200k tokens split 1:1").usage
    assert not usage.assumes_default_split
    assert usage.per_request() == (100_000, 100_000)


@pytest.mark.parametrize("verb", sorted(EXAMPLES))
def test_every_help_example_parses_and_is_its_verb(verb):
    query = parse(EXAMPLES[verb])
    assert query.kind == verb
    assert parse(render(query)) == query


VARIANTS = [
    # case, commas between words, "vs", fillers, trailing punctuation
    ("COMPARE GPT-4-8K FT-GPT-3.5 200K TOKENS", COMPARE_200K),
    ("Compare gpt-4-8k, ft-gpt-3.5, 200k tokens", COMPARE_200K),
    ("compare gpt-4-8k,ft-gpt-3.5 200k tokens", COMPARE_200K),
    ("compare gpt-4-8k vs. ft-gpt-3.5 200k tokens?", COMPARE_200K),
    ("compare gpt-4-8k and ft-gpt-3.5 with 200k tok", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5 200k tokens.", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5 for 200k toks!", COMPARE_200K),
    # numbers as people write them
    ("compare gpt-4-8k ft-gpt-3.5 200,000 tokens", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5 200000", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5 0.2M tokens", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5 .2m tokens", COMPARE_200K),
    # a comparison without its verb, and "vs" as the verb
    ("gpt-4-8k ft-gpt-3.5 200k tokens", COMPARE_200K),
    ("vs gpt-4-8k ft-gpt-3.5 200k", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5 200k tokens as of today", COMPARE_200K),
    ("compare gpt-4-8k ft-gpt-3.5\n200k tokens", COMPARE_200K),
    # in/out in every order and spelling
    ("cost gpt-4-32k 1.2m in 300K out", COST_32K),
    ("cost gpt-4-32k input 1.2M output 300k", COST_32K),
    ("cost gpt-4-32k in 1.2M out 300k", COST_32K),
    ("cost gpt-4-32k 1,200,000 input tokens 300,000 output tokens", COST_32K),
    ("cost gpt-4-32k 1200k tokens in 0.3M tokens out", COST_32K),
    ("cost gpt-4-32k 300k out 1.2M in", COST_32K),
    ("cost gpt-4-32k prompt 1.2M completion 300k", COST_32K),
    # requests
    ("cost ft-gpt-3.5 2k in 500 out x10000 requests", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out x10000", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out X10,000", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out \u00d7 10k requests", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out \u00d710k", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out times 10000 calls", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out *10000", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out 10,000 requests", COST_REQUESTS),
    ("cost ft-gpt-3.5 x 10000 requests 2k in 500 out", COST_REQUESTS),
    ("cost ft-gpt-3.5 2k in 500 out per request x 10000", COST_REQUESTS),
    ("cost ft-gpt-3.5 2 thousand in 500 out each, 10000 times", COST_REQUESTS),
    ("cost gpt-4-32k 1.2 million in 0.3 million out", COST_32K),
    # training
    ("finetune gpt-3.5-turbo 100k x3", FINETUNE),
    ("finetune gpt-3.5-turbo 100k x 3 epochs", FINETUNE),
    ("fine-tune GPT-3.5-Turbo 100,000 tokens for 3 epochs", FINETUNE),
    ("train gpt-3.5-turbo on 100k tok epochs 3", FINETUNE),
    ("finetune gpt-3.5-turbo 3 epochs 100k tokens", FINETUNE),
    ("Fine-tuning gpt-3.5-turbo with 100K tokens, 3 epochs?", FINETUNE),
    ("finetune gpt-3.5-turbo 100k tokens as of today 3 epochs", FINETUNE),
    # breakeven
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 \u2192 200 output 300 training 100k x3",
        BREAKEVEN,
    ),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1,500\u2192200 output 300 training 100k x3?",
        BREAKEVEN,
    ),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500->200 output 300 training 100k x3", BREAKEVEN),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1.5k to 200 output 300 training 100k x 3", BREAKEVEN),
    (
        "Break-even FT-GPT-3.5 vs. GPT-4-8K prompts 1500 tokens -> 200 tokens, "
        "output 300 tokens, training 100k tokens 3 epochs.",
        BREAKEVEN,
    ),
    ("payback ft-gpt-3.5 gpt-4-8k training 100k x3 output 300 prompt 1500 -> 200", BREAKEVEN),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt: 1500 -> 200, output: 300, training: 100k x3",
        BREAKEVEN,
    ),
    # the other verbs
    ("Price GPT-4-32K?", PriceQuery(model="gpt-4-32k")),
    ("prices gpt-4-32k", PriceQuery(model="gpt-4-32k")),
    ("price of gpt-4-32k", PriceQuery(model="gpt-4-32k")),
    ("History gpt-3.5-turbo", HistoryQuery(model="gpt-3.5-turbo")),
    ("list", ModelsQuery()),
    ("Models GPT-4?", ModelsQuery(filter="gpt-4")),
    ("HELP COST", HelpQuery(topic="cost")),
    ("help fine-tune", HelpQuery(topic="finetune")),
    ("help vs", HelpQuery(topic="compare")),
    ("help compare?", HelpQuery(topic="compare")),
    ("? compare", HelpQuery(topic="compare")),
    ("help ?", HelpQuery()),
]


@pytest.mark.parametrize(("text", "expected"), VARIANTS, ids=[t for t, _ in VARIANTS])
def test_natural_variants(text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "model"),
    [
        ("cost ft:gpt-3.5-turbo 200k tokens", "ft:gpt-3.5-turbo"),
        ("cost gpt4 200k tokens", "gpt4"),
        ("cost GPT4 200k tokens", "gpt4"),
        (
            "cost ft:gpt-3.5-turbo-0613:acme::7p4lurq 200k tokens",
            "ft:gpt-3.5-turbo-0613:acme::7p4lurq",
        ),
        ("cost gpt-3.5-turbo-16k 200k tokens", "gpt-3.5-turbo-16k"),
        ("cost 4o-mini 200k tokens", "4o-mini"),
        ("cost claude-3.5-sonnet 200k tokens", "claude-3.5-sonnet"),
    ],
)
def test_model_names_are_kept_lowercased(text, model):
    assert parse(text) == CostQuery(model=model, usage=Usage(total=200_000))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tokens   Hello,  world!  ", "Hello,  world!  "),
        ("tokens\tx = 1", "x = 1"),
        ("tokens as of 2023-08-22 is in the text", "as of 2023-08-22 is in the text"),
        ("Tokens: \u00e9t\u00e9 \u2192 \U0001f600", None),
        ("count How many?", "How many?"),
        ("token 1,5 x3 -> \u2192", "1,5 x3 -> \u2192"),
        ("tokens\n    def f():\n        return 1\n", "    def f():\n        return 1\n"),
        ("tokens \r\n\tindented", "\tindented"),
        ("  tokens  a\n\nb  ", "a\n\nb  "),
    ],
)
def test_tokens_keeps_the_text_exactly(text, expected):
    if expected is None:  # "Tokens:" is not the verb: the colon is not stripped from a verb
        with pytest.raises(ParseError):
            parse(text)
        return
    assert parse(text) == TokensQuery(text=expected)


PRICED_EXAMPLES = [
    ("compare gpt-4-8k ft-gpt-3.5 200k tokens", COMPARE_200K),
    ("cost gpt-4-32k 1.2M in 300k out", COST_32K),
    ("cost ft-gpt-3.5 2k in 500 out x 10000 requests", COST_REQUESTS),
    ("finetune gpt-3.5-turbo 100k tokens 3 epochs", FINETUNE),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3", BREAKEVEN),
    ("models gpt-4", ModelsQuery(filter="gpt-4")),
    ("models", ModelsQuery()),
    ("price gpt-4-32k", PriceQuery(model="gpt-4-32k")),
]
DATE_SUFFIXES = [
    " as of 2023-08-22",
    " As Of 2023-08-22?",
    " on 2023-08-22",
    " at 2023-08-22",
    " 2023-08-22",
    " as of 2023-8-22",
    " as of 2023-08-22.",
]


@pytest.mark.parametrize("suffix", DATE_SUFFIXES)
@pytest.mark.parametrize(("text", "undated"), PRICED_EXAMPLES, ids=[t for t, _ in PRICED_EXAMPLES])
def test_as_of_on_every_priced_verb(text, undated, suffix):
    assert undated.as_of is None
    assert parse(text + suffix) == undated.model_copy(update={"as_of": AUG_22})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "compare as of 2023-08-22 gpt-4-8k ft-gpt-3.5 200k tokens",
            COMPARE_200K.model_copy(update={"as_of": AUG_22}),
        ),
        ("price as of 2023-08-22 gpt-4-32k", PriceQuery(model="gpt-4-32k", as_of=AUG_22)),
        (
            "finetune gpt-3.5-turbo as of 2023-08-22 100k tokens 3 epochs",
            FINETUNE.model_copy(update={"as_of": AUG_22}),
        ),
        ("price gpt-4-32k as of today", PriceQuery(model="gpt-4-32k")),
        ("finetune gpt-3.5-turbo 100k tokens 3 epochs as of today", FINETUNE),
        (
            "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3 "
            "as of today",
            BREAKEVEN,
        ),
        ("cost gpt-4-32k 1.2M in 300k out as of today", COST_32K),
        ("models as of today", ModelsQuery()),
        ("history gpt-3.5-turbo as of today", HistoryQuery(model="gpt-3.5-turbo")),
        (
            "price gpt-4-32k as of 2023-08-22 as of 2023-06-13",
            PriceQuery(model="gpt-4-32k", as_of=date(2023, 6, 13)),
        ),
    ],
)
def test_dates_anywhere_and_today(text, expected):
    assert parse(text) == expected


def _error(text: str) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text)
    error = caught.value
    assert error.message == str(error)
    assert error.suggestions, f"no suggestion for {text!r}"
    return error


ERRORS = [
    # (text, fragments of the message, a suggestion that must be offered or None)
    (
        "comapre gpt-4-8k 200k tokens",
        ["'comapre'", "Did you mean 'compare'"],
        "compare gpt-4-8k 200k tokens",
    ),
    ("fintune gpt-3.5-turbo 100k", ["Did you mean 'finetune'"], "finetune gpt-3.5-turbo 100k"),
    ("histroy gpt-4", ["Did you mean 'history'"], "history gpt-4"),
    ("blah", ["don't know the command 'blah'", "Commands:", "compare"], "help"),
    (
        "compare gpt-4-8k ft-gpt-3.5",
        ["How many tokens?", "200k tokens"],
        "compare gpt-4-8k ft-gpt-3.5 200k tokens",
    ),
    ("cost gpt-4-8k", ["How many tokens?"], "cost gpt-4-8k 200k tokens"),
    ("compare gpt-4-8k 1,5 tokens", ["'1,5' is not a number", "1,500"], EXAMPLES["compare"]),
    ("compare gpt-4-8k 12,34 tokens", ["'12,34' is not a number"], EXAMPLES["compare"]),
    (
        "compare gpt-4-8k 1.2345k tokens",
        ["'1.2345k' is not a whole number", "1,234 or 1,235"],
        None,
    ),
    ("cost gpt-4-8k 1.5 tokens", ["'1.5' is not a whole number", "1 or 2"], EXAMPLES["cost"]),
    ("compare gpt-4-8k 200k tokens as of 2023-02-30", ["'2023-02-30' is not a real date"], None),
    ("price gpt-4 as of 2023-13-01", ["'2023-13-01' is not a real date"], EXAMPLES["price"]),
    ("price gpt-4 as of tomorrow", ["'tomorrow' is not a date", "YYYY-MM-DD"], None),
    ("price gpt-4 as of", ["'as of' needs a date"], None),
    # A filter is no model: the example keeps what was typed and adds none.
    ("cheapest", ["How many tokens?"], "cheapest 200k tokens"),
    ("cheapest claude", ["How many tokens?"], "cheapest claude 200k tokens"),
    ("cost 200k tokens", ["Which model?"], EXAMPLES["cost"]),
    ("cost gpt-4-8k -5k tokens", ["cannot be negative", "'-5k'"], EXAMPLES["cost"]),
    ("cost gpt-4-8k 1e6 tokens", ["without an exponent", "1M"], EXAMPLES["cost"]),
    ("cost gpt-4o 2000000 billion tokens", ["'2000000b' is more than llmcost prices"], None),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -",
        ["quote the whole question", "'to'"],
        EXAMPLES["breakeven"],
    ),
    ("compare 200k tokens", ["Which models?"], EXAMPLES["compare"]),
    ("compare gpt-4-8k 200k tokens 100k tokens", ["token amount is given twice"], None),
    ("compare gpt-4-8k 2k in 3k in", ["input amount is given twice"], None),
    ("compare gpt-4-8k 200k tokens x3 x4", ["number of requests is given twice"], None),
    ("compare gpt-4-8k 200k tokens x 0 requests", ["at least 1"], None),
    ("compare gpt-4-8k 150k in 50k out 200k tokens", ["either a total or input/output"], None),
    ("compare gpt-4-8k 150k in 50k out split 1:1", ["a split applies only to a total"], None),
    ("compare gpt-4-8k 200k tokens split", ["'split' needs an input:output ratio"], None),
    ("compare gpt-4-8k 200k tokens split 0:1", ["'0:1' gives no input tokens"], None),
    ("finetune gpt-3.5-turbo", ["How many training tokens?"], EXAMPLES["finetune"]),
    ("finetune gpt-3.5-turbo 0 tokens", ["How many training tokens?"], None),
    ("finetune 100k tokens", ["Which model do you want to fine-tune?"], None),
    ("finetune gpt-3.5-turbo gpt-4 100k", ["One model at a time", "'gpt-4'"], None),
    ("finetune gpt-3.5-turbo 100k tokens 0 epochs", ["at least 1 epoch"], None),
    ("finetune gpt-3.5-turbo 100k 3", ["number of training tokens is given twice"], None),
    ("finetune gpt-3.5-turbo 100k 3 epochs 4 epochs", ["number of epochs is given twice"], None),
    ("finetune gpt-3.5-turbo 100k x3 x4", ["number of epochs is given twice"], None),
    ("finetune gpt-3.5-turbo 100k tokens epochs", ["didn't understand 'epochs'"], None),
    ("finetune gpt-3.5-turbo 100k epochs", ["How many training tokens?"], None),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k", ["prompt <long> -> <short>"], EXAMPLES["breakeven"]),
    ("breakeven ft-gpt-3.5 prompt 1500 -> 200 training 100k", ["Name the fine-tuned model"], None),
    (
        "breakeven gpt-4 gpt-4-8k ft-gpt-3.5 prompt 1500 -> 200 training 100k x3",
        ["Name the fine-tuned model"],
        None,
    ),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 training 100k", ["-> <shorter prompt>"], None),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt training 100k", ["'prompt' needs two sizes"], None),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200", ["Give the training size"], None),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 training x3", ["'training' needs"], None),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 training 0", ["'training' needs"], None),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 training 100k x0",
        ["at least 1 epoch"],
        None,
    ),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output training 1k",
        ["'output' needs"],
        None,
    ),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 300 training 1k",
        ["didn't understand '300'"],
        None,
    ),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 prompt 900 -> 100 training 1k",
        ["given twice"],
        None,
    ),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 training 1k training 2k",
        ["given twice"],
        None,
    ),
    (
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 1 output 2 training 1k",
        ["given twice"],
        None,
    ),
    ("help blorp", ["There is no help on 'blorp'", "Topics:", "breakeven"], "help"),
    ("help comapre", ["There is no help on 'comapre'"], "help compare"),
    ("tokens", ["Paste the text to count"], EXAMPLES["tokens"]),
    ("tokens   \n\t ", ["Paste the text to count"], EXAMPLES["tokens"]),
    ("price", ["Which model?"], EXAMPLES["price"]),
    ("price gpt-4 gpt-3.5-turbo", ["'price' takes one model"], None),
    ("history", ["Which model?"], EXAMPLES["history"]),
    ("history gpt-4 as of 2023-08-22", ["'history' shows every date", "price <model> as of"], None),
]


@pytest.mark.parametrize(("text", "fragments", "suggestion"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_say_what_was_wrong_and_what_would_work(text, fragments, suggestion):
    error = _error(text)
    for fragment in fragments:
        assert fragment in error.message
    if suggestion is not None:
        assert suggestion in error.suggestions


@pytest.mark.parametrize(
    "text",
    [
        "compare gpt-4-8k 1,5 tokens",
        "finetune gpt-3.5-turbo",
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200",
        "compare gpt-4-8k ft-gpt-3.5",
        "tokens",
        "help blorp",
        "blah",
    ],
)
def test_suggestions_can_be_pasted_back(text):
    for suggestion in _error(text).suggestions:
        parse(suggestion)


def test_cost_with_several_models_compares_them():
    query = parse("cost gpt-4-8k and ft-gpt-3.5 200k tokens split 1:1 as of 2023-08-22")
    assert query == CompareQuery(
        models=("gpt-4-8k", "ft-gpt-3.5"),
        usage=Usage(total=200_000, split=ONE_TO_ONE),
        as_of=date(2023, 8, 22),
    )


def test_the_largest_count_is_exact_and_a_larger_one_is_refused():
    assert parse("cost gpt-4 1,000,000,000,000,000 tokens").usage.total == 10**15
    assert parse("cost gpt-4 999999999999.999k tokens").usage.total == 10**15 - 1
    with pytest.raises(ParseError, match="more than llmcost prices"):
        parse("cost gpt-4 123456789012345678901234567890123 tokens")


RENDERED = [
    (COMPARE_200K, "compare gpt-4-8k ft-gpt-3.5 200k tokens"),
    (COST_REQUESTS, "cost ft-gpt-3.5 2k in 500 out x 10k requests"),
    (
        BREAKEVEN.model_copy(update={"as_of": AUG_22}),
        "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1.5k -> 200 output 300"
        " training 100k tokens 3 epochs as of 2023-08-22",
    ),
    (
        FinetuneQuery(model="gpt-3.5-turbo", training_tokens=1234),
        "finetune gpt-3.5-turbo 1234 tokens",
    ),
    (TokensQuery(text="  indented"), "tokens\n  indented"),
    (ModelsQuery(filter="gpt-4", as_of=AUG_22), "models gpt-4 as of 2023-08-22"),
    (HelpQuery(), "help"),
]


@pytest.mark.parametrize(("query", "text"), RENDERED, ids=[t for _, t in RENDERED])
def test_render_is_canonical_and_parses_back(query, text):
    assert render(query) == text
    assert parse(text) == query


def test_a_date_that_ends_the_text_to_count_is_the_date_of_the_prices():
    query = parse("tokens compare gpt-4 200k tokens as of 2023-08-22")

    assert query == TokensQuery(text="compare gpt-4 200k tokens", as_of=date(2023, 8, 22))
    assert parse(render(query)) == query
    with pytest.raises(ParseError, match="not a real date"):
        parse("tokens hello as of 2023-02-30")


@pytest.mark.parametrize(
    "text", ["0 ", "Hello  ", "a\n", "x\t", "tail \n ", "\n indented and trailing  ", "a\r\n"]
)
def test_a_dated_text_to_count_keeps_its_trailing_whitespace(text):
    """The date takes exactly the one space render writes before it, not the text's own."""
    query = TokensQuery(text=text, as_of=AUG_22)

    gap = "\n" if text[0].isspace() else " "
    assert render(query) == f"tokens{gap}{text} as of 2023-08-22"
    assert parse(render(query)) == query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tokens hello as of 2023-08-22", "hello"),
        ("tokens hello\nas of 2023-08-22", "hello"),
        ("tokens hello as of 2023-08-22  \n", "hello"),
        ("tokens hello  as of 2023-08-22", "hello "),  # one space is the separator, one is text
        ("tokens hello AS OF 2023-08-22", "hello"),
    ],
)
def test_the_date_after_a_text_to_count_takes_one_separator(text, expected):
    assert parse(text) == TokensQuery(text=expected, as_of=AUG_22)

"""Questions as people type them (issue 12), asked in a terminal (text and JSON) and in Slack.

The same grammar serves every face, so each row of the issue's table is asked on each: the
terminal's text, its JSON, and a Slack reply (a new question, or a reply in a thread)."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest

from bot.answering import Answerer
from bot.cli.asking import run
from bot.render.blocks import answer_message, error_message
from bot.slack.replies import Reply, to_follow_up, to_question
from pricing.parse import parse, render
from pricing.sources import load_book

TODAY = date(2026, 11, 24)


@pytest.fixture(autouse=True)
def no_user_tariffs(monkeypatch):
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)


@pytest.fixture(scope="module")
def answerer():
    return Answerer(None, today=lambda: TODAY)


def text_of(question: str, *options: str, stdin: io.StringIO | None = None) -> tuple[int, str]:
    code, out, err = run([*options, *question.split()], today=TODAY, stdin=stdin)
    return code, out + err


def json_of(question: str, *options: str) -> dict:
    _code, out, _err = run(["--json", *options, *question.split()], today=TODAY)
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


def slack(question: str, answerer: Answerer) -> tuple[Reply, str]:
    """A new question in Slack, and every word its message shows."""
    reply = to_question(question, answerer, asked_by=None)
    if reply.error is not None:
        message = error_message(reply.error, question=question)
    else:
        assert reply.answer is not None
        message = answer_message(reply.answer, question=question)
    return reply, json.dumps(message.blocks) + message.text


# -- model names written in words ---------------------------------------------------------------

NAMED_IN_WORDS = [
    ("price claude 3.5 sonnet", ["anthropic/claude-3-5-sonnet"]),
    ("price mistral large", ["mistral/mistral-large"]),
    ("cost gemini 2.0 flash 1M tokens", ["google/gemini-2.0-flash"]),
    ("compare gpt-4o claude 3.5 sonnet 1M tokens", ["gpt-4o", "anthropic/claude-3-5-sonnet"]),
    ("price claude 3 opus", ["anthropic/claude-3-opus-latest"]),  # the maker's one listing
]


@pytest.mark.parametrize(("question", "model_ids"), NAMED_IN_WORDS)
def test_words_of_a_model_name_are_joined_into_the_model_they_name(question, model_ids, answerer):
    code, text = text_of(question)
    assert code == 0, text
    document = json_of(question)
    assert [row.get("model_id", row["model"]) for row in document["rows"]] == model_ids
    reply, shown = slack(question, answerer)
    assert reply.error is None
    assert model_ids[-1].split("/")[-1] in shown
    # The question a thread keeps parses back to the same one.
    assert reply.question is not None
    assert parse(reply.question) == parse(question)


def test_a_name_only_resellers_sell_lists_their_ids(answerer):
    code, text = text_of("price llama 3 70b")
    assert code == 2
    assert "sold by" in text
    assert "Did you mean:" in text
    document = json_of("price llama 3 70b")
    assert document["error"]["suggestions"]
    assert all("/" in name and "70b" in name for name in document["error"]["suggestions"])
    reply, shown = slack("price llama 3 70b", answerer)
    assert reply.error is not None
    assert "sold by" in shown


@pytest.mark.parametrize(
    ("question", "family"),
    [("price sonnet", "sonnet"), ("price opus", "opus"), ("price gemini", "gemini")],
)
def test_a_family_name_suggests_its_current_models_newest_first(question, family, answerer):
    code, text = text_of(question)
    assert code == 2
    assert "Did you mean:" in text
    suggested = json_of(question)["error"]["suggestions"]
    assert len(suggested) >= 3
    assert all(family in name for name in suggested)
    if family != "gemini":
        assert suggested[0].endswith("5-5")  # the newest Claude of the family in the catalog
    reply, shown = slack(question, answerer)
    assert reply.error is not None
    assert suggested[0] in shown


def test_a_did_you_mean_never_names_a_model_shut_down_by_the_day_asked():
    code, text = text_of("price gpt-4-32")
    assert code == 2
    assert "gpt-4-32k" not in text
    code, text = text_of("price gpt-4-32 as of 2024-01-01")
    assert "gpt-4-32k" in text


def test_sizes_in_a_model_name_are_part_of_the_name():
    query = parse("cheapest llama 70b 1M tokens")
    assert query.filter == "llama 70b"
    assert query.usage.total == 1_000_000
    document = json_of("cheapest llama 70b 1M tokens")
    assert document["rows"]
    assert all("70b" in row["model"] for row in document["rows"])
    code, text = text_of("cheapest llama 70b")  # no longer 70 billion tokens ($1,400)
    assert code == 2
    assert "How many tokens?" in text
    assert parse("cheapest llama 3 1M tokens").filter == "llama 3"
    # ... but not before a unit or after 'x': these stay amounts.
    assert parse("cost llama 70b tokens").usage.total == 70 * 10**9
    assert parse("cost gpt-4o 2 billion tokens").usage.total == 2 * 10**9
    assert parse("cost gpt-4o 1M in").usage.input == 10**6
    assert parse("cost gpt-4o 1k in x 10000").usage.requests == 10_000


def test_filler_words_ask_nothing(answerer):
    assert parse("cheapest model for 100k in 10k out") == parse("cheapest 100k in 10k out")
    document = json_of("cheapest model for 100k in 10k out")
    assert document["title"] == "Cheapest models: 100k in, 10k out"
    assert parse("models gpt").filter == "gpt"  # the existing forms keep working
    assert parse("compare gpt-4o with gpt-4-8k 1M tokens as of 2024-01-01").as_of == date(
        2024, 1, 1
    )


@pytest.mark.parametrize(
    ("question", "meant"),
    [
        ("how much does gpt-4o cost for 1M tokens", "cost gpt-4o 1M tokens"),
        ("what is the price of claude-sonnet-4", "price claude-sonnet-4"),
        ("what does gpt-4o cost?", "price gpt-4o"),
        ("how much do gpt-4o and gpt-4-8k cost for 1M tokens", "compare gpt-4o gpt-4-8k 1M tokens"),
    ],
)
def test_a_question_in_a_sentence_is_answered_as_cost_or_price(question, meant, answerer):
    assert parse(question) == parse(meant)
    assert text_of(question)[0] == 0
    assert json_of(question)["kind"] == parse(meant).kind
    reply, _ = slack(question, answerer)
    assert reply.question == render(parse(meant))


# -- periods -------------------------------------------------------------------------------------


def test_requests_a_month_are_priced_for_the_month_with_day_and_year_equivalents(answerer):
    question = "cost gpt-4o 2k in 500 out x 10k requests a month"
    document = json_of(question)
    assert document["period"] == "month"
    assert document["period_days"] == 30
    assert Decimal(document["rows"][0]["total_usd"]) == 100
    code, text = text_of(question)
    assert code == 0
    assert "Total $100.00 a month" in text
    assert "$3.33 a day" in text
    assert "a 30-day month" in " ".join(text.split())
    reply, shown = slack(question, answerer)
    assert reply.question == "cost gpt-4o 2k in 500 out x 10k requests per month"
    assert "$3.33 a day" in shown


def test_the_equivalent_for_the_asked_period_is_the_total_to_the_cent():
    # $4.375 a month: a day's share times 30 came to $4.3749..., shown as $4.37 beside $4.38.
    code, text = text_of("cost gpt-4o 1M tokens per month")
    assert code == 0
    assert "Total $4.38 a month" in text
    assert "$0.15 a day, $4.38 a month," in " ".join(text.split())


@pytest.mark.parametrize("period", ["day", "week", "month", "year"])
def test_tokens_per_period_carry_the_period(period):
    document = json_of(f"cost gpt-4o 1M tokens per {period}")
    assert document["period"] == period
    assert document["usage"]["period"] == period


def test_a_thread_reply_can_give_a_period(answerer):
    previous = "cost gpt-4o 1M tokens"
    reply = to_follow_up("per day", previous, answerer, asked_by=None)
    assert reply is not None
    assert reply.answer is not None
    assert reply.answer.period == "day"  # type: ignore[union-attr]


# -- units ---------------------------------------------------------------------------------------


def test_scales_written_in_words_are_amounts(answerer):
    for amount, tokens in [
        ("2mil", 2_000_000),
        ("2 mln", 2_000_000),
        ("2 billion", 2 * 10**9),
        ("1.2 thousand", 1200),
    ]:
        question = f"cost gpt-4o {amount} tokens"
        assert json_of(question)["usage"]["total"] == tokens, amount
        reply, _ = slack(question, answerer)
        assert reply.error is None, amount


def test_an_unknown_unit_is_named():
    code, text = text_of("cost gpt-4o 2 lakh tokens")
    assert code == 2
    assert "I don't know the unit 'lakh'" in text
    assert "I don't know the unit 'xyz'" in text_of("cost gpt-4o 2xyz tokens")[1]


def test_finetune_in_examples_asks_for_training_tokens(answerer):
    code, text = text_of("finetune gpt-4o-mini 50k examples")
    assert code == 2
    assert "give training tokens, or share the training file" in text
    document = json_of("finetune gpt-4o-mini 50k examples")
    assert "training tokens" in document["error"]["message"]
    reply, shown = slack("finetune gpt-4o-mini 50k examples", answerer)
    assert reply.error is not None
    assert "training file" in shown


# -- a model's name alone ------------------------------------------------------------------------


def test_a_model_name_alone_is_its_price(answerer):
    code, text = text_of("gpt-4o")
    assert code == 0
    assert "GPT-4o" in text
    assert json_of("gpt-4o")["kind"] == "price"
    assert json_of("claude 3.5 sonnet")["rows"][0]["model"] == "anthropic/claude-3-5-sonnet"
    reply, _ = slack("gpt-4o", answerer)
    assert reply.question == "price gpt-4o"
    # Other words alone are still an unknown command ...
    assert "I don't know the command 'blah'" in text_of("blah")[1]
    # ... and in a thread a model's name alone is chat, as other chat is.
    assert to_follow_up("gpt-4o", "cost gpt-4-8k 1M tokens", answerer, asked_by=None) is None


def test_a_thread_follow_up_names_a_model_in_words(answerer):
    reply = to_follow_up(
        "what about claude 3.5 sonnet?", "compare gpt-4o 1M tokens", answerer, asked_by=None
    )
    assert reply is not None
    assert reply.answer is not None
    assert reply.question == "compare gpt-4o claude-3.5-sonnet 1M tokens"
    assert [row.model_id for row in reply.answer.rows] == [  # type: ignore[union-attr]
        "gpt-4o",
        "anthropic/claude-3-5-sonnet",
    ]


# -- the terminal's own words -------------------------------------------------------------------


def test_help_digest_is_digest_help(answerer):
    code, text = text_of("help digest")
    assert code == 0
    assert "Help on digest" in text
    assert "digest preview" in text
    assert json_of("help digest")["topic"] == "digest"
    reply, shown = slack("help digest", answerer)
    assert reply.error is None
    assert "digest subscribe" in shown


@pytest.mark.parametrize("asked", [["-V"], ["--version"], ["version"]])
def test_the_version_names_the_catalog_that_decides_todays_prices(asked):
    code, out, _ = run(asked, today=TODAY)
    assert code == 0
    assert out.startswith("llmcost ")
    assert "(genai-prices " in out


def test_an_unknown_option_lists_the_options():
    code, _out, err = run(["--bogus", "models"], today=TODAY)
    assert code == 2
    for option in ("--json", "--at", "--tariffs", "--version", "--help"):
        assert option in err


def test_text_piped_to_tokens_is_counted():
    code, text = text_of("tokens", stdin=io.StringIO("Notes of the meeting, piped in.\n"))
    assert code == 0
    assert "Tokens in 32 characters" in text
    assert "cat notes.txt | llmcost tokens" in text_of("help tokens")[1]


def test_models_shows_todays_main_models_across_providers_then_how_many_more():
    code, text = text_of("models")
    assert code == 0
    assert "gpt-4-32k" not in text  # shut down
    assert "anthropic/claude" in text
    assert "google/gemini" in text
    assert "more: narrow with 'models NAME'" in text
    document = json_of("models")
    assert len({row["provider"] for row in document["rows"]}) >= 4


def test_models_matching_nothing_is_an_error_with_suggestions(answerer):
    code, text = text_of("models zzzz")
    assert code == 2
    assert "No model matches 'zzzz'" in text
    assert "Did you mean:" in text
    assert json_of("models zzzz")["error"]["suggestions"]
    reply, _ = slack("models zzzz", answerer)
    assert reply.error is not None


def test_cheapest_lists_a_model_once_under_two_reseller_ids():
    rows = json_of("cheapest 1M tokens")["rows"]
    names = [row["model"] for row in rows]
    assert "openrouter/lfm-7b" in names
    assert "openrouter/liquid/lfm-7b" not in names


def test_the_questions_date_wins_over_at_and_the_answer_says_so():
    question = "price gpt-4 as of 2023-08-22"
    code, text = text_of(question, "--at", "2024-01-01")
    assert code == 0
    assert "--at 2024-01-01 was ignored" in text
    document = json_of(question, "--at", "2024-01-01")
    assert document["as_of"] == "2023-08-22"
    assert any("--at 2024-01-01 was ignored" in note for note in document["notes"])


def test_help_lists_every_option_and_ends_with_how_to_ask():
    code, text = text_of("help")
    assert code == 0
    options = " ".join(text.split()[text.split().index("Options:") :])
    for option in ("--json", "--at", "--tariffs", "--version"):
        assert option in options
    lines = text.splitlines()
    as_of = next(i for i, line in enumerate(lines) if "as of YYYY-MM-DD" in line)
    verbs = [i for i, line in enumerate(lines) if line.startswith(("  budget:", "  digest:"))]
    assert as_of > max(verbs)  # after the whole list of commands
    assert "right after a model word" in " ".join(text.split())


def test_a_version_written_with_a_dot_finds_the_id_written_with_a_hyphen():
    book = load_book(None)
    book.tariffs()
    assert book.lookup("claude-3.5-sonnet") is book.lookup("claude-3-5-sonnet")
    assert book.lookup("sonnet") is None

"""Answers as Slack messages: the figures, the layout, Slack's limits, and escaping."""

import json
import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View

from bot.render.blocks import (
    HOW_TO,
    MAX_FALLBACK_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    SlackMessage,
    answer_message,
    error_message,
    fit,
    home_view,
)
from bot.render.text import priced_grid, tariff_grid
from pricing.answer import answer
from pricing.answers import HelpAnswer, PricedAnswer, TableAnswer
from pricing.errors import LlmcostError, ParseError, UnknownModel
from pricing.parse import parse
from pricing.sources import load_book
from pricing.verbs.help import HelpQuery
from pricing.verbs.models import ModelsQuery
from pricing.verbs.registry import examples

EXAMPLES = examples()

TODAY = date(2026, 11, 24)
COMPARE = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"
NASTY = "compare gpt-4-8k ft-gpt-3.5 200k tokens <!channel> <@U999> <https://evil.example|x> & co"


@pytest.fixture(scope="module")
def book():
    return load_book(None)


def ask(book, text: str):
    return answer(parse(text), book, today=TODAY)


def failure(book, text: str) -> LlmcostError:
    with pytest.raises(LlmcostError) as caught:
        ask(book, text)
    return caught.value


def of_type(blocks: list[dict], kind: str) -> list[dict]:
    return [block for block in blocks if block["type"] == kind]


def cells(table: dict) -> list[list[str]]:
    return [[cell["text"] for cell in row] for row in table["rows"]]


def texts(blocks: list[dict]) -> list[str]:
    """Every mrkdwn or plain text in the blocks (not table cells)."""
    found = []
    for block in blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [field["text"] for field in block.get("fields", [])]
        for element in block.get("elements", []):
            if "text" in element:  # a context's text, or a button's label
                text = element["text"]
                found.append(text["text"] if isinstance(text, dict) else text)
    return found


def assert_within_slack_limits(blocks: list[dict], max_blocks: int = MAX_MESSAGE_BLOCKS) -> None:
    assert 0 < len(blocks) <= max_blocks
    assert len(of_type(blocks, "table")) <= 1  # Slack allows one table a message
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()  # slack_sdk's own checks
        match block["type"]:
            case "header":
                assert block["text"]["type"] == "plain_text"
                assert len(block["text"]["text"]) <= 150
            case "section":
                assert len(block.get("text", {}).get("text", "")) <= 3000
                assert len(block.get("fields", [])) <= 10
                assert all(len(field["text"]) <= 2000 for field in block.get("fields", []))
            case "context":
                assert 0 < len(block["elements"]) <= 10
            case "table":
                assert len(block["rows"]) <= 100
                assert all(len(row) <= 20 for row in block["rows"])
                assert all(cell["text"] for row in block["rows"] for cell in row)


def assert_no_markup_but_ours(message: SlackMessage | dict, asked_by: str | None = None) -> None:
    """The only '<…>' anywhere are the asker's mention and the sources' links, which we write."""
    dump = json.dumps(message.model_dump() if isinstance(message, SlackMessage) else message)
    for markup in re.findall(r"<[^<>]*>", dump):
        assert markup == f"<@{asked_by}>" or re.fullmatch(r"<https?://[^|\s]+>", markup), markup


# --- the compare from the fine-tuning launch --------------------------------------------------


def test_compare_shows_the_figures_in_one_table(book):
    message = answer_message(ask(book, COMPARE), question=COMPARE, asked_by="U123")

    (table,) = of_type(message.blocks, "table")
    rows = cells(table)
    assert rows[0] == [
        "Model", "In $/1M", "Out $/1M", "Input tok", "Output tok", "Input", "Output", "Total",
    ]  # fmt: skip
    assert rows[1] == ["gpt-4-8k", "$30", "$60", "150,000", "50,000", "$4.50", "$3.00", "$7.50"]
    assert rows[2] == ["ft-gpt-3.5", "$12", "$16", "150,000", "50,000", "$1.80", "$0.80", "$2.60"]
    # Names left, figures right-aligned.
    aligns = [setting["align"] for setting in table["column_settings"]]
    assert aligns == ["left"] + ["right"] * 7


def test_compare_cells_are_the_terminal_tables_cells(book):
    result = ask(book, COMPARE)
    (table,) = of_type(answer_message(result, question=COMPARE).blocks, "table")
    grid = priced_grid(result)
    assert cells(table) == [grid.headers, *grid.rows]


def test_compare_layout_header_verdict_totals_and_assumptions(book):
    message = answer_message(
        ask(book, COMPARE), question=COMPARE, asked_by="U123", note="Invite me: `/invite @llmcost`"
    )
    blocks = message.blocks

    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Compare: 150k in, 50k out", "emoji": False},
    }
    assert blocks[1]["type"] == "context"
    assert blocks[1]["elements"][0]["text"] == f"Asked by <@U123>: `{COMPARE}`"
    assert blocks[2]["type"] == "section"
    assert "*$2.60*" in blocks[2]["text"]["text"]  # the verdict, its key figure in bold
    assert blocks[3]["type"] == "table"
    assert blocks[4]["text"]["text"] == "*Totals:* `gpt-4-8k` *$7.50* · `ft-gpt-3.5` *$2.60*"
    assumptions = blocks[-1]["elements"]  # last, so that `fit` keeps it
    assert [element["text"] for element in assumptions[:2]] == [
        "Assumed split 3:1 input:output",
        "Prices as of 2023-08-22",
    ]
    assert assumptions[2]["text"].startswith("Sources:\n• OpenAI GPT-4 launch")
    assert "<https://openai.com/research/gpt-4>" in assumptions[2]["text"]
    assert blocks[-2]["elements"][0]["text"] == "Invite me: `/invite @llmcost`"  # ours: as is
    assert_within_slack_limits(blocks)


def test_the_fallback_text_carries_the_key_figures(book):
    message = answer_message(ask(book, COMPARE), question=COMPARE)

    assert message.text.startswith("Compare: 150k in, 50k out\nft-gpt-3.5 is the cheapest at $2.60")
    assert "```Model" in message.text
    assert "$7.50" in message.text
    assert "$2.60" in message.text
    assert message.as_kwargs() == {"text": message.text, "blocks": message.blocks}


def test_a_message_is_frozen(book):
    message = answer_message(ask(book, COMPARE), question=COMPARE)
    with pytest.raises(ValueError, match="frozen"):
        message.text = "changed"  # type: ignore[misc]


# --- every kind of question ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_every_example_renders_within_slack_limits(book, kind):
    question = EXAMPLES[kind]
    result = ask(book, question)
    message = answer_message(result, question=question, asked_by="W0ABC12")

    assert_within_slack_limits(message.blocks)
    assert_no_markup_but_ours(message, asked_by="W0ABC12")
    assert message.blocks[0]["type"] == "header"
    assert of_type(message.blocks, "context")
    assert len(message.text) <= MAX_FALLBACK_TEXT
    assert message.text.startswith(result.title.replace(">", "&gt;"))
    tables = of_type(message.blocks, "table")
    if kind in ("finetune", "help"):
        assert tables == []
    else:
        assert len(tables) == 1
    if kind != "help":
        assert any(f"Prices as of {TODAY}" in text for text in texts(message.blocks)) or (
            kind == "history"
        )


def test_finetune_shows_tokens_epochs_price_and_cost(book):
    message = answer_message(ask(book, EXAMPLES["finetune"]), question=EXAMPLES["finetune"])
    (facts,) = [block for block in message.blocks if "fields" in block]
    assert [field["text"] for field in facts["fields"]] == [
        "*Training tokens*\n100,000",
        "*Epochs*\n3",
        "*Tokens trained*\n300,000",
        "*Training price*\n$8 per 1M tokens",
        "*Training cost*\n$2.40",
    ]
    assert "Training cost: $2.40" in message.text


def test_breakeven_shows_both_requests_and_the_training(book):
    message = answer_message(ask(book, EXAMPLES["breakeven"]), question=EXAMPLES["breakeven"])
    (table,) = of_type(message.blocks, "table")
    assert [row[0] for row in cells(table)] == ["One request", "ft-gpt-3.5", "gpt-4-8k"]
    assert "Training: 100,000 tokens x 3 epochs = *$2.40*" in texts(message.blocks)
    # The question's '->' is escaped, not dropped.
    assert "prompt 1500 -&gt; 200" in message.blocks[1]["elements"][0]["text"]


def test_tokens_warns_about_estimated_counts(book):
    result = ask(book, EXAMPLES["tokens"])
    message = answer_message(result, question=EXAMPLES["tokens"])
    lines = [line for text in texts(message.blocks) for line in text.splitlines()]
    assert any(line.startswith(":warning: `claude-sonnet-4`") for line in lines)
    sources = texts(message.blocks)[-1]
    # Price sources and shutdown notices: five listed.
    assert len(result.sources) > 5
    assert sources.endswith(f"… and {len(result.sources) - 5} more")


def test_help_shows_lines_and_commands_without_a_table(book):
    message = answer_message(ask(book, "help compare"), question="help compare")
    joined = "\n".join(texts(message.blocks))
    assert "Price a workload on several models side by side." in joined
    assert "`/llmcost compare gpt-4-8k ft-gpt-3.5 200k tokens`" in joined
    assert "Sources" not in joined


# --- escaping -----------------------------------------------------------------------------------


def test_a_question_with_markup_is_shown_escaped_never_as_markup(book):
    message = answer_message(ask(book, COMPARE), question=NASTY, asked_by="U123")
    dump = json.dumps(message.model_dump())

    assert "<!channel>" not in dump
    assert "<@U999>" not in dump
    assert "evil.example|" not in dump.replace("&lt;https://evil.example|x&gt;", "")
    assert "&lt;!channel&gt; &lt;@U999&gt;" in dump
    assert "&amp; co" in dump
    assert_no_markup_but_ours(message, asked_by="U123")


def test_an_asker_that_is_not_a_user_id_is_not_mentioned(book):
    for asked_by in ["<!channel>", "!channel", "u123", "U12 3", "C123", ""]:
        message = answer_message(ask(book, COMPARE), question=COMPARE, asked_by=asked_by)
        assert message.blocks[1]["elements"][0]["text"] == f"Asked: `{COMPARE}`"
        assert_no_markup_but_ours(message)


def test_user_words_in_an_answer_are_escaped(book):
    # The filter is echoed in the title and the notes.
    question = "cheapest <!here> &co 1M tokens"
    message = answer_message(ask(book, question), question=question)
    assert message.blocks[0]["text"]["text"].startswith("Cheapest '&lt;!here&gt; &amp;co'")
    assert_no_markup_but_ours(message)


def test_backticks_in_a_question_cannot_end_its_code(book):
    message = answer_message(ask(book, COMPARE), question="compare `<!here>` *x*")
    assert message.blocks[1]["elements"][0]["text"] == "Asked: `compare '&lt;!here&gt;' *x*`"


@settings(derandomize=True, max_examples=60, deadline=None)
@given(question=st.text(), asked_by=st.one_of(st.none(), st.text(), st.just("U42ABC")))
def test_no_question_forms_markup(book, question, asked_by):
    message = answer_message(ask(book, COMPARE), question=question, asked_by=asked_by)
    assert_no_markup_but_ours(message, asked_by=asked_by)
    assert_within_slack_limits(message.blocks)


# --- limits -------------------------------------------------------------------------------------


def test_a_huge_cheapest_answer_is_cut_to_slacks_limits(book):
    cheapest = ask(book, "cheapest 1M tokens")
    assert isinstance(cheapest, PricedAnswer)
    warned = tuple(
        row.model_copy(update={"warnings": (f"warning {index} " + "w" * 200,)})
        for index, row in enumerate(cheapest.rows * 30)
    )
    huge = cheapest.model_copy(
        update={
            "title": "T & " * 100,
            "rows": warned,
            "notes": tuple(f"note {index}" for index in range(25)),
        }
    )

    message = answer_message(huge, question="cheapest 1M tokens")

    assert_within_slack_limits(message.blocks)
    (table,) = of_type(message.blocks, "table")
    assert len(table["rows"]) == 100  # the header and 99 models
    after = message.blocks[message.blocks.index(table) + 1]
    assert after["elements"][0]["text"] == "201 more rows not shown; narrow the question."
    header = message.blocks[0]["text"]["text"]
    assert header.endswith("…")
    assert re.fullmatch(r"(T &amp; )*(T( &amp;)?)? ?…", header)  # never cut inside '&amp;'
    assert len(message.text) <= MAX_FALLBACK_TEXT
    assert re.search(r"… and \d+ more rows```$", message.text)
    # The assumptions are kept, whatever had to go.
    assert texts(message.blocks)[-1].startswith("Sources:")


def test_a_huge_models_table_fits_a_message_and_the_home_tab(book):
    models = ask(book, "models")
    assert isinstance(models, TableAnswer)
    huge = models.model_copy(update={"rows": models.rows * 12})  # 240 rows
    message = answer_message(huge, question="models")
    assert_within_slack_limits(message.blocks)
    (table,) = of_type(message.blocks, "table")
    assert len(table["rows"]) == 100

    help_answer = answer(HelpQuery(), load_book(None), today=TODAY)
    assert isinstance(help_answer, HelpAnswer)
    view = home_view(huge, help_answer)
    assert_within_slack_limits(view["blocks"], max_blocks=MAX_VIEW_BLOCKS)
    shown = "\n".join(texts(view["blocks"]))
    assert shown.count("ft:gpt-4o-mini (ft-gpt-4o-mini)") == 12  # every row, in several blocks


def test_fit_counts_blocks_and_keeps_the_last():
    blocks = [SectionBlock(text=f"part {index}") for index in range(80)]
    fitted = fit(blocks)
    assert len(fitted) == MAX_MESSAGE_BLOCKS
    assert fitted[-1]["text"]["text"] == "part 79"
    notice = fitted[-2]["elements"][0]["text"]
    assert notice == "31 more parts of this answer not shown; narrow the question."
    assert fitted[-3]["text"]["text"] == "part 47"


def test_fit_clips_long_text_and_closes_a_code_block():
    fitted = fit([SectionBlock(text="```" + "x" * 5000 + "```"), SectionBlock(text="<@U1> " * 600)])
    first, second = (block["text"]["text"] for block in fitted)
    assert len(first) <= 3000
    assert first.endswith("…```")
    assert len(second) <= 3000
    assert second.endswith("<@U1> …")  # not cut inside a mention


# --- errors -------------------------------------------------------------------------------------


def test_unknown_model_says_did_you_mean(book):
    # On a day GPT-4 (8K) was there: a did-you-mean never names a model shut down by the day.
    question = "compare gpt-4-8kk ft-gpt-3.5 200k tokens as of 2024-01-01"
    error = failure(book, question)
    assert isinstance(error, UnknownModel)

    message = error_message(error, question=question)

    assert message.blocks[0]["text"]["text"] == (
        ":warning: I don't know a model called 'gpt-4-8kk'."
    )
    assert message.blocks[1]["text"]["text"].startswith("*Did you mean:*\n`gpt-4-8k`\n")
    assert message.blocks[-1]["elements"][0]["text"] == f"You asked: `{question}`"
    assert message.text.startswith(":warning: I don't know a model called 'gpt-4-8kk'.")
    assert_within_slack_limits(message.blocks)


def test_a_parse_error_suggests_commands_to_try(book):
    error = failure(book, "compre gpt-4 1k tokens")
    assert isinstance(error, ParseError)

    message = error_message(error, question="compre gpt-4 1k tokens")

    assert message.blocks[1]["text"]["text"] == "*Try:*\n`/llmcost compare gpt-4 1k tokens`"
    assert "Try: `/llmcost compare gpt-4 1k tokens`" in message.text


def test_a_suggestion_that_is_not_a_question_is_not_made_a_command(book):
    error = failure(book, "price gpt-4 as of 2019-01-01")
    message = error_message(error, question="price gpt-4 as of 2019-01-01")
    assert message.blocks[1]["text"]["text"] == "*Try:*\n`as of 2023-03-14`"


def test_an_error_echoing_user_words_is_escaped(book):
    question = "cost gpt-4 <@U1> <!channel> & 1k tokens"
    error = failure(book, question)

    message = error_message(error, question=question)

    dump = json.dumps(message.model_dump())
    assert "&lt;@u1&gt;" in dump
    assert "&lt;!channel&gt; &amp;" in dump
    assert_no_markup_but_ours(message)
    assert_within_slack_limits(message.blocks)


def test_an_error_without_suggestions_or_question(book):
    message = error_message(LlmcostError("Nothing to price <here>."), question="  ")
    assert message.blocks == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": ":warning: Nothing to price &lt;here&gt;.",
                "verbatim": True,
            },
        }
    ]
    assert message.text == ":warning: Nothing to price &lt;here&gt;."


# --- the Home tab -------------------------------------------------------------------------------


def test_home_view_tells_how_to_ask_and_shows_the_tariffs(book):
    models = answer(ModelsQuery(), book, today=TODAY)
    help_answer = answer(HelpQuery(), book, today=TODAY)
    assert isinstance(models, TableAnswer)
    assert isinstance(help_answer, HelpAnswer)

    view = home_view(models, help_answer)

    assert view["type"] == "home"
    View(**view).validate_json()
    blocks = view["blocks"]
    assert_within_slack_limits(blocks, max_blocks=MAX_VIEW_BLOCKS)
    assert blocks[0]["text"]["text"] == "llmcost"
    shown = "\n".join(texts(blocks))
    assert "`/llmcost compare gpt-4-8k ft-gpt-3.5 200k tokens`" in shown
    assert "thread" in shown
    assert "`private`" in shown
    assert "`/llmcost help`" in shown
    assert "*compare*: Price a workload on several models side by side." in shown
    # The tariff table: model, prices per 1M (input, output, training), context window, since.
    table = next(text for text in texts(blocks) if text.startswith("```Model"))
    assert table.splitlines()[0].split() == [
        "```Model", "In", "$/1M", "Out", "$/1M", "Train", "$/1M", "Context", "Since",
    ]  # fmt: skip
    # Today's main models (issue 12): none shut down, ours first, then other makers'.
    assert "[shut down]" not in table
    gpt4o = next(line for line in table.splitlines() if line.startswith("gpt-4o "))
    assert gpt4o.split() == ["gpt-4o", "$2.50", "$10", "-", "128,000", "2024-10-02"]
    tuned = next(line for line in table.splitlines() if line.startswith("ft:gpt-4o-mini"))
    assert tuned.split()[2:5] == ["$0.30", "$1.20", "$3"]
    assert len(tariff_grid(models).rows) == sum(
        text.count("\n") - 1 for text in texts(blocks) if text.startswith("```Model")
    )
    sources = next(text for text in texts(blocks) if text.startswith("Sources:"))
    assert "… and " in sources
    # The buttons come first, under the title (issue 22); how to ask comes after the table.
    assert texts(blocks)[1:3] == ["Price LLM usage", "How to ask"]
    how_to = next(text for text in texts(blocks) if HOW_TO[0] in text)
    assert texts(blocks).index(sources) < texts(blocks).index(how_to)
    assert_no_markup_but_ours(view)

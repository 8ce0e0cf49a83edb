"""Click and pick (issue 22): the calculator modal opened by `/llmcost` alone, the global
shortcut and the Home's button; its model picker searching the catalog; its submission asked as
typed words and posted where chosen, or its fields' errors shown with the modal kept open; the
"Add a model…" button's modal; the message shortcut that counts a message's tokens; the Home."""

import json

import pytest

from tests.e2e.server import SIGNING_SECRET
from tests.e2e.test_slack_app import ask_in_channel, command, dumped, event, table_cells
from tests.fake_slack import RESPONSE_URL_METHOD
from tests.slack_requests import (
    app_home_opened_event,
    block_action,
    block_suggestion,
    global_shortcut,
    message_event,
    message_shortcut,
    send_signed,
    view_submission,
)

CALCULATOR = "llmcost_calculator"
ADD_MODEL = "llmcost_add_model"
MODELS = "llmcost_models"


@pytest.fixture(autouse=True)
def _prices_loaded(server) -> None:
    """The picker and the form's errors need the prices, which load after the server listens."""
    server.wait_for_log("ready: tariffs loaded", timeout=60)


def send(server, request) -> tuple[int, dict | None]:
    status, text, _ = send_signed(server.events_url, request, SIGNING_SECRET)
    return status, json.loads(text) if text.strip() else None


def calculator_values(
    models=("gpt-4o",),
    input_tokens="1.5k",
    output_tokens="300",
    requests="20k",
    period="month",
    cached=None,
    tier="standard",
    as_of=None,
    post_to="C0GENERAL",
) -> dict:
    """`view.state.values` as Slack sends it for the calculator's fields."""

    def text(value):
        return {"type": "plain_text_input", "value": value}

    def option(value):
        return {"type": "static_select", "selected_option": {"value": value, "text": {}}}

    return {
        "models": {
            MODELS: {
                "type": "multi_external_select",
                "selected_options": [{"text": {"text": m}, "value": m} for m in models],
            }
        },
        "input_tokens": {"input_tokens": text(input_tokens)},
        "output_tokens": {"output_tokens": text(output_tokens)},
        "requests": {"requests": text(requests)},
        "period": {"period": option(period)},
        "cached": {"cached": text(cached)},
        "tier": {"tier": option(tier)},
        "as_of": {"as_of": {"type": "datepicker", "selected_date": as_of}},
        "post_to": {"post_to": {"type": "conversations_select", "selected_conversation": post_to}},
    }


def opened_view(fake, count: int = 1) -> dict:
    call = fake.wait_for("views.open", count=count)[-1]
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else view


def no_traceback(server, since: int) -> None:
    assert not any("Traceback" in line for line in server.lines[since:])


# -- opening the calculator ---------------------------------------------------------------------


def test_the_command_alone_opens_the_calculator_where_it_was_typed(server, fake):
    status, _, _ = command(server, fake, "", trigger_id="trigger-cmd")
    assert status == 200
    call = fake.wait_for("views.open")[0]
    assert call.body["trigger_id"] == "trigger-cmd"
    view = opened_view(fake)
    assert view["callback_id"] == CALCULATOR
    blocks = {block.get("block_id"): block for block in view["blocks"]}
    assert blocks["post_to"]["element"]["initial_conversation"] == "C0GENERAL"
    models = blocks["models"]["element"]
    assert models["type"] == "multi_external_select"
    assert models["action_id"] == MODELS
    assert models["max_selected_items"] == 6
    assert fake.calls_to("chat.postMessage") == []  # no help posted instead


def test_the_global_shortcut_opens_the_calculator(server, fake):
    status, _ = send(server, global_shortcut(CALCULATOR, trigger_id="trigger-sc"))
    assert status == 200
    call = fake.wait_for("views.open")[0]
    assert call.body["trigger_id"] == "trigger-sc"
    assert opened_view(fake)["callback_id"] == CALCULATOR


# -- the model picker ---------------------------------------------------------------------------


def _option_values(answer: dict) -> list[str]:
    return [
        option["value"] for group in answer.get("option_groups", []) for option in group["options"]
    ] + [option["value"] for option in answer.get("options", [])]


def test_the_picker_finds_models_by_a_few_letters_grouped_by_provider(server, fake):
    status, answer = send(server, block_suggestion(MODELS, "sonnet 4.5"))
    assert status == 200
    values = _option_values(answer)
    assert values[0] == "claude-sonnet-4-5"
    groups = [group["label"]["text"] for group in answer["option_groups"]]
    assert groups[0] == "anthropic"
    assert len(groups) == len(set(groups))
    assert len(values) <= 100


def test_the_picker_shows_the_main_models_before_a_letter_is_typed(server, fake):
    _, answer = send(server, block_suggestion(MODELS, ""))
    assert {"gpt-4", "ft-gpt-3.5"} <= set(_option_values(answer))


@pytest.mark.parametrize("typed", ["x" * 5000, "zzzz qqqq", "<!channel> 💥"])
def test_a_search_that_finds_nothing_is_answered_with_no_options(server, fake, typed):
    since = len(server.lines)
    status, answer = send(server, block_suggestion(MODELS, typed))
    assert status == 200
    assert answer == {"options": []}
    no_traceback(server, since)


# -- submitting ---------------------------------------------------------------------------------


def test_a_submission_posts_the_answer_where_chosen_as_the_typed_question(server, fake):
    values = calculator_values(models=("gpt-4o", "claude-sonnet-4-5"), cached="40")
    status, answer = send(server, view_submission(CALCULATOR, values, user_id="U0ANA"))
    assert (status, answer) == (200, None)  # the modal closes
    posted = fake.wait_for("chat.postMessage")[0]
    assert posted.body["channel"] == "C0GENERAL"
    question = (
        "compare gpt-4o claude-sonnet-4-5 1.5k in 300 out x 20k requests 40% cached per month"
    )
    assert f"Read as: `{question}`" in dumped(posted)
    assert "<@U0ANA>" in dumped(posted)
    # The same table as the words typed.
    server.wait_for_log(f"thread {posted.response['ts']}")
    command(server, fake, question)
    typed = fake.wait_for("chat.postMessage", count=2)[-1]
    assert table_cells(typed) == table_cells(posted)
    # Its thread follows up as any answer's does.
    event(server, message_event("make it batch", thread_ts=posted.response["ts"]))
    batch = fake.wait_for("chat.postMessage", count=3)[-1]
    assert "40% cached batch per month" in dumped(batch)


def test_sizes_above_a_models_context_get_the_typed_questions_warning(server, fake):
    values = calculator_values(models=("gpt-4",), input_tokens="20k", requests="")
    send(server, view_submission(CALCULATOR, values))
    posted = fake.wait_for("chat.postMessage")[0]
    assert "does not fit GPT-4 (8K)" in dumped(posted)
    assert "x 1 requests" in dumped(posted)


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"models": ()}, "models", "Choose at least one model."),
        ({"requests": "0"}, "requests", "At least 1 request"),
        ({"cached": "150%"}, "cached", "from 0 to 100"),
        ({"input_tokens": "lots"}, "input_tokens", "not a number"),
        ({"output_tokens": "3OO"}, "output_tokens", "not a number"),
        ({"input_tokens": "-1"}, "input_tokens", "not a number"),
        ({"input_tokens": "9" * 40}, "input_tokens", "at most"),
        ({"post_to": None}, "post_to", "Choose where"),
        ({"models": ("gpt-4oo",)}, "models", "Did you mean: gpt-4o"),
        ({"models": ("gpt-4o", "no-such-model-x")}, "models", "no-such-model-x"),
        ({"models": ("please",)}, "models", "'please'"),  # a word the reader would drop
        ({"models": ("batch",)}, "models", "'batch'"),  # a word the grammar reads otherwise
    ],
)
def test_what_is_wrong_is_shown_under_its_field_and_the_modal_stays(
    server, fake, changes, field, said
):
    since = len(server.lines)
    status, answer = send(server, view_submission(CALCULATOR, calculator_values(**changes)))
    assert status == 200
    assert answer["response_action"] == "errors"
    assert said in answer["errors"][field]
    assert fake.calls_to("chat.postMessage") == []
    no_traceback(server, since)


def test_a_channel_llmcost_is_not_in_is_said_in_the_modal(server, fake):
    fake.fail("chat.postMessage", "not_in_channel", channel="C0ELSEWHERE")
    values = calculator_values(post_to="C0ELSEWHERE")
    _status, answer = send(server, view_submission(CALCULATOR, values))
    assert answer["response_action"] == "errors"
    assert "/invite @llmcost" in answer["errors"]["post_to"]


TAMPERED = {
    "numbers for text": {
        "input_tokens": {"input_tokens": {"type": "plain_text_input", "value": 1500}},
    },
    "an option that is a list": {"period": {"period": {"selected_option": ["month"]}}},
    "options that are not a list": {"models": {MODELS: {"selected_options": "gpt-4o"}}},
    "options that are a number": {"models": {MODELS: {"selected_options": 7}}},
    "10 KB strings": {
        "input_tokens": {"input_tokens": {"type": "plain_text_input", "value": "9" * 10_000}},
        "models": {MODELS: {"selected_options": [{"value": "m" * 10_000}]}},
    },
    "a huge count": {"requests": {"requests": {"value": "1" + "0" * 30}}},
    "a negative count": {"requests": {"requests": {"value": "-20"}}},
    "a date that is not one": {"as_of": {"as_of": {"selected_date": "2024-13-45"}}},
    "a conversation that is a number": {"post_to": {"post_to": {"selected_conversation": 7}}},
}


@pytest.mark.parametrize("tampered", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_submission_gets_field_errors_never_a_traceback(server, fake, tampered):
    since = len(server.lines)
    values = {**calculator_values(), **tampered}
    status, answer = send(server, view_submission(CALCULATOR, values))
    assert status == 200
    assert answer["response_action"] == "errors"
    assert answer["errors"]
    assert fake.calls_to("chat.postMessage") == []
    no_traceback(server, since)


def test_a_submission_that_is_not_a_view_is_one_log_line(server, fake):
    since = len(server.lines)
    request = view_submission(CALCULATOR, calculator_values(), user_id="")
    status, answer = send(server, request)
    assert (status, answer) == (200, None)
    server.wait_for_log("a calculator submission that Slack signed but llmcost cannot read")
    no_traceback(server, since)


# -- "Add a model…" ------------------------------------------------------------------------------


def test_add_a_model_opens_the_picker_and_asks_add_in_the_thread(server, fake):
    root = ask_in_channel(server, fake, "compare gpt-4o gpt-4.1 1M tokens")
    buttons = {
        element["text"]["text"]: element
        for block in root.body["blocks"]
        for element in block.get("elements", ())
        if element.get("type") == "button"
    }
    add = buttons["Add a model…"]
    message = {"type": "message", "ts": root.response["ts"], "text": ""}
    send(server, block_action(add["action_id"], add["value"], message=message, trigger_id="t-add"))
    assert fake.wait_for("views.open")[0].body["trigger_id"] == "t-add"
    view = opened_view(fake)
    assert view["callback_id"] == ADD_MODEL
    values = {
        "models": {MODELS: {"selected_options": [{"value": "claude-sonnet-4-5", "text": {}}]}}
    }
    request = view_submission(ADD_MODEL, values, private_metadata=view["private_metadata"])
    status, answer = send(server, request)
    assert (status, answer) == (200, None)
    added = fake.wait_for("chat.postMessage", count=2)[-1]
    assert added.body["thread_ts"] == root.response["ts"]
    assert "Asked by <@U0ASKER>: `add claude-sonnet-4-5`" in dumped(added)
    assert "compare gpt-4o gpt-4.1 claude-sonnet-4-5 1M tokens" in dumped(added)


def test_add_a_model_with_nothing_chosen_keeps_its_modal_open(server, fake):
    _status, answer = send(server, view_submission(ADD_MODEL, {}, private_metadata="{}"))
    assert answer == {
        "response_action": "errors",
        "errors": {"models": "Choose at least one model."},
    }


def test_add_a_model_whose_thread_is_not_ours_is_one_log_line(server, fake):
    values = {"models": {MODELS: {"selected_options": [{"value": "gpt-4o", "text": {}}]}}}
    status, answer = send(server, view_submission(ADD_MODEL, values, private_metadata="nope"))
    assert (status, answer) == (200, None)
    server.wait_for_log("an 'Add a model…' submission without its thread")
    assert fake.calls_to("chat.postMessage") == []


# -- the message shortcut -----------------------------------------------------------------------


def test_the_message_shortcut_counts_a_messages_tokens_for_the_clicker_only(server, fake):
    request = message_shortcut(
        "llmcost_count_message",
        "Summarise the attached contract in three bullet points.",
        response_url=fake.response_url("count"),
    )
    status, _ = send(server, request)
    assert status == 200
    answered = fake.wait_for(RESPONSE_URL_METHOD)[0]
    assert answered.body["response_type"] == "ephemeral"
    assert "tokens" in dumped(answered).lower()
    assert "Asked by <@U0ASKER>: `Count tokens and price this message`" in dumped(answered)
    assert fake.calls_to("chat.postMessage") == []


def test_the_message_shortcut_on_a_message_without_text_says_so(server, fake):
    request = message_shortcut("llmcost_count_message", "", response_url=fake.response_url("n"))
    send(server, request)
    answered = fake.wait_for(RESPONSE_URL_METHOD)[0]
    assert "no text to count" in answered.body["text"]


# -- App Home -----------------------------------------------------------------------------------


def _home(fake, count: int = 1) -> dict:
    view = fake.wait_for("views.publish", count=count)[-1].body["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_home_has_the_buttons_the_weeks_changes_and_the_subscriptions(server, fake):
    command(server, fake, "digest subscribe")
    fake.wait_for("chat.postMessage")  # "subscribed this channel", once it is stored
    event(server, app_home_opened_event("U0ASKER"))
    text = json.dumps(_home(fake))
    assert "Price LLM usage" in text
    assert "How to ask" in text
    assert "This week's tariff changes" in text
    assert "<#C0GENERAL>" in text
    assert "gpt-4-8k" in text  # today's main models, as before


def test_homes_buttons_open_the_calculator_and_how_to_ask(server, fake):
    send(server, block_action("llmcost_open_calculator", "", trigger_id="t-home"))
    assert opened_view(fake)["callback_id"] == CALCULATOR
    send(server, block_action("llmcost_how_to_ask", "", trigger_id="t-help"))
    view = opened_view(fake, count=2)
    assert view["title"]["text"] == "How to ask llmcost"
    assert "compare" in json.dumps(view)

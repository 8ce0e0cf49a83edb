"""The next questions under a public answer (issue 22, its buttons): each is the words a person
would type in the thread; a click asks them there, says who clicked, and changes the thread as a
typed reply does; "Chart" uploads the chart; a thread whose question is gone is re-asked from
the question the button carries."""

import json

import pytest

from tests.e2e.server import SIGNING_SECRET
from tests.e2e.test_slack_app import (
    ARTICLE,
    ask_in_channel,
    command,
    dumped,
    event,
    table_cells,
)
from tests.slack_requests import block_action, message_event, send_signed


def _buttons(call) -> dict[str, tuple[str, str]]:
    """label -> (action_id, value) of the answer's next-question buttons."""
    found = {}
    for block in call.body["blocks"]:
        for element in block.get("elements", ()):
            if element.get("type") == "button" and element["action_id"].startswith("llmcost_next"):
                found[element["text"]["text"]] = (element["action_id"], element["value"])
    return found


def _click(server, root, label: str, **kwargs) -> None:
    action_id, value = _buttons(root)[label]
    message = {"type": "message", "ts": root.response["ts"], "text": ""}
    request = block_action(action_id, value, message=message, **kwargs)
    status, _, _ = send_signed(server.events_url, request, SIGNING_SECRET)
    assert status == 200


def test_an_answer_offers_its_likely_next_questions(server, fake):
    root = ask_in_channel(server, fake)
    assert list(_buttons(root)) == [
        "Per month",
        "Batch",
        "With 50% cached",
        "Add a model…",
        "Chart",
    ]
    _action_id, value = _buttons(root)["Batch"]
    assert json.loads(value) == {"reply": "batch", "question": ARTICLE}


def test_a_click_asks_in_the_thread_as_typed_and_says_who_clicked(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]
    _click(server, root, "Per month", user_id="U0ANA")
    clicked = fake.wait_for("chat.postMessage", count=2)[-1]
    assert clicked.body["thread_ts"] == thread
    assert "Asked by <@U0ANA>: `per month`" in dumped(clicked)
    assert f"Read as: `{ARTICLE.replace(' as of', ' per month as of')}`" in dumped(clicked)
    server.wait_for_log(f"thread {thread}", count=2)  # the thread's question, now stored
    # The thread changed as a typed reply would: the next reply builds on 'per month'.
    event(server, message_event("batch", thread_ts=thread))
    typed = fake.wait_for("chat.postMessage", count=3)[-1]
    assert "200k tokens batch per month as of 2023-08-22" in dumped(typed)


def test_a_click_gives_the_answer_the_words_typed_give(server, fake):
    root = ask_in_channel(server, fake)
    _click(server, root, "With 50% cached")
    clicked = fake.wait_for("chat.postMessage", count=2)[-1]
    command(server, fake, ARTICLE)
    other = fake.wait_for("chat.postMessage", count=3)[-1]
    server.wait_for_log(f"thread {other.response['ts']}")
    event(server, message_event("50% cached", thread_ts=other.response["ts"]))
    typed = fake.wait_for("chat.postMessage", count=4)[-1]
    assert table_cells(clicked) == table_cells(typed)
    assert "50% cached" in dumped(typed)


def test_the_chart_button_uploads_the_chart_into_the_thread(server, fake):
    root = ask_in_channel(server, fake)
    _click(server, root, "Chart")
    (completed,) = fake.wait_for("files.completeUploadExternal")
    assert completed.body["thread_ts"] == root.response["ts"]


def test_a_thread_without_its_question_is_asked_the_buttons_question(server, fake):
    root = ask_in_channel(server, fake)
    action_id, value = _buttons(root)["Batch"]
    message = {"type": "message", "ts": "1600000000.000100", "text": ""}  # never stored
    request = block_action(action_id, value, message=message)
    send_signed(server.events_url, request, SIGNING_SECRET)
    answered = fake.wait_for("chat.postMessage", count=2)[-1]
    assert answered.body["thread_ts"] == "1600000000.000100"
    assert "200k tokens batch as of 2023-08-22" in dumped(answered)


def test_a_click_with_a_value_not_ours_is_one_log_line(server, fake):
    request = block_action("llmcost_next_0", "{not json")
    status, _, _ = send_signed(server.events_url, request, SIGNING_SECRET)
    assert status == 200
    server.wait_for_log("a next-question click without its question or its message")
    assert fake.calls_to("chat.postMessage") == []


def _shown(call) -> list[dict]:
    """What an answer shows, without who asked it and how (context lines differ: "Asked by")."""
    return [block for block in call.body["blocks"] if block["type"] != "context"]


EVERY_KIND = [
    ("cost gpt-4o 2k in 500 out x 100 requests", "Per month"),
    ("cost gpt-4o 2k in 500 out x 100 requests", "Batch"),
    ("cost gpt-4o 2k in 500 out x 100 requests batch", "Standard"),
    ("compare gpt-4o gpt-4.1 1M tokens", "With 50% cached"),
    ("breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3", "1 epoch"),
    ("finetune gpt-4.1-mini 500k tokens", "1 epoch"),
    ("finetune gpt-4.1-mini 500k tokens 1 epochs", "3 epochs"),
    ("budget $500 gpt-4o 2k in 500 out", "Per day"),
    ("budget $500 gpt-4o 2k in 500 out per day", "Per month"),
]


@pytest.mark.parametrize(("question", "label"), EVERY_KIND)
def test_every_buttons_words_typed_give_the_answer_the_click_gives(server, fake, question, label):
    root = ask_in_channel(server, fake, question)
    words = json.loads(_buttons(root)[label][1])["reply"]
    _click(server, root, label)
    clicked = fake.wait_for("chat.postMessage", count=2)[-1]
    command(server, fake, question)
    other = fake.wait_for("chat.postMessage", count=3)[-1]
    server.wait_for_log(f"thread {other.response['ts']}")
    event(server, message_event(words, thread_ts=other.response["ts"]))
    typed = fake.wait_for("chat.postMessage", count=4)[-1]
    assert _shown(clicked) == _shown(typed)

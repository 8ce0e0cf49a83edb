"""`llmcost serve` as Slack uses it: signed HTTP requests in, Web API calls out to a fake Slack."""

import json
import time

import pytest

from tests.e2e.server import SIGNING_SECRET, Server
from tests.fake_slack import Call, FakeSlack
from tests.slack_requests import (
    app_home_opened_event,
    app_mention_event,
    block_action,
    event_callback,
    message_event,
    post,
    send_signed,
    signed_headers,
    slash_command,
    unique_event_id,
    unique_ts,
)

ARTICLE = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"


def command(server: Server, fake: FakeSlack, text: str, **fields: str) -> tuple[int, str, float]:
    request = slash_command(text, response_url=fake.response_url("cmd"), **fields)
    return send_signed(server.events_url, request, SIGNING_SECRET)


def event(server: Server, payload: dict, **kwargs: object) -> tuple[int, str, float]:
    headers = kwargs.pop("headers", None)
    request = event_callback(payload, **kwargs)  # type: ignore[arg-type]
    return send_signed(server.events_url, request, SIGNING_SECRET, extra_headers=headers)


def dumped(call: Call) -> str:
    return json.dumps(call.body)


def table_cells(call: Call) -> list[list[str]]:
    tables = [block for block in call.body["blocks"] if block["type"] == "table"]
    assert len(tables) == 1, call.body["blocks"]
    return [[cell.get("text", "") for cell in row] for row in tables[0]["rows"]]


def ask_in_channel(server: Server, fake: FakeSlack, text: str = ARTICLE) -> Call:
    """Ask, and wait until the answer's question is stored: a reply in its thread can come
    within milliseconds only in a test."""
    status, _, _ = command(server, fake, text)
    assert status == 200
    posted = fake.wait_for("chat.postMessage")[-1]
    server.wait_for_log(f"thread {posted.response['ts']}")
    return posted


# -- slash commands ---------------------------------------------------------------------------


def test_command_is_acked_then_answered_in_the_channel_with_blocks(server, fake):
    status, body, _ = command(server, fake, ARTICLE)
    assert (status, body) == (200, "")

    posted = fake.wait_for("chat.postMessage")[0]
    assert posted.body["channel"] == "C0GENERAL"
    assert "thread_ts" not in posted.body
    # The plain-text fallback carries the key figures; the table carries every row.
    assert "$7.50" in posted.body["text"]
    assert "$2.60" in posted.body["text"]
    cells = table_cells(posted)
    assert any("gpt-4-8k" in row[0] and "$7.50" in row for row in cells)
    assert any("ft-gpt-3.5" in row[0] and "$2.60" in row for row in cells)
    blocks = posted.body["blocks"]
    assert blocks[0]["type"] == "header"
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    context = " ".join(json.dumps(b) for b in blocks if b["type"] == "context")
    assert "<@U0ASKER>" in context
    assert "2023-08-22" in context
    assert "3:1" in context  # the assumed split is said


def test_the_ack_does_not_wait_for_the_answer(server, fake):
    posting = fake.hold("chat.postMessage")  # Slack is slow to take the answer
    status, body, _ = command(server, fake, ARTICLE)
    assert (status, body) == (200, "")  # acked all the same
    assert fake.calls_to("chat.postMessage") == []
    posting.set()
    assert "$7.50" in fake.wait_for("chat.postMessage")[0].body["text"]


def test_private_answers_only_the_asker(server, fake):
    command(server, fake, f"private {ARTICLE}")
    answered = fake.wait_for("response_url")[0]
    assert answered.body["response_type"] == "ephemeral"
    assert "$7.50" in answered.body["text"]
    assert fake.calls_to("chat.postMessage") == []


def test_help_and_errors_are_ephemeral(server, fake):
    command(server, fake, "help")
    helped = fake.wait_for("response_url")[0]
    assert helped.body["response_type"] == "ephemeral"
    assert "compare" in dumped(helped)

    fake.reset()
    command(server, fake, "compare gtp-4o 200k tokens")
    error = fake.wait_for("response_url")[0]
    assert error.body["response_type"] == "ephemeral"
    assert "gpt-4o" in dumped(error)  # did you mean (never a model shut down, as GPT-4 (8K) is)
    assert fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_a_channel_the_bot_is_not_in_is_answered_through_the_response_url(server, fake, error):
    fake.fail("chat.postMessage", error, channel="C0ELSEWHERE")
    command(server, fake, ARTICLE, channel_id="C0ELSEWHERE")
    answered = fake.wait_for("response_url")[0]
    assert answered.body["response_type"] == "in_channel"
    assert "$7.50" in answered.body["text"]
    assert "/invite @llmcost" in dumped(answered)


def test_a_failure_on_our_side_is_told_to_the_asker(server, fake):
    fake.fail("chat.postMessage", "invalid_blocks")
    command(server, fake, ARTICLE)
    told = fake.wait_for("response_url")[0]
    assert told.body["response_type"] == "ephemeral"
    assert "Something went wrong on my side" in told.body["text"]
    server.wait_for_log("answering /llmcost failed")


@pytest.mark.parametrize(
    "typed",
    [
        # What a person typed, as Slack sends it: their < > & escaped.
        "tokens &lt;!channel&gt; &lt;@U0BOSS&gt; &lt;https://evil.example|click&gt; &amp; hi",
        # Slack's own markup, when the command is set to escape mentions and links.
        "tokens <!channel> <@U0BOSS> <https://evil.example|click> hi",
    ],
)
def test_user_text_cannot_mention_anyone(server, fake, typed):
    command(server, fake, typed)
    posted = fake.wait_for("chat.postMessage")[0]  # a public answer that echoes the question
    text = dumped(posted)
    for markup in ("<!channel>", "<@U0BOSS>", "<https://evil.example"):
        assert markup not in text
    assert "&lt;" in text or "@channel" in text


def test_an_error_cannot_mention_anyone(server, fake):
    command(server, fake, "compare &lt;!here&gt; gpt-4-8k 200k tokens")
    answered = fake.wait_for("response_url")[0]
    text = dumped(answered)
    assert "<!here>" not in text
    assert "&lt;!here&gt;" in text


def test_rate_limited_and_failing_slack_is_retried(server, fake):
    fake.rate_limit("chat.postMessage", retry_after=0)
    fake.server_error("chat.postMessage", status=503)
    command(server, fake, ARTICLE)
    calls = fake.wait_for("chat.postMessage", count=3)
    assert [call.status for call in calls] == [429, 503, 200]


@pytest.mark.parametrize(
    ("headers", "stale"),
    [
        pytest.param({}, False, id="unsigned"),
        pytest.param({"X-Slack-Signature": "v0=" + "0" * 64}, False, id="forged"),
        pytest.param(None, True, id="stale"),
    ],
)
def test_requests_not_signed_by_slack_get_401(server, fake, headers, stale):
    body, content_type = slash_command(ARTICLE)
    if stale:
        headers = signed_headers(body, SIGNING_SECRET, timestamp=int(time.time()) - 6 * 60)
    elif headers:
        headers = {**signed_headers(body, SIGNING_SECRET), **headers}
    status, _, _ = post(server.events_url, body, {"Content-Type": content_type, **headers})
    assert status == 401
    assert fake.calls_to("chat.postMessage") == []


def test_health_check(server):
    with __import__("urllib.request").request.urlopen(server.url + "/", timeout=5) as response:
        assert response.status == 200


# -- threads ----------------------------------------------------------------------------------


def test_replies_in_the_thread_change_the_question(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]

    event(server, message_event("what about gpt-4-32k?", thread_ts=thread))
    added = fake.wait_for("chat.postMessage", count=2)[-1]
    assert added.body["thread_ts"] == thread
    rows = table_cells(added)
    assert [row[0] for row in rows[1:]] == ["gpt-4-8k", "ft-gpt-3.5", "gpt-4-32k"]
    assert any("$15.00" in row for row in rows)  # gpt-4-32k: 150k in at $60, 50k out at $120

    # Each follow-up builds on the last answer in the thread, at the thread's date.
    event(server, message_event("make it 1M tokens", thread_ts=thread))
    bigger = fake.wait_for("chat.postMessage", count=3)[-1]
    assert "$37.50" in bigger.body["text"]  # gpt-4-8k, 750k in, 250k out, 2023 prices

    event(server, message_event("as of 2024-06-01", thread_ts=thread))
    later = fake.wait_for("chat.postMessage", count=4)[-1]
    assert "2024-06-01" in dumped(later)


@pytest.mark.parametrize(
    "chat",
    ["thanks, that settles it", "tokens are expensive", "models look right", "history repeats"],
)
def test_conversation_in_the_thread_is_left_alone(server, fake, chat):
    root = ask_in_channel(server, fake)
    reply = message_event(chat, thread_ts=root.response["ts"])
    event_id = unique_event_id()
    event(server, reply, event_id=event_id)
    server.wait_for_log(f"{event_id}: conversation in the thread")
    assert len(fake.calls_to("chat.postMessage")) == 1
    assert fake.calls_to("chat.postEphemeral") == []


def test_private_in_a_thread_answers_only_its_author(server, fake):
    root = ask_in_channel(server, fake)
    event(server, message_event("private add gpt-4-32k", thread_ts=root.response["ts"]))
    private = fake.wait_for("chat.postEphemeral")[0]
    assert (private.body["user"], private.body["thread_ts"]) == ("U0ASKER", root.response["ts"])
    assert "gpt-4-32k" in dumped(private)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_a_mention_in_an_answers_thread_changes_its_question(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]
    event(server, app_mention_event("<@U0BOT> make it 1M tokens", thread_ts=thread))
    answered = fake.wait_for("chat.postMessage", count=2)[-1]
    assert answered.body["thread_ts"] == thread
    assert "$37.50" in answered.body["text"]  # the thread's compare, 1M tokens, 2023 prices


def test_help_in_a_direct_message_is_posted_in_the_thread(server, fake):
    ts = unique_ts()
    event(server, message_event("help", ts=ts, channel="D0DIRECT", channel_type="im"))
    helped = fake.wait_for("chat.postMessage")[0]
    assert helped.body["thread_ts"] == ts
    assert fake.calls_to("chat.postEphemeral") == []


def test_a_follow_up_that_cannot_apply_is_explained_to_its_author_only(server, fake):
    root = ask_in_channel(server, fake)
    event(server, message_event("drop davinci-002", thread_ts=root.response["ts"]))
    explained = fake.wait_for("chat.postEphemeral")[0]
    assert explained.body["user"] == "U0ASKER"
    assert explained.body["thread_ts"] == root.response["ts"]
    assert "davinci-002" in dumped(explained)
    # What it suggests are replies for the thread, not commands to type anew.
    assert "/llmcost" not in dumped(explained)


def test_other_bots_and_the_bots_own_messages_are_ignored(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]
    event(server, message_event("what about gpt-4-32k?", thread_ts=thread, bot_id="B0OTHER"))
    event(
        server,
        message_event("what about gpt-4-32k?", thread_ts=thread, subtype="bot_message"),
    )
    server.wait_for_log("not a person writing", count=2)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_a_retried_event_is_answered_once(server, fake):
    root = ask_in_channel(server, fake)
    follow_up = message_event("add gpt-4-32k", thread_ts=root.response["ts"])
    event(server, follow_up, event_id="Ev0RETRIED")
    event(
        server,
        follow_up,
        event_id="Ev0RETRIED",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    server.wait_for_log("Ev0RETRIED was already answered")
    assert len(fake.wait_for("chat.postMessage", count=2)) == 2


def test_a_mention_is_answered_in_a_thread_once(server, fake):
    ts = unique_ts()
    text = f"<@U0BOT> {ARTICLE}"
    # Slack sends both a message event and an app_mention for one mention.
    event(server, message_event(text, ts=ts))
    event(server, app_mention_event(text, ts=ts))
    answered = fake.wait_for("chat.postMessage")[0]
    assert answered.body["thread_ts"] == ts
    assert "$7.50" in answered.body["text"]
    server.wait_for_log("a mention, answered as such")
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_a_direct_message_is_answered_in_a_thread(server, fake):
    ts = unique_ts()
    event(server, message_event(ARTICLE, ts=ts, channel="D0DIRECT", channel_type="im"))
    answered = fake.wait_for("chat.postMessage")[0]
    assert (answered.body["channel"], answered.body["thread_ts"]) == ("D0DIRECT", ts)
    server.wait_for_log(f"thread {ts}")
    event(
        server,
        message_event("split 1:1", thread_ts=ts, channel="D0DIRECT", channel_type="im"),
    )
    refined = fake.wait_for("chat.postMessage", count=2)[-1]
    assert "$9.00" in refined.body["text"]  # gpt-4-8k, 100k in at $30, 100k out at $60


# -- App Home and buttons -----------------------------------------------------------------------


def test_app_home_shows_the_tariff_table(server, fake):
    event(server, app_home_opened_event("U0ASKER"))
    published = fake.wait_for("views.publish")[0]
    assert published.body["user_id"] == "U0ASKER"
    view = published.body["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    text = json.dumps(view)
    assert "gpt-4-8k" in text
    assert "/llmcost" in text


def test_a_private_answer_can_be_posted_in_the_channel(server, fake):
    command(server, fake, f"private {ARTICLE}")
    private = fake.wait_for("response_url")[0]
    buttons = [
        element
        for block in private.body["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert buttons, private.body["blocks"]
    fake.reset()
    click = block_action(
        buttons[0]["action_id"], buttons[0]["value"], response_url=fake.response_url("click")
    )
    assert send_signed(server.events_url, click, SIGNING_SECRET)[0] == 200
    shared = fake.wait_for("chat.postMessage")[0]
    assert "$7.50" in shared.body["text"]
    deleted = fake.wait_for("response_url")[0]
    assert deleted.body.get("delete_original") is True


def test_a_private_answer_in_a_thread_is_shared_in_that_thread(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]
    event(server, message_event("private add gpt-4-32k", thread_ts=thread))
    private = fake.wait_for("chat.postEphemeral")[0]
    (button,) = [
        element
        for block in private.body["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    click = block_action(
        button["action_id"],
        button["value"],
        response_url=fake.response_url("click"),
        thread_ts=thread,
    )
    send_signed(server.events_url, click, SIGNING_SECRET)
    shared = fake.wait_for("chat.postMessage", count=2)[-1]
    assert shared.body["thread_ts"] == thread
    server.wait_for_log(f"answered in C0GENERAL, thread {thread}", count=2)

    # The shared question is now the thread's: the next reply builds on it.
    event(server, message_event("drop gpt-4-8k", thread_ts=thread))
    latest = fake.wait_for("chat.postMessage", count=3)[-1]
    rows = table_cells(latest)
    assert [row[0] for row in rows[1:]] == ["ft-gpt-3.5", "gpt-4-32k"]


def test_a_channel_that_refuses_posts_gets_the_answer_privately(server, fake):
    fake.fail("chat.postMessage", "is_archived", channel="C0ARCHIVED")
    command(server, fake, ARTICLE, channel_id="C0ARCHIVED")
    told = fake.wait_for("response_url")[0]
    assert told.body["response_type"] == "ephemeral"
    assert "$7.50" in told.body["text"]
    assert "is_archived" in dumped(told)


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("tokens the payload is 2k", {}),
        ("help", {"channel_name": "payload-team", "user_name": "payload"}),
    ],
    ids=["in-the-question", "in-a-name"],
)
def test_the_word_payload_does_not_silence_a_command(server, fake, text, fields):
    """A form holding "payload" was read as an interactive payload, acked and never answered
    (issue 19)."""
    status, _, _ = command(server, fake, text, **fields)

    assert status == 200
    answered = fake.wait_for("chat.postMessage" if text.startswith("tokens") else "response_url")
    assert "payload" in dumped(answered[0]) or text == "help"


def test_an_unreachable_response_url_is_one_log_line(server, fake):
    """Help goes through the response_url; one that cannot be reached logged two tracebacks
    (issue 19)."""
    since = len(server.lines)
    request = slash_command("help", response_url="http://127.0.0.1:9/unreachable")
    status, _, _ = send_signed(server.events_url, request, SIGNING_SECRET)
    assert status == 200

    server.wait_for_log("response_url cannot be reached")
    later = slash_command("help", response_url=fake.response_url())
    send_signed(server.events_url, later, SIGNING_SECRET)
    fake.wait_for("response_url")
    lines = server.lines[since:]
    assert not any("Traceback" in line for line in lines), "\n".join(lines)
    assert len([line for line in lines if "response_url cannot be reached" in line]) == 1


def test_a_ts_slack_returns_that_is_no_timestamp_is_not_stored_and_said_once(server, fake):
    """An emulator answering chat.postMessage with a numeric ts made every later reply in the
    thread silently unmatched (issue 23): checked as incoming ts values are, one log line."""
    since = len(server.lines)
    fake.respond(
        "chat.postMessage", {"ok": True, "channel": "C0GENERAL", "ts": 1710000000.5}, times=1
    )
    command(server, fake, ARTICLE)

    fake.wait_for("chat.postMessage")
    server.wait_for_log("not a Slack timestamp")
    lines = server.lines[since:]
    assert not any("Traceback" in line for line in lines)
    assert not any("answered in C0GENERAL" in line for line in lines)


def test_a_failed_home_publish_is_one_log_line(server, fake):
    since = len(server.lines)
    fake.fail("views.publish", "invalid_arguments", times=1)
    event(server, app_home_opened_event("U0ASKER"))

    server.wait_for_log("views.publish failed for U0ASKER: invalid_arguments")
    assert not any("Traceback" in line for line in server.lines[since:])


# -- any way a person asks (issue 20) -------------------------------------------------------------


def _read_as(call: Call) -> str:
    contexts = [
        element["text"]
        for block in call.body["blocks"]
        if block["type"] == "context"
        for element in block["elements"]
    ]
    (line,) = [text for text in contexts if text.startswith("Read as:")]
    return line


def test_a_sentence_is_answered_saying_how_it_was_read(server, fake):
    root = ask_in_channel(server, fake, "how much would 500k tokens on gpt-5 run me, please")
    assert _read_as(root) == "Read as: `cost gpt-5 500k tokens` (ignored: please)"
    thread = root.response["ts"]

    # A reply in the thread takes the same phrasing, and says the whole question it now asks.
    event(server, message_event("make it 50/50", thread_ts=thread))
    split = fake.wait_for("chat.postMessage", count=2)[-1]
    assert split.body["thread_ts"] == thread
    assert _read_as(split) == "Read as: `cost gpt-5 500k tokens split 50:50`"


def test_what_cannot_be_priced_is_refused_to_the_asker_saying_what_can(server, fake):
    command(server, fake, "budget €500 gpt-4o 2k in 500 out")
    refused = fake.wait_for("response_url")[0]
    assert refused.body["response_type"] == "ephemeral"
    assert "US dollars" in refused.body["text"]
    assert "budget $500 gpt-4o 2k in 500 out" in dumped(refused)

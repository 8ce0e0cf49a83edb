"""A .jsonl training file shared with llmcost in Slack: downloaded with the bot token from the
fake Slack's url_private, priced, answered in its thread; refused when it may not be read."""

import json

from tests.e2e.server import SIGNING_SECRET, Server
from tests.fake_slack import FILE_DOWNLOAD_METHOD
from tests.pricing.test_training_file import toy_bytes
from tests.slack_requests import (
    app_mention_event,
    event_callback,
    message_event,
    send_signed,
    unique_ts,
)


def event(server: Server, payload: dict) -> None:
    status, _, _ = send_signed(server.events_url, event_callback(payload), SIGNING_SECRET)
    assert status == 200


def sharing(payload: dict, *files: dict) -> dict:
    return {**payload, "subtype": "file_share", "files": list(files)}


def direct(text: str, *files: dict, **fields: str) -> dict:
    payload = message_event(text, channel="D0DIRECT", channel_type="im", **fields)
    return sharing(payload, *files) if files else payload


def test_a_file_shared_in_a_direct_message_is_read_with_the_bot_token(server, fake):
    file = fake.add_file("train.jsonl", toy_bytes())
    ts = unique_ts()
    event(server, direct("gpt-4o-mini", file, ts=ts))
    answered = fake.wait_for("chat.postMessage")[0]
    assert answered.body["thread_ts"] == ts
    (download,) = fake.calls_to(FILE_DOWNLOAD_METHOD)
    assert download.status == 200
    assert download.headers["authorization"] == "Bearer xoxb-1-test-token"
    text = json.dumps(answered.body)
    assert "Fine-tuning train.jsonl: 3 examples, 25 epochs" in text
    assert "$0.0071" in text  # 2,375 tokens trained at $3/1M
    blocks = answered.body["blocks"]
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")


def test_follow_ups_in_the_files_thread_read_it_again(server, fake):
    file = fake.add_file("train.jsonl", toy_bytes())
    ts = unique_ts()
    event(server, direct("gpt-4o-mini", file, ts=ts))
    fake.wait_for("chat.postMessage")
    server.wait_for_log(f"thread {ts}")
    event(server, direct("epochs 5", thread_ts=ts))
    refined = fake.wait_for("chat.postMessage", count=2)[-1]
    assert "Fine-tuning train.jsonl: 3 examples, 5 epochs" in json.dumps(refined.body)
    server.wait_for_log(f"thread {ts}", count=2)
    event(server, direct("vs gpt-4o prompt 2000", thread_ts=ts))
    versus = fake.wait_for("chat.postMessage", count=3)[-1]
    assert "Break-even" in json.dumps(versus.body)
    server.wait_for_log(f"thread {ts}", count=3)
    event(server, direct("what about gpt-4.1?", thread_ts=ts))
    other = fake.wait_for("chat.postMessage", count=4)[-1]
    assert "gpt-4.1" in json.dumps(other.body)
    assert len(fake.calls_to(FILE_DOWNLOAD_METHOD)) == 4
    assert fake.calls_to("files.info")


def test_a_mention_with_a_file_is_answered_in_its_thread(server, fake):
    file = fake.add_file("train.jsonl", toy_bytes())
    ts = unique_ts()
    text = "<@U0BOT> finetune gpt-4o-mini vs gpt-4.1 prompt 1500"
    event(server, sharing(message_event(text, ts=ts), file))
    event(server, sharing(app_mention_event(text, ts=ts), file))
    answered = fake.wait_for("chat.postMessage")[0]
    assert answered.body["thread_ts"] == ts
    assert "Break-even" in json.dumps(answered.body)
    assert len(fake.calls_to(FILE_DOWNLOAD_METHOD)) == 1


def test_a_long_file_says_it_is_counting_then_the_answer_replaces_it(server, fake):
    content = toy_bytes() * 2000  # ~2 MB
    file = fake.add_file("big.jsonl", content)
    event(server, direct("", file))
    counting = fake.wait_for("chat.postMessage")[0]
    assert counting.body["text"] == f"Counting {len(content) / 1e6:.1f} MB of big.jsonl…"
    (updated,) = fake.wait_for("chat.update")
    assert updated.body["ts"] == counting.response["ts"]
    assert "6,000 examples" in json.dumps(updated.body)


def test_another_type_or_a_large_file_is_refused_without_downloading(server, fake):
    picture = fake.add_file("cat.png", b"\x89PNG")
    event(server, direct("", picture))
    refused = fake.wait_for("chat.postMessage")[0]
    assert "cat.png is not one" in refused.body["text"]
    huge = fake.add_file("huge.jsonl", b"{}\n", size=200 * 1024 * 1024)
    event(server, direct("", huge))
    too_big = fake.wait_for("chat.postMessage", count=2)[-1]
    assert "up to 50 MB" in too_big.body["text"]
    assert fake.calls_to(FILE_DOWNLOAD_METHOD) == []


def test_a_path_typed_in_slack_is_never_read(server, fake):
    event(server, direct("finetune /etc/passwd"))
    answered = fake.wait_for("chat.postMessage")[0]
    assert "has not been read" in answered.body["text"]
    event(server, direct("finetune slack:F00000001:train.jsonl"))
    other = fake.wait_for("chat.postMessage", count=2)[-1]
    assert "has not been read" in other.body["text"]
    assert fake.calls_to(FILE_DOWNLOAD_METHOD) == []


def test_a_file_shared_in_a_channel_not_asking_llmcost_is_not_read(server, fake):
    file = fake.add_file("train.jsonl", toy_bytes())
    event(server, sharing(message_event("here is our data"), file))
    # A question asked after it is answered; the file was never fetched.
    event(server, direct("compare gpt-4o gpt-4o-mini 1M tokens"))
    fake.wait_for("chat.postMessage")
    assert fake.calls_to(FILE_DOWNLOAD_METHOD) == []
    assert fake.calls_to("files.info") == []


def test_a_file_with_a_size_that_is_no_number_is_read_within_the_cap_with_one_line(server, fake):
    """A non-numeric size logged a traceback (issue 19): one line now, and the file is read."""
    since = len(server.lines)
    file = fake.add_file("train.jsonl", toy_bytes()) | {"size": "abc"}
    event(server, direct("gpt-4o-mini", file, ts=unique_ts()))

    answered = fake.wait_for("chat.postMessage")[0]
    assert "Fine-tuning train.jsonl: 3 examples" in json.dumps(answered.body)
    assert not any("Traceback" in line for line in server.lines[since:])
    assert len([line for line in server.lines[since:] if "no readable size" in line]) == 1

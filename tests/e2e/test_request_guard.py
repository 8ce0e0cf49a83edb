"""`llmcost serve` against requests Slack never sends: refused or dropped at once, one log line
at most, never a traceback, and never more of a body read than the cap."""

import hashlib
import hmac
import json
import socket
import time
import urllib.request
from urllib.parse import urlencode

import pytest

from bot.slack.guard import MAX_BODY_BYTES
from tests.e2e.server import SIGNING_SECRET, Server
from tests.slack_requests import (
    FORM,
    JSON,
    event_callback,
    message_event,
    post,
    send_signed,
    signed_headers,
    slash_command,
    unique_ts,
)

LEVELS = (" WARNING ", " ERROR ", " CRITICAL ")


def complaints(server: Server, since: int) -> list[str]:
    """Log lines from `since` on worth someone's attention, and any traceback's lines."""
    return [
        line
        for line in server.lines[since:]
        if any(level in line for level in LEVELS) or "Traceback" in line or line.startswith(" ")
    ]


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(b"{not json", {"X-Slack-Request-Timestamp": "abc"}, id="ts-abc"),
        pytest.param(b"null", {"X-Slack-Request-Timestamp": ""}, id="ts-empty"),
        pytest.param(b"\xff\xfe\x00", {"X-Slack-Request-Timestamp": "1e9"}, id="ts-1e9"),
        pytest.param(b"payload=%7B", {"Content-Type": FORM}, id="payload-brace"),
        pytest.param(b"{not json", {}, id="not-json"),
        pytest.param(b"null", {}, id="null"),
        pytest.param(b"\xff\xfe\x00", {}, id="not-utf-8"),
    ],
)
def test_unsigned_and_malformed_requests_get_401_without_a_traceback(server, fake, body, headers):
    since = server.settled()
    headers = {"Content-Type": JSON, "X-Slack-Signature": "v0=" + "0" * 64, **headers}
    for _ in range(20):
        status, _, _ = post(server.events_url, body, headers)
        assert status == 401
    # At most one line for each in each web process (two: tests.e2e.server.server_env): a flood
    # of them does not become a flood of log lines.
    assert len(complaints(server, since)) <= 2, server.log()
    assert not any("Traceback" in line for line in server.lines[since:])
    assert fake.calls == []


def raw_exchange(server: Server, head: bytes, body_chunks, timeout: float = 5.0) -> bytes:
    """Send `head` then the chunks until the server answers or stops reading; its answer."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(head)
        try:
            for chunk in body_chunks:
                connection.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # it stopped reading: as it should
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                got = connection.recv(65536)
                if not got:
                    break
                answer += got
        except ConnectionResetError:
            pass
        return answer


def request_head(headers: dict[str, str]) -> bytes:
    lines = [
        "POST /slack/events HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_body_declared_over_the_cap_gets_413_unread(server):
    head = request_head({"Content-Type": FORM, "Content-Length": str(100 * 1024 * 1024)})
    answer = raw_exchange(server, head, [b"x" * 65536])
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_body_is_read_no_further_than_the_cap(server):
    headers = signed_headers(b"", SIGNING_SECRET)
    head = request_head({"Content-Type": FORM, "Transfer-Encoding": "chunked", **headers})
    piece = b"x" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    # 2 MiB offered and the body never ends: only a server that stops at the cap answers.
    answer = raw_exchange(server, head, [chunk] * (2 * MAX_BODY_BYTES // len(piece)))
    assert answer.startswith(b"HTTP/1.1 413 ")


@pytest.mark.parametrize("path", ["/", "/healthz"])
def test_health_answers_head_without_a_body(server, path):
    request = urllib.request.Request(server.url + path, method="HEAD")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
        assert response.read() == b""
    with urllib.request.urlopen(server.url + path, timeout=5) as response:
        assert response.status == 200
        assert response.read()


def signed_bytes(body: bytes) -> dict[str, str]:
    """Slack's signature over any bytes, UTF-8 or not."""
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest}


def form(payload: dict) -> tuple[bytes, str]:
    return urlencode({"payload": json.dumps(payload)}).encode(), FORM


def event_without(*fields: str, **changes: object) -> tuple[bytes, str]:
    event = message_event("help", channel_type="im") | changes
    return event_callback({k: v for k, v in event.items() if k not in fields})


SIGNED_MALFORMED = {
    "not-json": (b"{not json", JSON),
    "null": (b"null", JSON),
    "a-list": (b"[]", JSON),
    "not-utf-8": (b"\xff\xfe{}", JSON),
    "payload-brace": (b"payload=%7B", FORM),
    "actions-empty": form({"type": "block_actions", "user": {"id": "U1"}, "actions": []}),
    "view-without-type": form(
        {"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "c"}}
    ),
    "view-nobody-takes": form(
        {"type": "view_submission", "user": {"id": "U1"}, "view": {"type": "modal"}}
    ),
    "authorizations-not-a-list": (
        json.dumps(
            {"type": "event_callback", "authorizations": 1, "event": {"type": "x"}}
        ).encode(),
        JSON,
    ),
    "event-a-string": (
        json.dumps({"type": "event_callback", "team_id": "T0TEST", "event": "x"}).encode(),
        JSON,
    ),
    "event-without-user": event_without("user"),
    "event-without-channel": event_without("channel"),
    "event-without-text": event_without("text"),
    "event-text-not-a-string": event_without(text=["help"]),
    "ts-not-a-string": event_without(ts=1710000000.0001),
    "thread-ts-not-a-string": event_without(thread_ts={"ts": "1.2"}),
    "mention-without-text": event_callback(
        {"type": "app_mention", "user": "U0ASKER", "channel": "C0GENERAL", "ts": unique_ts()}
    ),
    "command-without-channel": (
        b"command=%2Fllmcost&text=help&user_id=U1&team_id=T0TEST"
        b"&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fr",
        FORM,
    ),
    "home-without-user": event_callback({"type": "app_home_opened", "tab": "home"}),
    # Issue 19: a JSON media type with parameters, bodies that are JSON but no object, a form
    # sent as JSON, ids that are numbers or booleans, and nesting past any payload's.
    "json-charset-list": (b"[1,2]", "application/json; charset=utf-8"),
    "json-charset-null": (b"null", "application/json; charset=utf-8"),
    "json-charset-number": (b"5", "application/json; charset=utf-8"),
    "json-charset-form": (
        b"command=%2Fllmcost&text=help&user_id=U1&team_id=T0TEST",
        "application/json; charset=utf-8",
    ),
    "event-user-a-number": event_without(user=5),
    "event-user-a-boolean": event_without(user=True),
    "event-channel-a-number": event_without(channel=7),
    "event-channel-a-boolean": event_without(channel=False),
    "deep-json": (b'{"type": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", JSON),
    "deep-payload": (b"payload=" + b"%5B" * 50_000 + b"%5D" * 50_000, FORM),
}


@pytest.mark.parametrize("request_", SIGNED_MALFORMED.values(), ids=SIGNED_MALFORMED.keys())
def test_a_signed_malformed_payload_gets_200_one_log_line_and_no_answer(server, fake, request_):
    since = server.settled()
    body, content_type = request_
    headers = {"Content-Type": content_type, **signed_bytes(body)}
    status, _, _ = post(server.events_url, body, headers)
    assert status == 200  # Slack would retry anything else, and it can never work
    # Work after the ack runs in the order the acks went; once a later question is answered,
    # whatever the dropped request was going to log or post has been.
    later = slash_command("help", response_url=fake.response_url())
    send_signed(server.events_url, later, SIGNING_SECRET)
    fake.wait_for("response_url", timeout=30)  # the first waits for the tariffs to load
    server.settled()
    lines = complaints(server, since)
    assert len(lines) <= 1, "\n".join(server.lines[since:])
    assert not any("Traceback" in line for line in server.lines[since:])
    # auth.test is Bolt learning the bot's own id, once.
    assert [call.method for call in fake.calls if call.method != "auth.test"] == ["response_url"]


@pytest.mark.parametrize("typed", ["help", "drop davinci-002"])
def test_an_answer_slack_will_not_show_privately_in_a_thread_is_logged_not_posted(
    server, fake, typed
):
    send_signed(
        server.events_url,
        slash_command("compare gpt-4-8k ft-gpt-3.5 200k tokens", response_url=fake.response_url()),
        SIGNING_SECRET,
    )
    root = fake.wait_for("chat.postMessage")[0]
    server.wait_for_log(f"thread {root.response['ts']}")
    fake.fail("chat.postEphemeral", "user_not_in_channel")
    since = server.settled()
    thread_reply = message_event(typed, thread_ts=root.response["ts"])
    send_signed(server.events_url, event_callback(thread_reply), SIGNING_SECRET)
    said = "could not answer U0ASKER privately in C0GENERAL: 'user_not_in_channel'"
    server.wait_for_log(said, count=1 + sum(said in line for line in server.lines[:since]))
    assert len(complaints(server, since)) == 1, server.log()
    # Errors stay private: nothing more in the channel or the thread.
    assert len(fake.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/slack/other"),
        ("POST", "/"),
        ("POST", "/slack/events/"),
        ("GET", "/slack/events"),
        ("PUT", "/slack/events"),
    ],
)
def test_only_posts_to_the_events_path_reach_the_app(server, fake, method, path):
    """Anything but POST /slack/events (and the health check) is 404: the guard checks
    signatures only there, so an unsigned command sent elsewhere must go nowhere."""
    body, content_type = slash_command("compare gpt-4o 1M tokens", channel_id="CUNSIGNED")
    request = urllib.request.Request(
        server.url + path,
        data=body if method != "GET" else None,
        headers={"Content-Type": content_type},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 404
    # A signed question after it is answered; the unsigned one never is.
    send_signed(server.events_url, slash_command("compare gpt-4o 1M tokens"), SIGNING_SECRET)
    posted = fake.wait_for("chat.postMessage", timeout=30)
    assert [post.body["channel"] for post in posted] == ["C0GENERAL"]

"""The request guard in front of Bolt, called as an ASGI app in-process with a fixed clock."""

import asyncio
import hashlib
import hmac
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack.envelope import unreadable_payload
from bot.slack.guard import (
    MAX_BODY_BYTES,
    RefusalLog,
    SignedRequestGuard,
)

SECRET = "shh-its-a-secret"
NOW = 1_800_000_000
PATH = "/slack/events"


def sign(body: bytes, timestamp: str = str(NOW), secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Exchange:
    """One request through the guard: what the app behind it saw, what went back, how much of
    the body was read."""

    def __init__(self, chunks: list[bytes], headers: dict[str, str], method: str = "POST"):
        self.scope = {
            "type": "http",
            "method": method,
            "path": PATH,
            "client": ("127.0.0.1", 5000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
        self.chunks = chunks
        self.received = 0
        self.sent: list[dict] = []
        self.app_got: bytes | None = None

    async def receive(self) -> dict:
        if self.received >= len(self.chunks):
            return {"type": "http.disconnect"}
        self.received += 1
        more = self.received < len(self.chunks)
        return {"type": "http.request", "body": self.chunks[self.received - 1], "more_body": more}

    async def send(self, message: dict) -> None:
        self.sent.append(message)

    async def app(self, scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.app_got = body
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    @property
    def status(self) -> int:
        return self.sent[0]["status"]

    def run(self, refusals: RefusalLog | None = None) -> "Exchange":
        guard = SignedRequestGuard(
            self.app, signing_secret=SECRET, path=PATH, now=lambda: NOW, refusals=refusals
        )
        asyncio.run(guard(self.scope, self.receive, self.send))
        return self


def signed(body: bytes, **headers: str) -> dict[str, str]:
    return {
        "X-Slack-Request-Timestamp": str(NOW),
        "X-Slack-Signature": sign(body),
        "Content-Type": "application/x-www-form-urlencoded",
        **headers,
    }


COMMAND = b"command=%2Fllmcost&text=help&channel_id=C1&user_id=U1"


def test_a_signed_request_reaches_the_app_with_its_body():
    exchange = Exchange([COMMAND[:10], COMMAND[10:]], signed(COMMAND)).run()
    assert exchange.status == 200
    assert exchange.app_got == COMMAND


MALFORMED_TIMESTAMPS = ["abc", "", "1e9", "-5", "+1800000000", "\uff11\uff12", " ", "1.5"]


@pytest.mark.parametrize("timestamp", MALFORMED_TIMESTAMPS)
def test_a_malformed_timestamp_is_refused_before_the_body_is_read(timestamp):
    headers = signed(COMMAND) | {"X-Slack-Request-Timestamp": timestamp}
    exchange = Exchange([COMMAND], headers).run()
    assert exchange.status == 401
    assert exchange.received == 0
    assert exchange.app_got is None


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="unsigned"),
        pytest.param({"X-Slack-Signature": "v0=" + "0" * 64}, id="forged"),
        pytest.param({"X-Slack-Signature": "v1=abc"}, id="malformed"),
        pytest.param({"X-Slack-Signature": sign(COMMAND, secret="another")}, id="other-secret"),
        pytest.param(
            {
                "X-Slack-Request-Timestamp": str(NOW - 301),
                "X-Slack-Signature": sign(COMMAND, str(NOW - 301)),
            },
            id="stale",
        ),
        pytest.param(
            {
                "X-Slack-Request-Timestamp": str(NOW + 301),
                "X-Slack-Signature": sign(COMMAND, str(NOW + 301)),
            },
            id="from-the-future",
        ),
    ],
)
def test_requests_not_signed_by_slack_are_refused(headers):
    base = signed(COMMAND) if headers else {"Content-Type": "application/json"}
    exchange = Exchange([COMMAND], base | headers).run()
    assert exchange.status == 401
    assert exchange.app_got is None


@given(st.text(max_size=20))
def test_no_timestamp_but_the_fresh_signed_one_passes(timestamp):
    headers = signed(COMMAND) | {"X-Slack-Request-Timestamp": timestamp}
    exchange = Exchange([COMMAND], headers).run()
    # Servers strip the spaces around a header's value; so does the guard.
    assert (exchange.status == 200) == (timestamp.encode().strip() == str(NOW).encode())


def test_a_declared_length_over_the_cap_is_refused_unread():
    headers = signed(b"") | {"Content-Length": str(MAX_BODY_BYTES + 1)}
    exchange = Exchange([b"x" * 1024] * 2000, headers).run()
    assert exchange.status == 413
    assert exchange.received == 0


def test_a_streamed_body_is_read_no_further_than_the_cap():
    chunk = b"x" * 65536
    # 100 MB on offer, without a length, as a chunked upload sends it.
    exchange = Exchange([chunk] * 1600, signed(b"")).run()
    assert exchange.status == 413
    assert exchange.received == MAX_BODY_BYTES // len(chunk) + 1
    assert exchange.app_got is None


def test_a_body_exactly_at_the_cap_passes():
    body = b"a=" + b"x" * (MAX_BODY_BYTES - 2)
    exchange = Exchange([body], signed(body)).run()
    assert exchange.status == 200
    assert exchange.app_got == body


def test_two_signatures_are_one_too_many():
    exchange = Exchange([COMMAND], {})
    exchange.scope["headers"] = [
        (b"x-slack-request-timestamp", str(NOW).encode()),
        (b"x-slack-signature", b"v0=" + b"0" * 64),
        (b"x-slack-signature", sign(COMMAND).encode()),
    ]
    assert exchange.run().status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"null", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b"payload=%7B", "application/x-www-form-urlencoded"),
        (b"payload=%5B%5D", "application/x-www-form-urlencoded"),
        (b"", "application/json"),
    ],
)
def test_a_signed_body_that_is_no_slack_payload_is_answered_200_and_dropped(body, content_type):
    exchange = Exchange([body], signed(body, **{"Content-Type": content_type})).run()
    assert exchange.status == 200
    assert exchange.app_got is None
    assert unreadable_payload(body, content_type.encode()) is not None


@pytest.mark.parametrize(("method", "path"), [("GET", PATH), ("PUT", PATH), ("POST", "/other")])
def test_other_paths_and_methods_get_404_and_never_reach_the_app(method, path):
    exchange = Exchange([COMMAND], {}, method=method)
    exchange.scope["path"] = path
    exchange.run()
    assert exchange.status == 404
    assert exchange.app_got is None


def test_refusals_log_one_line_then_at_most_one_a_window(caplog):
    clock = [0.0]
    refusals = RefusalLog(every=10.0, clock=lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="bot.slack.guard"):
        for _ in range(50):
            Exchange([COMMAND], {}).run(refusals)
        clock[0] = 11.0
        Exchange([COMMAND], {}).run(refusals)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2
    assert "49 more refused" in lines[1]
    assert all(record.exc_info is None for record in caplog.records)


def test_several_content_types_get_200_and_one_line_and_never_reach_the_app(caplog):
    body = b"[1,2]"
    exchange = Exchange([body], signed(body, **{"Content-Type": "application/json"}))
    exchange.scope["headers"].append((b"content-type", b"application/x-www-form-urlencoded"))

    exchange.run()

    assert exchange.status == 200
    assert exchange.app_got is None
    assert "several Content-Type headers" in caplog.text


def test_a_form_saying_payload_reaches_the_app_re_signed_with_the_same_fields():
    from urllib.parse import parse_qsl

    body = b"command=%2Fllmcost&text=tokens+the+payload+is+2k&channel_name=payload&user_id=U1"
    exchange = Exchange([body], signed(body))
    seen: dict = {}
    original = exchange.app

    async def app(scope, receive, send):
        seen["headers"] = dict(scope["headers"])
        await original(scope, receive, send)

    exchange.app = app
    exchange.run()

    assert exchange.status == 200
    got = exchange.app_got
    assert got is not None
    assert b"payload" not in got  # Bolt would take it for an interactive payload
    assert dict(parse_qsl(got.decode())) == dict(parse_qsl(body.decode()))
    assert seen["headers"][b"x-slack-signature"].decode() == sign(got)

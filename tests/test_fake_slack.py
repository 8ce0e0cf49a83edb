"""The fake Slack and the signed-request builders, exercised with slack_sdk's real clients."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers, builtin_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook import WebhookClient

from tests import slack_requests as sr
from tests.fake_slack import Call, FakeSlack

SECRET = "test-signing-secret"
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake():
    with FakeSlack() as f:
        yield f


def client(fake: FakeSlack, **kwargs) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake.api_url, **kwargs)


# ---------------------------------------------------------------------- Web API


def test_urls_are_loopback(fake):
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.api_url == fake.base_url + "/api/"
    assert fake.response_url("r9") == fake.base_url + "/response/r9"


def test_post_message_is_recorded_and_answered_like_slack(fake):
    web = client(fake)
    first = web.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS, thread_ts="1.2")
    second = web.chat_postMessage(channel="C1", text="again")

    assert first["ok"] is True
    assert first["channel"] == "C1"
    assert first["ts"] == "1700000000.000100"
    assert second["ts"] == "1700000000.000200"
    message = first["message"]
    assert message["text"] == "hi"
    assert message["blocks"] == BLOCKS
    assert message["thread_ts"] == "1.2"
    assert (message["bot_id"], message["user"]) == ("B0BOT", "U0BOT")

    call, _ = fake.calls_to("chat.postMessage")
    assert isinstance(call, Call)
    assert call.body == {"channel": "C1", "text": "hi", "blocks": BLOCKS, "thread_ts": "1.2"}
    assert call.headers["Authorization"] == "Bearer xoxb-test"
    assert call.token == "xoxb-test"
    assert call.path == "/api/chat.postMessage"
    assert call.received_at <= time.perf_counter()
    assert call.status == 200


def test_form_encoded_json_fields_and_get_params_are_parsed(fake):
    web = client(fake)
    view = {"type": "home", "blocks": BLOCKS}
    published = web.views_publish(user_id="U1", view=view)
    user = web.users_info(user="U7")["user"]
    web.conversations_info(channel="C0GENERAL")
    ephemeral = web.chat_postEphemeral(channel="C1", user="U1", text="psst")
    updated = web.chat_update(channel="C1", ts="1700000000.000100", text="edited", blocks=BLOCKS)
    assert web.api_call("reactions.add", params={"name": "eyes"})["ok"] is True

    assert published["view"]["type"] == "home"
    assert published["view"]["blocks"] == BLOCKS
    assert fake.calls_to("views.publish")[0].body["view"] == view
    assert user["id"] == "U7"
    assert user["tz"] == "Europe/Paris"
    assert user["real_name"]
    assert fake.calls_to("users.info")[0].body == {"user": "U7"}
    assert ephemeral["message_ts"]
    assert updated["ts"] == "1700000000.000100"
    assert updated["message"]["blocks"] == BLOCKS
    assert [c.method for c in fake.calls] == [
        "views.publish",
        "users.info",
        "conversations.info",
        "chat.postEphemeral",
        "chat.update",
        "reactions.add",
    ]


def test_auth_test_and_missing_token(fake):
    assert client(fake).auth_test().data == {
        "ok": True,
        "url": "https://llmcost-test.slack.com/",
        "team": "Test",
        "user": "llmcost",
        "team_id": "T0TEST",
        "user_id": "U0BOT",
        "bot_id": "B0BOT",
        "is_enterprise_install": False,
    }
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    assert raised.value.response["error"] == "not_authed"
    status, text, _ = sr.post(fake.api_url + "auth.test", b"", {"Authorization": "Bearer xoxp-1"})
    assert (status, json.loads(text)) == (200, {"ok": False, "error": "not_authed"})


def test_fail_surfaces_as_slack_api_error(fake):
    web = client(fake)
    fake.fail("chat.postMessage", "channel_not_found", channel="C_GONE", times=1)

    assert web.chat_postMessage(channel="C_OK", text="fine")["ok"] is True
    with pytest.raises(SlackApiError) as raised:
        web.chat_postMessage(channel="C_GONE", text="lost")
    assert raised.value.response["error"] == "channel_not_found"
    assert web.chat_postMessage(channel="C_GONE", text="back")["ok"] is True  # times=1 used up

    fake.fail("users.info", "user_not_found")  # times=None: always
    for _ in range(2):
        with pytest.raises(SlackApiError, match="user_not_found"):
            web.users_info(user="U1")
    fake.reset()
    assert fake.calls == []
    assert web.users_info(user="U1")["ok"] is True


def test_rate_limit_is_retried_by_slack_sdk(fake, monkeypatch):
    # The handler sleeps Retry-After + random(); pin the jitter so the test stays fast.
    monkeypatch.setattr(builtin_handlers, "random", SimpleNamespace(random=lambda: 0.0))
    fake.rate_limit("chat.postMessage", retry_after=0, times=2)
    web = client(fake, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])

    assert web.chat_postMessage(channel="C1", text="eventually")["ok"] is True

    calls = fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 429, 200]
    assert calls[0].response == {"ok": False, "error": "ratelimited"}


def test_rate_limit_without_retries_is_an_error_with_retry_after(fake):
    fake.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client(fake).chat_postMessage(channel="C1", text="hi")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] in ("7", ["7"])


def test_server_error_is_retried_by_slack_sdk(fake):
    fake.server_error("chat.postMessage", status=503, times=1)
    handler = ServerErrorRetryHandler(
        max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0)
    )
    assert client(fake, retry_handlers=[handler]).chat_postMessage(channel="C1", text="x")["ok"]
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [503, 200]


def test_respond_overrides_the_answer(fake):
    fake.respond("conversations.info", {"ok": True, "channel": {"id": "C1", "name": "custom"}})
    assert client(fake).conversations_info(channel="C1")["channel"]["name"] == "custom"


def test_async_web_client_with_retries(fake, monkeypatch):
    monkeypatch.setattr(builtin_async_handlers, "random", SimpleNamespace(random=lambda: 0.0))
    fake.rate_limit("chat.postMessage", retry_after=0)

    async def scenario():
        web = AsyncWebClient(
            token="xoxb-test",
            base_url=fake.api_url,
            retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
        )
        posted = await web.chat_postMessage(channel="C1", text="hi", blocks=BLOCKS)
        user = await web.users_info(user="U1")
        return posted, user

    posted, user = asyncio.run(scenario())
    assert posted["message"]["blocks"] == BLOCKS
    assert user["user"]["tz"] == "Europe/Paris"
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert fake.calls_to("chat.postMessage")[-1].body["blocks"] == BLOCKS


# ---------------------------------------------------------------------- waiting


def test_wait_for_blocks_until_calls_arrive(fake):
    web = client(fake)

    def later():
        for i in range(3):
            web.chat_postMessage(channel="C1", text=f"m{i}")

    thread = threading.Thread(target=later)
    thread.start()
    calls = fake.wait_for("chat.postMessage", count=3, timeout=5)
    thread.join()
    assert [c.body["text"] for c in calls] == ["m0", "m1", "m2"]
    (only,) = fake.wait_for("chat.postMessage", predicate=lambda c: c.body["text"] == "m1")
    assert only.body["text"] == "m1"
    # A predicate raising on some call (no thread_ts) is a non-match, not an error.
    web.chat_postMessage(channel="C1", text="reply", thread_ts="9.9")
    (reply,) = fake.wait_for("chat.postMessage", predicate=lambda c: c.body["thread_ts"] == "9.9")
    assert reply.body["text"] == "reply"


def test_wait_for_timeout_lists_what_arrived(fake):
    client(fake).chat_postMessage(channel="C1", text="the wrong one")
    started = time.perf_counter()
    with pytest.raises(AssertionError) as raised:
        fake.wait_for("chat.update", timeout=0.05)
    assert time.perf_counter() - started < 1
    message = str(raised.value)
    assert "'chat.update'" in message
    assert "chat.postMessage" in message
    assert "the wrong one" in message


# ---------------------------------------------------------------------- response_url


def test_response_url_post_is_recorded(fake):
    webhook = WebhookClient(fake.response_url("r7"))
    response = webhook.send(text="done", response_type="in_channel", replace_original=True)
    assert (response.status_code, response.body) == (200, "ok")

    (call,) = fake.wait_for("response_url")
    assert call.path == "/response/r7"
    assert call.body == {"text": "done", "response_type": "in_channel", "replace_original": True}


def test_response_url_failure(fake):
    fake.fail("response_url", "expired_url")
    status, text, _ = sr.post(fake.response_url(), b'{"text": "late"}', {})
    assert (status, text) == (404, "expired_url")
    assert fake.calls_to("response_url")[0].body == {"text": "late"}


# ---------------------------------------------------------------------- signed requests


@pytest.mark.parametrize(
    "request_",
    [
        sr.slash_command("gpt-4o 1M tokens"),
        sr.event_callback(sr.message_event("hi", channel_type="im", channel="D1")),
        sr.event_callback(sr.app_mention_event("<@U0BOT> price?")),
        sr.event_callback(sr.app_home_opened_event("U1")),
        sr.block_action("show_details", "v1"),
    ],
    ids=["slash", "message", "mention", "home", "block_action"],
)
def test_signed_requests_verify(request_):
    body, content_type = request_
    headers = sr.signed_headers(body, SECRET)
    assert SignatureVerifier(SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret").is_valid_request(body, headers)
    stale = sr.signed_headers(body, SECRET, timestamp=int(time.time()) - 600)
    assert not SignatureVerifier(SECRET).is_valid_request(body, stale)
    assert content_type in ("application/json", "application/x-www-form-urlencoded")


def test_builders_shape_payloads_like_slack():
    body, content_type = sr.slash_command("hello", user_id="U9", response_url="http://x/r")
    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
    assert content_type == "application/x-www-form-urlencoded"
    assert form["command"] == "/llmcost"
    assert (form["text"], form["user_id"], form["response_url"]) == ("hello", "U9", "http://x/r")
    assert form["api_app_id"] == "A0LLMCOST"
    assert {"channel_name", "team_domain", "trigger_id", "team_id"} <= form.keys()

    event = sr.message_event("hey", user="U2", channel="C2", ts="1.5", thread_ts="1.0")
    body, content_type = sr.event_callback(event, event_id="Ev1", event_time=123)
    envelope = json.loads(body)
    assert content_type == "application/json"
    assert envelope["type"] == "event_callback"
    assert (envelope["event_id"], envelope["event_time"]) == ("Ev1", 123)
    assert envelope["authorizations"][0]["user_id"] == "U0BOT"
    assert envelope["authorizations"][0]["is_bot"] is True
    assert envelope["event"]["thread_ts"] == "1.0"
    assert "bot_id" not in envelope["event"]
    assert sr.event_callback(event)[0] != sr.event_callback(event)[0]  # fresh event ids

    body, _ = sr.block_action("more", "42", user_id="U3", channel_id="C3")
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    assert payload["type"] == "block_actions"
    assert payload["actions"][0]["action_id"] == "more"
    assert payload["actions"][0]["value"] == "42"
    assert (payload["user"]["id"], payload["channel"]["id"]) == ("U3", "C3")


def test_send_signed_posts_signature_and_retry_headers(fake):
    request_ = sr.slash_command("hi")
    status, text, elapsed = sr.send_signed(
        fake.response_url("signed"),
        request_,
        SECRET,
        timestamp=1_700_000_000,
        extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert (status, text) == (200, "ok")
    assert elapsed > 0
    (call,) = fake.calls_to("response_url")
    expected = sr.signed_headers(request_[0], SECRET, timestamp=1_700_000_000)
    assert call.headers["X-Slack-Signature"] == expected["X-Slack-Signature"]
    assert call.headers["X-Slack-Request-Timestamp"] == "1700000000"
    assert call.headers["X-Slack-Retry-Num"] == "1"
    assert call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.body["text"] == "hi"


# ---------------------------------------------------------------------- Socket Mode


def test_socket_mode_client_connects_receives_and_acks(fake):
    received: list[SocketModeRequest] = []

    async def scenario() -> None:
        web = AsyncWebClient(base_url=fake.api_url)
        socket_client = SocketModeClient(
            app_token="xapp-1", web_client=web, auto_reconnect_enabled=False
        )

        async def on_request(c: SocketModeClient, req: SocketModeRequest) -> None:
            received.append(req)
            await c.send_socket_mode_response(
                SocketModeResponse(envelope_id=req.envelope_id, payload={"text": "on it"})
            )

        socket_client.socket_mode_request_listeners.append(on_request)
        try:
            await socket_client.connect()
            await asyncio.to_thread(fake.wait_for_socket_client, 2)
            envelope_id = await asyncio.to_thread(
                fake.send_envelope, "slash_commands", {"command": "/llmcost", "text": "hi"}, True
            )
            await asyncio.to_thread(
                fake.wait_for,
                "socket_ack",
                1,
                2,
                lambda c: c.body.get("envelope_id") == envelope_id,
            )
        finally:
            await socket_client.close()

    started = time.perf_counter()
    asyncio.run(scenario())
    assert time.perf_counter() - started < 2

    (req,) = received
    assert req.type == "slash_commands"
    assert req.accepts_response_payload is True
    assert req.payload == {"command": "/llmcost", "text": "hi"}
    (ack,) = fake.calls_to("socket_ack")
    assert ack.body == {"envelope_id": req.envelope_id, "payload": {"text": "on it"}}
    (opened,) = fake.calls_to("apps.connections.open")
    assert opened.token == "xapp-1"
    assert opened.response == {"ok": True, "url": fake.socket_url}


def test_stop_with_a_connected_socket_client_is_quick():
    fake = FakeSlack().start()
    closed = threading.Event()

    async def scenario() -> None:
        web = AsyncWebClient(base_url=fake.api_url)
        socket_client = SocketModeClient(
            app_token="xapp-1", web_client=web, auto_reconnect_enabled=False
        )
        try:
            await socket_client.connect()
            await asyncio.to_thread(fake.wait_for_socket_client, 2)
            started = time.perf_counter()
            await asyncio.to_thread(fake.stop)
            assert time.perf_counter() - started < 2
            closed.set()
        finally:
            await socket_client.close()

    asyncio.run(scenario())
    assert closed.is_set()
    assert fake.socket_connections == 1


def test_send_envelope_without_client_times_out(fake):
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        fake.send_envelope("events_api", {"event": {}}, timeout=0.05)
    with pytest.raises(ValueError, match="payload_type"):
        fake.send_envelope("nonsense", {})


def test_apps_connections_open_needs_an_app_token(fake):
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        client(fake).apps_connections_open(app_token="xoxb-test")

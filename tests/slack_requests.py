"""Requests shaped and signed exactly as Slack sends them to an app's HTTP endpoint.

Builders return ``(body_bytes, content_type)``; ``send_signed`` signs such a pair with the
signing secret (``X-Slack-Request-Timestamp`` + ``X-Slack-Signature`` v0) and POSTs it::

    status, text, elapsed = send_signed(url, slash_command("gpt-4o 1M tokens"), SECRET)

Plain standard library (urllib, proxies bypassed) plus slack_sdk's SignatureVerifier.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "TEAM_ID",
    "app_home_opened_event",
    "app_mention_event",
    "block_action",
    "block_suggestion",
    "event_callback",
    "global_shortcut",
    "message_event",
    "message_shortcut",
    "post",
    "send_signed",
    "signed_headers",
    "slash_command",
    "view_submission",
]

TEAM_ID = "T0TEST"
TEAM_DOMAIN = "llmcost-test"
APP_ID = "A0LLMCOST"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
# Slack still sends the deprecated verification token in payloads; apps must not rely on it.
VERIFICATION_TOKEN = "verification-token-unused"
# A loopback URL nothing listens on, so a reply to the default response_url never leaves the host.
DEFAULT_RESPONSE_URL = "http://127.0.0.1:9/response/default"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Request = tuple[bytes, str]

_counter = itertools.count(1)
_counter_lock = threading.Lock()


def _next() -> int:
    with _counter_lock:
        return next(_counter)


def unique_ts() -> str:
    """A fresh message ts ("1710000000.000100", "1710000000.000200", ...)."""
    micros = 1_710_000_000_000_000 + _next() * 100
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def unique_event_id() -> str:
    return f"Ev{_next():08d}TEST"


# ---------------------------------------------------------------------- signing and sending


def signed_headers(body: bytes | str, secret: str, *, timestamp: int | None = None) -> dict:
    """Slack's v0 request signature headers for ``body``, signed at ``timestamp`` (now)."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    ts = int(time.time()) if timestamp is None else int(timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(ts), body=body)
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature}


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(url: str, body: bytes | str, headers: dict, timeout: float = 10) -> tuple[int, str, float]:
    """POST ``body``; returns (status, body_text, elapsed_seconds), also for 4xx/5xx answers."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=dict(headers), method="POST")
    started = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", "replace")
            status = response.status
    except urllib.error.HTTPError as e:
        text = e.read().decode("utf-8", "replace")
        status = e.code
    return status, text, time.perf_counter() - started


def send_signed(
    url: str,
    request: Request,
    secret: str,
    *,
    timestamp: int | None = None,
    extra_headers: dict | None = None,
    timeout: float = 10,
) -> tuple[int, str, float]:
    """Sign a ``(body, content_type)`` pair from a builder and POST it like Slack does.

    ``extra_headers`` e.g. ``{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}``.
    """
    body, content_type = request
    headers = {"Content-Type": content_type, **signed_headers(body, secret, timestamp=timestamp)}
    headers.update(extra_headers or {})
    return post(url, body, headers, timeout=timeout)


# ---------------------------------------------------------------------- request builders


def slash_command(
    text: str,
    *,
    user_id: str = "U0ASKER",
    user_name: str = "ada",
    channel_id: str = "C0GENERAL",
    channel_name: str = "general",
    team_id: str = TEAM_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str = "t1",
    command: str = "/llmcost",
    enterprise_id: str | None = None,
) -> Request:
    """A slash command invocation, form-encoded with the fields Slack sends (`enterprise_id`
    from a workspace of an Enterprise Grid organization)."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    if enterprise_id is not None:
        fields["enterprise_id"] = enterprise_id
    return urlencode(fields).encode("utf-8"), FORM


def event_callback(
    event: dict,
    *,
    event_id: str | None = None,
    team_id: str = TEAM_ID,
    event_time: int | None = None,
) -> Request:
    """An Events API ``event_callback`` wrapping ``event`` (JSON)."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or unique_event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{team_id}-{APP_ID}",
    }
    return json.dumps(envelope).encode("utf-8"), JSON


def block_action(
    action_id: str,
    value: str,
    *,
    user_id: str = "U0ASKER",
    user_name: str = "ada",
    channel_id: str = "C0GENERAL",
    response_url: str = DEFAULT_RESPONSE_URL,
    message: dict | None = None,
    block_id: str = "b1",
    team_id: str = TEAM_ID,
    trigger_id: str = "t1",
    thread_ts: str | None = None,
) -> Request:
    """A ``block_actions`` interaction (a button click on a message), as ``payload=<json>``;
    ``thread_ts`` when the message is in a thread.

    ``message`` is the message holding the button; by default a bot message with a fresh ts.
    """
    if message is None:
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": team_id,
            "text": "",
            "ts": unique_ts(),
        }
    action_ts = f"{time.time():.6f}"
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message.get("ts"),
            "channel_id": channel_id,
            "is_ephemeral": False,
            **({"thread_ts": thread_ts} if thread_ts else {}),
        },
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel_id, "name": "general"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": action_ts,
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode("utf-8"), FORM


def _interaction(payload: dict) -> Request:
    return urlencode({"payload": json.dumps(payload)}).encode("utf-8"), FORM


def _who(user_id: str, team_id: str) -> dict:
    return {"id": user_id, "username": "ada", "name": "ada", "team_id": team_id}


def global_shortcut(
    callback_id: str, *, user_id: str = "U0ASKER", team_id: str = TEAM_ID, trigger_id: str = "t1"
) -> Request:
    """A global shortcut (the lightning menu), as ``payload=<json>``."""
    return _interaction(
        {
            "type": "shortcut",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _who(user_id, team_id),
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
        }
    )


def message_shortcut(
    callback_id: str,
    text: str,
    *,
    user_id: str = "U0ASKER",
    channel_id: str = "C0GENERAL",
    team_id: str = TEAM_ID,
    response_url: str = DEFAULT_RESPONSE_URL,
    trigger_id: str = "t1",
) -> Request:
    """A message shortcut (a message's "More actions" menu) on a message saying ``text``."""
    ts = unique_ts()
    return _interaction(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": f"{time.time():.6f}",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _who(user_id, team_id),
            "channel": {"id": channel_id, "name": "general"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id,
            "message_ts": ts,
            "message": {"type": "message", "user": "U0OTHER", "ts": ts, "text": text},
            "response_url": response_url,
        }
    )


def block_suggestion(
    action_id: str,
    value: str,
    *,
    block_id: str = "models",
    user_id: str = "U0ASKER",
    team_id: str = TEAM_ID,
    view_callback_id: str = "llmcost_calculator",
) -> Request:
    """A select's request for options (``block_suggestion``) as someone types ``value``."""
    return _interaction(
        {
            "type": "block_suggestion",
            "user": _who(user_id, team_id),
            "container": {"type": "view", "view_id": "V0CALC"},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "action_id": action_id,
            "block_id": block_id,
            "value": value,
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "view": {
                "id": "V0CALC",
                "type": "modal",
                "callback_id": view_callback_id,
                "state": {"values": {}},
                "private_metadata": "",
            },
        }
    )


def view_submission(
    callback_id: str,
    values: dict,
    *,
    private_metadata: str = "",
    user_id: str = "U0ASKER",
    team_id: str = TEAM_ID,
) -> Request:
    """A modal's submission; ``values`` is ``view.state.values`` as Slack sends it."""
    return _interaction(
        {
            "type": "view_submission",
            "team": {"id": team_id, "domain": TEAM_DOMAIN},
            "user": _who(user_id, team_id),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": "t1",
            "view": {
                "id": "V0CALC",
                "team_id": team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "hash": "156772938.1827394",
                "app_id": APP_ID,
                "bot_id": BOT_ID,
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )


# ---------------------------------------------------------------------- event dicts


def message_event(
    text: str,
    *,
    user: str = "U0ASKER",
    channel: str = "C0GENERAL",
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    bot_id: str | None = None,
    subtype: str | None = None,
    team: str = TEAM_ID,
) -> dict:
    """A ``message`` event (channel_type "im" for a DM). ``ts`` defaults to a fresh one."""
    ts = ts or unique_ts()
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    if bot_id is not None:
        event["bot_id"] = bot_id
    if subtype is not None:
        event["subtype"] = subtype
    return event


def app_mention_event(
    text: str,
    *,
    user: str = "U0ASKER",
    channel: str = "C0GENERAL",
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
) -> dict:
    """An ``app_mention`` event; ``text`` is used as is (include ``<@U0BOT>`` yourself)."""
    ts = ts or unique_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "team": team,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def app_home_opened_event(
    user: str = "U0ASKER", *, tab: str = "home", channel: str = "D0HOME"
) -> dict:
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": tab,
        "event_ts": unique_ts(),
    }

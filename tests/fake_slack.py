"""A stand-in for Slack's Web API, response URLs and Socket Mode, served on loopback.

``FakeSlack`` runs an aiohttp server on ``127.0.0.1:<free port>`` in a background thread with
its own event loop, records every request it receives and answers the way Slack does. Point
slack_sdk (or ``llmcost serve`` through ``SLACK_API_URL``) at ``fake.api_url``::

    with FakeSlack() as fake:
        web = WebClient(token="xoxb-test", base_url=fake.api_url)
        web.chat_postMessage(channel="C1", text="hi")
        (call,) = fake.wait_for("chat.postMessage")
        assert call.body["text"] == "hi"

Only the standard library and aiohttp are used, so the benchmarks in bench/ can import it too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import html
import itertools
import json
import math
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web

# One made-up workspace for the fake and the requests sent to the app.
from tests.slack_requests import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "FILE_DOWNLOAD_METHOD",
    "FILE_UPLOAD_METHOD",
    "TEAM_ID",
    "Call",
    "FakeSlack",
]

RESPONSE_URL_METHOD = "response_url"
OAUTH_CLIENT_ID = "1111.2222"
OAUTH_CLIENT_SECRET = "0123456789abcdef0123456789abcdef"
FILE_DOWNLOAD_METHOD = "file_download"  # a GET of a file's url_private
FILE_UPLOAD_METHOD = "file_upload"  # the bytes POSTed to a files.getUploadURLExternal url
SOCKET_ACK_METHOD = "socket_ack"
ENVELOPE_TYPES = frozenset({"slash_commands", "events_api", "interactive"})

# Form fields slack_sdk (and Slack's own form posts) carry as JSON-encoded strings.
_JSON_FORM_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "chunks",
        "files",
        "manifest",
        "message",
        "metadata",
        "payload",
        "unfurls",
        "user_auth_blocks",
        "users",
        "view",
    }
)
_HOLD_LIMIT_SECONDS = 30  # a held call is let go after this, so a forgotten hold cannot hang
_MAX_LISTED = 50  # requests listed in a wait_for timeout message
_ACCEPTED_TOKEN_PREFIXES = ("xoxb-", "xapp-")
_FIRST_TS_MICROS = 1_700_000_000_000_100
_TS_STEP_MICROS = 100


class _Headers(dict):
    """Request headers with lower-cased keys; lookups ignore case (``h["Authorization"]``)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class Call:
    """One request the fake received.

    ``method`` is the Web API method ("chat.postMessage"), ``"response_url"`` for POSTs to a
    response URL, or ``"socket_ack"`` for a message a Socket Mode client sent back.
    ``status`` and ``response`` are what the fake answered (``response`` is None for acks).
    """

    method: str
    body: dict
    headers: dict[str, str]
    received_at: float
    path: str
    status: int = 200
    response: Any = field(default=None, compare=False)

    @property
    def token(self) -> str | None:
        """The bearer token (or ``token`` form field) the request carried."""
        return _token(self.headers, self.body)

    def summary(self) -> str:
        body = json.dumps(self.body, default=str, ensure_ascii=False)
        if len(body) > 200:
            body = body[:197] + "..."
        return f"{self.method} [{self.status}] {body}"


@dataclass
class _Rule:
    method: str
    remaining: int | None
    channel: str | None = None
    status: int = 200
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    # The call takes effect (a message is posted) although the answer says it failed.
    takes_effect: bool = False

    def matches(self, method: str, body: dict) -> bool:
        if self.method != method or self.remaining == 0:
            return False
        return self.channel is None or body.get("channel") == self.channel


@dataclass(frozen=True)
class Workspace:
    """A workspace of the fake Slack: a Grid one has an enterprise id; `org_wide` installs for
    the whole organization."""

    team_id: str
    name: str
    enterprise_id: str | None = None
    org_wide: bool = False

    @property
    def url(self) -> str:
        return (
            "https://llmcost-test.slack.com/"
            if self.team_id == TEAM_ID
            else (f"https://{self.team_id.lower()}.slack.com/")
        )


class FakeSlack:
    """Slack's Web API, response URLs and Socket Mode on loopback; see the module docstring."""

    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port: int = 0
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._generation = 0
        self._rules: list[_Rule] = []
        self._holds: dict[str, threading.Event] = {}
        self._holds_after_answering: dict[str, threading.Event] = {}
        # Slack's per-channel limits: method -> seconds between messages, channel -> last one.
        self._min_interval: dict[str, float] = {}
        self._last_accepted: dict[tuple[str, str], float] = {}
        self._ts_counter = itertools.count()
        self._view_counter = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_connections = 0
        self.users: dict[str, dict] = {}
        # Files shared in the workspace: id -> (Slack's file object, contents).
        self._files: dict[str, tuple[dict, bytes]] = {}
        self._file_counter = itertools.count(1)
        self._pending_uploads: dict[str, dict] = {}
        self._uploads: dict[str, bytes] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        # OAuth: the workspaces that may install the app, each bot token's workspace, the codes
        # the authorize page gave out, and the tokens revoked.
        self.client_id = OAUTH_CLIENT_ID
        self.client_secret = OAUTH_CLIENT_SECRET
        self.redirect_uri: str | None = None  # the app's configured Redirect URL
        self.workspaces: dict[str, Workspace] = {TEAM_ID: Workspace(TEAM_ID, "Test")}
        self.installing = TEAM_ID  # the workspace the authorize page grants next
        self.token_teams: dict[str, str] = {}
        self._codes: dict[str, str] = {}
        self.revoked: set[str] = set()
        self._token_counter = itertools.count(1)
        # Token rotation: an install's token lasts `first_expires_in` seconds, a refreshed one
        # 12 hours; each refresh token works once.
        self.rotating = False
        self.first_expires_in = 43_200
        self._refresh_tokens: dict[str, str] = {}

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://{self.host}:{self.port}/socket"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}/response/{name}"

    def start(self) -> FakeSlack:
        if self._thread is not None:
            raise RuntimeError("FakeSlack is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        loop = asyncio.new_event_loop()
        started = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve(sock))
            except BaseException as e:  # surfaced to start()'s caller
                failure.append(e)
                sock.close()
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="fake-slack", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        loop, thread = self._loop, self._thread
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        self._thread = self._loop = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _serve(self, sock: socket.socket) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/response/{name}", self._handle_response_url)
        app.router.add_get("/socket", self._handle_socket)
        app.router.add_get("/files-pri/{team_file}/{name}", self._handle_file)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_get("/oauth/v2/authorize", self._handle_authorize)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        self._runner = runner

    async def _shutdown(self) -> None:
        with self._cond:
            sockets = list(self._sockets)
        for ws in sockets:
            with contextlib.suppress(Exception):
                await ws.close(code=1001, message=b"fake slack stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ------------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> list[Call]:
        """A snapshot of every request received so far, in order."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if c.method == method]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 10.0,
        predicate: Callable[[Call], bool] | None = None,
    ) -> list[Call]:
        """Block until ``count`` calls to ``method`` (matching ``predicate``) have arrived.

        Returns every matching call received so far (at least ``count``). A predicate that
        raises (say a KeyError on a call without that field) counts as no match. On timeout
        raises AssertionError listing what did arrive.
        """

        def accepts(call: Call) -> bool:
            if call.method != method:
                return False
            if predicate is None:
                return True
            try:
                return bool(predicate(call))
            except Exception:
                return False

        # Scan each call once, however often the condition wakes up (benchmarks record many).
        found: list[Call] = []
        scanned = 0
        generation = self._generation

        def enough() -> bool:
            nonlocal scanned, generation
            if generation != self._generation:  # reset() cleared the calls meanwhile
                found.clear()
                scanned, generation = 0, self._generation
            calls = self._calls
            found.extend(c for c in itertools.islice(calls, scanned, None) if accepts(c))
            scanned = len(calls)
            return len(found) >= count

        with self._cond:
            if self._cond.wait_for(enough, timeout=timeout):
                return list(found)
            received = [c.summary() for c in self._calls]
        what = f"{count} call(s) to {method!r}" + (" matching the predicate" if predicate else "")
        shown = received[-_MAX_LISTED:]
        lines = [f"  {i}. {s}" for i, s in enumerate(shown, len(received) - len(shown) + 1)]
        if len(received) > len(shown):
            lines.insert(0, f"  ... {len(received) - len(shown)} earlier request(s)")
        raise AssertionError(
            f"timed out after {timeout}s waiting for {what}; {len(found)} matched. "
            f"Received {len(received)} request(s):\n" + ("\n".join(lines) or "  (nothing)")
        )

    def reset(self) -> None:
        """Forget recorded calls and every fail/rate_limit/server_error/respond rule."""
        with self._cond:
            self._calls.clear()
            self._generation += 1
            self._rules.clear()
            self.users.clear()
            self._files.clear()
            self._pending_uploads.clear()
            self._uploads.clear()
            for gate in (*self._holds.values(), *self._holds_after_answering.values()):
                gate.set()
            self._holds.clear()
            self._holds_after_answering.clear()
            self._min_interval.clear()
            self._last_accepted.clear()

    # ------------------------------------------------------------------ scripted answers

    def fail(
        self, method: str, error: str, *, channel: str | None = None, times: int | None = None
    ) -> None:
        """Answer ``{"ok": false, "error": error}`` (for one channel only / N times only)."""
        self._add_rule(_Rule(method, times, channel=channel, payload={"ok": False, "error": error}))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer HTTP 429 with ``Retry-After: retry_after``, like Slack's rate limiter."""
        self._add_rule(
            _Rule(
                method,
                times,
                status=429,
                payload={"ok": False, "error": "ratelimited"},
                headers={"Retry-After": str(retry_after)},
            )
        )

    def server_error(
        self, method: str, *, status: int = 503, times: int = 1, takes_effect: bool = False
    ) -> None:
        """Answer HTTP ``status``. With ``takes_effect`` Slack did the work all the same (a
        message posted, then the answer lost), which a client retrying blindly doubles."""
        self._add_rule(
            _Rule(
                method,
                times,
                status=status,
                payload={"ok": False, "error": "fatal_error"},
                takes_effect=takes_effect,
            )
        )

    def respond(
        self, method: str, payload: dict, *, status: int = 200, times: int | None = None
    ) -> None:
        """Answer ``method`` with exactly ``payload`` instead of the built-in answer."""
        self._add_rule(_Rule(method, times, status=status, payload=payload))

    def hold(self, method: str, *, after_answering: bool = False) -> threading.Event:
        """Keep every call to ``method`` waiting until the returned event is set (or reset());
        shows what an app does before Slack has answered it. With ``after_answering`` the call
        takes effect (a message is posted, the call recorded) and only the answer waits: the
        app cannot know whether Slack took it."""
        gate = threading.Event()
        with self._cond:
            (self._holds_after_answering if after_answering else self._holds)[method] = gate
        return gate

    def limit_per_channel(self, method: str, *, per_second: float = 1.0) -> None:
        """Answer 429 to a ``method`` call for a channel that had an accepted call less than
        ``1 / per_second`` ago, with Retry-After in whole seconds as Slack sends it (Slack
        allows chat.postMessage about one message per second per channel)."""
        with self._cond:
            self._min_interval[method] = 1.0 / per_second

    def mark_busy(self, method: str, channels: Iterable[str]) -> None:
        """As if each channel had just had an accepted ``method`` call (another app posting)."""
        now = time.monotonic()
        with self._cond:
            for channel in channels:
                self._last_accepted[(method, channel)] = now

    def _over_channel_limit(self, method: str, body: dict) -> float | None:
        """Seconds until the channel may take another call, or None when it may now (and then
        the call counts against the limit)."""
        interval = self._min_interval.get(method)
        channel = body.get("channel")
        if interval is None or not isinstance(channel, str):
            return None
        now = time.monotonic()
        with self._cond:
            last = self._last_accepted.get((method, channel))
            if last is not None and now - last < interval:
                return interval - (now - last)
            self._last_accepted[(method, channel)] = now
        return None

    def _add_rule(self, rule: _Rule) -> None:
        if rule.remaining is not None and rule.remaining < 1:
            raise ValueError("times must be at least 1 (or None for always)")
        with self._cond:
            self._rules.append(rule)

    def _take_rule(self, method: str, body: dict) -> _Rule | None:
        with self._cond:
            for rule in self._rules:
                if rule.matches(method, body):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule
        return None

    # ------------------------------------------------------------------ HTTP handlers

    def _record(self, call: Call) -> None:
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()

    async def _handle_api(self, request: web.Request) -> web.Response:
        received_at = time.perf_counter()
        method = request.match_info["method"]
        body = await _parse_body(request)
        if (gate := self._holds.get(method)) is not None:
            await asyncio.to_thread(gate.wait, _HOLD_LIMIT_SECONDS)
            if request.transport is None or request.transport.is_closing():
                # The caller went away (a process killed) before Slack acted on the call.
                return web.Response(status=499)
        headers = _Headers(request.headers.items())
        token = _token(headers, body)
        extra_headers: dict[str, str] = {}
        if method == "oauth.v2.access":  # the app's credentials, not a token
            status, payload = 200, self._oauth_access(headers, body)
        elif token is None or not token.startswith(_ACCEPTED_TOKEN_PREFIXES):
            status, payload = 200, {"ok": False, "error": "not_authed"}
        elif token in self.revoked:
            status, payload = 200, {"ok": False, "error": "token_revoked"}
        elif (rule := self._take_rule(method, body)) is not None and rule.takes_effect:
            done = self._answer(method, body, token)
            self._record(Call(method, body, headers, received_at, request.path, 200, done))
            return web.json_response(rule.payload, status=rule.status)
        elif rule is not None:
            status, payload, extra_headers = rule.status, rule.payload, rule.headers
        elif (wait := self._over_channel_limit(method, body)) is not None:
            status, payload = 429, {"ok": False, "error": "ratelimited"}
            extra_headers = {"Retry-After": str(max(1, math.ceil(wait)))}
        else:
            status, payload = 200, self._answer(method, body, token)
        self._record(Call(method, body, headers, received_at, request.path, status, payload))
        if (gate := self._holds_after_answering.get(method)) is not None:
            await asyncio.to_thread(gate.wait, _HOLD_LIMIT_SECONDS)
        return web.json_response(payload, status=status, headers=extra_headers)

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        received_at = time.perf_counter()
        body = await _parse_body(request)
        headers = _Headers(request.headers.items())
        rule = self._take_rule(RESPONSE_URL_METHOD, body)
        if rule is None:
            status, text, extra_headers = 200, "ok", {}
        elif rule.status == 200 and isinstance(rule.payload, dict) and "error" in rule.payload:
            # Slack answers a bad response_url POST with a 404 and the error as plain text.
            status, text, extra_headers = 404, str(rule.payload["error"]), {}
        else:
            text = rule.payload if isinstance(rule.payload, str) else json.dumps(rule.payload)
            status, extra_headers = rule.status, rule.headers
        self._record(
            Call(RESPONSE_URL_METHOD, body, headers, received_at, request.path, status, text)
        )
        return web.Response(text=text, status=status, headers=extra_headers)

    # ------------------------------------------------------------------ files

    def add_file(self, name: str, content: bytes, *, size: int | None = None) -> dict:
        """A file shared in the workspace, served at its ``url_private`` to a bot token (as
        Slack serves files: ``Authorization: Bearer xoxb-...``). The file object, as events and
        ``files.info`` carry it, is returned; ``size`` may claim another size than the content's.
        """
        file_id = f"F{next(self._file_counter):08d}"
        url = f"{self.base_url}/files-pri/{TEAM_ID}-{file_id}/{name}"
        file = {
            "id": file_id,
            "name": name,
            "title": name,
            "filetype": name.rpartition(".")[2] if "." in name else "text",
            "mimetype": "application/octet-stream",
            "size": len(content) if size is None else size,
            "url_private": url,
            "url_private_download": url + "?download=1",
        }
        with self._cond:
            self._files[file_id] = (file, content)
        return file

    async def _handle_file(self, request: web.Request) -> web.Response:
        received_at = time.perf_counter()
        headers = _Headers(request.headers.items())
        file_id = request.match_info["team_file"].partition("-")[2]
        auth = headers.get("authorization", "")
        with self._cond:
            stored = self._files.get(file_id)
        if not auth.startswith("Bearer xoxb-"):
            # Slack answers a request without the bot token with its sign-in page.
            status, content = 403, b"<html>sign in</html>"
        elif stored is None:
            status, content = 404, b"not found"
        else:
            status, content = 200, stored[1]
        body = {"file": file_id}
        self._record(
            Call(FILE_DOWNLOAD_METHOD, body, headers, received_at, request.path, status, None)
        )
        return web.Response(body=content, status=status)

    def uploaded(self, file_id: str) -> bytes | None:
        """The bytes uploaded for a file (files_upload_v2's second step), if any."""
        with self._cond:
            return self._uploads.get(file_id)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        """The upload URL files.getUploadURLExternal hands out: the file's bytes, as the body."""
        received_at = time.perf_counter()
        file_id = request.match_info["file_id"]
        content = await request.read()
        with self._cond:
            known = file_id in self._pending_uploads
            if known:
                self._uploads[file_id] = content
        status = 200 if known else 404
        body = {"file": file_id, "bytes": len(content)}
        headers = _Headers(request.headers.items())
        self._record(
            Call(FILE_UPLOAD_METHOD, body, headers, received_at, request.path, status, None)
        )
        return web.Response(text=f"OK - {len(content)}" if known else "not found", status=status)

    def _files_answer(self, method: str, body: dict) -> dict:
        if method == "files.getUploadURLExternal":
            return self._upload_url(body)
        if method == "files.completeUploadExternal":
            return self._complete_upload(body)
        if method == "files.info":
            with self._cond:
                stored = self._files.get(str(body.get("file", "")))
            if stored is None:
                return {"ok": False, "error": "file_not_found"}
            return {"ok": True, "file": stored[0]}
        return {"ok": True}

    def _upload_url(self, body: dict) -> dict:
        file_id = f"F{next(self._file_counter):08d}"
        with self._cond:
            self._pending_uploads[file_id] = dict(body)
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _complete_upload(self, body: dict) -> dict:
        files = body.get("files") or []
        with self._cond:
            missing = [f for f in files if f.get("id") not in self._uploads]
        if not files or missing:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    def _next_ts(self) -> str:
        with self._cond:
            n = next(self._ts_counter)
        micros = _FIRST_TS_MICROS + n * _TS_STEP_MICROS
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _answer(self, method: str, body: dict, token: str) -> dict:
        channel = body.get("channel")
        if method == "auth.revoke":
            self.revoked.add(token)
            return {"ok": True, "revoked": True}
        if method == "auth.test":
            workspace = self.workspaces.get(self.token_teams.get(token, TEAM_ID))
            workspace = workspace or Workspace(TEAM_ID, "Test")
            answer = {
                "ok": True,
                "url": workspace.url,
                "team": workspace.name,
                "user": "llmcost",
                "team_id": workspace.team_id,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "is_enterprise_install": workspace.org_wide,
            }
            if workspace.enterprise_id is not None:
                answer["enterprise_id"] = workspace.enterprise_id
            if token.startswith("xapp-"):
                answer.update(app_id=APP_ID)
            return answer
        if method == "chat.postMessage":
            ts = self._next_ts()
            return {"ok": True, "channel": channel, "ts": ts, "message": _message(body, ts)}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self._next_ts()}
        if method == "chat.update":
            ts = body.get("ts")
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "text": body.get("text", ""),
                "message": _message(body, ts),
            }
        if method == "chat.delete":
            return {"ok": True, "channel": channel, "ts": body.get("ts")}
        if method in {"views.publish", "views.open", "views.update", "views.push"}:
            view = body.get("view") if isinstance(body.get("view"), dict) else {}
            view_id = body.get("view_id") or f"V{next(self._view_counter):08d}"
            return {
                "ok": True,
                "view": {"id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, **view},
            }
        if method == "users.info":
            return {"ok": True, "user": self._user(str(body.get("user", "U0UNKNOWN")))}
        if method == "conversations.info":
            channel = str(channel or "C0UNKNOWN")
            return {"ok": True, "channel": _conversation(channel)}
        if method == "conversations.history":
            return {"ok": True, "messages": self._history(str(channel), body), "has_more": False}
        if method.startswith("files."):
            return self._files_answer(method, body)
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                return {"ok": False, "error": "not_allowed_token_type"}
            return {"ok": True, "url": self.socket_url}
        return {"ok": True}

    # ------------------------------------------------------------------ OAuth

    def add_workspace(
        self, team_id: str, name: str, *, enterprise_id: str | None = None, org_wide: bool = False
    ) -> None:
        """A workspace that may install the app (`installing` picks which one does next)."""
        self.workspaces[team_id] = Workspace(team_id, name, enterprise_id, org_wide)

    def tokens_of(self, team_id: str) -> list[str]:
        """The bot tokens given to a workspace, oldest first."""
        return [token for token, team in self.token_teams.items() if team == team_id]

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """Slack's authorize page: Allow sends the installer back with a code, Cancel with
        error=access_denied, each with the state the app sent."""
        query = dict(request.query)
        self._record(
            Call(
                "oauth_authorize",
                query,
                _Headers(request.headers.items()),
                time.perf_counter(),
                request.path,
            )
        )
        if query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        back = query.get("redirect_uri") or self.redirect_uri
        if not back:
            return web.Response(status=400, text="no redirect_uri")
        code = uuid.uuid4().hex
        with self._cond:
            self._codes[code] = self.installing
        state = query.get("state", "")
        allow = f"{back}?{urlencode({'code': code, 'state': state})}"
        cancel = f"{back}?{urlencode({'error': 'access_denied', 'state': state})}"
        workspace = self.workspaces[self.installing].name
        page = (
            f"<!DOCTYPE html><title>Authorize</title><h1>Install in {html.escape(workspace)}</h1>"
            f"<p>Scopes: {html.escape(query.get('scope', ''))}</p>"
            f'<a id="allow" href="{html.escape(allow)}">Allow</a> '
            f'<a id="cancel" href="{html.escape(cancel)}">Cancel</a>'
        )
        return web.Response(text=page, content_type="text/html")

    def authorize_code(self, team_id: str | None = None) -> str:
        """A code as the authorize page gives one, without a browser."""
        code = uuid.uuid4().hex
        with self._cond:
            self._codes[code] = team_id or self.installing
        return code

    def _oauth_access(self, headers: _Headers, body: dict) -> dict:
        client_id, client_secret = body.get("client_id"), body.get("client_secret")
        if "authorization" in headers and client_id is None:  # HTTP Basic, as slack_sdk sends
            raw = base64.b64decode(headers["authorization"].removeprefix("Basic ")).decode()
            client_id, _, client_secret = raw.partition(":")
        if (client_id, client_secret) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        if body.get("grant_type") == "refresh_token":
            return self._refreshed(str(body.get("refresh_token")))
        with self._cond:
            team_id = self._codes.pop(str(body.get("code")), None)
        if team_id is None:
            return {"ok": False, "error": "invalid_code"}
        workspace = self.workspaces[team_id]
        token = self._new_token(team_id)
        enterprise = (
            None
            if workspace.enterprise_id is None
            else {"id": workspace.enterprise_id, "name": "Org"}
        )
        return {
            "ok": True,
            "app_id": APP_ID,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": "commands,chat:write",
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": BOT_USER_ID,
            "team": None if workspace.org_wide else {"id": team_id, "name": workspace.name},
            "enterprise": enterprise,
            "is_enterprise_install": workspace.org_wide,
            **self._rotation(team_id, self.first_expires_in),
        }

    def _new_token(self, team_id: str) -> str:
        token = f"xoxb-{team_id}-{next(self._token_counter)}"
        with self._cond:
            self.token_teams[token] = team_id
        return token

    def _rotation(self, team_id: str, expires_in: int, *, always: bool = False) -> dict:
        """A refresh token and expiry when rotation is on (a refreshed token always has them:
        rotation, once on for an installation, stays on)."""
        if not (self.rotating or always):
            return {}
        refresh = f"xoxe-1-{team_id}-{uuid.uuid4().hex}"
        with self._cond:
            self._refresh_tokens[refresh] = team_id
        return {"refresh_token": refresh, "expires_in": expires_in}

    def _refreshed(self, refresh_token: str) -> dict:
        """oauth.v2.access with grant_type=refresh_token: a new token, and a new refresh token
        (the old one is spent)."""
        with self._cond:
            team_id = self._refresh_tokens.pop(refresh_token, None)
        if team_id is None:
            return {"ok": False, "error": "invalid_refresh_token"}
        return {
            "ok": True,
            "app_id": APP_ID,
            "token_type": "bot",
            "access_token": self._new_token(team_id),
            "scope": "commands,chat:write",
            "bot_user_id": BOT_USER_ID,
            "team": {"id": team_id, "name": self.workspaces[team_id].name},
            "enterprise": None,
            "is_enterprise_install": False,
            **self._rotation(team_id, 43_200, always=True),
        }

    def _history(self, channel: str, body: dict) -> list[dict]:
        """The channel's top-level messages posted through chat.postMessage, newest first,
        after ``oldest``; metadata only with ``include_all_metadata``, as Slack does."""
        oldest = float(body.get("oldest") or 0)
        with_metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        messages = []
        for call in self.calls_to("chat.postMessage"):
            answer = call.response
            if not (isinstance(answer, dict) and answer.get("ok")) or answer["channel"] != channel:
                continue
            message = dict(answer["message"])
            if "thread_ts" in message or float(message["ts"]) <= oldest:
                continue
            if not with_metadata:
                message.pop("metadata", None)
            messages.append(message)
        return messages[::-1][: int(body.get("limit") or 100)]

    def _user(self, user_id: str) -> dict:
        name = user_id.lower()
        user = {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": name,
            "deleted": False,
            "real_name": f"Test User {user_id}",
            "tz": "Europe/Paris",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_bot": user_id == BOT_USER_ID,
            "profile": {"real_name": f"Test User {user_id}", "display_name": name},
        }
        with self._cond:
            user.update(self.users.get(user_id, {}))
        return user

    # ------------------------------------------------------------------ Socket Mode

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(timeout=1.0)
        await ws.prepare(request)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 3600,
                },
                "connection_info": {"app_id": APP_ID},
            }
        )
        with self._cond:
            self._sockets.append(ws)
            self._socket_connections += 1
            self._cond.notify_all()
        headers = _Headers(request.headers.items())
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                received_at = time.perf_counter()
                try:
                    body = json.loads(msg.data)
                except ValueError:
                    body = {"_raw": msg.data}
                if not isinstance(body, dict):
                    body = {"_json": body}
                self._record(Call(SOCKET_ACK_METHOD, body, headers, received_at, request.path))
        finally:
            with self._cond:
                if ws in self._sockets:
                    self._sockets.remove(ws)
                self._cond.notify_all()
        return ws

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode connections were ever opened (reconnects included)."""
        with self._cond:
            return self._socket_connections

    def wait_for_socket_client(self, timeout: float = 10.0) -> None:
        """Block until a Socket Mode client is connected; AssertionError on timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: bool(self._sockets), timeout=timeout):
                received = ", ".join(c.method for c in self._calls) or "nothing"
                raise AssertionError(
                    f"no Socket Mode client connected within {timeout}s (received: {received})"
                )

    def send_envelope(
        self,
        payload_type: str,
        payload: dict,
        accepts_response_payload: bool = False,
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> str:
        """Send a Socket Mode envelope to the most recently connected client.

        Waits up to ``timeout`` for a client to be connected. Returns the envelope_id; the
        client's ack shows up as a ``"socket_ack"`` call with that envelope_id in its body.
        """
        if payload_type not in ENVELOPE_TYPES:
            raise ValueError(f"payload_type must be one of {sorted(ENVELOPE_TYPES)}")
        if self._loop is None:
            raise RuntimeError("FakeSlack is not running")
        envelope_id = envelope_id or str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": payload_type,
            "accepts_response_payload": accepts_response_payload,
        }
        if payload_type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self._send_socket(json.dumps(envelope), timeout)
        return envelope_id

    def send_disconnect(self, reason: str = "refresh_requested", timeout: float = 10.0) -> None:
        """Ask the connected client to reconnect, as Slack does before recycling a socket."""
        self._send_socket(
            json.dumps(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
            ),
            timeout,
        )

    def _send_socket(self, text: str, timeout: float) -> None:
        assert self._loop is not None
        self.wait_for_socket_client(timeout)
        with self._cond:
            ws = self._sockets[-1]
        asyncio.run_coroutine_threadsafe(ws.send_str(text), self._loop).result(timeout=timeout)


# ---------------------------------------------------------------------- helpers


def _token(headers: _Headers, body: dict) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    token = body.get("token")
    return token if isinstance(token, str) else None


async def _parse_body(request: web.Request) -> dict:
    """The request's parameters: query string, then a JSON, form or multipart body."""
    body: dict[str, Any] = dict(request.query)
    if request.method not in {"POST", "PUT", "PATCH"} or not request.body_exists:
        return _decode_json_fields(body)
    content_type = request.content_type
    if content_type == "multipart/form-data":
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                content = value.file.read()
                body[key] = {
                    "filename": value.filename,
                    "content_type": value.content_type,
                    "size": len(content),
                }
            else:
                body[key] = value
        return _decode_json_fields(body)
    raw_text = (await request.read()).decode("utf-8", "replace")
    # JSON is recognised by its first character too: urllib labels any body form-encoded.
    if content_type == "application/json" or raw_text.lstrip()[:1] in {"{", "["}:
        try:
            data = json.loads(raw_text) if raw_text.strip() else {}
        except ValueError:
            data = {"_raw": raw_text}
        body.update(data if isinstance(data, dict) else {"_json": data})
        return body
    if content_type == "application/x-www-form-urlencoded" or "=" in raw_text:
        body.update(parse_qsl(raw_text, keep_blank_values=True))
    elif raw_text:
        body["_raw"] = raw_text
    return _decode_json_fields(body)


def _decode_json_fields(body: dict) -> dict:
    for key in _JSON_FORM_FIELDS.intersection(body):
        value = body[key]
        if isinstance(value, str) and value[:1] in {"[", "{"}:
            with contextlib.suppress(ValueError):
                body[key] = json.loads(value)
    return body


def _message(body: dict, ts: Any) -> dict:
    message: dict[str, Any] = {
        "type": "message",
        "text": body.get("text", ""),
        "user": BOT_USER_ID,
        "bot_id": BOT_ID,
        "app_id": APP_ID,
        "team": TEAM_ID,
        "ts": ts,
    }
    for key in ("blocks", "attachments", "thread_ts", "metadata"):
        if body.get(key) is not None:
            message[key] = body[key]
    return message


def _conversation(channel: str) -> dict:
    is_im = channel.startswith("D")
    return {
        "id": channel,
        "name": None if is_im else channel.lower(),
        "is_channel": channel.startswith("C"),
        "is_group": channel.startswith("G"),
        "is_im": is_im,
        "is_private": not channel.startswith("C"),
        "is_member": True,
        "is_archived": False,
        "context_team_id": TEAM_ID,
    }

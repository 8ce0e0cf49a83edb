"""The hand-off between `serve`'s web processes and its answer process: which acks wait for the
answer process, and frames that arrive once, in order, across a connection that comes and goes."""

import asyncio
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.slack.handoff import Answer, HandOff, HandOffServer, Page
from bot.slack.web import answered_by_its_listener
from tests.slack_requests import (
    block_action,
    block_suggestion,
    event_callback,
    global_shortcut,
    message_event,
    message_shortcut,
    slash_command,
    view_submission,
)

JSON = b"application/json"


@pytest.mark.parametrize(
    ("request_", "waits"),
    [
        (slash_command("compare gpt-4o 1M tokens"), False),
        (slash_command("the payload is 2k tokens"), False),
        (event_callback(message_event("what about gpt-4o?")), False),
        (block_action("llmcost_next_0", "make it batch"), False),
        (global_shortcut("llmcost_calculator"), False),
        (message_shortcut("llmcost_count_message", "hello"), False),
        (block_suggestion("llmcost_models", "gpt"), True),
        (view_submission("llmcost_calculator", {}), True),
        ((b'{"type": "url_verification", "challenge": "abc"}', "application/json"), True),
        ((b"ssl_check=1&token=x", "application/x-www-form-urlencoded"), True),
    ],
    ids=[
        "command",
        "command-saying-payload",
        "event",
        "click",
        "shortcut",
        "message-shortcut",
        "options",
        "submission",
        "url-verification",
        "ssl-check",
    ],
)
def test_only_what_a_listener_answers_in_its_ack_waits_for_the_answer_process(request_, waits):
    body, content_type = request_
    body = body.encode() if isinstance(body, str) else body
    assert answered_by_its_listener(body, content_type.encode()) is waits


@pytest.fixture
def socket_path() -> Iterator[Path]:
    # Not tmp_path: a Unix socket's path must stay under 108 bytes.
    with tempfile.TemporaryDirectory(prefix="handoff-") as directory:
        yield Path(directory) / "answers.sock"


class Recorder:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.arrived = asyncio.Event()

    async def dispatch(self, headers: dict, body: bytes, page: Page | None = None) -> Answer:
        self.bodies.append(body)
        self.arrived.set()
        reply = json.dumps({"echo": body.decode(), "type": headers["content-type"]})
        if page is not None:  # an install page: its cookie comes back among the headers
            return Answer(200, "text/html", page.query.encode(), (("set-cookie", page.path),))
        return Answer(200, "application/json", reply.encode())

    async def until(self, count: int) -> list[bytes]:
        while len(self.bodies) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), 5)
        return self.bodies


HEADERS = {"content-type": "application/x-www-form-urlencoded"}


def test_requests_sent_before_the_answer_process_listens_reach_it_once_in_order(socket_path):
    frames: list[int] = []

    async def scenario() -> list[bytes]:
        hand_off = HandOff(socket_path)
        hand_off.start()
        for number in range(3):
            hand_off.send(HEADERS, f"command={number}".encode())
        recorder = Recorder()
        server = HandOffServer(recorder.dispatch, on_frame=lambda: frames.append(len(frames)))
        await server.start(socket_path)
        received = await recorder.until(3)
        await hand_off.close(1)
        await server.stop()
        return received

    assert asyncio.run(scenario()) == [b"command=0", b"command=1", b"command=2"]
    assert frames == [0, 1, 2]  # told of each as it came


def test_an_ask_gets_the_listeners_answer(socket_path):
    async def scenario() -> Answer:
        recorder = Recorder()
        server = HandOffServer(recorder.dispatch)
        await server.start(socket_path)
        hand_off = HandOff(socket_path)
        hand_off.start()
        answer = await hand_off.ask(HEADERS, b"payload=x", timeout=5)
        await hand_off.close(1)
        await server.stop()
        return answer

    answer = asyncio.run(scenario())
    assert answer.status == 200
    assert answer.content_type == "application/json"
    assert json.loads(answer.body) == {"echo": "payload=x", "type": HEADERS["content-type"]}


def test_a_page_asked_for_goes_with_its_path_and_query_and_comes_back_with_its_headers(
    socket_path,
):
    async def scenario() -> Answer:
        server = HandOffServer(Recorder().dispatch)
        await server.start(socket_path)
        hand_off = HandOff(socket_path)
        hand_off.start()
        page = Page("GET", "/slack/oauth_redirect", "code=c&state=s")
        answer = await hand_off.ask(HEADERS, b"", 5, page)
        await hand_off.close(1)
        await server.stop()
        return answer

    answer = asyncio.run(scenario())
    assert (answer.content_type, answer.body) == ("text/html", b"code=c&state=s")
    assert answer.headers == (("set-cookie", "/slack/oauth_redirect"),)


def test_an_ask_with_no_answer_process_times_out(socket_path):
    async def scenario() -> None:
        hand_off = HandOff(socket_path)
        hand_off.start()
        try:
            await hand_off.ask(HEADERS, b"payload=x", timeout=0.05)
        finally:
            await hand_off.close(0)

    with pytest.raises(TimeoutError):
        asyncio.run(scenario())


def test_an_answer_process_started_again_takes_what_follows(socket_path):
    async def scenario() -> tuple[list[bytes], list[bytes]]:
        first, second = Recorder(), Recorder()
        server = HandOffServer(first.dispatch)
        await server.start(socket_path)
        hand_off = HandOff(socket_path)
        hand_off.start()
        hand_off.send(HEADERS, b"command=before")
        await first.until(1)
        await server.stop()
        socket_path.unlink()
        server = HandOffServer(second.dispatch)
        await server.start(socket_path)
        async with asyncio.timeout(5):
            while not server.connections:  # the web process's end connects again
                await asyncio.sleep(0.01)
        hand_off.send(HEADERS, b"command=after")
        received = await second.until(1)
        await hand_off.close(1)
        await server.stop()
        return first.bodies, received

    before, after = asyncio.run(scenario())
    assert before == [b"command=before"]
    assert after == [b"command=after"]


def test_past_the_most_waiting_the_oldest_are_dropped_and_said(socket_path, caplog):
    async def scenario() -> list[bytes]:
        hand_off = HandOff(socket_path, most_waiting=2)
        hand_off.start()
        for number in range(3):
            hand_off.send(HEADERS, f"command={number}".encode())
        recorder = Recorder()
        server = HandOffServer(recorder.dispatch)
        await server.start(socket_path)
        received = await recorder.until(2)
        await hand_off.close(1)
        await server.stop()
        return received

    assert asyncio.run(scenario()) == [b"command=1", b"command=2"]
    assert "the answer process is away: 1 requests dropped" in caplog.text

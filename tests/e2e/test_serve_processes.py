"""`llmcost serve`'s processes: web processes that ack and hand on, one answer process; each
started again when it dies, and none left behind however the server ends."""

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.e2e.server import SIGNING_SECRET, Server, free_port, running_server, server_env
from tests.fake_slack import FakeSlack
from tests.slack_requests import event_callback, message_event, send_signed, slash_command

QUESTION = "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"


def descendants(pid: int) -> set[int]:
    found, pending = set(), [pid]
    while pending:
        current = pending.pop()
        children = []
        for task in Path(f"/proc/{current}/task").glob("*"):  # a child belongs to a thread
            try:
                children += (task / "children").read_text().split()
            except OSError:
                continue
        found |= {int(child) for child in children}
        pending += [int(child) for child in children]
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has ended; only its parent has not looked


def started(server: Server, role: str, count: int = 1) -> list[int]:
    lines = server.wait_for_log(f"started the {role} process", count=count, timeout=30)
    return [int(line.rsplit(" ", 1)[1]) for line in lines]


def ask(server: Server, text: str, channel: str) -> int:
    body = slash_command(text, channel_id=channel)
    status, _, _ = send_signed(server.events_url, body, SIGNING_SECRET)
    return status


def test_web_processes_ack_and_the_answer_process_answers(server, fake):
    webs = started(server, "web", count=2)
    (answering,) = started(server, "answer")
    assert len(set(webs)) == 2
    assert answering not in webs
    assert set(webs) | {answering} <= descendants(server.process.pid)
    # Many connections at once: both web processes take some; every command answered once.
    channels = [f"C{i:03}" for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(lambda channel: ask(server, QUESTION, channel), channels)) == {200}
    posts = fake.wait_for("chat.postMessage", count=40, timeout=30)
    assert sorted(post.body["channel"] for post in posts) == channels
    # The tokenizers were loaded by getting ready, in the answer process.
    assert ask(server, "tokens hello world", "CTOKENS") == 200
    answer = fake.wait_for("chat.postMessage", count=41)[-1]
    assert answer.body["channel"] == "CTOKENS"
    assert "tokens" in json.dumps(answer.body)


@pytest.fixture
def own_server(fake: FakeSlack, database_url: str, tmp_path) -> Iterator[Server]:
    """A server of the test's own, on SQLite and on PostgreSQL."""
    with running_server(server_env(fake.api_url, database_url, free_port()), cwd=tmp_path) as own:
        yield own


def test_a_thread_reply_and_its_retry_are_answered_once_whichever_process_gets_them(
    own_server: Server, fake: FakeSlack
):
    server = own_server
    ask(server, QUESTION, "CTHREAD")
    thread = fake.wait_for("chat.postMessage")[0].response["ts"]
    server.wait_for_log(f"thread {thread}")
    reply = message_event("what about gpt-4-32k?", thread_ts=thread, channel="CTHREAD")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    with ThreadPoolExecutor(4) as pool:  # four connections: both web processes see the event
        statuses = list(
            pool.map(
                lambda headers: send_signed(
                    server.events_url,
                    event_callback(reply, event_id="Ev0TWICE"),
                    SIGNING_SECRET,
                    extra_headers=headers,
                )[0],
                [{}, retry, retry, retry],
            )
        )
    assert statuses == [200] * 4
    server.wait_for_log("already answered", count=3)
    answers = fake.wait_for("chat.postMessage", count=2)
    assert len(fake.calls_to("chat.postMessage")) == 2
    assert "gpt-4-32k" in answers[-1].body["text"]


def test_an_answer_process_that_dies_is_started_again_and_nothing_acked_is_lost(
    fake: FakeSlack, tmp_path
):
    env = server_env(fake.api_url, f"sqlite:///{tmp_path / 'llmcost.db'}", free_port())
    with running_server(env, cwd=tmp_path) as server:
        server.wait_for_log("ready: tariffs loaded", timeout=30)
        (first,) = started(server, "answer")
        os.kill(first, signal.SIGKILL)
        server.wait_for_log("the answer process stopped (exit code -9); starting another")
        # Acked while no answer process runs: handed on once the new one listens.
        assert ask(server, QUESTION, "CAFTER") == 200
        answer = fake.wait_for("chat.postMessage", timeout=30)[0]
        assert answer.body["channel"] == "CAFTER"
        assert started(server, "answer", count=2)[-1] != first


def test_a_web_process_that_dies_is_started_again(fake: FakeSlack, tmp_path):
    env = server_env(fake.api_url, f"sqlite:///{tmp_path / 'llmcost.db'}", free_port())
    with running_server(env, cwd=tmp_path) as server:
        webs = started(server, "web", count=2)
        os.kill(webs[0], signal.SIGKILL)
        server.wait_for_log("the web process stopped (exit code -9); starting another")
        assert started(server, "web", count=3)[-1] not in webs
        assert ask(server, QUESTION, "CSTILL") == 200
        assert fake.wait_for("chat.postMessage", timeout=30)[0].body["channel"] == "CSTILL"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_a_stopped_server_leaves_no_process_behind(fake, tmp_path, stop):
    env = server_env(fake.api_url, f"sqlite:///{tmp_path / 'llmcost.db'}", free_port())
    with running_server(env, cwd=tmp_path) as server:
        server.wait_for_log("ready: tariffs loaded", timeout=30)
        helpers = descendants(server.process.pid)
        assert len(helpers) == 3  # two web processes and the answer process
        os.kill(server.process.pid, stop)
        server.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling for processes to end, not timing anything
    assert not [pid for pid in helpers if alive(pid)]


def test_a_command_acked_just_before_sigterm_is_still_answered(fake: FakeSlack, tmp_path):
    """The web processes stop first and hand on what they acked; the answer process stops only
    once they have, and finishes its answers."""
    env = server_env(fake.api_url, f"sqlite:///{tmp_path / 'llmcost.db'}", free_port())
    with running_server(env, cwd=tmp_path) as server:
        server.wait_for_log("ready: tariffs loaded", timeout=30)
        assert ask(server, QUESTION, "CLAST") == 200
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=30) == 0
    assert [post.body["channel"] for post in fake.calls_to("chat.postMessage")] == ["CLAST"]


def test_a_blank_web_concurrency_starts_the_default_web_processes(fake: FakeSlack, tmp_path):
    # Blank is unset to llmcost's settings; uvicorn, reading the variable itself, took it for a
    # number and every web process died at its start.
    env = server_env(fake.api_url, f"sqlite:///{tmp_path / 'llmcost.db'}", free_port())
    env["WEB_CONCURRENCY"] = ""
    with running_server(env, cwd=tmp_path) as server:
        assert ask(server, QUESTION, "CBLANK") == 200
        assert fake.wait_for("chat.postMessage", timeout=30)[0].body["channel"] == "CBLANK"
        assert "keeps stopping" not in server.log()

"""`llmcost serve`'s answer worker: heavy questions are answered there, and it ends with the
server, however the server ends."""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.server import SIGNING_SECRET, free_port, running_server, server_env
from tests.slack_requests import send_signed, slash_command


def test_answers_are_priced_in_worker_processes_with_tokenizers_loaded(server, fake):
    """Pricing, rendering and the tokenizers' loading never run on the server's event loop:
    they are in worker processes, which load tariffs and tokenizers when they start."""
    ready = server.wait_for_log("answer worker", timeout=30)
    workers = {int(line.split("answer worker ")[1].split()[0]) for line in ready}
    assert server.process.pid not in workers
    send_signed(
        server.events_url,
        slash_command("tokens hello world", response_url=fake.response_url()),
        SIGNING_SECRET,
    )
    assert "tokens" in json.dumps(fake.wait_for("chat.postMessage")[0].body)


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


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_a_stopped_server_leaves_no_process_behind(fake, tmp_path, stop):
    env = server_env(fake.api_url, f"sqlite:///{tmp_path / 'llmcost.db'}", free_port())
    with running_server(env, cwd=tmp_path) as server:
        server.wait_for_log("answer worker", timeout=30)
        helpers = descendants(server.process.pid)
        assert helpers  # the fork server and the worker
        os.kill(server.process.pid, stop)
        server.process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.1)  # polling for processes to end, not timing anything
    assert not [pid for pid in helpers if alive(pid)]

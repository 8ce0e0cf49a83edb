"""The real `llmcost serve`, started as a separate process for end-to-end tests and benchmarks."""

import fcntl
import os
import queue
import socket
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SIGNING_SECRET = "8f742231b10e8888abcd9988776655aa"
BOT_TOKEN = "xoxb-1-test-token"
READY_LINE = "HTTP mode: Slack requests at"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    # True while the log pump waits on an empty pipe: every line written so far is in `lines`.
    waiting: bool = False

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        """The server's log lines containing `text`, once there are `count` of them."""

        def matching() -> list[str]:
            return [line for line in self.lines if text in line]

        with self.changed:
            if not self.changed.wait_for(lambda: len(matching()) >= count, timeout=timeout):
                raise AssertionError(f"no {count} log lines with {text!r} in:\n{self.log()}")
            return matching()

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def log(self) -> str:
        return "\n".join(self.lines)

    def settled(self, timeout: float = 10.0) -> int:
        """How many lines the server has logged, once every line it has written is read: the
        pump waits on the pipe and the pipe holds no byte (FIONREAD), so a line logged while
        answering an earlier request cannot land among a later test's lines."""
        descriptor = self.process.stdout.fileno()  # type: ignore[union-attr]

        def read_all() -> bool:
            unread = fcntl.ioctl(descriptor, termios.FIONREAD, b"\0\0\0\0")
            return self.waiting and int.from_bytes(unread, sys.byteorder) == 0

        with self.changed:
            if not self.changed.wait_for(read_all, timeout=timeout):
                raise AssertionError(f"the server's log did not settle:\n{self.log()}")
            return len(self.lines)


def _pump(stream, server: "Server", ready: "queue.Queue[str]") -> None:
    """Lines from the server's output, read from the pipe itself (no read-ahead buffer hides
    what was written), so that `Server.settled` can tell when all of it has been read."""
    descriptor = stream.fileno()
    pending = b""
    while True:
        with server.changed:
            server.waiting = True
            server.changed.notify_all()
        chunk = os.read(descriptor, 65536)
        with server.changed:
            server.waiting = False
            if chunk:
                *complete, pending = (pending + chunk).split(b"\n")
            else:  # the process ended: a last line without its line break counts too
                complete, pending = ([pending] if pending else []), b""
            for raw in complete:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                server.lines.append(line)
                if READY_LINE in line:
                    ready.put(line)
            server.changed.notify_all()
        if not chunk:
            break
    ready.put("")  # the process ended


def server_env(api_url: str, database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "DATABASE_URL", "LLMCOST_TARIFFS", "LLMCOST_PRICES"))
    }
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
        PORT=str(port),
        HOST="127.0.0.1",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="DEBUG",
        # Two web processes whatever the machine: what several share is tested everywhere.
        WEB_CONCURRENCY="2",
    )
    env.update(extra)
    return env


@contextmanager
def running_server(
    env: Mapping[str, str], cwd: Path, timeout: float = 30.0, wait_ready: bool = True
) -> Iterator[Server]:
    """`llmcost serve` with that environment; stopped (and its log kept) at exit."""
    installed = Path(sys.executable).with_name("llmcost")
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "bot.cli.main"]
    process = subprocess.Popen(
        [*command, "serve"],
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process=process, url=f"http://127.0.0.1:{env['PORT']}")
    ready: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, server, ready), daemon=True).start()
    try:
        if wait_ready:
            try:
                line = ready.get(timeout=timeout)
            except queue.Empty:
                line = ""
            if not line:
                raise AssertionError(f"llmcost serve did not start:\n{server.log()}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

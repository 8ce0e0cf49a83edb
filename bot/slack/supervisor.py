"""`llmcost serve` in HTTP mode: the supervisor, its web processes and its answer process.

The supervisor opens the listening socket and forks `WEB_CONCURRENCY` web processes that share
it (bot.slack.web: they ack and hand each request on) and one answer process (bot.slack.
answer_process: it builds and posts every answer). Forking, not spawning, is what lets a web
process take its first request as soon as a bare app would: it starts with the supervisor's
imports in place and shares their memory. A process that dies is started again; on SIGTERM or
SIGINT the web processes stop first (finishing their requests and handing on what they acked),
then the answer process (finishing its answers).

gunicorn with uvicorn workers would supervise the web processes, but not the answer process,
nor stop them in this order; uvicorn's own `workers` spawns each one from scratch.
"""

import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.leaving import leave_now
from bot.settings import Settings
from bot.slack.readiness import EXIT_BAD_SETTINGS
from bot.slack.web import run_web_process  # here, so that each web process forks with it

log = logging.getLogger(__name__)

# A process that dies this soon after its start, this many times in a row, is not started again:
# something is wrong that starting it again will not mend.
QUICK_DEATH_SECONDS = 5.0
MOST_QUICK_DEATHS = 3
LISTEN_BACKLOG = 2048  # as uvicorn's
# How soon a web or answer process notices that the supervisor has gone.
SUPERVISOR_CHECK_SECONDS = 1.0


@dataclass
class Child:
    role: str  # "web" or "answer"
    started: float
    quick_deaths: int = 0


@dataclass
class Supervisor:
    settings: Settings
    web_processes: int
    children: dict[int, Child] = field(default_factory=dict)
    stopping: bool = False
    exit_code: int = 0
    _runs: dict[str, Callable[[], int]] = field(default_factory=dict)

    def run(self) -> int:
        try:
            listening = listen(self.settings.host, self.settings.port)
        except OSError as error:
            print(
                f"llmcost serve: cannot listen on {self.settings.host}:{self.settings.port}: "
                f"{error.strerror or error}",
                file=sys.stderr,
                flush=True,
            )
            return 1
        with tempfile.TemporaryDirectory(prefix="llmcost-serve-") as private:
            answers = Path(private) / "answers.sock"
            self._runs = {
                "answer": answer_process(self.settings, answers),
                "web": web_process(self.settings, listening, answers),
            }
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._on_stop_signal)
            self._start("answer")
            for _ in range(self.web_processes):
                self._start("web")
            log.info(
                "HTTP mode: Slack requests at http://%s:%d/slack/events (%d web processes)",
                self.settings.host,
                self.settings.port,
                self.web_processes,
            )
            self._watch()
        listening.close()
        return self.exit_code

    def _start(self, role: str, quick_deaths: int = 0) -> None:
        supervisor = os.getpid()
        # What every child inherits is frozen first: a child's collections then neither walk it
        # (a full collection of a web process's 37,000 start-up objects took 8 ms, an ack
        # stalled behind it) nor write to its pages, which stay shared with the supervisor.
        gc.freeze()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                # Until each sets its own: stopping is the supervisor's to order (SIGTERM).
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                threading.Thread(target=end_with, args=(supervisor,), daemon=True).start()
                code = self._runs[role]()
            except SystemExit as leaving:
                code = leaving.code if isinstance(leaving.code, int) else 1
            except BaseException:
                log.exception("the %s process failed", role)
            finally:
                leave_now(code)
        self.children[pid] = Child(role, time.monotonic(), quick_deaths)
        log.info("started the %s process %d", role, pid)
        if self.stopping:  # told to stop while it was being started
            os.kill(pid, signal.SIGTERM)

    def _watch(self) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                return
            child = self.children.pop(pid, None)
            if child is not None:
                self._ended(child, os.waitstatus_to_exitcode(status))

    def _ended(self, child: Child, code: int) -> None:
        if self.stopping:
            if not self._running("web"):
                self._signal("answer", signal.SIGTERM)
            return
        if child.role == "answer" and code == EXIT_BAD_SETTINGS:
            self.exit_code = EXIT_BAD_SETTINGS  # it said why, once
            self.stop()
            return
        quick = time.monotonic() - child.started < QUICK_DEATH_SECONDS
        deaths = child.quick_deaths + 1 if quick else 0
        if deaths >= MOST_QUICK_DEATHS:
            log.error("the %s process keeps stopping (exit code %d); stopping", child.role, code)
            self.exit_code = 1
            self.stop()
            return
        log.error("the %s process stopped (exit code %d); starting another", child.role, code)
        self._start(child.role, deaths)

    def _on_stop_signal(self, signum: int, frame: object) -> None:
        self.stop()

    def stop(self) -> None:
        """The web processes first; the answer process once they have all gone (`_ended`)."""
        self.stopping = True
        if self._running("web"):
            self._signal("web", signal.SIGTERM)
        else:
            self._signal("answer", signal.SIGTERM)

    def _running(self, role: str) -> list[int]:
        return [pid for pid, child in self.children.items() if child.role == role]

    def _signal(self, role: str, sig: signal.Signals) -> None:
        for pid in self._running(role):
            with contextlib.suppress(ProcessLookupError):  # gone already: waitpid says so
                os.kill(pid, sig)


def end_with(supervisor: int) -> None:
    """Stop this process (as SIGTERM does: finishing its work) once the supervisor is gone,
    however it went: a SIGKILL leaves it no time to stop its children."""
    while os.getppid() == supervisor:
        time.sleep(SUPERVISOR_CHECK_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)


def listen(host: str, port: int) -> socket.socket:
    """The port every web process accepts on. Made as asyncio makes its own, TCP named: asyncio
    sets TCP_NODELAY only on a connection whose socket says IPPROTO_TCP, and without it a
    keep-alive connection's next request waited 40 ms for the previous response's last bytes
    (Nagle against the client's delayed ACK)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    address = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, socket.IPPROTO_TCP)[0]
    listening = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address[4])
        listening.listen(LISTEN_BACKLOG)
    except OSError:
        listening.close()
        raise
    return listening


def web_process(settings: Settings, listening: socket.socket, answers: Path) -> Callable[[], int]:
    def run() -> int:
        return run_web_process(settings, listening, answers)

    return run


def answer_process(settings: Settings, answers: Path) -> Callable[[], int]:
    def run() -> int:
        from bot.slack.answer_process import run_answer_process

        return run_answer_process(settings, answers)

    return run

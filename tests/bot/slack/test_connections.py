"""Connections that never finish their headers are closed and counted (issue 19): a real uvicorn
server in-process, raw sockets on loopback. The deadline is short here; waits are bounded by a
socket timeout, not timed."""

import logging
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from bot.slack.connections import HeaderDeadline
from bot.slack.guard import RefusalLog


async def hello(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture
def port() -> Iterator[int]:
    refusals = RefusalLog(every=0)
    config = uvicorn.Config(
        hello,
        host="127.0.0.1",
        port=0,
        log_config=None,
        access_log=False,
        http=HeaderDeadline.limited(refusals, seconds=0.2),
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    (bound,) = [s.getsockname()[1] for srv in server.servers for s in srv.sockets]
    yield bound
    server.should_exit = True
    thread.join(timeout=10)


def until_closed(connection: socket.socket) -> bytes:
    """What the server sends until it closes the connection (a timeout fails the test)."""
    connection.settimeout(10)
    received = b""
    while chunk := connection.recv(4096):
        received += chunk
    return received


@pytest.mark.parametrize(
    "sent",
    [b"", b"POST /slack/events HTTP/1.1\r\nHost: x\r\n"],
    ids=["nothing", "half-the-headers"],
)
def test_a_connection_without_its_headers_is_closed_and_counted(port, sent, caplog):
    caplog.set_level(logging.WARNING, logger="bot.slack.guard")
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(sent)
        assert until_closed(connection) == b""
    assert "headers not sent within 0.2 s" in caplog.text


def test_a_request_sent_whole_is_answered_and_the_kept_connection_gets_a_deadline_again(port):
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        # Answered, then (no next request) closed rather than held.
        received = until_closed(connection)
    assert received.startswith(b"HTTP/1.1 200")
    assert b"hello" in received

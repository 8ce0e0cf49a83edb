"""The supervisor's listening socket: shared by the web processes, its connections unbuffered."""

import asyncio
import socket

import pytest

from bot.slack.supervisor import listen


def test_each_connection_is_sent_without_nagles_delay():
    """Without TCP_NODELAY, a keep-alive connection's next request waited 40 ms for the end of
    the previous response (Nagle's algorithm against the client's delayed ACK): asyncio sets it
    only on connections of a socket made as IPPROTO_TCP."""

    async def nodelay_of_an_accepted_connection() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                raw = transport.get_extra_info("socket")
                accepted.set_result(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        listening = listen("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Probe, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(accepted, 5)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(nodelay_of_an_accepted_connection()) != 0


def test_a_port_in_use_is_an_os_error_naming_it():
    with listen("127.0.0.1", 0) as taken, pytest.raises(OSError, match="in use"):
        listen("127.0.0.1", taken.getsockname()[1])

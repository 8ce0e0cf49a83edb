"""A local HTTP server that serves genai-prices data files, and the ways a fetch can go wrong,
for tests and benchmarks: nothing reaches past 127.0.0.1.

    with PricesServer() as server:
        server.files["/data.json"] = body
        url = server.url("/data.json")

Paths not in `files` answer 404; `/status/500` answers that status; `/hang` never answers
(until the server stops); `/endless` sends zeros without a length until the reader leaves;
`/huge` declares 100 MB and sends zeros; `/short` declares a length and sends half; `/drip`
sends its body a byte every 0.2 s and `/drip-headers` its headers so (each for at most 20 s,
so that a client without a deadline for the whole transfer fails rather than hangs).
"""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HUNDRED_MB = 100 * 1024 * 1024
DRIP_EVERY_SECONDS = 0.2
DRIP_BYTES = 100
_ZEROS = b"0" * 65536


class PricesServer:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self._stopping = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                owner.requests.append(self.path)
                # The client may give up, as a capped or timed-out fetch does.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    owner.answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{path}"

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path in self.files:
            body = self.files[path]
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        elif path.startswith("/status/"):
            handler.send_response(int(path.removeprefix("/status/")))
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif path == "/hang":
            self._stopping.wait(60)
        elif path in ("/endless", "/huge"):
            handler.send_response(200)
            if path == "/huge":
                handler.send_header("Content-Length", str(HUNDRED_MB))
            handler.end_headers()
            for _ in range(HUNDRED_MB // len(_ZEROS)):
                if self._stopping.is_set():
                    return
                handler.wfile.write(_ZEROS)
        elif path in ("/drip", "/drip-headers"):
            if path == "/drip":
                handler.send_response(200)
                handler.send_header("Content-Length", "100000")
                handler.end_headers()
            else:
                handler.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
            for _ in range(DRIP_BYTES):
                if self._stopping.wait(DRIP_EVERY_SECONDS):
                    return
                handler.wfile.write(b"x")
                handler.wfile.flush()
        elif path.startswith("/short"):
            body = self.files[path.removeprefix("/short")]
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
        else:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

    def __enter__(self) -> "PricesServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

"""Leaving a process at once, without the interpreter's shutdown: for a process whose threads
cannot be stopped (a clock stopping under a refresh that is building a book inside a C or Rust
extension, which an interpreter shutting down would abort), and for a forked child of `serve`,
which must not run the supervisor's exit handlers as its own."""

import logging
import os


def leave_now(code: int = 0) -> None:
    """Flush the logs and end the process with `code`, whatever its threads are doing."""
    logging.shutdown()
    os._exit(code)

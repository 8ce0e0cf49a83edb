"""Leaving a process at once, without the interpreter's shutdown: for a process whose threads
cannot be stopped (a worker whose server is gone; a clock stopping under a refresh that is
building a book inside a C or Rust extension, which an interpreter shutting down would abort)."""

import logging
import os


def leave_now(code: int = 0) -> None:
    """Flush the logs and end the process with `code`, whatever its threads are doing."""
    logging.shutdown()
    os._exit(code)

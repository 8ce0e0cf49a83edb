"""Reading a training file and tallying it (pricing.training_file) block by block: from a path,
standard input or bytes downloaded from Slack. Memory stays flat: a few blocks are in flight at
a time and a tally keeps histograms, not examples. Large inputs are counted by worker processes
(tiktoken is CPU-bound), one per core."""

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import IO, BinaryIO

from pricing import tokens as tokenizers
from pricing.cpus import usable_cpus
from pricing.training_file import (
    FileTally,
    Format,
    TrainingFileError,
    empty_tally,
    first_format,
    line_blocks,
    tally_block,
)

READ_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20
# Below this, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 4 << 20
# Blocks queued per worker: enough to keep each busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER = 2

Progress = Callable[[int], None]  # bytes tallied so far


def read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(READ_BYTES):
        yield chunk


def open_training_file(path: str) -> BinaryIO:
    """The file at `path` opened for reading, or one clear error."""
    where = Path(path).expanduser()
    if not where.exists():
        raise TrainingFileError(f"{path} does not exist.", suggestions=["finetune ./train.jsonl"])
    if not where.is_file():
        raise TrainingFileError(f"{path} is not a file.")
    try:
        return where.open("rb")
    except OSError as problem:
        raise TrainingFileError(f"{path} could not be read: {problem.strerror}.") from problem


def tally_chunks(
    chunks: Iterable[bytes],
    encodings_for: Callable[[Format], tuple[str, ...]],
    progress: Progress | None = None,
    workers: int | None = None,
    size_hint: int | None = None,
) -> FileTally:
    """The tally of a file given as `chunks` of bytes. `encodings_for` says, once the format is
    seen, which encodings to count; `workers` processes count when the file is large (None:
    one per core, when `size_hint` says the file is large enough)."""
    blocks = line_blocks(chunks, BLOCK_BYTES)
    first = next(blocks, None)
    if first is None:
        raise TrainingFileError("The training file is empty: it has one JSON example a line.")
    file_format = first_format(first[1])
    encodings = encodings_for(file_format)
    for encoding in encodings:
        tokenizers.count("", encoding)  # loaded before any fork, so workers inherit it
    if workers is None:
        large = size_hint is None or size_hint >= PARALLEL_MIN_BYTES
        workers = usable_cpus() if large else 1
    total = empty_tally(file_format, encodings)
    done = 0
    if workers < 2:
        for line, block in _chain([first], blocks):
            total = total.plus(tally_block(line, block, file_format, encodings))
            done += len(block)
            if progress:
                progress(done)
        return total
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    pending: deque[Future[FileTally]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for line, block in _chain([first], blocks):
            pending.append(pool.submit(tally_block, line, block, file_format, encodings))
            while len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                total, done = _collect(pending.popleft(), total, done, progress)
        while pending:
            total, done = _collect(pending.popleft(), total, done, progress)
    return total


def _collect(
    future: "Future[FileTally]", total: FileTally, done: int, progress: Progress | None
) -> tuple[FileTally, int]:
    tally = future.result()
    done += tally.bytes
    if progress:
        progress(done)
    return total.plus(tally), done


def _chain(
    head: list[tuple[int, bytes]], rest: Iterator[tuple[int, bytes]]
) -> Iterator[tuple[int, bytes]]:
    yield from head
    yield from rest

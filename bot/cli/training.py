"""`llmcost finetune train.jsonl ...`: the terminal reads the training (and validation) file the
question names, or standard input for '-', and fills in their tallies. Only the terminal reads
files: a question from Slack never names a path on this machine."""

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import BinaryIO, TextIO

from bot.training_files import open_training_file, read_chunks, tally_chunks
from pricing.finetune_plan import encodings_needed
from pricing.tariffs import TariffBook
from pricing.training_file import FileTally, Format
from pricing.verbs.finetune import FinetuneQuery, is_file_word

BAR_WIDTH = 30


def marked_files(words: list[str], book: TariffBook) -> list[str]:
    """The words of a finetune question with an existing file that is no model's name written
    as './name', so that it is read as the file; a model's name stays the model."""
    marked = [words[0]]
    for word in words[1:]:
        if not is_file_word(word) and Path(word).is_file() and book.find(word) is None:
            word = f"./{word}"
        marked.append(word)
    return marked


def with_tallies(
    query: FinetuneQuery,
    book: TariffBook,
    day: date,
    stdin: TextIO | None,
    show_progress: bool,
) -> FinetuneQuery:
    assert query.file is not None

    def encodings_for(file_format: Format) -> tuple[str, ...]:
        return encodings_needed(query.models, book, day, file_format)

    training = _tally(query.file, encodings_for, stdin, show_progress)
    validation = None
    if query.validation is not None:
        # Counted under the training file's encodings, so its statistics compare.
        validation = _tally(
            query.validation, lambda _: encodings_for(training.format), stdin, show_progress
        )
    return query.model_copy(update={"training": training, "validation_tally": validation})


def _tally(
    name: str,
    encodings_for: Callable[[Format], tuple[str, ...]],
    stdin: TextIO | None,
    show_progress: bool,
) -> FileTally:
    stream: BinaryIO
    if name == "-":
        stream = getattr(stdin, "buffer", None) or sys.stdin.buffer
        size = None
    else:
        stream = open_training_file(name)
        size = Path(name).expanduser().stat().st_size
    progress = _bar(name, size) if show_progress else None
    try:
        with stream if name != "-" else _NotClosed(stream):
            return tally_chunks(read_chunks(stream), encodings_for, progress, size_hint=size)
    finally:
        if progress:
            sys.stderr.write("\r" + " " * (BAR_WIDTH + 60) + "\r")
            sys.stderr.flush()


class _NotClosed:
    """Standard input is not ours to close."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def __enter__(self) -> BinaryIO:
        return self.stream

    def __exit__(self, *_: object) -> None:
        return None


def _bar(name: str, size: int | None) -> Callable[[int], None]:
    def show(done: int) -> None:
        megabytes = f"{done / 1e6:,.1f} MB"
        if size:
            filled = min(BAR_WIDTH, BAR_WIDTH * done // size)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            line = f"counting {name} [{bar}] {megabytes} of {size / 1e6:,.1f} MB"
        else:
            line = f"counting {name}: {megabytes}"
        sys.stderr.write("\r" + line[: BAR_WIDTH + 60])
        sys.stderr.flush()

    return show

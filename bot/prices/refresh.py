"""One refresh: fetch genai-prices' data file, check it, and store it, or change nothing.

A file is trusted only after every check: it downloaded whole within the time and size limits,
it is JSON that genai-prices' own parser accepts, and it does not drop more than a fifth of the
models known today. Anything else leaves the snapshot in force as it was, and the refusal is
recorded (for `llmcost prices status`) and logged in one line.
"""

import gc
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.prices.download import MAX_BYTES, TIMEOUT_SECONDS, DownloadFailed, download
from bot.storage.snapshots import NewFile, Outcome, SnapshotRecord, SnapshotStore
from pricing.catalog import (
    PublishedDataError,
    PublishedFile,
    check_usable,
    published_json,
    read_published,
)
from pricing.errors import LlmcostError
from pricing.json_input import bytes_without_bom
from pricing.published import (
    FileChanges,
    HeldBack,
    file_changes,
    hold_back,
    installed_data,
    prices_to_record,
    published_bytes,
)
from pricing.quantities import counted

log = logging.getLogger(__name__)


class Refused(LlmcostError):
    """A file that downloaded and parsed but must not be trusted."""


@dataclass(frozen=True)
class RefreshReport:
    outcome: Outcome
    url: str
    snapshot: SnapshotRecord | None  # the one in force afterwards (None: the installed data)
    changes: FileChanges | None
    reason: str | None = None
    held_back: tuple[HeldBack, ...] = ()

    def line(self) -> str:
        if self.outcome == "refused":
            return f"prices not refreshed, keeping the data in force: {self.reason}"
        assert self.snapshot is not None
        assert self.changes is not None
        what = (
            f"{self.changes.models_changed} added or dropped, "
            f"{self.changes.prices_changed} with prices changed"
        )
        held = f"; {held_back_words(self.held_back)}" if self.held_back else ""
        if self.outcome == "unchanged":
            return f"prices checked: {self.url} is unchanged ({self.snapshot.models} models){held}"
        return (
            f"prices refreshed from {self.url}: {self.snapshot.models} models, {what} "
            f"(snapshot {self.snapshot.content_hash[:12]}){held}"
        )


def held_back_words(held: Sequence[HeldBack]) -> str:
    """One line for `prices status` and the log: each rate held back, and why."""
    shown = "; ".join(item.line() for item in held[:5])
    more = f"; and {len(held) - 5} more" if len(held) > 5 else ""
    models = len({item.model for item in held})
    keeps = "keeps its" if models == 1 else "keep their"
    return (
        f"held back {counted(len(held), 'impossible rate')} ({shown}{more}): "
        f"{counted(models, 'model')} {keeps} last good rates"
    )


def file_in_force(snapshots: SnapshotStore, newest: SnapshotRecord | None) -> PublishedFile:
    """The published file answering today: the newest snapshot's, or the installed package's
    (written out and read back, so that its numbers compare as a fetched file's)."""
    if newest is not None:
        return published_json(snapshots.body(newest.id), stored=True)
    return published_json(published_bytes(installed_data()))


def validated_by_this_version(newest: SnapshotRecord | None) -> bool:
    """Whether the installed genai-prices validated the snapshot in force when it was stored,
    so that a new file need only be validated where it differs from it. The installed data
    never was: genai-prices builds it in Python, its parser never read it."""
    import genai_prices

    return newest is not None and newest.genai_prices_version == genai_prices.__version__


def first_seen_rows(
    before: list[Any], after: list[Any], stored_before: bool
) -> list[tuple[str, str]]:
    """The prices a stored file shows llmcost for the first time. The first file stored is
    compared with the installed package's data, which answered until then: that data is the
    first generation llmcost saw (its prices "date unknown"), and what the file changes in it
    is dated the day the file is stored, as between two stored files."""
    if stored_before:
        return prices_to_record(before, after)
    return [*prices_to_record(None, before), *prices_to_record(before, after)]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off: reading a file makes a hundred thousand dicts and
    lists, none in a cycle, and each full collection they set off walks every object of the
    process (the installed price data, the tokenizers' tables), which doubled a refresh."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class CheckedFile:
    """A downloaded file that passed every check, as it will be stored, and what it changes."""

    body: bytes
    data: list[Any]
    before: list[Any]  # the file in force, as published
    stored_before: bool
    held: list[HeldBack]
    changes: FileChanges


def checked_file(snapshots: SnapshotStore, body: bytes) -> CheckedFile:
    """`body` checked against the file in force, with its impossible rates held back. Raises
    PublishedDataError or Refused. Only what changed is validated and checked (read_published)."""
    newest = snapshots.newest()
    in_force = file_in_force(snapshots, newest)
    accepted = in_force if validated_by_this_version(newest) else None
    published = read_published(body, accepted)
    data, held = hold_back(published.data, in_force.data)
    if held:
        # What is stored is what llmcost uses: the file with those models as they were.
        body = published_bytes(data)
        published = read_published(body, accepted)
    check_usable(published.providers)
    changes = file_changes(in_force.data, published.data)
    if (too_many := changes.too_many_dropped()) is not None:
        raise Refused(too_many)
    return CheckedFile(body, published.data, in_force.data, newest is not None, held, changes)


def refresh_prices(
    snapshots: SnapshotStore,
    url: str,
    *,
    now: datetime,
    timeout: float = TIMEOUT_SECONDS,
    cap: int = MAX_BYTES,
) -> RefreshReport:
    import genai_prices

    try:
        # Stored as read: a byte-order mark is no part of the data (nor of its content hash).
        body = bytes_without_bom(download(url, timeout=timeout, cap=cap))
        with collector_paused():
            checked = checked_file(snapshots, body)
    except (DownloadFailed, PublishedDataError, Refused) as error:
        reason = error.message
        if isinstance(error, PublishedDataError):
            reason = f"{url}: {reason}"
        snapshots.refused(url, reason, now=now)
        report = RefreshReport(
            outcome="refused", url=url, snapshot=snapshots.newest(), changes=None, reason=reason
        )
        log.warning(report.line())
        return report
    changes, held = checked.changes, checked.held
    record, outcome = snapshots.store(
        NewFile(
            body=checked.body,
            models=sum(len(provider["models"]) for provider in checked.data),
            source_url=url,
            genai_prices_version=genai_prices.__version__,
            models_changed=changes.models_changed,
            prices_changed=changes.prices_changed,
            prices_seen=first_seen_rows(checked.before, checked.data, checked.stored_before),
            detail=held_back_words(held) if held else None,
        ),
        now=now,
    )
    report = RefreshReport(
        outcome=outcome, url=url, snapshot=record, changes=changes, held_back=tuple(held)
    )
    log.info(report.line())
    return report

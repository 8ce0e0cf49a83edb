"""genai-prices data files in the database: each distinct file once, and every refresh attempt.

The clock (or `llmcost prices refresh`) writes; every process reads the newest file to price
with. A stored file and the attempt that stored it are written in one transaction, so a refresh
is recorded whole or not at all.
"""

import hashlib
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.storage.store import Store, catalog_prices_seen, price_refreshes, price_snapshots
from pricing.catalog import SeenPrice

Outcome = Literal["stored", "unchanged", "refused"]


def content_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class SnapshotRecord:
    """A stored data file, without its body."""

    id: int
    content_hash: str
    size: int
    models: int
    source_url: str
    genai_prices_version: str
    first_fetched_at: datetime
    fetched_at: datetime


@dataclass(frozen=True)
class Attempt:
    attempted_at: datetime
    source_url: str
    outcome: Outcome
    detail: str | None
    snapshot_id: int | None
    models_changed: int | None
    prices_changed: int | None


@dataclass(frozen=True)
class NewFile:
    """A fetched file that passed every check, with what it changes against the one in force."""

    body: bytes
    models: int
    source_url: str
    genai_prices_version: str
    models_changed: int
    prices_changed: int
    # ("provider/model", prices JSON) for each model whose prices this file is the first to show.
    prices_seen: Sequence[tuple[str, str]] = ()
    # What the attempt must say beside its outcome (rates held back).
    detail: str | None = None


# A real-sized file compresses in 6 ms to 136 KB at level 3, in 15 ms to 114 KB at level 6:
# the day's refresh should take about as long as genai-prices' parse.
COMPRESSION_LEVEL = 3
_RECORD_COLUMNS = [column for column in price_snapshots.c if column.name != "body"]


class SnapshotStore:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._engine = store.engine

    def close(self) -> None:
        self._store.close()

    def newest(self) -> SnapshotRecord | None:
        """The snapshot in force: the one a fetch returned last."""
        query = (
            select(*_RECORD_COLUMNS)
            .order_by(price_snapshots.c.fetched_at.desc(), price_snapshots.c.id.desc())
            .limit(1)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        return None if row is None else SnapshotRecord(**row)

    def in_force_at(self, when: datetime) -> SnapshotRecord | None:
        """The snapshot the last fetch at or before `when` returned (the attempts are the
        history: a snapshot's own `fetched_at` moves each time its file is fetched again)."""
        query = (
            select(price_refreshes.c.snapshot_id)
            .where(
                price_refreshes.c.snapshot_id.is_not(None),
                price_refreshes.c.attempted_at <= when,
            )
            .order_by(price_refreshes.c.attempted_at.desc(), price_refreshes.c.id.desc())
            .limit(1)
        )
        with self._engine.connect() as connection:
            snapshot_id = connection.execute(query).scalar_one_or_none()
            if snapshot_id is None:
                return None
            row = (
                connection.execute(
                    select(*_RECORD_COLUMNS).where(price_snapshots.c.id == snapshot_id)
                )
                .mappings()
                .one_or_none()
            )
        return None if row is None else SnapshotRecord(**row)

    def body(self, snapshot_id: int) -> bytes:
        query = select(price_snapshots.c.body).where(price_snapshots.c.id == snapshot_id)
        with self._engine.connect() as connection:
            return zlib.decompress(connection.execute(query).scalar_one())

    def all(self) -> list[SnapshotRecord]:
        """Every stored snapshot, oldest first (by when it was first fetched)."""
        query = select(*_RECORD_COLUMNS).order_by(
            price_snapshots.c.first_fetched_at, price_snapshots.c.id
        )
        with self._engine.connect() as connection:
            return [SnapshotRecord(**row) for row in connection.execute(query).mappings()]

    def store(self, new: NewFile, *, now: datetime) -> tuple[SnapshotRecord, Outcome]:
        """Store `new` (or, when the same bytes are stored already, mark that file fetched now)
        and record the attempt, in one transaction."""
        try:
            return self._store_once(new, now=now)
        except IntegrityError:
            # Another process stored the same file a moment ago (two clocks, or a refresh by
            # hand as the clock's ran): it is there now, so this is the "already stored" case.
            return self._store_once(new, now=now)

    def _store_once(self, new: NewFile, *, now: datetime) -> tuple[SnapshotRecord, Outcome]:
        digest = content_hash(new.body)
        with self._engine.begin() as connection:
            existing = connection.execute(
                select(price_snapshots.c.id).where(price_snapshots.c.content_hash == digest)
            ).scalar_one_or_none()
            if existing is None:
                outcome: Outcome = "stored"
                snapshot_id = connection.execute(
                    insert(price_snapshots)
                    .values(
                        content_hash=digest,
                        body=zlib.compress(new.body, COMPRESSION_LEVEL),
                        size=len(new.body),
                        models=new.models,
                        source_url=new.source_url,
                        genai_prices_version=new.genai_prices_version,
                        first_fetched_at=now,
                        fetched_at=now,
                    )
                    .returning(price_snapshots.c.id)
                ).scalar_one()
            else:
                in_force = connection.execute(
                    select(price_snapshots.c.id)
                    .order_by(price_snapshots.c.fetched_at.desc(), price_snapshots.c.id.desc())
                    .limit(1)
                ).scalar_one()
                # An older file fetched again (a reverted change) is put back in force.
                outcome = "unchanged" if existing == in_force else "stored"
                snapshot_id = existing
                connection.execute(
                    update(price_snapshots)
                    .where(price_snapshots.c.id == existing)
                    .values(fetched_at=now, source_url=new.source_url)
                )
            if new.prices_seen:
                connection.execute(
                    insert(catalog_prices_seen),
                    [
                        {
                            "model": model,
                            "seen_on": now.astimezone(UTC).date(),
                            "prices": prices,
                            "snapshot_id": snapshot_id,
                        }
                        for model, prices in new.prices_seen
                    ],
                )
            self._record_attempt(
                connection,
                Attempt(
                    attempted_at=now,
                    source_url=new.source_url,
                    outcome=outcome,
                    detail=new.detail,
                    snapshot_id=snapshot_id,
                    models_changed=new.models_changed,
                    prices_changed=new.prices_changed,
                ),
            )
            row = (
                connection.execute(
                    select(*_RECORD_COLUMNS).where(price_snapshots.c.id == snapshot_id)
                )
                .mappings()
                .one()
            )
        return SnapshotRecord(**row), outcome

    def refused(self, source_url: str, reason: str, *, now: datetime) -> None:
        with self._engine.begin() as connection:
            self._record_attempt(
                connection,
                Attempt(
                    attempted_at=now,
                    source_url=source_url,
                    outcome="refused",
                    detail=reason,
                    snapshot_id=None,
                    models_changed=None,
                    prices_changed=None,
                ),
            )

    def last_attempt(self) -> Attempt | None:
        return self._latest_attempt(select(price_refreshes))

    def last_change(self) -> Attempt | None:
        """The last attempt that changed the snapshot in force."""
        return self._latest_attempt(
            select(price_refreshes).where(price_refreshes.c.outcome == "stored")
        )

    def _latest_attempt(self, attempts: Select) -> Attempt | None:
        query = attempts.order_by(
            price_refreshes.c.attempted_at.desc(), price_refreshes.c.id.desc()
        ).limit(1)
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        if row is None:
            return None
        return Attempt(**{key: value for key, value in row.items() if key != "id"})

    def ready(self) -> bool:
        """Whether the database has the snapshot tables (a process migrates it at start-up; a
        terminal question reads it as it is)."""
        from sqlalchemy import inspect

        return inspect(self._engine).has_table(price_snapshots.name)

    def status(self) -> tuple[SnapshotRecord | None, Attempt | None, Attempt | None]:
        """(the snapshot in force, the last attempt, the last attempt that changed it); all
        None for a database whose schema predates snapshots."""
        if not self.ready():
            return None, None, None
        return self.newest(), self.last_attempt(), self.last_change()

    def prices_seen(self) -> dict[str, list[SeenPrice]]:
        """Each catalog model's prices in the order they were first seen."""
        query = select(
            catalog_prices_seen.c.model, catalog_prices_seen.c.seen_on, catalog_prices_seen.c.prices
        ).order_by(catalog_prices_seen.c.model, catalog_prices_seen.c.id)
        seen: dict[str, list[SeenPrice]] = {}
        with self._engine.connect() as connection:
            for model, seen_on, prices in connection.execute(query):
                seen.setdefault(model, []).append(SeenPrice(seen_on=seen_on, prices=prices))
        return seen

    def count(self) -> int:
        with self._engine.connect() as connection:
            return connection.execute(
                select(func.count()).select_from(price_snapshots)
            ).scalar_one()

    @staticmethod
    def _record_attempt(connection: Connection, attempt: Attempt) -> None:
        connection.execute(insert(price_refreshes).values(**attempt.__dict__))

"""The genai-prices catalog a process prices with: built from the newest stored snapshot, or
from the installed package's data when none is stored (or the database cannot say)."""

import logging
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from bot.storage.snapshots import SnapshotRecord, SnapshotStore
from pricing.catalog import SnapshotInfo, catalog_from_providers, genai_prices_catalog
from pricing.tariffs import Catalog

log = logging.getLogger(__name__)
# How many older snapshots are tried when the newest cannot be read.
FALLBACK_SNAPSHOTS = 5


@lru_cache(maxsize=2)  # the one in force, and the one replacing it
def _catalog_of(snapshots: SnapshotStore, record: SnapshotRecord) -> Catalog:
    from pricing.catalog import read_published

    published = read_published(snapshots.body(record.id))
    info = SnapshotInfo(fetched=record.fetched_at.date(), content_hash=record.content_hash)
    return catalog_from_providers(published.providers, info, snapshots.prices_seen())


@lru_cache(maxsize=4)
def _published_catalog(snapshots: SnapshotStore, record: SnapshotRecord) -> Catalog:
    """A snapshot's catalog as its file states it, without llmcost's first-seen dates: what two
    files say differently is then exactly what the later one changed."""
    from pricing.catalog import read_published

    info = SnapshotInfo(fetched=record.fetched_at.date(), content_hash=record.content_hash)
    return catalog_from_providers(read_published(snapshots.body(record.id)).providers, info)


def published_catalogs(
    snapshots: SnapshotStore | None, previous_digest_at: datetime | None
) -> tuple[Catalog, Catalog] | None:
    """(the catalog in force when a channel's previous digest was posted, the newest one): the
    installed package's when nothing was stored then, as it answered then. None when there is no
    such pair to compare (no previous digest, nothing stored yet, or no newer file since).
    Raises when the database or a stored file cannot be read: the dispatcher then composes the
    digest from the dated changes alone."""
    if snapshots is None or previous_digest_at is None:
        return None
    before = snapshots.in_force_at(previous_digest_at)
    now = snapshots.newest()
    if now is None or (before is not None and before.id == now.id):
        return None
    earlier = genai_prices_catalog() if before is None else _published_catalog(snapshots, before)
    return earlier, _published_catalog(snapshots, now)


def catalog_loader(
    snapshots: SnapshotStore | None, record: SnapshotRecord | None
) -> Callable[[], Catalog]:
    """What TariffBook calls, on its first unknown name, to load the catalog: `record`'s, or
    if it cannot be read the newest older snapshot that can (a few are tried), and the installed
    data only when none can."""
    if snapshots is None or record is None:
        return genai_prices_catalog

    def load() -> Catalog:
        older = [r for r in reversed(snapshots.all()) if r.id != record.id][:FALLBACK_SNAPSHOTS]
        for candidate in (record, *older):
            try:
                return _catalog_of(snapshots, candidate)
            except Exception as error:  # a snapshot stored by an older genai-prices, say
                log.error("snapshot %s unusable, trying an older one: %r", candidate.id, error)
        log.error("no stored snapshot is usable, using the installed data")
        return genai_prices_catalog()

    return load


def newest_snapshot(snapshots: SnapshotStore | None) -> SnapshotRecord | None:
    """The snapshot in force, or None (nothing stored, or the database cannot be read: the
    installed data then serves, as a question must never fail for want of a snapshot)."""
    if snapshots is None:
        return None
    try:
        return snapshots.newest()
    except Exception as error:
        log.warning("cannot read price snapshots, using the installed data: %r", error)
        return None


def stored_catalog(database_url: str | None) -> Catalog:
    """The catalog a terminal question prices with: the newest snapshot in DATABASE_URL's
    database, else the installed data. A question never creates or migrates a database."""
    from bot.storage.store import Store

    try:
        snapshots = SnapshotStore(Store(database_url))
    except Exception as error:
        log.warning("cannot open DATABASE_URL, using the installed prices data: %r", error)
        return genai_prices_catalog()
    try:
        if not snapshots.ready():  # made by an llmcost from before snapshots
            return genai_prices_catalog()
        return catalog_loader(snapshots, newest_snapshot(snapshots))()
    except Exception as error:
        log.warning("cannot read price snapshots, using the installed data: %r", error)
        return genai_prices_catalog()
    finally:
        snapshots.close()

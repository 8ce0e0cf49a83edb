"""The database as a process starts with it (`llmcost serve` and `llmcost clock` alike): opened,
its schema made current, and event claims too old to matter swept away."""

from datetime import timedelta

from bot.settings import PricesSettings, SettingsError
from bot.storage.store import Store
from bot.wall_clock import utc_now
from pricing.errors import summary

# Slack retries an event for a few minutes at most; a week of claims is plenty to dedupe with.
KEEP_EVENT_CLAIMS = timedelta(days=7)


def open_store(settings: PricesSettings) -> Store:
    try:
        store = Store(settings.database_url)
        store.create_schema()
        store.forget_events_before(utc_now() - KEEP_EVENT_CLAIMS)
    except Exception as exc:  # SQLAlchemy's errors are long; the first line says what failed
        raise SettingsError(f"DATABASE_URL: cannot use the database: {summary(exc)}") from exc
    return store

"""The real time, for the processes that run on it (`serve`, `clock`); tests pass their own."""

from datetime import UTC, date, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def utc_today() -> date:
    return utc_now().date()

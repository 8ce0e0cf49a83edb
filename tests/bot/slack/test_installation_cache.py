"""Installations cached in memory (bot.slack.install.stores): read again after a minute, and
always from the database when a token is due for rotation, so that another process's newer
token (a reinstall, a rotation) is not missed for long, and a spent refresh token never used."""

import asyncio
from typing import Any

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.slack.install.stores import CACHE_SECONDS, ROTATION_SECONDS, CachedInstallations

NOW = 1_800_000_000.0


class Database(AsyncInstallationStore):
    """The rows, and how often they were read."""

    def __init__(self) -> None:
        self.bot = bot("xoxb-1")
        self.reads = 0

    async def async_find_bot(self, **where: Any) -> Bot | None:
        self.reads += 1
        return self.bot


def bot(token: str, expires_at: float | None = None) -> Bot:
    return Bot(
        app_id="A1",
        enterprise_id=None,
        team_id="T1",
        bot_token=token,
        bot_id="B1",
        bot_user_id="U1",
        installed_at=NOW,
        bot_token_expires_at=int(expires_at) if expires_at is not None else None,
    )


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def tokens(cache: CachedInstallations, times: int) -> list[str | None]:
    async def find() -> list[str | None]:
        found = []
        for _ in range(times):
            bot = await cache.async_find_bot(enterprise_id=None, team_id="T1")
            found.append(None if bot is None else bot.bot_token)
        return found

    return asyncio.run(find())


def test_a_bot_is_read_once_then_taken_from_memory() -> None:
    database = Database()
    cache = CachedInstallations(database, clock=Clock(), wall_clock=lambda: NOW)

    assert tokens(cache, 3) == ["xoxb-1"] * 3
    assert database.reads == 1


def test_after_a_minute_a_newer_token_stored_elsewhere_is_read() -> None:
    database, clock = Database(), Clock()
    cache = CachedInstallations(database, clock=clock, wall_clock=lambda: NOW)
    tokens(cache, 1)
    database.bot = bot("xoxb-2")  # reinstalled, through another process

    clock.now = CACHE_SECONDS - 1
    assert tokens(cache, 1) == ["xoxb-1"]
    clock.now = CACHE_SECONDS + 1
    assert tokens(cache, 2) == ["xoxb-2", "xoxb-2"]
    assert database.reads == 2


def test_a_token_due_for_rotation_is_always_read_from_the_database() -> None:
    database = Database()
    database.bot = bot("xoxb-1", expires_at=NOW + ROTATION_SECONDS - 60)
    cache = CachedInstallations(database, clock=Clock(), wall_clock=lambda: NOW)

    tokens(cache, 3)

    assert database.reads == 3


def test_a_token_far_from_expiry_is_cached() -> None:
    database = Database()
    database.bot = bot("xoxb-1", expires_at=NOW + ROTATION_SECONDS + 600)
    cache = CachedInstallations(database, clock=Clock(), wall_clock=lambda: NOW)

    tokens(cache, 3)

    assert database.reads == 1

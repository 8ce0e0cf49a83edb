"""slack_sdk's SQLAlchemy installation and state stores on llmcost's database, for Bolt's asyncio
app: each call in a thread (the database driver blocks), installations cached in memory.

slack_sdk's own async stores need an async database driver, a second engine and pool beside the
one every other query uses; these wrap its synchronous stores instead, on the same engine.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_cacheable_installation_store import (
    AsyncCacheableInstallationStore,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# How long a workspace's bot token is taken from memory before the database is read again.
CACHE_SECONDS = 60.0
# A rotating token is refreshed this long before it expires (Bolt's default, given to its
# authorize step in bot.slack.install.installed) ...
ROTATION_MINUTES = 120
# ... and read from the database from a minute before that, so that the refresh token used is
# always the newest.
ROTATION_SECONDS = (ROTATION_MINUTES + 1) * 60

# As long as Slack's own authorize page stays open for an installer; Bolt's default.
STATE_EXPIRATION_SECONDS = 600

# The database engine, once the process has opened it (the app is built before that).
EngineWhenReady = Callable[[], Awaitable[Engine]]


class InstallationsInThreads(AsyncInstallationStore):
    """slack_sdk's SQLAlchemyInstallationStore, for an asyncio app."""

    def __init__(self, client_id: str, engine: EngineWhenReady) -> None:
        self._client_id = client_id
        self._engine = engine
        self._store: SQLAlchemyInstallationStore | None = None

    @property
    def logger(self) -> logging.Logger:
        return log

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self._store is None:
            self._store = SQLAlchemyInstallationStore(
                client_id=self._client_id, engine=await self._engine(), logger=log
            )
        return await asyncio.to_thread(getattr(self._store, method), *args, **kwargs)

    async def async_save(self, installation: Installation) -> None:
        await self._call("save", installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await self._call("save_bot", bot)

    async def async_find_bot(self, **where: Any) -> Bot | None:
        bot: Bot | None = await self._call("find_bot", **where)
        return bot

    async def async_find_installation(self, **where: Any) -> Installation | None:
        installation: Installation | None = await self._call("find_installation", **where)
        return installation

    async def async_delete_bot(self, **where: Any) -> None:
        await self._call("delete_bot", **where)

    async def async_delete_installation(self, **where: Any) -> None:
        await self._call("delete_installation", **where)

    async def async_delete_all(self, **where: Any) -> None:
        await self._call("delete_all", **where)


class CachedInstallations(AsyncCacheableInstallationStore):
    """slack_sdk's in-memory cache of installations, with two bounds of llmcost's own:

    - a bot is read again after `CACHE_SECONDS`: another process (the clock, a second `serve`
      host) may have stored a newer token, after a reinstall or a rotation;
    - a bot whose token is due for rotation is always read from the database, so that the
      refresh token used is the newest (each works once), not one another process has spent.

    It also forgets a workspace whose rows were deleted around it (`Store.forget_workspace`,
    in one transaction with the rest)."""

    def __init__(
        self,
        installation_store: AsyncInstallationStore,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(installation_store)
        self._clock = clock
        self._wall_clock = wall_clock
        self._read_at: dict[str, float] = {}

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        key = f"{enterprise_id or ''}-{'' if is_enterprise_install else team_id or ''}"
        cached = self.cached_bots.get(key)
        if cached is not None and self._stale(key, cached):
            del self.cached_bots[key]
        reading = key not in self.cached_bots
        bot = await super().async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if reading:
            self._read_at[key] = self._clock()
        return bot

    def _stale(self, key: str, bot: Bot) -> bool:
        if self._clock() - self._read_at.get(key, float("-inf")) > CACHE_SECONDS:
            return True
        expires_at = bot.bot_token_expires_at
        return expires_at is not None and expires_at - self._wall_clock() < ROTATION_SECONDS

    def forget(self, team_id: str) -> None:
        for cache in (self.cached_bots, self.cached_installations):
            for key in [key for key in cache if key.split("-")[1:2] == [team_id]]:
                del cache[key]


class StatesInThreads(AsyncOAuthStateStore):
    """slack_sdk's SQLAlchemyOAuthStateStore, for an asyncio app: each install's `state`, issued
    when the install page is shown and consumed once when Slack sends the installer back."""

    def __init__(self, engine: EngineWhenReady) -> None:
        self._engine = engine
        self._store: SQLAlchemyOAuthStateStore | None = None

    @property
    def logger(self) -> logging.Logger:
        return log

    async def _ready(self) -> SQLAlchemyOAuthStateStore:
        if self._store is None:
            self._store = SQLAlchemyOAuthStateStore(
                expiration_seconds=STATE_EXPIRATION_SECONDS, engine=await self._engine(), logger=log
            )
        return self._store

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        store = await self._ready()
        state: str = await asyncio.to_thread(store.issue)
        return state

    async def async_consume(self, state: str) -> bool:
        store = await self._ready()
        consumed: bool = await asyncio.to_thread(store.consume, state)
        return consumed

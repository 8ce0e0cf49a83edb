"""Each workspace's rows are its own: forgetting one (it uninstalled the app) deletes every row it
owns, its installation included, in one transaction, and nothing of any other workspace."""

from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import Table, column, func, insert, select, table
from sqlalchemy.exc import DBAPIError

from bot.storage import store as store_module
from bot.storage.store import (
    Store,
    metadata,
    slack_bots,
    slack_installations,
)
from tests.bot.storage.test_migrations import ROWS

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
TEAMS = ("T1", "T2")
# The price history is everyone's; every other table must say whose each row is.
SHARED = {"price_snapshots", "price_refreshes", "catalog_prices_seen", "slack_oauth_states"}


def owned_tables() -> list[Table]:
    return [table for table in metadata.sorted_tables if "team_id" in table.c]


def fill(store: Store, team_id: str) -> None:
    """A row in every table a workspace owns, and its installation as slack_sdk saves it."""
    with store.engine.begin() as connection:
        for table in owned_tables():
            row: dict[str, Any] = {**ROWS[table], "team_id": team_id}
            if table.name == "slack_events":
                row["event_id"] = f"Ev-{team_id}"
            connection.execute(insert(table).values(row))
    installations = SQLAlchemyInstallationStore(client_id="1111.2222", engine=store.engine)
    installations.save(
        Installation(
            app_id="A1",
            enterprise_id=None,
            team_id=team_id,
            bot_token=f"xoxb-{team_id}",
            bot_id="B1",
            bot_user_id="U0BOT",
            user_id="U0INSTALLER",
        )
    )


def counts(store: Store, team_id: str) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table.name: connection.execute(
                select(func.count()).select_from(table).where(table.c.team_id == team_id)
            ).scalar_one()
            for table in [*owned_tables(), slack_installations, slack_bots]
        }


def test_every_table_is_either_a_workspaces_or_everyones() -> None:
    unowned = {table.name for table in metadata.sorted_tables if "team_id" not in table.c}
    assert unowned == SHARED - {"slack_oauth_states"}


def test_forgetting_a_workspace_deletes_every_row_it_owns_and_nothing_else(store: Store) -> None:
    for team_id in TEAMS:
        fill(store, team_id)
    assert set(counts(store, "T1").values()) == {1}

    forgotten = store.forget_workspace("T1")

    assert set(counts(store, "T1").values()) == {0}
    assert set(counts(store, "T2").values()) == {1}
    assert forgotten == dict.fromkeys(counts(store, "T2"), 1)


def test_a_failure_midway_forgets_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(store, "T1")
    # The last delete fails (a table that is not there): the deletes before it are undone.
    monkeypatch.setattr(store_module, "slack_bots", table("no_such_table", column("team_id")))

    with pytest.raises(DBAPIError):
        store.forget_workspace("T1")

    assert set(counts(store, "T1").values()) == {1}

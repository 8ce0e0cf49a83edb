"""A workspace that uninstalls llmcost, or revokes its bot token, is forgotten: its installation
and every row it owns (threads, event claims, digest subscriptions and deliveries) go in one
transaction (`Store.forget_workspace`), and nothing cached for it answers again."""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck

from bot.slack.services import Services

log = logging.getLogger(__name__)


async def forget_workspace(team_id: str, services: Services, why: str) -> None:
    forgotten = await services.off_loop(services.store.forget_workspace, team_id)
    services.workspace_forgotten(team_id)
    rows = ", ".join(f"{count} {table}" for table, count in forgotten.items() if count)
    log.info("workspace %s %s: forgot %s", team_id, why, rows or "nothing (no rows)")


async def on_app_uninstalled(ack: AsyncAck, body: dict, services: Services) -> None:
    await ack()
    team_id = body.get("team_id")
    if isinstance(team_id, str) and team_id:
        services.after_ack(forget_workspace(team_id, services, "uninstalled llmcost"))


async def on_tokens_revoked(ack: AsyncAck, body: dict, event: dict, services: Services) -> None:
    await ack()
    team_id = body.get("team_id")
    # llmcost holds a bot token only; revoked user tokens were never its own.
    revoked_bots = (event.get("tokens") or {}).get("bot") or []
    if isinstance(team_id, str) and team_id and revoked_bots:
        services.after_ack(forget_workspace(team_id, services, "revoked llmcost's token"))


def register(app: AsyncApp, services: Services) -> None:
    app.event("app_uninstalled")(services.bind(on_app_uninstalled))
    app.event("tokens_revoked")(services.bind(on_tokens_revoked))

"""Bolt listeners, one module per kind of Slack request; each has `register(app, services)`."""

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, commands, home, threads
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    for listeners in (commands, threads, home, actions):
        listeners.register(app, services)

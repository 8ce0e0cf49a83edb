"""The Bolt app: Slack's requests in, listeners registered; server.py puts it on the network."""

from slack_bolt.async_app import AsyncApp

from bot.settings import Settings
from bot.slack.client import configure_client
from bot.slack.listeners import (
    actions,
    calculator,
    commands,
    home,
    message_tokens,
    threads,
)
from bot.slack.services import Services
from bot.slack.unhandled import answer_unhandled


def build_app(settings: Settings, services: Services) -> AsyncApp:
    app = AsyncApp(
        name="llmcost",
        token=settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret or "",
        # In HTTP mode the web process's guard verified the raw bytes (bot.slack.guard) before
        # handing them on; Bolt checks again, as defence in depth (4 us a request). In Socket
        # Mode requests come over the app's own websocket: nothing to verify.
        request_verification_enabled=not settings.socket_mode,
        # The ack goes back as soon as a listener returns (each starts its answer as a task
        # first: Services.after_ack); Bolt's default instead polls for the ack every 10 ms.
        process_before_response=True,
        # 200 and one log line for what no listener takes (bot.slack.unhandled), not 404.
        raise_error_for_unhandled_request=True,
    )
    configure_client(app.client, settings.slack_api_url)
    for listeners in (commands, threads, home, actions, calculator, message_tokens):
        listeners.register(app, services)
    answer_unhandled(app)
    return app

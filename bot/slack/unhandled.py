"""What Bolt cannot dispatch: a signed request no listener takes, or one its matchers choke on.

Bolt's matchers assume Slack's shapes (an `actions: []` raises IndexError in the action matcher,
an `event` that is a string raises in its authorization), and it answers those with HTTP 500 and
a traceback, and a request no listener takes with 404: Slack retries both, and they can never
work. Here each gets 200 and one log line instead.
"""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)


def describe(body: dict) -> str:
    """The request's kind, as far as it can be told: `event_callback/message`, `block_actions`."""
    kind = str(body.get("type") or body.get("command") or "an unknown kind")
    event = body.get("event")
    if isinstance(event, dict) and event.get("type"):
        kind += f"/{event['type']}"
    return kind[:100]


def answer_unhandled(app: AsyncApp) -> None:
    """Register Bolt's error handler; the app must be built with
    `raise_error_for_unhandled_request=True` for requests no listener takes to come here."""

    @app.error
    async def on_error(error: Exception, body: dict) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            log.warning("ignored a signed request no listener takes (%s)", describe(body))
        else:
            log.warning("ignored a signed request Bolt cannot read (%s): %r", describe(body), error)
        return BoltResponse(status=200, body="")

"""The one way llmcost talks to Slack's Web API: a client that retries what is worth retrying."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
)
from slack_sdk.http_retry.jitter import RandomJitter
from slack_sdk.web.async_client import AsyncWebClient

# A few tries over a few seconds: enough for a blip or a short rate limit, while the person
# who asked is still looking at the channel.
RETRIES = 3
_BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())


def configure_client(client: AsyncWebClient, api_url: str) -> None:
    """Point Bolt's own client (which carries Bolt's user agent) at `api_url`, with retries."""
    client.base_url = api_url
    client.timeout = 10
    client.retry_handlers = [
        AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=_BACKOFF),
        # Waits as long as Slack's Retry-After says.
        AsyncRateLimitErrorRetryHandler(max_retry_count=RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=RETRIES, interval_calculator=_BACKOFF),
    ]


@asynccontextmanager
async def shared_session(client: AsyncWebClient) -> AsyncIterator[None]:
    """One connection pool for every Web API call while the server runs. Without it, each call
    opens a session and a connection of its own: milliseconds per answer, and a TLS handshake
    each time against the real Slack. Bolt hands the session on to its per-request clients."""
    session = aiohttp.ClientSession()
    client.session = session
    try:
        yield
    finally:
        client.session = None
        await session.close()

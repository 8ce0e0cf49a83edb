"""The one way llmcost talks to Slack's Web API: a client that retries what is worth retrying."""

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

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
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

if TYPE_CHECKING:  # the type only: the client is on every request's path, charts are not
    from bot.render.chart import ChartImage

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


# Scheduled digests have no one waiting on them, so they outlast a long outage or rate limit
# rather than give up; what still fails is tried again on a later pass.
PATIENT_RETRIES = 8
_PATIENT_BACKOFF = BackoffRetryIntervalCalculator(backoff_factor=1.0, jitter=RandomJitter())
# Slack's Retry-After is in whole seconds; a little jitter keeps retries that were told the same
# second from arriving in one burst, without adding slack_sdk's up-to-a-second per retry.
RETRY_AFTER_JITTER = 0.05


class WaitAsToldRetryHandler(AsyncRateLimitErrorRetryHandler):
    """A 429 is retried after Retry-After seconds and at most 5% more."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        state.next_attempt_requested = True
        told = next(
            (
                values[0]
                for name, values in response.headers.items()
                if name.lower() == "retry-after"
            ),
            "1",
        )
        try:
            wait = max(float(told), 0.0)
        except ValueError:
            wait = 1.0
        await asyncio.sleep(wait * (1 + random.random() * RETRY_AFTER_JITTER))
        state.increment_current_attempt()


def configure_patient_client(client: AsyncWebClient, api_url: str) -> None:
    """For the clock: retries rate limits as told, and 5xx and lost connections with a backoff
    of 1, 2, 4... seconds, for minutes rather than seconds."""
    client.base_url = api_url
    client.timeout = 30
    client.retry_handlers = [
        AsyncConnectionErrorRetryHandler(
            max_retry_count=PATIENT_RETRIES, interval_calculator=_PATIENT_BACKOFF
        ),
        WaitAsToldRetryHandler(max_retry_count=PATIENT_RETRIES),
        AsyncServerErrorRetryHandler(
            max_retry_count=PATIENT_RETRIES, interval_calculator=_PATIENT_BACKOFF
        ),
    ]


def with_token(
    client: AsyncWebClient, token: str | None, *, retry_handlers: list | None = None
) -> AsyncWebClient:
    """`client` for another token (a workspace's own, in distribution): the same Web API URL,
    timeout, retries (unless `retry_handlers` says otherwise) and connection pool; `client`
    itself when it already has that token and those retries."""
    if token == client.token and retry_handlers is None:
        return client
    return AsyncWebClient(
        token=token,
        base_url=client.base_url,
        timeout=client.timeout,
        session=client.session,
        logger=client.logger,
        retry_handlers=list(client.retry_handlers if retry_handlers is None else retry_handlers),
    )


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


async def upload_image(
    client: AsyncWebClient, image: "ChartImage", *, channel: str, thread_ts: str, filename: str
) -> None:
    """A chart into a thread, with slack_sdk's files_upload_v2 (files.getUploadURLExternal, the
    bytes, files.completeUploadExternal); SlackApiError when Slack refuses it."""
    await client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        content=image.png,
        filename=filename,
        title=image.title,
        alt_txt=image.alt_text,
    )

"""One bounded HTTP GET: a data file, or one line saying why not.

genai-prices' own fetcher reads whatever the server sends; a file is refused here once it passes
the size cap, before it is all in memory, and the whole transfer (connecting, the headers, every
byte of the body) has one deadline: a server that drips a byte every few seconds, which a
per-read timeout never catches, is cut off when the time is up.
"""

import asyncio

from pricing.errors import LlmcostError

# The published file is about 1 MB; fifty times that is no data file.
MAX_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
_CHUNK = 256 * 1024


class DownloadFailed(LlmcostError):
    """The message says what went wrong, in one line."""


def download(url: str, *, timeout: float = TIMEOUT_SECONDS, cap: int = MAX_BYTES) -> bytes:
    """The body at `url`, within `timeout` seconds for the whole transfer and `cap` bytes.
    Runs its own event loop: call it from a thread that has none (the CLI, a worker thread)."""
    import aiohttp

    try:
        return asyncio.run(_fetch(url, timeout, cap))
    except TimeoutError:
        raise DownloadFailed(f"{url} took longer than {timeout:g} s") from None
    except aiohttp.ClientResponseError as error:
        raise DownloadFailed(f"HTTP {error.status} from {url}") from None
    except aiohttp.ClientConnectorError as error:
        raise DownloadFailed(f"cannot reach {url}: {error.os_error or error}") from None
    except aiohttp.ClientPayloadError:
        raise DownloadFailed(
            f"download from {url} failed: the connection ended before the whole body arrived"
        ) from None
    except aiohttp.InvalidURL:
        raise DownloadFailed(f"cannot reach {url}: not a URL") from None
    except (aiohttp.ClientError, OSError, ValueError) as error:  # reset, cut short, bad reply
        raise DownloadFailed(f"download from {url} failed: {error!r}"[:300]) from None


async def _fetch(url: str, timeout: float, cap: int) -> bytes:
    import aiohttp

    deadline = aiohttp.ClientTimeout(total=timeout)
    async with (
        aiohttp.ClientSession(timeout=deadline, headers={"User-Agent": "llmcost"}) as session,
        session.get(url, allow_redirects=True) as response,
    ):
        if response.status != 200:
            raise DownloadFailed(f"HTTP {response.status} from {url}")
        declared = response.content_length
        if declared is not None and declared > cap:
            raise DownloadFailed(f"{url} is {declared} bytes, over the {cap}-byte cap")
        chunks: list[bytes] = []
        received = 0
        async for chunk in response.content.iter_chunked(_CHUNK):
            received += len(chunk)
            if received > cap:
                raise DownloadFailed(f"{url} sent more than the {cap}-byte cap")
            chunks.append(chunk)
        if declared is not None and received != declared:
            raise DownloadFailed(
                f"download from {url} failed: the connection ended after {received} of "
                f"{declared} bytes"
            )
    return b"".join(chunks)

"""One bounded HTTP GET: a data file, or one line saying why not.

genai-prices' own fetcher reads whatever the server sends; a file is refused here once it passes
the size cap, before it is all in memory, and the whole download has a deadline.
"""

import http.client
import time
import urllib.error
import urllib.request

from pricing.errors import LlmcostError

# The published file is about 1 MB; fifty times that is no data file.
MAX_BYTES = 50 * 1024 * 1024
TIMEOUT_SECONDS = 30.0
_CHUNK = 256 * 1024


class DownloadFailed(LlmcostError):
    """The message says what went wrong, in one line."""


def download(url: str, *, timeout: float = TIMEOUT_SECONDS, cap: int = MAX_BYTES) -> bytes:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"User-Agent": "llmcost"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status != 200:
                raise DownloadFailed(f"HTTP {response.status} from {url}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > cap:
                raise DownloadFailed(f"{url} is {int(declared)} bytes, over the {cap}-byte cap")
            chunks: list[bytes] = []
            received = 0
            while chunk := response.read(_CHUNK):
                received += len(chunk)
                if received > cap:
                    raise DownloadFailed(f"{url} sent more than the {cap}-byte cap")
                if time.monotonic() > deadline:
                    raise DownloadFailed(f"{url} took longer than {timeout:g} s")
                chunks.append(chunk)
            if declared and declared.isdigit() and received != int(declared):
                raise DownloadFailed(
                    f"download from {url} failed: the connection ended after {received} of "
                    f"{declared} bytes"
                )
    except urllib.error.HTTPError as error:
        raise DownloadFailed(f"HTTP {error.code} from {url}") from None
    except urllib.error.URLError as error:
        raise DownloadFailed(f"cannot reach {url}: {error.reason}") from None
    except TimeoutError:
        raise DownloadFailed(f"{url} took longer than {timeout:g} s") from None
    except OSError as error:  # a connection reset or refused mid-read; http.client's errors
        raise DownloadFailed(f"download from {url} failed: {error!r}") from None
    except (http.client.HTTPException, ValueError) as error:  # IncompleteRead, bad replies
        raise DownloadFailed(f"download from {url} failed: {error!r}") from None
    return b"".join(chunks)

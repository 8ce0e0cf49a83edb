"""The download's deadline is for the whole transfer (issue 19): a server that drips its body
or its headers a byte at a time is cut off when the time is up, not after days."""

from collections.abc import Iterator

import pytest

from bot.prices.download import DownloadFailed, download
from tests.prices_server import PricesServer


@pytest.fixture
def server() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = b"[]"
        yield running


@pytest.mark.parametrize("path", ["/drip", "/drip-headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(server, path):
    with pytest.raises(DownloadFailed, match=r"took longer than 1 s"):
        download(server.url(path), timeout=1)


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/missing.json", "HTTP 404"),
        ("/status/500", "HTTP 500"),
        ("/huge", "over the 1000-byte cap"),
        ("/endless", "more than the 1000-byte cap"),
        ("/short/data.json", "the connection ended before the whole body arrived"),
    ],
)
def test_every_failure_is_one_line(server, path, said):
    with pytest.raises(DownloadFailed, match=said) as raised:
        download(server.url(path), timeout=5, cap=1000)

    assert "\n" not in raised.value.message


def test_a_good_file_arrives_whole(server):
    assert download(server.url("/data.json"), timeout=5) == b"[]"


def test_nothing_listening_is_one_line():
    with pytest.raises(DownloadFailed, match="cannot reach"):
        download("http://127.0.0.1:9/data.json", timeout=5)

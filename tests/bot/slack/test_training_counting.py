"""Counting a shared training file is seconds of CPU for a large one: it runs in a thread of the
answer process, never on its event loop."""

import asyncio
import os
import threading

from aiohttp import web

from bot.answering import Answerer
from bot.slack import training
from bot.slack.services import Services
from bot.slack.training import SharedFile, with_tally
from bot.wall_clock import utc_today
from pricing.parse import parse

LINE = (
    '{"messages": [{"role": "user", "content": "What is 2+2?"}, '
    '{"role": "assistant", "content": "4"}]}\n'
)


class SlackClientStub:
    """What with_tally asks of the Slack client when the file came with the message."""

    def __init__(self, api_url: str) -> None:
        self.token = "xoxb-test"
        self.base_url = api_url


async def tally_of_a_served_file(services: Services) -> object:
    body = (LINE * 50).encode()

    async def serve_file(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer xoxb-test"
        return web.Response(body=body)

    app = web.Application()
    app.router.add_get("/files/train.jsonl", serve_file)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        api_url = f"http://127.0.0.1:{port}/api/"
        shared = SharedFile(
            id="F1", name="train.jsonl", size=len(body), url=f"{api_url[:-4]}files/train.jsonl"
        )
        query = parse("finetune slack:F1:train.jsonl gpt-4o-mini")
        return await with_tally(query, shared, None, SlackClientStub(api_url), services)
    finally:
        await runner.cleanup()


def test_a_shared_file_is_counted_off_the_event_loops_thread():
    services = Services()
    services.provide(Answerer(None, today=utc_today), store=None)  # type: ignore[arg-type]
    counted_in: list[int] = []
    original = training.counted

    def recording(*args):  # type: ignore[no-untyped-def]
        counted_in.append(threading.get_ident())
        return original(*args)

    async def ask() -> tuple[object, int]:
        return await tally_of_a_served_file(services), threading.get_ident()

    training.counted = recording  # type: ignore[assignment]
    try:
        counted, loop_thread = asyncio.run(ask())
    finally:
        training.counted = original  # type: ignore[assignment]
    assert counted_in
    assert counted_in[0] != loop_thread
    assert counted.training is not None  # type: ignore[attr-defined]
    assert counted.training.examples == 50  # type: ignore[attr-defined]


def test_heavy_work_leaves_the_event_loops_thread():
    services = Services()
    services.provide(Answerer(None, today=utc_today), store=None)  # type: ignore[arg-type]

    def where(_answerer: Answerer) -> tuple[int, int]:
        return os.getpid(), threading.get_ident()

    async def ask() -> tuple[tuple[int, int], tuple[int, int], int]:
        heavy = await services.priced(where)
        light = await services.priced(where, heavy=False)
        return heavy, light, threading.get_ident()

    heavy, light, loop_thread = asyncio.run(ask())
    assert heavy[1] != loop_thread
    assert light[1] == loop_thread

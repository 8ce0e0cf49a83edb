"""Counting a shared training file is seconds of CPU for a large one: it runs in the answer
worker, never on the server's event loop (and without a worker, in a thread, never inline)."""

import asyncio
import os
import threading

from aiohttp import web

from bot.answering import Answerer
from bot.slack.services import Services
from bot.slack.training import SharedFile, with_tally
from bot.slack.workers import AnswerWorkers
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


class RecordingWorkers:
    """An answer worker that says in which process the work ran."""

    def __init__(self) -> None:
        self.inner = AnswerWorkers(None, processes=1)
        self.ran: list[str] = []

    async def run(self, work, *args):  # type: ignore[no-untyped-def]
        self.ran.append(work.__name__)
        return await self.inner.run(work, *args)

    def close(self) -> None:
        self.inner.close()


def test_a_shared_file_is_counted_in_the_answer_worker_not_on_the_loop():
    workers = RecordingWorkers()
    services = Services()
    services.provide(Answerer(None, today=utc_today), store=None, workers=workers)  # type: ignore[arg-type]
    try:
        counted = asyncio.run(tally_of_a_served_file(services))
    finally:
        workers.close()
    assert workers.ran == ["counted"]
    assert counted.training is not None  # type: ignore[attr-defined]
    assert counted.training.examples == 50  # type: ignore[attr-defined]


def test_without_a_worker_heavy_work_leaves_the_event_loops_thread():
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

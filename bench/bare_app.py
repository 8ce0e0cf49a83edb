"""The baseline: a bare Bolt app whose /llmcost only acks, in Bolt's fastest configuration
(process_before_response=True), served three production ways so the benchmark can pick, and one
that acks and then posts a fixed reply, the baseline of an answer:

    python bench/bare_app.py asgi    # AsyncApp under uvicorn, one process
    python bench/bare_app.py asgi2   # AsyncApp under uvicorn, 2 worker processes
    python bench/bare_app.py wsgi    # App under gunicorn, 2 sync workers
    python bench/bare_app.py post    # AsyncApp under uvicorn: ack, then chat.postMessage "ok"

Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL and PORT like `llmcost serve`.
"""

import asyncio
import os
import sys

TOKEN = os.environ["SLACK_BOT_TOKEN"]
SECRET = os.environ["SLACK_SIGNING_SECRET"]
API_URL = os.environ["SLACK_API_URL"]
PORT = int(os.environ["PORT"])
# As many options as llmcost's picker answers bench/click_bench.py's searches with, on average
# (62: 100 for a letter or a maker, a few for a whole name).
FIXED_OPTIONS = [
    {"text": {"type": "plain_text", "text": f"model-{index}"}, "value": f"model-{index}"}
    for index in range(62)
]


def asgi_app(post: bool = False):
    from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=API_URL),
        signing_secret=SECRET,
        process_before_response=True,
    )

    running = set()

    @app.command("/llmcost")
    async def ack_only(ack, body, client):
        await ack()
        if post:  # the answer after the ack, as llmcost's listeners start theirs
            task = asyncio.get_running_loop().create_task(
                client.chat_postMessage(channel=body["channel_id"], text="ok")
            )
            running.add(task)
            task.add_done_callback(running.discard)

    @app.options("llmcost_models")
    async def fixed_options(ack):
        # The baseline of a picker: a fixed list, nothing searched (bench/click_bench.py).
        await ack(options=FIXED_OPTIONS)

    return AsyncSlackRequestHandler(app)


def asgi_post_app():
    return asgi_app(post=True)


def asgi(workers: int = 1, post: bool = False) -> None:
    import uvicorn

    print(f"bare app: uvicorn + AsyncApp, {workers} process(es)", file=sys.stderr, flush=True)
    factory = "bare_app:asgi_post_app" if post else "bare_app:asgi_app"
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run(
        factory if workers > 1 else (asgi_post_app() if post else asgi_app()),
        factory=workers > 1,
        workers=workers,
        host="127.0.0.1",
        port=PORT,
        access_log=False,
        log_level="warning",
    )


def wsgi_app():
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(
        client=WebClient(token=TOKEN, base_url=API_URL),
        signing_secret=SECRET,
        process_before_response=True,
    )

    @app.command("/llmcost")
    def ack_only(ack):
        ack()

    return SlackRequestHandler(app)


def wsgi() -> None:
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--chdir",
            os.path.dirname(os.path.abspath(__file__)),
            "--log-level",
            "warning",
            "bare_app:wsgi_app()",
        ],
    )


if __name__ == "__main__":
    {
        "asgi": asgi,
        "asgi2": lambda: asgi(workers=2),
        "post": lambda: asgi(post=True),
        "wsgi": wsgi,
    }[sys.argv[1]]()

"""The baseline: a bare Bolt app whose /llmcost only acks, in Bolt's fastest configuration
(process_before_response=True), served two production ways so the benchmark can pick:

    python bench/bare_app.py asgi    # AsyncApp under uvicorn, one process (as `llmcost serve`)
    python bench/bare_app.py wsgi    # App under gunicorn, 2 sync workers

Reads SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL and PORT like `llmcost serve`.
"""

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


def asgi() -> None:
    import uvicorn
    from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
    from slack_bolt.async_app import AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    app = AsyncApp(
        client=AsyncWebClient(token=TOKEN, base_url=API_URL),
        signing_secret=SECRET,
        process_before_response=True,
    )

    @app.command("/llmcost")
    async def ack_only(ack):
        await ack()

    @app.options("llmcost_models")
    async def fixed_options(ack):
        # The baseline of a picker: a fixed list, nothing searched (bench/click_bench.py).
        await ack(options=FIXED_OPTIONS)

    print("bare app: uvicorn + AsyncApp", file=sys.stderr, flush=True)
    uvicorn.run(
        AsyncSlackRequestHandler(app),
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
    {"asgi": asgi, "wsgi": wsgi}[sys.argv[1]]()

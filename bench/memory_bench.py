"""Where `llmcost serve`'s memory goes: each of its processes after a c=16 load (PSS, RSS and what
it shares, from /proc/PID/smaps_rollup), and the answer process's parts, loaded one after another
in a fresh process (RSS after each). Goal for the total PSS: <= 300 MB (issue 23).

Run: python bench/memory_bench.py
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slack_bench import (  # noqa: E402
    LLMCOST,
    MEMORY_GOAL_MB,
    MEMORY_WEB_PROCESSES,
    SERVERS,
    FakeSlackProcess,
    ack_latencies,
    process_tree,
    serve_env,
    smaps_rollup,
    started_server,
    wait_for_answers,
)

from tests.e2e.server import free_port  # noqa: E402

PARTS = """
import os, sys

def rss():
    with open(f"/proc/{os.getpid()}/smaps_rollup") as rollup:
        return next(int(line.split()[1]) for line in rollup if line.startswith("Rss:")) / 1024

print(f"  python itself                               {rss():6.1f} MB")
import uvicorn, bot.settings, bot.slack.web
print(f"  + a web process's imports                   {rss():6.1f} MB")
from bot.settings import load_settings
from bot.slack.app import build_app
from bot.slack.services import Services
build_app(load_settings(slack_bot_token="xoxb-1", slack_signing_secret="0" * 32), Services())
print(f"  + Bolt, slack_sdk, aiohttp and the listeners {rss():6.1f} MB")
import sqlalchemy, bot.storage.store
from bot.answering import Answerer
print(f"  + SQLAlchemy, the store and the answerer    {rss():6.1f} MB")
from bot.wall_clock import utc_today
answerer = Answerer(None, today=utc_today)
answerer.warm()
print(f"  + the tariffs and the catalog               {rss():6.1f} MB")
from pricing.model_search import ModelIndex
ModelIndex.of(answerer.book())
print(f"  + the model picker's index                  {rss():6.1f} MB")
from pricing import tokens
for encoding in tokens.ENCODINGS:
    tokens.count("warm", encoding)
print(f"  + both tokenizers                           {rss():6.1f} MB")
"""


def _role(pid: int, supervisor: int, answer: int) -> str:
    return "supervisor" if pid == supervisor else "answer" if pid == answer else "web"


def processes() -> None:
    with FakeSlackProcess() as fake, tempfile.TemporaryDirectory() as home:
        env = {
            **serve_env(fake.api_url, free_port(), Path(home)),
            "WEB_CONCURRENCY": str(MEMORY_WEB_PROCESSES),
        }
        with started_server(SERVERS[LLMCOST], env) as (url, _, _, pid):
            wait_for_answers(fake, set(ack_latencies(url, 400, 16, "C")), time.perf_counter() + 60)
            children = process_tree(pid)[1:]
            # The answer process is the one that loaded the tariffs: by far the largest.
            answer = max(children, key=lambda child: smaps_rollup(child)["Rss"])
            total = 0.0
            print("llmcost serve's processes after 400 commands at c=16 (MB)")
            for current in [pid, *children]:
                parts = smaps_rollup(current)
                shared = parts["Shared_Clean"] + parts["Shared_Dirty"]
                private = parts["Private_Clean"] + parts["Private_Dirty"]
                total += parts["Pss"]
                print(
                    f"  {_role(current, pid, answer):10} PSS {parts['Pss']:6.1f}"
                    f"  RSS {parts['Rss']:6.1f}  shared {shared:6.1f}  private {private:6.1f}"
                )
            print(f"  total PSS {total:6.1f} MB (goal <= {MEMORY_GOAL_MB} MB)")


def main() -> None:
    processes()
    print("The answer process's parts, loaded one after another in a fresh process (RSS)")
    subprocess.run([sys.executable, "-c", PARTS], check=True, cwd=tempfile.gettempdir())


if __name__ == "__main__":
    main()

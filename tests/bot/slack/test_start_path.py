"""What a web process of `llmcost serve` imports: only what an ack uses (issue 23). Bolt, its
listeners, the database, the tariffs, the tokenizers and the charts are the answer process's;
the web processes fork from the supervisor with these imports done."""

import subprocess
import sys

WEB_PROCESS = """
import sys
from bot.settings import load_settings
from bot.slack.server import serve
from bot.slack.supervisor import Supervisor
from bot.slack.web import run_web_process
print(sorted(m for m in {NOT_NEEDED!r} if m in sys.modules))
"""
# What an ack does not use.
NOT_NEEDED = {
    "slack_bolt",
    "slack_sdk",
    "aiohttp",
    "sqlalchemy",
    "bot.answering",
    "bot.storage.store",
    "bot.slack.listeners",
    "pricing.tariffs",
    "tiktoken",
    "matplotlib",
    "dateparser",
}


def test_a_web_process_imports_no_listener_database_tariff_or_tokenizer(tmp_path):
    script = WEB_PROCESS.replace("{NOT_NEEDED!r}", repr(NOT_NEEDED))
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"

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


ONE_WORKSPACE_APP = """
import sys
from bot.settings import load_settings
from bot.slack.app import build_app
from bot.slack.services import Services
build_app(load_settings(slack_bot_token="xoxb-1", slack_signing_secret="0" * 32), Services())
print(sorted(m for m in {DISTRIBUTION_ONLY!r} if m in sys.modules))
"""
# What only distribution mode uses: slack_sdk's stores bring SQLAlchemy's ORM and asyncio parts
# (17 MB more of the answer process's RSS, measured, and about 100 ms of its start).
DISTRIBUTION_ONLY = {
    "bot.slack.install.stores",
    "bot.slack.install.flow",
    "slack_sdk.oauth.installation_store.sqlalchemy",
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "yaml",
}


def test_the_one_workspace_app_imports_nothing_distribution_needs(tmp_path):
    script = ONE_WORKSPACE_APP.replace("{DISTRIBUTION_ONLY!r}", repr(DISTRIBUTION_ONLY))
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"

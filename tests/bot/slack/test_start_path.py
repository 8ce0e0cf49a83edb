"""What `llmcost serve` imports before it listens: only what an ack uses (issue 23). The
database, the tariffs and the charts are loaded in the background once the server listens
(bot.slack.server.get_ready); answers wait for them, acks never do."""

import subprocess
import sys

BEFORE_LISTENING = """
import sys
from bot.settings import load_settings
from bot.slack.app import build_app
from bot.slack.server import HEALTH
from bot.slack.services import Services
settings = load_settings(slack_bot_token="xoxb-1", slack_signing_secret="0" * 32)
build_app(settings, Services())
print(sorted(m for m in {NOT_NEEDED!r} if m in sys.modules))
"""
# What the first ack does not use: the database (SQLAlchemy and llmcost's store, through the
# answerer), charts and date phrases.
NOT_NEEDED = {"sqlalchemy", "bot.answering", "bot.storage.store", "matplotlib", "dateparser"}


def test_the_server_imports_no_database_chart_or_date_parser_before_it_listens(tmp_path):
    script = BEFORE_LISTENING.replace("{NOT_NEEDED!r}", repr(NOT_NEEDED))
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == "[]"

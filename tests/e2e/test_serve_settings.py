"""`llmcost serve` refuses to start on bad settings, with one line naming the variable."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.server import BOT_TOKEN, SIGNING_SECRET, free_port

SIGNED = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}


def serve(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Loopback and a free port, so that a settings error cannot hide behind a port in use.
    base = {
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "serve"],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "names"),
    [
        pytest.param({}, "SLACK_BOT_TOKEN is not set", id="no-token"),
        pytest.param(
            {"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET},
            "SLACK_BOT_TOKEN must be",
            id="user-token",
        ),
        pytest.param(
            {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET is not set", id="http-unsigned"
        ),
        pytest.param(
            {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "PORT": "http"},
            "PORT",
            id="port",
        ),
        pytest.param(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            },
            "DATABASE_URL",
            id="database-unreachable",
        ),
        pytest.param(
            {**SIGNED, "DATABASE_URL": "mysql://root@127.0.0.1/test"},
            "DATABASE_URL must be a sqlite",
            id="database-kind",
        ),
        pytest.param(
            {**SIGNED, "LLMCOST_TARIFFS": "/nonexistent/tariffs.toml"},
            "LLMCOST_TARIFFS names /nonexistent/tariffs.toml, which is not a file",
            id="tariffs-missing",
        ),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(env, names, tmp_path):
    result = serve(env, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("llmcost serve:")]
    assert len(lines) == 1, result.stderr
    assert names in lines[0]
    assert "Traceback" not in result.stderr


def test_a_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nLOG_LEVEL=loud\n")
    result = serve({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, tmp_path)
    assert result.returncode == 2
    assert "LOG_LEVEL" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('[[tariff]]\nmodel = "acme"\n', id="missing-fields"),
        # tomllib recurses once per level: 5,000 ended in RecursionError and a traceback.
        pytest.param("x = " + "[" * 5000 + "]" * 5000 + "\n", id="nested-5000-deep"),
    ],
)
def test_a_malformed_tariffs_file_stops_the_server(tmp_path, text):
    tariffs = tmp_path / "tariffs.toml"
    tariffs.write_text(text)
    env = {**SIGNED, "LLMCOST_TARIFFS": str(tariffs), "PORT": str(free_port()), "HOST": "127.0.0.1"}
    result = serve(env, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("llmcost serve:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("llmcost serve: LLMCOST_TARIFFS:")
    assert str(tariffs) in lines[0]
    assert "Traceback" not in result.stderr


def test_a_port_in_use_stops_the_server_with_one_line(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = serve({**SIGNED, "PORT": str(port)}, tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"llmcost serve: cannot listen on 127.0.0.1:{port}: Address already in use" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr

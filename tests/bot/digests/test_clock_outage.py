"""`llmcost clock --once` when the database fails during the pass (issue 19): one line and exit
2, as when it fails at start-up; never a traceback or exit 1."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bot.digests import clock


@pytest.fixture(autouse=True)
def logging_as_it_was() -> Iterator[None]:
    """clock.main configures logging for its process; a test run is one process for all."""
    bot, root = logging.getLogger("bot"), logging.getLogger()
    levels, handlers = (bot.level, root.level), list(root.handlers)
    yield
    bot.setLevel(levels[0])
    root.setLevel(levels[1])
    root.handlers[:] = handlers


def test_a_database_failing_mid_pass_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'llmcost.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("LLMCOST_PRICES_URL", "off")
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)

    async def outage(self: clock.Clock, now: object) -> None:
        raise OperationalError(
            "SELECT ...", {}, Exception("server closed the connection unexpectedly\nmore")
        )

    monkeypatch.setattr(clock.Clock, "once", outage)

    code = clock.main(["--once"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert err.startswith("llmcost clock: DATABASE_URL: the database failed during the pass")
    assert "server closed the connection unexpectedly" in err
    assert "Traceback" not in err


def test_a_pass_that_does_not_end_is_given_up_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'llmcost.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-test")
    monkeypatch.setenv("LLMCOST_PRICES_URL", "off")
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)

    async def stuck(self: clock.Clock, now: object) -> None:
        await asyncio.Event().wait()  # a wait nothing ends

    monkeypatch.setattr(clock.Clock, "once", stuck)
    monkeypatch.setattr(clock, "ONCE_LIMIT_SECONDS", 0.05)

    code = clock.main(["--once"])

    err = capsys.readouterr().err
    assert code == clock.EXIT_NOT_ALL_POSTED
    assert err.count("\n") == 1
    assert "the dispatch pass did not end within 0.05 s" in err

"""`llmcost prices refresh|status`, and LLMCOST_PRICES_URL."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from genai_prices.update_prices import DEFAULT_UPDATE_URL

from bot.cli.prices import run
from bot.settings import DEFAULT_PRICES_URL, SettingsError, load_prices_settings
from tests.prices_server import PricesServer
from tests.published_files import a_weeks_changes, edited, installed_file


@pytest.fixture
def server() -> Iterator[PricesServer]:
    with PricesServer() as running:
        running.files["/data.json"] = installed_file()
        running.files["/changed.json"] = edited(a_weeks_changes)
        yield running


@pytest.fixture
def environment(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("LLMCOST_PRICES_URL", raising=False)
    return database_url


def test_the_default_url_is_genai_prices_own() -> None:
    assert DEFAULT_PRICES_URL == DEFAULT_UPDATE_URL


def test_prices_url_is_a_url_or_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LLMCOST_PRICES_URL", "OFF")
    assert load_prices_settings().prices_url is None
    monkeypatch.setenv("LLMCOST_PRICES_URL", "file:///etc/passwd")
    with pytest.raises(SettingsError, match="LLMCOST_PRICES_URL must be an http"):
        load_prices_settings()


def test_status_before_any_refresh_names_the_installed_data(environment: str) -> None:
    code, out, _ = run(["status"])
    assert code == 0
    assert "In force:   the installed genai-prices" in out
    assert "Last try:   never" in out
    assert DEFAULT_PRICES_URL in out


def test_refresh_then_status(environment: str, server: PricesServer) -> None:
    code, out, err = run(["refresh", "--url", server.url("/data.json")])
    assert (code, err) == (0, "")
    assert "prices refreshed from" in out
    code, out, err = run(["refresh", f"--url={server.url('/changed.json')}"])
    assert "1 added" not in out  # said as a total: added or dropped
    assert "2 added or dropped, 2 with prices changed" in out

    code, out, err = run(["refresh", "--url", server.url("/gone.json")])
    assert code == 1
    assert "HTTP 404" in err
    assert "keeping the data in force" in err

    code, out, _ = run(["status", "--json"])
    status = json.loads(out)
    assert status["in_force"].startswith("genai-prices data fetched ")
    assert status["snapshot"]["models"] > 1000
    assert status["snapshot"]["source_url"] == server.url("/changed.json")
    assert status["last_attempt"]["outcome"] == "refused"
    assert "HTTP 404" in status["last_attempt"]["reason"]
    assert (status["last_change"]["models_changed"], status["last_change"]["prices_changed"]) == (
        2,
        2,
    )
    code, text, _ = run(["status"])
    assert "refused, nothing changed: HTTP 404" in text
    assert "2 models added or dropped, 2 models' prices changed" in text


def test_refresh_when_fetching_is_off_says_how_to_fetch(
    environment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMCOST_PRICES_URL", "off")
    code, _, err = run(["refresh"])
    assert code == 2
    assert "--url" in err


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["refres"], "'llmcost prices refres' is not a command"),
        (["refresh", "--url"], "--url needs a value"),
        (["refresh", "--force"], "Unknown option --force"),
        (["status", "--all"], "Unknown option --all"),
    ],
)
def test_bad_words_say_what_would_work(argv: list[str], problem: str) -> None:
    code, _, err = run(argv)
    assert code == 2
    assert problem in err

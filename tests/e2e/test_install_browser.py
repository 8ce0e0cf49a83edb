"""The install flow in a real browser: Debian's Chromium, headless, driven by Playwright. Open
`/slack/install`, click "Add to Slack", allow on the fake Slack's authorize page, land on the
success page; the installation is stored. Without Chromium on the machine, it says it is skipped
(`.ci/run` installs it)."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.storage.store import Store, slack_bots
from tests.e2e.distribution import distribution_env
from tests.e2e.server import Server, free_port, running_server
from tests.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine (Debian: apt-get install chromium)"
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        slack.add_workspace("T0BROWSER", "Browser Team")
        slack.installing = "T0BROWSER"
        yield slack


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser") / "llmcost.db"


@pytest.fixture(scope="module")
def server(fake: FakeSlack, database: Path) -> Iterator[Server]:
    env = distribution_env(fake, f"sqlite:///{database}", free_port())
    with running_server(env, cwd=database.parent) as started:
        yield started


def test_add_to_slack_in_a_browser_installs_the_app(
    server: Server, fake: FakeSlack, database: Path
) -> None:
    with playwright.sync_playwright() as driver:
        # --no-sandbox: CI runs as root, where Chromium's sandbox will not start.
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{server.url}/slack/install")
            assert page.title() == "Add llmcost to Slack"
            page.click("#add-to-slack")
            page.wait_for_url(lambda url: url.startswith(f"{fake.base_url}/oauth/v2/authorize"))
            assert "Install in Browser Team" in page.content()
            page.click("#allow")
            page.wait_for_url(lambda url: url.startswith(f"{server.url}/slack/oauth_redirect"))
            landed = page.inner_text("body")
        finally:
            browser.close()

    assert "llmcost is installed in Browser Team" in landed
    store = Store(f"sqlite:///{database}")
    try:
        with store.engine.connect() as connection:
            teams = connection.execute(select(slack_bots.c.team_id)).scalars().all()
    finally:
        store.close()
    assert teams == ["T0BROWSER"]
    (authorized,) = fake.calls_to("oauth_authorize")
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    assert authorized.body["scope"].split(",") == manifest["oauth_config"]["scopes"]["bot"]

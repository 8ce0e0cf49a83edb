"""`llmcost serve` in distribution mode for end-to-end tests: its environment, and an install
walked through as a browser walks it (the install page, Slack's authorize page, the redirect),
over plain HTTP."""

import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from html import unescape

from tests.e2e.server import SIGNING_SECRET, server_env
from tests.fake_slack import FakeSlack

STATE_COOKIE = "slack-app-oauth-state"


def distribution_env(fake: FakeSlack, database_url: str, port: int) -> dict[str, str]:
    env = server_env(fake.api_url, database_url, port)
    del env["SLACK_BOT_TOKEN"]
    env.update(
        SLACK_CLIENT_ID=fake.client_id,
        SLACK_CLIENT_SECRET=fake.client_secret,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_REDIRECT_URI=f"http://127.0.0.1:{port}/slack/oauth_redirect",
    )
    return env


@dataclass
class Page:
    status: int
    text: str
    headers: dict[str, str]

    def link(self, element_id: str) -> str:
        found = re.search(rf'id="{element_id}" href="([^"]+)"', self.text)
        assert found, f"no #{element_id} link in:\n{self.text}"
        return unescape(found.group(1))

    @property
    def state_cookie(self) -> str | None:
        found = re.search(rf"{STATE_COOKIE}=([^;]*)", self.headers.get("set-cookie", ""))
        return None if found is None else found.group(1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def get(url: str, *, cookie: str | None = None, method: str = "GET") -> Page:
    headers = {} if cookie is None else {"Cookie": f"{STATE_COOKIE}={cookie}"}
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=15) as response:
            return Page(
                response.status,
                response.read().decode(),
                {k.lower(): v for k, v in response.headers.items()},
            )
    except urllib.error.HTTPError as error:
        return Page(
            error.code, error.read().decode(), {k.lower(): v for k, v in error.headers.items()}
        )


def install(server_url: str, fake: FakeSlack, team_id: str) -> Page:
    """Add to Slack from `team_id`, as an installer's browser would (the state cookie kept
    between the install page and the redirect); the page the installer lands on."""
    fake.installing = team_id
    install_page = get(f"{server_url}/slack/install")
    assert install_page.status == 200, install_page.text
    authorize = get(install_page.link("add-to-slack"))
    assert authorize.status == 200, authorize.text
    return get(authorize.link("allow"), cookie=install_page.state_cookie)

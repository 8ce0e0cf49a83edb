"""Distribution mode end to end: workspaces install through "Add to Slack" against the fake Slack,
each request is answered with its own workspace's token and rows, an uninstall forgets only its
workspace, and a broken install says what happened without storing anything."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from bot.storage.store import Store, metadata, slack_bots, slack_installations
from tests.bot.storage.test_migrations import SCHEMA
from tests.databases import ENV_VAR, SKIP_REASON, schema_of_its_own
from tests.e2e.distribution import Page, distribution_env, get, install
from tests.e2e.server import SIGNING_SECRET, Server, free_port, running_server
from tests.fake_slack import RESPONSE_URL_METHOD, FakeSlack
from tests.slack_requests import (
    block_action,
    event_callback,
    message_event,
    send_signed,
    slash_command,
)

# slack_sdk's table with every column it writes (bot.storage.store names only a few).
slack_bots_table = SCHEMA.tables["slack_bots"]

WORKSPACES = {
    "T0SECOND": "Second",
    "T0THIRD": "Third",
    "T0FOURTH": "Fourth",
    "T0ROTATE": "Rotate",
}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        for team_id, name in WORKSPACES.items():
            slack.add_workspace(team_id, name)
        slack.add_workspace("T0GRID", "Grid", enterprise_id="E0ORG", org_wide=True)
        slack.add_workspace("T0GRIDWS", "Grid Workspace", enterprise_id="E0ORG")
        yield slack


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The module's one database: a SQLite file, or a schema of its own on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('distribution') / 'llmcost.db'}"
        return
    server_url = os.environ.get(ENV_VAR, "").strip()
    if not server_url:
        pytest.skip(SKIP_REASON)
    yield from schema_of_its_own(server_url)


@pytest.fixture(scope="module")
def server(
    fake: FakeSlack, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    env = distribution_env(fake, database_url, free_port())
    with running_server(env, cwd=tmp_path_factory.mktemp("serve")) as started:
        started.wait_for_log("ready: tariffs loaded", timeout=60)  # the schema is made by then
        yield started


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = Store(database_url)
    yield opened
    opened.close()


def rows(store: Store, team_id: str) -> dict[str, int]:
    """How many rows of every table belong to the workspace."""
    owned = [table for table in metadata.sorted_tables if "team_id" in table.c]
    with store.engine.connect() as connection:
        return {
            table.name: connection.execute(
                select(func.count()).select_from(table).where(table.c.team_id == team_id)
            ).scalar_one()
            for table in [*owned, slack_installations, slack_bots]
        }


def ask(server: Server, fake: FakeSlack, team_id: str, text: str, channel: str = "C0ASK") -> str:
    """A slash command from the workspace; the token its answer was posted with, once the
    answer's thread is remembered."""
    command = slash_command(
        text, team_id=team_id, channel_id=channel, response_url=fake.response_url(channel)
    )
    status, _, _ = send_signed(server.events_url, command, SIGNING_SECRET)
    assert status == 200
    (call,) = fake.wait_for(
        "chat.postMessage", predicate=lambda call: call.body["channel"] == channel
    )
    server.wait_for_log(f"thread {call.response['ts']}")
    return str(call.token)


def test_two_workspaces_install_and_each_is_answered_with_its_own_token(
    server: Server, fake: FakeSlack
) -> None:
    landed = install(server.url, fake, "T0SECOND")
    assert landed.status == 200
    assert "llmcost is installed in <strong>Second</strong>" in landed.text
    install(server.url, fake, "T0THIRD")

    second = ask(server, fake, "T0SECOND", "cost gpt-4o 1M tokens", channel="C0SECOND")
    third = ask(server, fake, "T0THIRD", "cost gpt-4o 1M tokens", channel="C0THIRD")

    assert second == fake.tokens_of("T0SECOND")[-1]
    assert third == fake.tokens_of("T0THIRD")[-1]
    assert second != third


def test_a_workspace_that_never_installed_is_told_how_and_gets_no_post(
    server: Server, fake: FakeSlack
) -> None:
    command = slash_command(
        "cost gpt-4o 1M tokens", team_id="T0NEVER", response_url=fake.response_url("never")
    )
    status, _, _ = send_signed(server.events_url, command, SIGNING_SECRET)

    assert status == 200
    (told,) = fake.wait_for(RESPONSE_URL_METHOD)
    assert "not installed in this workspace" in told.body["text"]
    assert f"{server.url}/slack/install" in told.body["text"]
    assert fake.calls_to("chat.postMessage") == []


def test_an_uninstall_forgets_that_workspace_and_only_it(
    server: Server, fake: FakeSlack, store: Store
) -> None:
    for team_id in ("T0SECOND", "T0FOURTH"):
        install(server.url, fake, team_id)
        ask(server, fake, team_id, "cost gpt-4o 1M tokens", channel=f"C{team_id}")
    before = rows(store, "T0SECOND")
    assert before["thread_answers"] >= 1
    assert before["slack_bots"] >= 1
    assert before["slack_events"] == 0  # a slash command is no event; the uninstall adds none

    send_signed(
        server.events_url,
        event_callback({"type": "app_uninstalled"}, team_id="T0SECOND"),
        SIGNING_SECRET,
    )
    server.wait_for_log("workspace T0SECOND uninstalled llmcost")

    assert set(rows(store, "T0SECOND").values()) == {0}
    assert rows(store, "T0FOURTH")["slack_bots"] >= 1
    fake.reset()
    assert (
        ask(server, fake, "T0FOURTH", "cost gpt-4o 2M tokens", channel="C0STILL")
        == (fake.tokens_of("T0FOURTH")[-1])
    )
    command = slash_command(
        "cost gpt-4o 1M tokens", team_id="T0SECOND", response_url=fake.response_url("gone")
    )
    send_signed(server.events_url, command, SIGNING_SECRET)
    (told,) = fake.wait_for(RESPONSE_URL_METHOD)
    assert "not installed" in told.body["text"]


def test_the_install_page_answers_get_and_head_only(server: Server) -> None:
    assert get(f"{server.url}/slack/install", method="HEAD").status == 200
    refused = get(f"{server.url}/slack/install", method="POST")
    assert refused.status == 405
    assert refused.headers["allow"] == "GET, HEAD"
    assert get(f"{server.url}/slack/oauth_redirect", method="POST").status == 405


def _redirect(server: Server, query: str, cookie: str | None = None) -> Page:
    return get(f"{server.url}/slack/oauth_redirect?{query}", cookie=cookie)


@pytest.mark.parametrize(
    ("case", "status", "says"),
    [
        ("missing state", 400, "without the install session"),
        ("forged state", 401, "expired or was already used"),
        ("reused state", 401, "expired or was already used"),
        ("expired state", 401, "expired or was already used"),
        ("cancelled", 200, "The install was cancelled"),
        ("another error", 200, "Slack stopped the install (&lt;b&gt;x&lt;/b&gt;\nforged line)"),
        ("refused code", 401, "Slack did not accept the authorization"),
        ("org-wide install", 403, "workspace by workspace"),
    ],
)
def test_a_broken_install_gets_a_plain_page_and_stores_nothing(
    server: Server, fake: FakeSlack, store: Store, case: str, status: int, says: str
) -> None:
    installed_before = rows(store, "T0THIRD")["slack_installations"]
    lines_before = server.settled()
    if case == "missing state":
        page = _redirect(server, f"code={fake.authorize_code('T0THIRD')}")
    elif case == "forged state":
        page = _redirect(server, "code=x&state=forged", cookie="forged")
    elif case == "reused state":
        first = get(f"{server.url}/slack/install")
        state = first.state_cookie
        _redirect(server, f"code={fake.authorize_code('T0THIRD')}&state={state}", state)
        installed_before = rows(store, "T0THIRD")["slack_installations"]
        lines_before = server.settled()
        page = _redirect(server, f"code={fake.authorize_code('T0THIRD')}&state={state}", state)
    elif case == "expired state":
        with store.engine.begin() as connection:  # issued 11 minutes ago: past its 10
            connection.execute(
                insert(SCHEMA.tables["slack_oauth_states"]).values(
                    state="old-state", expire_at=datetime.now(UTC) - timedelta(minutes=1)
                )
            )
        code = fake.authorize_code("T0THIRD")
        page = _redirect(server, f"code={code}&state=old-state", "old-state")
    elif case == "cancelled":
        state = get(f"{server.url}/slack/install").state_cookie
        page = _redirect(server, f"error=access_denied&state={state}", state)
    elif case == "another error":
        state = get(f"{server.url}/slack/install").state_cookie
        page = _redirect(server, f"error=%3Cb%3Ex%3C%2Fb%3E%0Aforged+line&state={state}", state)
    elif case == "refused code":
        state = get(f"{server.url}/slack/install").state_cookie
        page = _redirect(server, f"code=not-a-code&state={state}", state)
    else:
        page = install(server.url, fake, "T0GRID")

    assert (page.status, says in page.text) == (status, True), page.text
    assert rows(store, "T0THIRD")["slack_installations"] == installed_before
    assert rows(store, "T0GRID")["slack_installations"] == 0
    server.settled()
    logged = server.lines[lines_before:]
    assert [line for line in logged if "an install did not complete" in line], logged
    assert not [line for line in logged if "Traceback" in line]
    assert not [line for line in logged if line.startswith("forged line")]
    if case == "org-wide install":
        assert fake.tokens_of("T0GRID")[-1] in fake.revoked


def test_a_thread_reply_is_answered_from_its_own_workspaces_rows_with_its_token(
    server: Server, fake: FakeSlack
) -> None:
    for team_id in ("T0THIRD", "T0FOURTH"):
        install(server.url, fake, team_id)
    fake.reset()
    ask(server, fake, "T0THIRD", "cost gpt-4o 1M tokens", channel="C0KEPT")
    thread = fake.calls_to("chat.postMessage")[0].response["ts"]
    server.wait_for_log(f"thread {thread}")

    # The same channel and thread, said to come from another workspace: not its thread.
    elsewhere = message_event(
        "make it 2M tokens", channel="C0KEPT", thread_ts=thread, team="T0FOURTH"
    )
    send_signed(
        server.events_url,
        event_callback(elsewhere, event_id="Ev0ELSEWHERE", team_id="T0FOURTH"),
        SIGNING_SECRET,
    )
    server.wait_for_log("left alone Ev0ELSEWHERE: a thread llmcost never answered in")
    reply = message_event("make it 2M tokens", channel="C0KEPT", thread_ts=thread, team="T0THIRD")
    send_signed(
        server.events_url,
        event_callback(reply, event_id="Ev0HOME", team_id="T0THIRD"),
        SIGNING_SECRET,
    )

    answered = fake.wait_for("chat.postMessage", count=2)[-1]
    assert answered.body["thread_ts"] == thread
    assert answered.token == fake.tokens_of("T0THIRD")[-1]
    assert len(fake.calls_to("chat.postMessage")) == 2


def test_a_rotating_token_is_refreshed_before_it_expires_and_the_new_one_stored(
    server: Server, fake: FakeSlack, store: Store
) -> None:
    fake.rotating, fake.first_expires_in = True, 60  # expires within Bolt's two-hour margin
    try:
        install(server.url, fake, "T0ROTATE")
    finally:
        fake.rotating, fake.first_expires_in = False, 43_200
    first = fake.tokens_of("T0ROTATE")[-1]  # the one this install was given

    used = ask(server, fake, "T0ROTATE", "cost gpt-4o 1M tokens", channel="C0ROTATE1")
    again = ask(server, fake, "T0ROTATE", "cost gpt-4o 2M tokens", channel="C0ROTATE2")

    refreshed = fake.tokens_of("T0ROTATE")[-1]
    assert refreshed != first
    assert used == again == refreshed  # refreshed once; the new token lasts 12 hours
    with store.engine.connect() as connection:
        stored = connection.execute(
            select(slack_bots_table.c.bot_token).where(slack_bots_table.c.team_id == "T0ROTATE")
        ).scalars()
        assert list(stored) == [refreshed]


def test_a_workspace_of_an_enterprise_grid_org_installs_and_is_answered(
    server: Server, fake: FakeSlack, store: Store
) -> None:
    landed = install(server.url, fake, "T0GRIDWS")
    fake.reset()
    command = slash_command(
        "cost gpt-4o 1M tokens",
        team_id="T0GRIDWS",
        enterprise_id="E0ORG",
        channel_id="C0GRID",
        response_url=fake.response_url("grid"),
    )
    send_signed(server.events_url, command, SIGNING_SECRET)

    (posted,) = fake.wait_for("chat.postMessage")
    assert "llmcost is installed in <strong>Grid Workspace</strong>" in landed.text
    assert posted.token == fake.tokens_of("T0GRIDWS")[-1]
    assert store.installed_enterprise("T0GRIDWS") == "E0ORG"


def test_a_button_click_is_answered_with_its_workspaces_token(
    server: Server, fake: FakeSlack
) -> None:
    install(server.url, fake, "T0THIRD")
    fake.reset()
    ask(server, fake, "T0THIRD", "cost gpt-4o 1M tokens", channel="C0CLICK")
    (root,) = fake.calls_to("chat.postMessage")
    (batch,) = [
        element
        for block in root.body["blocks"]
        for element in block.get("elements", ())
        if element.get("type") == "button" and element["text"]["text"] == "Batch"
    ]
    message = {"type": "message", "ts": root.response["ts"], "text": ""}
    click = block_action(
        batch["action_id"], batch["value"], message=message, team_id="T0THIRD", channel_id="C0CLICK"
    )
    send_signed(server.events_url, click, SIGNING_SECRET)

    answered = fake.wait_for("chat.postMessage", count=2)[-1]
    assert answered.body["thread_ts"] == root.response["ts"]
    assert answered.token == fake.tokens_of("T0THIRD")[-1]

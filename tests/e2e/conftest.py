from collections.abc import Iterator

import pytest

from tests.e2e.server import Server, free_port, running_server, server_env
from tests.fake_slack import FakeSlack


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture(scope="module")
def server(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `llmcost serve` on a SQLite file for a module's tests; each test starts from a fake
    Slack with no calls recorded and no scripted faults."""
    # Its own working directory, so a developer's .env cannot change what is tested.
    home = tmp_path_factory.mktemp("serve")
    env = server_env(fake.api_url, f"sqlite:///{home / 'llmcost.db'}", free_port())
    with running_server(env, cwd=home) as started:
        yield started


@pytest.fixture(autouse=True)
def _fresh_fake(request: pytest.FixtureRequest) -> None:
    if "fake" in request.fixturenames:
        request.getfixturevalue("fake").reset()

"""With SLACK_APP_TOKEN set, `llmcost serve` takes Slack's requests over Socket Mode."""

from urllib.parse import parse_qsl

from tests.e2e.distribution import distribution_env, install
from tests.e2e.server import free_port, running_server, server_env
from tests.fake_slack import FakeSlack
from tests.slack_requests import slash_command


def test_socket_mode_answers_a_slash_command(tmp_path) -> None:
    with FakeSlack() as fake:
        env = server_env(
            fake.api_url,
            f"sqlite:///{tmp_path / 'llmcost.db'}",
            free_port(),
            SLACK_APP_TOKEN="xapp-1-test",
            SLACK_SIGNING_SECRET="",
        )
        with running_server(env, cwd=tmp_path, wait_ready=False) as server:
            fake.wait_for_socket_client(timeout=30)
            body, _ = slash_command(
                "compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22",
                response_url=fake.response_url("socket"),
            )
            envelope = fake.send_envelope("slash_commands", dict(parse_qsl(body.decode())))
            acked = fake.wait_for("socket_ack")[0]
            assert acked.body["envelope_id"] == envelope
            posted = fake.wait_for("chat.postMessage")[0]
            assert "$7.50" in posted.body["text"]
            assert "Socket Mode" in server.log()


def test_socket_mode_with_client_credentials_serves_the_install_pages_and_each_workspace(
    tmp_path,
) -> None:
    with FakeSlack() as fake:
        fake.add_workspace("T0SOCKET", "Socket Team")
        port = free_port()
        env = distribution_env(fake, f"sqlite:///{tmp_path / 'llmcost.db'}", port)
        env.update(SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET="")
        with running_server(env, cwd=tmp_path, wait_ready=False) as server:
            fake.wait_for_socket_client(timeout=30)
            server.wait_for_log("install pages at")

            landed = install(f"http://127.0.0.1:{port}", fake, "T0SOCKET")
            body, _ = slash_command(
                "cost gpt-4o 1M tokens",
                team_id="T0SOCKET",
                response_url=fake.response_url("socket"),
            )
            fake.send_envelope("slash_commands", dict(parse_qsl(body.decode())))
            posted = fake.wait_for("chat.postMessage")[0]

    assert "llmcost is installed in <strong>Socket Team</strong>" in landed.text
    assert posted.token == fake.tokens_of("T0SOCKET")[-1]

"""Follow-ups survive a restart and work across processes, on SQLite and on PostgreSQL."""

import pytest

from tests.e2e.server import SIGNING_SECRET, free_port, running_server, server_env
from tests.fake_slack import FakeSlack
from tests.slack_requests import event_callback, message_event, send_signed, slash_command


@pytest.fixture
def fake() -> FakeSlack:
    with FakeSlack() as slack:
        yield slack


def test_a_thread_is_remembered_across_a_restart_and_a_second_process(
    fake: FakeSlack, database_url: str, tmp_path
) -> None:
    env = server_env(fake.api_url, database_url, free_port())
    with running_server(env, cwd=tmp_path) as first:
        send_signed(
            first.events_url,
            slash_command("compare gpt-4-8k ft-gpt-3.5 200k tokens as of 2023-08-22"),
            SIGNING_SECRET,
        )
        thread = fake.wait_for("chat.postMessage")[0].response["ts"]
        first.wait_for_log(f"thread {thread}")

    # A new process on the same database, as after a deploy or on another dyno.
    with running_server({**env, "PORT": str(free_port())}, cwd=tmp_path) as second:
        follow_up = message_event("what about gpt-4-32k?", thread_ts=thread)
        send_signed(
            second.events_url, event_callback(follow_up, event_id="Ev0ONCE"), SIGNING_SECRET
        )
        answered = fake.wait_for("chat.postMessage", count=2)[-1]
        assert answered.body["thread_ts"] == thread
        assert "gpt-4-32k" in answered.body["text"]

        # Slack's retry of the same event reaching another process is not answered again.
        with running_server({**env, "PORT": str(free_port())}, cwd=tmp_path) as third:
            send_signed(
                third.events_url,
                event_callback(follow_up, event_id="Ev0ONCE"),
                SIGNING_SECRET,
                extra_headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
            )
            third.wait_for_log("already answered")
    assert len(fake.calls_to("chat.postMessage")) == 2

"""Charts in Slack (issue 21): `chart` in an answer's thread uploads its chart there with
files_upload_v2's three calls; `/llmcost chart ...` answers, then charts in the answer's thread;
an upload Slack refuses leaves a one-line note saying why and how to fix it."""

from tests.e2e.test_slack_app import ARTICLE, ask_in_channel, command, event
from tests.fake_slack import FILE_UPLOAD_METHOD
from tests.slack_requests import message_event

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _uploaded_into(fake, thread: str) -> bytes:
    (asked,) = fake.wait_for("files.getUploadURLExternal")
    assert asked.body["filename"] == "llmcost-chart.png"
    assert "ft-gpt-3.5 is cheapest at $2.60" in asked.body["alt_txt"]  # what a screen reader says
    (sent,) = fake.wait_for(FILE_UPLOAD_METHOD)
    (completed,) = fake.wait_for("files.completeUploadExternal")
    assert completed.body["channel_id"] == "C0GENERAL"
    assert completed.body["thread_ts"] == thread
    assert completed.body["files"][0]["id"] == asked.response["file_id"] == sent.body["file"]
    png = fake.uploaded(sent.body["file"])
    assert png is not None
    assert png.startswith(PNG_SIGNATURE)
    return png


def test_chart_in_a_thread_uploads_the_threads_chart_into_it(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]
    event(server, message_event("chart it", thread_ts=thread))
    png = _uploaded_into(fake, thread)
    assert len(png) < 300_000


def test_a_chart_command_answers_then_charts_in_the_answers_thread(server, fake):
    command(server, fake, f"chart {ARTICLE}")
    (posted,) = fake.wait_for("chat.postMessage")
    assert "$7.50" in posted.body["text"]  # the table, as any answer
    _uploaded_into(fake, posted.response["ts"])


def test_a_refused_upload_says_why_in_the_thread(server, fake):
    root = ask_in_channel(server, fake)
    thread = root.response["ts"]
    fake.fail("files.getUploadURLExternal", "missing_scope")
    event(server, message_event("show a chart", thread_ts=thread))
    note = fake.wait_for("chat.postMessage", count=2)[-1]
    assert note.body["thread_ts"] == thread
    assert "files:write" in note.body["text"]
    server.wait_for_log("chart upload refused in C0GENERAL: missing_scope")
    assert fake.calls_to("files.completeUploadExternal") == []

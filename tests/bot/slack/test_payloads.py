"""Slack payloads read at the listeners' boundary: what does not fit is dropped in one line."""

import logging

import pytest

from bot.slack.envelope import unreadable_payload
from bot.slack.payloads import ButtonClick, ConversationMessage, SlashCommand, read_payload

MESSAGE = {"user": "U1", "channel": "C1", "text": "hi", "ts": "1710000000.000100"}


def test_a_well_formed_message_is_read():
    said = read_payload(ConversationMessage, MESSAGE | {"extra": 1}, what="an event")
    assert said is not None
    assert (said.user, said.channel, said.ts, said.thread_ts) == ("U1", "C1", MESSAGE["ts"], None)


@pytest.mark.parametrize(
    "changes",
    [
        {"ts": 1710000000.0001},
        {"ts": "yesterday"},
        {"thread_ts": 1710000000},
        {"thread_ts": {"ts": "1.2"}},
        {"text": ["hi"]},
        {"user": None},
        {"channel": ""},
    ],
)
def test_a_message_with_a_field_of_the_wrong_type_is_dropped_in_one_line(changes, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.slack.payloads"):
        assert read_payload(ConversationMessage, MESSAGE | changes, what="event Ev1") is None
    assert len(caplog.records) == 1
    assert caplog.records[0].exc_info is None
    assert "event Ev1" in caplog.records[0].getMessage()


def test_a_command_needs_its_channel():
    assert read_payload(SlashCommand, {"text": "help", "user_id": "U1"}, what="a command") is None
    command = read_payload(SlashCommand, {"channel_id": "C1"}, what="a command")
    assert command is not None
    assert command.text == ""


def test_a_click_needs_its_action():
    click = {"user": {"id": "U1"}, "channel": {"id": "C1"}, "actions": []}
    assert read_payload(ButtonClick, click, what="a click") is None


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "block_actions", "actions": []}',
        b'{"type": "event_callback", "event": "message"}',
        b'{"type": "event_callback", "event": {"text": "no type"}}',
        b'{"type": "view_submission", "view": {"callback_id": "c"}}',
        b'{"type": "event_callback", "authorizations": 1}',
        b'{"type": "block_actions", "team": 5, "actions": [{}]}',
    ],
)
def test_envelopes_bolt_would_choke_on_are_named(body):
    assert unreadable_payload(body, b"application/json") is not None


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "url_verification", "challenge": "abc"}',
        b'{"type": "event_callback", "event": {"type": "message"}, "team_id": "T1"}',
        b'{"type": "block_actions", "team": {"id": "T1"}, "user": "U1", "actions": [{}]}',
        b"command=%2Fllmcost&text=compare&channel_id=C1",
    ],
)
def test_slack_shaped_payloads_pass(body):
    assert unreadable_payload(body, None) is None

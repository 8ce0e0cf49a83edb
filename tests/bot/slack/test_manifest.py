"""manifest.yml asks Slack for what the app needs: every request the app listens for is one Slack
is told to send, to the endpoint the server answers on, with the scopes to receive and answer it.

Where the app can say what it needs, the test asks the app: it is built as `llmcost serve` builds
it, and synthetic Slack requests made from the manifest (one per subscribed event, slash command
and button) are matched against its registered listeners. A listener that none of them reaches is
one the manifest forgets. Which message events the app needs is a decision, not something Bolt
can tell (the message listener takes every kind of conversation), so those are listed below.
"""

import asyncio
from datetime import date
from pathlib import Path

import pytest
import yaml
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.answering import Answerer
from bot.render.blocks import HOW_TO_ASK_ACTION, OPEN_CALCULATOR_ACTION, SHARE_ACTION
from bot.render.buttons import MOST_BUTTONS, NEXT_ACTION
from bot.render.calculator import ADD_MODEL_VIEW, CALCULATOR_VIEW, MODELS_ACTION
from bot.settings import load_settings
from bot.slack.app import build_app
from bot.slack.listeners.calculator import CALCULATOR_SHORTCUT
from bot.slack.listeners.commands import COMMAND
from bot.slack.listeners.message_tokens import COUNT_MESSAGE_SHORTCUT, SHORTCUT_NAME
from bot.slack.services import Services
from bot.slack.web import EVENTS_PATH
from bot.storage.store import Store

MANIFEST_FILE = Path(__file__).parents[3] / "manifest.yml"

# Slack's message events, one per kind of conversation: the channel_type such an event carries,
# and the scope without which Slack does not send it (https://api.slack.com/events/message).
# llmcost answers in threads of its answers in public and private channels, and in direct and
# group direct messages, so it needs all four.
MESSAGE_EVENTS = {
    "message.channels": ("channel", "channels:history"),
    "message.groups": ("group", "groups:history"),
    "message.im": ("im", "im:history"),
    "message.mpim": ("mpim", "mpim:history"),
}
# The events the app needs, and the scope each needs (app_home_opened needs none).
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "app_home_opened": None,
    **{event: scope for event, (_, scope) in MESSAGE_EVENTS.items()},
}
# The buttons the app's messages and Home tab carry, and the modals it opens; each reaches the
# app only with interactivity enabled.
ACTION_IDS = [
    SHARE_ACTION,
    *(f"{NEXT_ACTION}_{index}" for index in range(MOST_BUTTONS)),
    OPEN_CALCULATOR_ACTION,
    HOW_TO_ASK_ACTION,
]
VIEW_CALLBACK_IDS = [CALCULATOR_VIEW, ADD_MODEL_VIEW]
# The selects whose options the app serves, through the options URL.
OPTIONS_ACTION_IDS = [MODELS_ACTION]
# The shortcuts the app answers, by callback_id and type.
SHORTCUTS = {CALCULATOR_SHORTCUT: "global", COUNT_MESSAGE_SHORTCUT: "message"}
# Scopes for what the app does rather than what it receives: users:read gives a digest
# subscriber's time zone; the history scopes above also let the clock check, before posting a
# digest again, that an interrupted attempt did not post it (conversations.history); files:read
# lets it download a training file shared with it (url_private, files.info), files:write upload
# a chart into a thread. A shared file arrives in the message events above (subtype
# file_share), so no file event is subscribed.
ANSWER_SCOPES = {"commands", "chat:write", "users:read", "files:read", "files:write"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def app(tmp_path, monkeypatch) -> AsyncApp:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in ("SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL", "LLMCOST_TARIFFS"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(slack_bot_token="xoxb-1", slack_signing_secret="0" * 32)
    services = Services(
        answerer=Answerer(None, today=date.today),
        store=Store(f"sqlite:///{tmp_path / 'llmcost.db'}"),
    )
    return build_app(settings, services)


def _features(manifest: dict) -> dict:
    return manifest.get("features") or {}


def _settings(manifest: dict) -> dict:
    return manifest.get("settings") or {}


def _bot_events(manifest: dict) -> list[str]:
    return list((_settings(manifest).get("event_subscriptions") or {}).get("bot_events") or [])


def _bot_scopes(manifest: dict) -> set[str]:
    return set(((manifest.get("oauth_config") or {}).get("scopes") or {}).get("bot") or [])


def _slash_commands(manifest: dict) -> list[dict]:
    return list(_features(manifest).get("slash_commands") or [])


def _interactive(manifest: dict) -> bool:
    return (_settings(manifest).get("interactivity") or {}).get("is_enabled") is True


def _options_url(manifest: dict) -> str | None:
    return (_settings(manifest).get("interactivity") or {}).get("message_menu_options_url")


def _shortcuts(manifest: dict) -> list[dict]:
    return list(_features(manifest).get("shortcuts") or [])


# -- requests Slack would send, as Bolt sees them ---------------------------------------------


def _event_request(bot_event: str) -> dict:
    """The body of an Events API request for a subscribed event ("message.im" is a message
    event from a direct message)."""
    if bot_event in MESSAGE_EVENTS:
        event = {"type": "message", "channel_type": MESSAGE_EVENTS[bot_event][0]}
    else:
        event = {"type": bot_event}
    event |= {"user": "U1", "channel": "C1", "text": "hi", "ts": "1.000001"}
    return {"type": "event_callback", "team_id": "T1", "event_id": "Ev1", "event": event}


def _command_request(command: str) -> dict:
    return {"command": command, "text": "help", "team_id": "T1", "user_id": "U1"}


def _action_request(action_id: str) -> dict:
    return {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "actions": [{"type": "button", "action_id": action_id, "value": "help"}],
    }


def _shortcut_request(shortcut: dict) -> dict:
    kind = "shortcut" if shortcut["type"] == "global" else "message_action"
    return {"type": kind, "callback_id": shortcut["callback_id"], "team": {"id": "T1"}}


def _view_request(callback_id: str) -> dict:
    view = {"type": "modal", "callback_id": callback_id}
    return {"type": "view_submission", "team": {"id": "T1"}, "view": view}


def _options_request(action_id: str) -> dict:
    return {"type": "block_suggestion", "action_id": action_id, "team": {"id": "T1"}}


def _requests_from(manifest: dict) -> dict[str, dict]:
    """What Slack sends the app under this manifest, by what asked for it."""
    requests = {f"event {event}": _event_request(event) for event in _bot_events(manifest)}
    for command in _slash_commands(manifest):
        requests[f"command {command['command']}"] = _command_request(command["command"])
    if _interactive(manifest):
        requests |= {f"action {a}": _action_request(a) for a in ACTION_IDS}
        requests |= {f"view {v}": _view_request(v) for v in VIEW_CALLBACK_IDS}
        for shortcut in _shortcuts(manifest):
            requests[f"shortcut {shortcut['callback_id']}"] = _shortcut_request(shortcut)
        if _options_url(manifest):
            requests |= {f"options {a}": _options_request(a) for a in OPTIONS_ACTION_IDS}
    return requests


def _listeners_for(app: AsyncApp, body: dict) -> list[str]:
    """The app's listeners that take this request: Bolt's own matching, without running them.

    Bolt keeps its listeners in `_async_listeners` (a list since Bolt 1.0; there is no public
    accessor); each has the public `async_matches`, which is what Bolt's dispatch calls.
    """

    async def matching() -> list[str]:
        request = AsyncBoltRequest(body=body, mode="socket_mode")  # a dict body, unsigned
        return [
            listener.ack_function.__name__
            for listener in app._async_listeners
            if await listener.async_matches(req=request, resp=BoltResponse(status=200))
        ]

    return asyncio.run(matching())


# -- the manifest on its own ------------------------------------------------------------------


def test_the_slash_command_is_the_one_the_app_listens_for(manifest):
    commands = {command["command"]: command for command in _slash_commands(manifest)}
    assert COMMAND == "/llmcost"
    assert COMMAND in commands
    assert commands[COMMAND]["url"].endswith(EVENTS_PATH)


def test_every_request_goes_to_the_one_endpoint_the_server_answers_on(manifest):
    assert EVENTS_PATH == "/slack/events"
    assert _settings(manifest)["event_subscriptions"]["request_url"].endswith(EVENTS_PATH)
    assert _settings(manifest)["interactivity"]["request_url"].endswith(EVENTS_PATH)
    for command in _slash_commands(manifest):
        assert command["url"].endswith(EVENTS_PATH), command["command"]


def test_interactivity_is_enabled_for_the_buttons(manifest):
    assert ACTION_IDS
    assert _interactive(manifest)


def test_the_app_is_subscribed_to_every_event_it_needs(manifest):
    assert set(EVENT_SCOPES) <= set(_bot_events(manifest))


def test_each_subscribed_event_has_its_scope(manifest):
    scopes = _bot_scopes(manifest)
    for event in _bot_events(manifest):
        needed = EVENT_SCOPES.get(event)
        if event.startswith("message."):
            needed = f"{event.removeprefix('message.')}:history"  # message.X needs X:history
        if needed is not None:
            assert needed in scopes, f"{event} needs the {needed} scope"


def test_the_bot_has_the_scopes_to_answer(manifest):
    needed = ANSWER_SCOPES | {scope for scope in EVENT_SCOPES.values() if scope}
    assert needed <= _bot_scopes(manifest)


def test_the_home_tab_is_enabled(manifest):
    assert _features(manifest)["app_home"]["home_tab_enabled"] is True


def test_the_shortcuts_are_declared_with_their_types(manifest):
    declared = {shortcut["callback_id"]: shortcut["type"] for shortcut in _shortcuts(manifest)}
    assert declared == SHORTCUTS
    names = {shortcut["callback_id"]: shortcut["name"] for shortcut in _shortcuts(manifest)}
    assert names.get(COUNT_MESSAGE_SHORTCUT) == SHORTCUT_NAME  # the answer says it by name
    for shortcut in _shortcuts(manifest):
        assert shortcut["name"]
        assert len(shortcut["description"]) <= 80


def test_the_model_pickers_options_come_to_the_one_endpoint(manifest):
    assert (_options_url(manifest) or "").endswith(EVENTS_PATH)


# -- the manifest against the app -------------------------------------------------------------


def test_the_app_listens_for_everything_the_manifest_sends(manifest, app):
    requests = _requests_from(manifest)
    assert requests
    unanswered = [what for what, body in requests.items() if not _listeners_for(app, body)]
    assert unanswered == [], "manifest.yml sends requests no listener takes"


def test_every_listener_is_reached_by_something_the_manifest_sends(manifest, app):
    reached = {
        name for body in _requests_from(manifest).values() for name in _listeners_for(app, body)
    }
    registered = {listener.ack_function.__name__ for listener in app._async_listeners}
    assert registered, "no listeners found: has Bolt changed where it keeps them?"
    # A listener missing here listens for something manifest.yml does not ask Slack to send
    # (an event, a command, or a button whose action_id ACTION_IDS lacks).
    assert registered - reached == set()


def test_the_app_needs_the_message_events_it_is_subscribed_to(app):
    """The message listener takes each kind of conversation the manifest subscribes to; a
    listener narrowed to some of them would make the rest of MESSAGE_EVENTS pointless."""
    for event in MESSAGE_EVENTS:
        assert _listeners_for(app, _event_request(event)), event


# -- the checks notice a manifest that lost something ------------------------------------------

MANIFEST_CHECKS = [
    test_the_slash_command_is_the_one_the_app_listens_for,
    test_every_request_goes_to_the_one_endpoint_the_server_answers_on,
    test_interactivity_is_enabled_for_the_buttons,
    test_the_app_is_subscribed_to_every_event_it_needs,
    test_each_subscribed_event_has_its_scope,
    test_the_bot_has_the_scopes_to_answer,
    test_the_home_tab_is_enabled,
    test_the_shortcuts_are_declared_with_their_types,
    test_the_model_pickers_options_come_to_the_one_endpoint,
]


def _without(path: tuple[str, ...], entry: str):
    def lose(manifest: dict) -> None:
        listed = manifest
        for key in path:
            listed = listed[key]
        listed.remove(entry)

    return lose


def _set(path: tuple[str, ...], value: object):
    def change(manifest: dict) -> None:
        *parents, last = path
        for key in parents:
            manifest = manifest[key]
        manifest[last] = value

    return change


LOSSES = {
    **{
        f"no {event}": _without(("settings", "event_subscriptions", "bot_events"), event)
        for event in EVENT_SCOPES
    },
    **{
        f"no {scope}": _without(("oauth_config", "scopes", "bot"), scope)
        for scope in sorted(ANSWER_SCOPES | {s for s in EVENT_SCOPES.values() if s})
    },
    "no slash command": _set(("features", "slash_commands"), []),
    "command elsewhere": _set(("features", "slash_commands", 0, "url"), "https://h/commands"),
    "events elsewhere": _set(("settings", "event_subscriptions", "request_url"), "https://h/e"),
    "actions elsewhere": _set(("settings", "interactivity", "request_url"), "https://h/a"),
    "no interactivity": _set(("settings", "interactivity", "is_enabled"), False),
    "no home tab": _set(("features", "app_home", "home_tab_enabled"), False),
    "no shortcuts": _set(("features", "shortcuts"), []),
    "no options url": _set(("settings", "interactivity", "message_menu_options_url"), None),
    "options elsewhere": _set(
        ("settings", "interactivity", "message_menu_options_url"), "https://h/options"
    ),
}


@pytest.mark.parametrize("lose", LOSSES.values(), ids=LOSSES.keys())
def test_a_manifest_that_loses_what_the_app_needs_fails_the_checks(lose):
    broken = yaml.safe_load(MANIFEST_FILE.read_text(encoding="utf-8"))
    lose(broken)
    failed = []
    for check in MANIFEST_CHECKS:
        try:
            check(broken)
        except (AssertionError, KeyError, TypeError):
            failed.append(check.__name__)
    assert failed, "no check noticed"

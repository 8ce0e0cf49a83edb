"""The parts of Slack's payloads the listeners use, validated where they come in.

A request signed by Slack can still lack a field or carry the wrong type (a `ts` that is a
number would be stored as given). Each listener reads its payload through `read_payload`: what
does not fit is dropped with one log line and no answer, never a KeyError after the ack.
"""

import logging
import re
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

log = logging.getLogger(__name__)

# Slack's message timestamps: seconds, a dot, microseconds ("1710000000.000100").
SLACK_TS = r"^[0-9]{1,12}\.[0-9]{1,9}$"
SlackTs = Annotated[str, StringConstraints(pattern=SLACK_TS)]


def is_slack_ts(value: object) -> bool:
    """Whether a value Slack returned is a message timestamp, as incoming ones are checked."""
    return isinstance(value, str) and re.fullmatch(SLACK_TS, value) is not None


SlackId = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Payload(BaseModel):
    # Strict: a number is not a string here; fields llmcost does not use are ignored.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class ConversationMessage(Payload):
    """A message or a mention that llmcost may answer in its thread."""

    user: SlackId
    channel: SlackId
    # Always sent, empty when a file is shared without a word; an event without it is malformed.
    text: str
    ts: SlackTs
    thread_ts: SlackTs | None = None
    team: str | None = None


class SlashCommand(Payload):
    channel_id: SlackId
    text: str = ""
    user_id: SlackId | None = None
    team_id: str = ""
    trigger_id: str = ""  # opens a modal: the calculator, for `/llmcost` alone


class Ref(Payload):
    id: SlackId


class ClickedButton(Payload):
    value: str


class Container(Payload):
    thread_ts: SlackTs | None = None
    message_ts: SlackTs | None = None  # the message whose button was clicked


class ButtonClick(Payload):
    """A click on a button of one of llmcost's messages."""

    actions: Annotated[list[ClickedButton], Field(min_length=1)]  # the first is the click
    user: Ref
    channel: Ref
    container: Container = Container()
    trigger_id: SlackId | None = None  # opens a modal: "Add a model…"


class Shortcut(Payload):
    """A global shortcut ("Price LLM usage"), or a button that opens a modal."""

    trigger_id: SlackId
    user: Ref


class ShortcutMessage(Payload):
    text: str = ""
    ts: SlackTs


class MessageShortcut(Payload):
    """ "Count tokens and price this message", on a message's menu."""

    trigger_id: SlackId
    user: Ref
    channel: Ref
    message: ShortcutMessage


class SubmittedView(Payload):
    callback_id: str
    # Slack's state is read field by field (bot.slack.forms): its shape is checked there.
    state: dict = {}
    private_metadata: str = ""


class ViewSubmission(Payload):
    user: Ref
    view: SubmittedView


class OptionsRequest(Payload):
    """A picker asking for its options (block_suggestion) as someone types."""

    action_id: str
    value: str = ""


class HomeOpened(Payload):
    user: SlackId
    tab: str = "home"


P = TypeVar("P", bound=Payload)


def read_payload(model: type[P], payload: object, *, what: str) -> P | None:
    """`payload` as a `model`; None, logged in one line, when it does not fit."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'payload'}: {problem['msg']}"
            for problem in error.errors(include_url=False, include_input=False)
        )
        log.warning("ignored %s that Slack signed but llmcost cannot read: %s", what, problems)
        return None

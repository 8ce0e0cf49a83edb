"""Whether a signed body is a Slack payload Bolt can read without raising.

Bolt parses the body in its HTTP adapter, outside the try that answers errors, and its helpers
(`to_action`, `extract_team_id` and the rest, run for every matcher and every error handler)
index into the payload as Slack shapes it: `actions[0]`, `event["type"]`, `view["type"]`,
`authorizations[0]`. A body shaped otherwise got HTTP 500 and a traceback, even from an `app.error`
handler. This checks those shapes first, with the same reading of the body as Bolt's.
"""

from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from pricing import json_input

Object = dict[str, Any]
# Slack sends `team`, `user`, `channel` and `enterprise` as an id or as an object with an id.
IdOrObject = str | Object | None


class EventEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    # Bolt reads these as ids (a `user_change` event's user is an object).
    user: str | Object | None = None
    channel: IdOrObject = None


class ViewEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    callback_id: str | None = None


class Envelope(BaseModel):
    """Only what Bolt's helpers index into; the listeners check what they use themselves."""

    model_config = ConfigDict(extra="allow")
    type: str | None = None
    event: EventEnvelope | None = None
    actions: list[Object] | None = None
    view: ViewEnvelope | None = None
    authorizations: list[Object] | None = None
    team: IdOrObject = None
    user: IdOrObject = None
    channel: IdOrObject = None
    enterprise: IdOrObject = None
    message: Object | None = None
    container: Object | None = None
    workflow_step: Object | None = None
    item: Object | None = None
    state: Object | None = None

    @model_validator(mode="after")
    def actions_name_the_click(self) -> "Envelope":
        if self.type in ("block_actions", "interactive_message") and not self.actions:
            raise ValueError("a click without its action")
        return self


def is_json(content_type: bytes | None) -> bool:
    """Whether the media type is JSON, whatever its parameters ('; charset=utf-8'), as Bolt
    reads it."""
    media = (content_type or b"").split(b";")[0].strip().lower()
    return media == b"application/json"


def form_fields(text: str) -> dict[str, str]:
    return dict(parse_qsl(text, keep_blank_values=True))


def unreadable_payload(body: bytes, content_type: bytes | None) -> str | None:
    """Why a signed body is not a payload Bolt can read (None when it is one): Slack sends UTF-8
    JSON, or a form whose fields are strings and whose `payload` field, if any, is JSON, and
    that JSON an object shaped as `Envelope` says. JSON is bounded before it is parsed."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if not text:
        return "an empty body"
    try:
        if is_json(content_type) or text.startswith("{"):
            parsed: object = json_input.loads(text)
        elif "payload" in text and "payload" in (fields := form_fields(text)):
            parsed = json_input.loads(fields["payload"])
        else:
            return None  # a slash command's form: every field a string
    except ValueError as error:  # not JSON, or nested too deep
        return f"the body is not JSON ({str(error)[:120]})"
    if not isinstance(parsed, dict):
        return f"the payload is a JSON {type(parsed).__name__}, not an object"
    try:
        Envelope.model_validate(parsed)
    except ValidationError as error:
        return "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'payload'}: {problem['msg']}"
            for problem in error.errors(include_url=False, include_input=False)
        )
    return None

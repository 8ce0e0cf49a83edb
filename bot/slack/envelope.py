"""Whether a signed body is a Slack payload Bolt can read without raising.

Bolt parses the body in its HTTP adapter, outside the try that answers errors, and its helpers
(`to_action`, `extract_team_id` and the rest, run for every matcher and every error handler)
index into the payload as Slack shapes it: `actions[0]`, `event["type"]`, `view["type"]`,
`authorizations[0]`. A body shaped otherwise got HTTP 500 and a traceback, even from an `app.error`
handler. This checks those shapes first, with the same reading of the body as Bolt's.
"""

import json
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

Object = dict[str, Any]
# Slack sends `team`, `user`, `channel` and `enterprise` as an id or as an object with an id.
IdOrObject = str | Object | None


class EventEnvelope(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str


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


def unreadable_payload(body: bytes, content_type: bytes | None) -> str | None:
    """Why a signed body is not a payload Bolt can read (None when it is one): Slack sends UTF-8
    JSON, or a form whose fields are strings and whose `payload`, if any, is JSON, and that
    JSON an object shaped as `Envelope` says."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the body is not UTF-8"
    if not text:
        return "an empty body"
    try:
        if content_type == b"application/json" or text.startswith("{"):
            parsed: object = json.loads(text)
        elif "payload" in text:
            parsed = json.loads(dict(parse_qsl(text, keep_blank_values=True)).get("payload", "{}"))
        else:
            return None  # a slash command's form: every field a string
    except ValueError as error:  # json.JSONDecodeError is one
        return f"the body is not JSON ({error})"
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

"""Machine-readable answers: one JSON object, money as decimal strings."""

import json

from pydantic import BaseModel

from pricing.errors import LlmcostError


def render_json(answer: BaseModel, extra: dict[str, object] | None = None) -> str:
    """The answer as one JSON object; `extra` adds fields of its own (a chart's series)."""
    document = answer.model_dump(mode="json") | (extra or {})
    return json.dumps(document, indent=2, ensure_ascii=False)


def render_json_error(error: LlmcostError) -> str:
    return json.dumps({"error": {"message": error.message, "suggestions": error.suggestions}})

"""Machine-readable answers: one JSON object, money as decimal strings."""

import json

from pydantic import BaseModel

from pricing.errors import LlmcostError


def render_json(answer: BaseModel) -> str:
    return json.dumps(answer.model_dump(mode="json"), indent=2, ensure_ascii=False)


def render_json_error(error: LlmcostError) -> str:
    return json.dumps({"error": {"message": error.message, "suggestions": error.suggestions}})

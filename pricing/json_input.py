"""JSON read from outside (price files, training lines, Slack payloads): a UTF-8 byte-order mark
is dropped, as editors expect, and nesting is bounded before the parser sees the text. Python's
json module recurses once per level, so 150,000 '[' exhaust the stack (RecursionError) instead
of being refused; a scan of the brackets, strings skipped whole, refuses them first."""

import json
import re
from typing import Any

# genai-prices' data nests 8 deep, a chat example about 6, Slack's payloads under 20.
MAX_JSON_DEPTH = 64
BOM = "\ufeff"
# A JSON string (escapes included), or one bracket: strings are skipped whole.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class JsonTooDeep(ValueError):
    """Nested deeper than the bound; the message says so."""


def without_bom(text: str) -> str:
    return text.removeprefix(BOM)


def bytes_without_bom(raw: bytes) -> bytes:
    return raw.removeprefix(BOM.encode())


def check_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise JsonTooDeep if arrays and objects in `text` nest deeper than `limit`. A scan, not
    a parse: it may count a level in text that is not JSON anyway, never one too few."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise JsonTooDeep(f"arrays and objects nest more than {limit} deep")
        elif token in "]}":
            depth -= 1


def loads(raw: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """json.loads, with a byte-order mark dropped and nesting bounded. Raises ValueError (its
    subclasses json.JSONDecodeError, UnicodeDecodeError and JsonTooDeep say which)."""
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    text = without_bom(text)
    check_depth(text, limit)
    return json.loads(text)

"""A fine-tuning training file, checked and counted as OpenAI's cookbook does it ("Data
preparation and analysis for chat model fine-tuning"), from its bytes: no file system here.

The caller cuts the file into blocks of whole lines (`line_blocks`), tallies each block
(`tally_block`, which a process pool can run) and adds the tallies (`FileTally.plus`). A tally
keeps histograms of token counts, never the examples, so memory does not grow with the file and
medians, percentiles and any cap's total can be read off it afterwards.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

from pricing import json_input
from pricing.errors import LlmcostError

Key = TypeVar("Key")
Format = Literal["chat", "preference", "prompt_completion"]
FORMAT_NAMES: dict[str, str] = {
    "chat": "OpenAI chat (messages)",
    "preference": "preference pairs (DPO)",
    "prompt_completion": "legacy prompt/completion (babbage-002, davinci-002)",
}

# A training example is at most 131,072 tokens (Gemini 2.5) and a token is a few bytes; a line
# far beyond that is not a training example (or is an image inlined as base64).
MAX_LINE_BYTES = 8 * 1024 * 1024
# Errors kept per kind with their line numbers; the count covers them all.
ERRORS_KEPT_PER_KIND = 5

ERROR_KINDS: dict[str, str] = {
    "not_json": "not JSON",
    "not_object": "not a JSON object",
    "missing_messages": "missing or empty 'messages'",
    "unknown_role": "unknown role",
    "missing_content": "missing content",
    "no_assistant": "no assistant message",
    "unknown_key": "unknown key",
    "other_format": "not in the file's format",
}

# The cookbook's roles, plus those OpenAI's chat format added since (tools, developer).
ROLES = frozenset({"system", "developer", "user", "assistant", "function", "tool"})
# The cookbook's message keys, plus tool calling's.
MESSAGE_KEYS = frozenset(
    {"role", "content", "name", "function_call", "weight", "tool_calls", "tool_call_id"}
)
EXAMPLE_KEYS: dict[str, frozenset[str]] = {
    "chat": frozenset({"messages", "tools", "functions", "parallel_tool_calls"}),
    "preference": frozenset({"input", "preferred_output", "non_preferred_output"}),
    "prompt_completion": frozenset({"prompt", "completion"}),
}
# The cookbook's constants: every message costs 3 tokens of framing, a name 1 more, and every
# example 3 to prime the reply.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
TOKENS_PER_EXAMPLE = 3


class TrainingFileError(LlmcostError):
    """The file as a whole cannot be read as training data (one line says why)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class LineError(_Frozen):
    line: int
    kind: str
    message: str


class EncodingTally(_Frozen):
    """Token counts under one encoding, as histograms: tokens -> how many examples."""

    encoding: str
    examples: dict[int, int] = {}
    # One typical request: the messages before the last assistant message, and that message.
    prompts: dict[int, int] = {}
    completions: dict[int, int] = {}


class FileTally(_Frozen):
    """What a block of lines (or a whole file) holds, added up."""

    format: Format
    lines: int = 0
    bytes: int = 0
    examples: int = 0
    invalid: int = 0
    error_counts: dict[str, int] = {}
    errors: tuple[LineError, ...] = ()  # the first few of each kind, by line
    encodings: tuple[EncodingTally, ...] = ()
    # What was counted beyond the cookbook's num_tokens_from_messages: name -> examples.
    counted_beyond_cookbook: dict[str, int] = {}

    def plus(self, other: "FileTally") -> "FileTally":
        """This tally followed by `other` (a later block of the same file)."""
        errors = sorted((*self.errors, *other.errors), key=lambda error: error.line)
        kept: list[LineError] = []
        per_kind: Counter[str] = Counter()
        for error in errors:
            per_kind[error.kind] += 1
            if per_kind[error.kind] <= ERRORS_KEPT_PER_KIND:
                kept.append(error)
        theirs = {tally.encoding: tally for tally in other.encodings}
        return FileTally(
            format=self.format,
            lines=self.lines + other.lines,
            bytes=self.bytes + other.bytes,
            examples=self.examples + other.examples,
            invalid=self.invalid + other.invalid,
            error_counts=added(self.error_counts, other.error_counts),
            errors=tuple(kept),
            encodings=tuple(
                EncodingTally(
                    encoding=mine.encoding,
                    examples=added(mine.examples, theirs[mine.encoding].examples),
                    prompts=added(mine.prompts, theirs[mine.encoding].prompts),
                    completions=added(mine.completions, theirs[mine.encoding].completions),
                )
                for mine in self.encodings
            ),
            counted_beyond_cookbook=added(
                self.counted_beyond_cookbook, other.counted_beyond_cookbook
            ),
        )

    def under(self, encoding: str) -> EncodingTally:
        for tally in self.encodings:
            if tally.encoding == encoding:
                return tally
        raise KeyError(encoding)


def added(first: Mapping[Key, int], second: Mapping[Key, int]) -> dict[Key, int]:
    total = Counter(first)
    total.update(second)
    return dict(total)


def empty_tally(file_format: Format, encodings: Iterable[str]) -> FileTally:
    return FileTally(
        format=file_format,
        encodings=tuple(EncodingTally(encoding=encoding) for encoding in encodings),
    )


# --- statistics read off a histogram ---------------------------------------------------------


def histogram_total(histogram: Mapping[int, int], cap: int | None = None) -> int:
    """Sum of the counts, each at most `cap`."""
    return sum((value if cap is None else min(value, cap)) * n for value, n in histogram.items())


def histogram_over(histogram: Mapping[int, int], cap: int | None) -> int:
    return 0 if cap is None else sum(n for value, n in histogram.items() if value > cap)


def histogram_quantile(histogram: Mapping[int, int], fraction: float) -> float:
    """numpy's default (linear) quantile, as the cookbook's np.median and np.quantile give it."""
    size = sum(histogram.values())
    if size == 0:
        return 0.0
    position = (size - 1) * fraction
    lower, upper = int(position), min(int(position) + 1, size - 1)
    low_value = high_value = None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if low_value is None and seen > lower:
            low_value = value
        if seen > upper:
            high_value = value
            break
    assert low_value is not None
    assert high_value is not None
    return low_value + (high_value - low_value) * (position - lower)


# --- cutting bytes into blocks of lines --------------------------------------------------------


def line_blocks(chunks: Iterable[bytes], block_bytes: int) -> Iterator[tuple[int, bytes]]:
    """Blocks of about `block_bytes` of whole lines, each with its first line's number (1-based),
    from `chunks` of any size. A line longer than MAX_LINE_BYTES stops it with one clear error."""
    pending = bytearray()
    line_number = 1
    for chunk in chunks:
        pending += chunk
        if len(pending) < block_bytes:
            continue
        end = pending.rfind(b"\n") + 1
        if end == 0:
            _refuse_long_line(len(pending), line_number)
            continue
        block = bytes(pending[:end])
        del pending[:end]
        yield line_number, block
        line_number += block.count(b"\n")
    if pending:
        _refuse_long_line(len(pending), line_number)
        yield line_number, bytes(pending)


def _refuse_long_line(size: int, line_number: int) -> None:
    if size > MAX_LINE_BYTES:
        raise TrainingFileError(
            f"Line {line_number:,} is over {MAX_LINE_BYTES // 1024 // 1024} MB: a training file "
            "has one example per line (JSONL), each far smaller."
        )


def first_format(block: bytes) -> Format:
    """The file's format, from its first line holding a JSON object; chat when none does."""
    for raw in block.splitlines():
        try:
            example = json_input.loads(raw)
        except ValueError:
            continue
        if isinstance(example, dict):
            return format_of(example)
    return "chat"


def format_of(example: Mapping[str, object]) -> Format:
    if "preferred_output" in example or "non_preferred_output" in example:
        return "preference"
    if "messages" not in example and ("prompt" in example or "completion" in example):
        return "prompt_completion"
    return "chat"


# --- one block ---------------------------------------------------------------------------------


def tally_block(
    first_line: int, block: bytes, file_format: Format, encodings: tuple[str, ...]
) -> FileTally:
    """Check and count every line of `block`, whose first line is line `first_line`."""
    counters = {encoding: _Histograms() for encoding in encodings}
    # Here, not at the top: a cold `llmcost compare` has no use for tiktoken (~10 ms to import).
    from pricing import tokens as tokenizers

    counting = {encoding: tokenizers.short_text_counter(encoding) for encoding in encodings}
    errors: list[LineError] = []
    error_counts: Counter[str] = Counter()
    beyond: Counter[str] = Counter()
    examples = invalid = lines = 0
    for offset, raw in enumerate(block.splitlines()):
        number = first_line + offset
        lines += 1
        if len(raw) > MAX_LINE_BYTES:
            _refuse_long_line(len(raw), number)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as problem:
            raise TrainingFileError(
                f"Line {number:,} is not UTF-8 text (byte {problem.start + 1}): "
                "a JSONL training file is UTF-8."
            ) from problem
        if not text.strip():
            continue
        found = check_example(text, file_format)
        if isinstance(found, list):
            invalid += 1
            for kind, message in found:
                error_counts[kind] += 1
                if error_counts[kind] <= ERRORS_KEPT_PER_KIND:
                    errors.append(LineError(line=number, kind=kind, message=message))
            continue
        examples += 1
        beyond.update(found.beyond_cookbook)
        for encoding, histograms in counters.items():
            prompt, completion = found.count(counting[encoding])
            histograms.add(prompt, completion)
    return FileTally(
        format=file_format,
        lines=lines,
        bytes=len(block),
        examples=examples,
        invalid=invalid,
        error_counts=dict(error_counts),
        errors=tuple(errors),
        encodings=tuple(histograms.tally(encoding) for encoding, histograms in counters.items()),
        counted_beyond_cookbook=dict(beyond),
    )


class _Histograms:
    def __init__(self) -> None:
        self.examples: Counter[int] = Counter()
        self.prompts: Counter[int] = Counter()
        self.completions: Counter[int] = Counter()

    def add(self, prompt: int, completion: int) -> None:
        self.examples[prompt + completion] += 1
        self.prompts[prompt] += 1
        self.completions[completion] += 1

    def tally(self, encoding: str) -> EncodingTally:
        return EncodingTally(
            encoding=encoding,
            examples=dict(self.examples),
            prompts=dict(self.prompts),
            completions=dict(self.completions),
        )


# --- one example -------------------------------------------------------------------------------


class Example:
    """A valid example: the texts to count, split into the prompt and the reply it trains."""

    def __init__(self) -> None:
        self.prompt_texts: list[str] = []
        self.completion_texts: list[str] = []
        self.prompt_framing = TOKENS_PER_EXAMPLE
        self.completion_framing = 0
        self.beyond_cookbook: set[str] = set()

    def count(self, count_text: Callable[[str], int]) -> tuple[int, int]:
        prompt = self.prompt_framing + sum(map(count_text, self.prompt_texts))
        completion = self.completion_framing + sum(map(count_text, self.completion_texts))
        return prompt, completion


def check_example(text: str, file_format: Format) -> Example | list[tuple[str, str]]:
    """The example on one line, or what is wrong with it: (kind, message) for each kind."""
    try:
        example = json_input.loads(text)
    except json.JSONDecodeError as problem:
        return [("not_json", f"{problem.msg} at column {problem.colno}")]
    except ValueError as problem:  # nested too deep
        return [("not_json", str(problem))]
    if not isinstance(example, dict):
        return [("not_object", f"a JSON {type(example).__name__}, not an object")]
    found_format = format_of(example)
    if found_format != file_format:
        return [
            (
                "other_format",
                f"{FORMAT_NAMES[found_format]}, not the file's {FORMAT_NAMES[file_format]}",
            )
        ]
    problems: dict[str, str] = {}
    unknown = sorted(set(example) - EXAMPLE_KEYS[file_format])
    if unknown:
        problems["unknown_key"] = f"unknown key {', '.join(map(repr, unknown))}"
    result = Example()
    if file_format == "prompt_completion":
        _check_prompt_completion(example, result, problems)
    elif file_format == "preference":
        _check_preference(example, result, problems)
    else:
        _check_chat(example, result, problems)
    return list(problems.items()) if problems else result


def _check_chat(example: dict[str, Any], result: Example, problems: dict[str, str]) -> None:
    messages = example.get("messages")
    if not messages or not isinstance(messages, list):
        problems["missing_messages"] = "'messages' is missing or empty"
        return
    _check_messages(messages, problems)
    if problems:
        return
    last = max(i for i, message in enumerate(messages) if message.get("role") == "assistant")
    _add_messages(messages[:last], result.prompt_texts, result)
    _add_reply(messages[last], result)
    _add_messages(messages[last + 1 :], result.prompt_texts, result)
    _add_tools(example, result)


def _check_preference(example: dict[str, Any], result: Example, problems: dict[str, str]) -> None:
    prompt = example.get("input")
    messages = prompt.get("messages") if isinstance(prompt, dict) else None
    if not messages or not isinstance(messages, list):
        problems["missing_messages"] = "'input' has no 'messages'"
        return
    preferred, other = example.get("preferred_output"), example.get("non_preferred_output")
    if not preferred or not other or not isinstance(preferred, list) or not isinstance(other, list):
        problems["no_assistant"] = "'preferred_output' and 'non_preferred_output' need one"
        return
    outputs = [preferred, other]
    _check_messages([*messages, *outputs[0], *outputs[1]], problems, need_assistant=False)
    for output in outputs:
        if not any(isinstance(m, dict) and m.get("role") == "assistant" for m in output):
            problems["no_assistant"] = "an output has no assistant message"
    if problems:
        return
    _add_messages(messages, result.prompt_texts, result)
    # Both replies are trained on; the preferred one is the request a tuned model answers.
    _add_reply(outputs[0][-1], result)
    _add_messages([*outputs[0][:-1], *outputs[1]], result.prompt_texts, result)
    if isinstance(prompt, dict):
        _add_tools(prompt, result)


def _check_prompt_completion(
    example: dict[str, Any], result: Example, problems: dict[str, str]
) -> None:
    prompt, completion = example.get("prompt"), example.get("completion")
    if not isinstance(prompt, str) or not isinstance(completion, str) or not completion:
        problems["missing_content"] = "'prompt' and 'completion' must be text"
        return
    # The legacy format has no chat framing: the tokens are the two texts'.
    result.prompt_framing = 0
    result.prompt_texts.append(prompt)
    result.completion_texts.append(completion)


def _check_messages(
    messages: list[Any], problems: dict[str, str], need_assistant: bool = True
) -> None:
    """The cookbook's checks of each message; one message per kind is described."""
    for index, message in enumerate(messages, start=1):
        where = f"message {index}"
        if not isinstance(message, dict):
            problems.setdefault("missing_content", f"{where} is not an object")
            continue
        unknown = sorted(set(message) - MESSAGE_KEYS)
        if unknown:
            problems.setdefault("unknown_key", f"{where} has unknown key {unknown[0]!r}")
        role = message.get("role")
        if role not in ROLES:
            shown = "no role" if role is None else f"role {str(role)[:40]!r}"
            problems.setdefault("unknown_role", f"{where} has {shown}")
        if not _has_content(message):
            problems.setdefault("missing_content", f"{where} ({role}) has no content")
    if need_assistant and not any(
        isinstance(m, dict) and m.get("role") == "assistant" for m in messages
    ):
        problems["no_assistant"] = ""


def _has_content(message: dict[str, Any]) -> bool:
    content = message.get("content")
    if message.get("function_call") or message.get("tool_calls"):
        return content is None or isinstance(content, str | list)
    if isinstance(content, list):
        return bool(content) and all(isinstance(part, dict) for part in content)
    return isinstance(content, str) and bool(content)


def _add_messages(messages: list[dict[str, Any]], texts: list[str], result: Example) -> None:
    for message in messages:
        result.prompt_framing += TOKENS_PER_MESSAGE
        _add_values(message, texts, result, counts_name=True)


def _add_reply(message: dict[str, Any], result: Example) -> None:
    """The trained reply: its content is the completion; its framing and role are prompt."""
    result.prompt_framing += TOKENS_PER_MESSAGE
    role = message.get("role")
    if isinstance(role, str):
        result.prompt_texts.append(role)
    rest = {key: value for key, value in message.items() if key != "role"}
    _add_values(rest, result.completion_texts, result, counts_name=True)
    if "name" in message:
        result.prompt_framing -= TOKENS_PER_NAME
        result.completion_framing += TOKENS_PER_NAME


def _add_values(
    message: dict[str, Any], texts: list[str], result: Example, counts_name: bool
) -> None:
    for key, value in message.items():
        if isinstance(value, str):
            texts.append(value)
            if key == "name" and counts_name:
                result.prompt_framing += TOKENS_PER_NAME
        elif key == "content" and isinstance(value, list):
            # Content parts: their text is counted; images and audio are not tokens we can count.
            result.beyond_cookbook.add("content parts")
            texts.extend(part["text"] for part in value if isinstance(part.get("text"), str))
        elif key in ("tool_calls", "function_call") and value:
            result.beyond_cookbook.add(key)
            texts.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _add_tools(holder: dict[str, Any], result: Example) -> None:
    for key in ("tools", "functions"):
        if holder.get(key):
            result.beyond_cookbook.add(key)
            result.prompt_texts.append(
                json.dumps(holder[key], separators=(",", ":"), ensure_ascii=False)
            )

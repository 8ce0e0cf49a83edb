"""Words -> Query, and Query -> words (the canonical way to say it, which parses back the same).

The grammar is forgiving where people vary (case, commas, "1,500", "1.2M", "tok", "x3",
"ft:gpt-3.5-turbo", "gpt4") and strict where a guess would give a wrong price: every word is
either understood or reported, with what would work instead.
"""

import difflib
import re
from datetime import date
from typing import TypeVar

from pydantic import ValidationError

from pricing.errors import ParseError
from pricing.quantities import (
    QuantityError,
    Ratio,
    format_count,
    looks_like_count,
    looks_like_ratio,
    parse_count,
    parse_ratio,
)
from pricing.query import (
    BreakevenQuery,
    CheapestQuery,
    CompareQuery,
    CostQuery,
    FinetuneQuery,
    HelpQuery,
    HistoryQuery,
    ModelsQuery,
    PriceQuery,
    Query,
    TokensQuery,
    Usage,
)

T = TypeVar("T")

EXAMPLES = {
    "compare": "compare gpt-4-8k ft-gpt-3.5 200k tokens",
    "cost": "cost ft-gpt-3.5 2k in 500 out x 10000 requests",
    "cheapest": "cheapest 1M tokens",
    "finetune": "finetune gpt-3.5-turbo 100k tokens 3 epochs",
    "breakeven": "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3",
    "tokens": "tokens How many tokens is this sentence?",
    "models": "models gpt-4",
    "price": "price gpt-4-32k",
    "history": "history gpt-3.5-turbo",
    "help": "help compare",
}
VERBS = tuple(EXAMPLES)
_VERB_SYNONYMS = {
    "vs": "compare",
    "fine-tune": "finetune",
    "finetuning": "finetune",
    "fine-tuning": "finetune",
    "train": "finetune",
    "break-even": "breakeven",
    "payback": "breakeven",
    "token": "tokens",
    "count": "tokens",
    "model": "models",
    "list": "models",
    "prices": "price",
    "rank": "cheapest",
    "?": "help",
}

_TOKEN_WORDS = {"tokens", "token", "tok", "toks", "tokes"}
_INPUT_WORDS = {"in", "input", "inputs", "prompt"}
_OUTPUT_WORDS = {"out", "output", "outputs", "completion", "completions"}
_REQUEST_WORDS = {"requests", "request", "reqs", "req", "calls", "call"}
_TIMES_WORDS = {"x", "*", "times"}
_EPOCH_WORDS = {"epochs", "epoch"}
_FILLER_WORDS = {
    "and", "with", "vs", "versus", "against", "of", "for", "on", "a", "the", "&", "per", "each",
}  # fmt: skip
_SCALE_WORDS = {"thousand": "k", "million": "m", "billion": "b"}
_NEGATIVE = re.compile(r"^-\d")
_SCIENTIFIC = re.compile(r"^\d+(\.\d+)?e\d+$", re.I)
_DATE_LEAD = {"as", "on", "at"}
RESERVED = (
    _TOKEN_WORDS
    | _INPUT_WORDS
    | _OUTPUT_WORDS
    | _REQUEST_WORDS
    | _TIMES_WORDS
    | _EPOCH_WORDS
    | _FILLER_WORDS
    | _DATE_LEAD
    | set(_SCALE_WORDS)
    | {"split", "ratio", "training", "train", "prompts", "->", "to", "today", "private"}
)

_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# "x10000", "x3" (or with a multiplication sign): a multiplier glued to its number.
_TIMES_SIGN = "\u00d7"
_GLUED_TIMES = re.compile(rf"^[x{_TIMES_SIGN}*](?=\d)", re.I)
# The date after a text to count: exactly one whitespace character before it (render writes a
# space), so a text that itself ends in spaces keeps them: `parse(render(q)) == q`.
_TRAILING_AS_OF = re.compile(r"\sas of (?P<day>\d{4}-\d{2}-\d{2})\s*$", re.I)
_STRIP = ",;!?\"'()"
# "gpt-4-8k,ft-gpt-3.5": a comma not between two digits separates words.
_WORD_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
# The text after 'tokens': spaces up to and including one line break separate it from the verb.
_TOKENS_GAP = re.compile(r"[^\S\r\n]*(?:\r\n|\r|\n)?")


def _words(text: str) -> list[str]:
    text = text.replace("→", " -> ").replace("->", " -> ").replace(_TIMES_SIGN, " x ")
    text = _WORD_COMMA.sub(" ", text)
    words = []
    for raw in text.split():
        # A trailing "." or ":" ends no keyword ("vs.", "tokens.", "prompt:"); ".5k" keeps its dot.
        word = raw.rstrip(_STRIP + ".:").lstrip(_STRIP)
        if not word:
            continue
        glued = _GLUED_TIMES.match(word)
        if glued:
            words.extend(["x", word[glued.end() :]])
        else:
            words.append(word)
    return words


class _Cursor:
    """Walks a list of words; small `take_*` methods consume one phrase each or nothing."""

    def __init__(self, words: list[str], verb: str) -> None:
        self.words = words
        self.position = 0
        self.verb = verb
        self.as_of: date | None = None

    def peek(self, offset: int = 0) -> str | None:
        index = self.position + offset
        return self.words[index].lower() if index < len(self.words) else None

    def next_raw(self) -> str:
        word = self.words[self.position]
        self.position += 1
        return word

    def done(self) -> bool:
        return self.position >= len(self.words)

    def fail(self, message: str) -> ParseError:
        return ParseError(
            f"{message} Try: {EXAMPLES[self.verb]}", suggestions=[EXAMPLES[self.verb]]
        )

    def count(self, word: str) -> int:
        try:
            return parse_count(word)
        except QuantityError as exc:
            raise self.fail(f"{exc}.") from exc

    def amount(self) -> int:
        """A count and an optional scale word after it: '200k', '1.5 million', '2 thousand'."""
        raw = self.next_raw()
        suffix = _SCALE_WORDS.get(self.peek() or "")
        if suffix is None or not raw[-1:].isdecimal():
            return self.count(raw)
        self.position += 1
        return self.count(raw + suffix)  # "1.2 million" is "1.2m"

    def once(self, current: T | None, value: T, what: str) -> T:
        if current is not None:
            raise self.fail(f"The {what} is given twice.")
        return value

    def take_date(self) -> bool:
        """'as of 2023-08-22', 'on 2023-08-22', 'at 2023-08-22', a bare ISO date or 'as of today'
        (no date: today's prices). True when it took one; the date is kept in `as_of`."""
        lead = 0
        if self.peek() == "as" and self.peek(1) == "of":
            lead = 2
        elif self.peek() in _DATE_LEAD:
            lead = 1
        word = self.peek(lead)
        if word is None:
            if lead == 2:
                raise self.fail("'as of' needs a date like 2023-08-22.")
            return False
        if word == "today" and lead:
            self.position += lead + 1
            self.as_of = None
            return True
        if not _ISO_DATE.fullmatch(word):
            if lead == 2:
                raise self.fail(f"'{word}' is not a date; write it as YYYY-MM-DD, e.g. 2023-08-22.")
            return False
        try:
            day = date.fromisoformat("-".join(part.zfill(2) for part in word.split("-")))
        except ValueError as exc:
            raise self.fail(f"'{word}' is not a real date.") from exc
        self.position += lead + 1
        self.as_of = day
        return True

    def take_ratio(self) -> Ratio | None:
        lead = 1 if self.peek() in {"split", "ratio"} else 0
        word = self.peek(lead)
        if word is None or not looks_like_ratio(word):
            if lead:
                raise self.fail("'split' needs an input:output ratio like 3:1 or 1:1.")
            return None
        self.position += lead + 1
        try:
            return parse_ratio(word)
        except QuantityError as exc:
            raise self.fail(f"{exc}.") from exc

    def take_multiplier(self) -> int | None:
        """'x 3', 'times 3' (the number after a multiplication sign)."""
        if self.peek() in _TIMES_WORDS and self._is_count(self.peek(1)):
            self.position += 1
            return self.count(self.next_raw())
        return None

    def _is_count(self, word: str | None) -> bool:
        return word is not None and looks_like_count(word)


def _unexpected(cursor: _Cursor, word: str, what: str) -> ParseError:
    return cursor.fail(f"I didn't understand '{word}' {what}.")


def _parse_usage(cursor: _Cursor) -> tuple[list[str], Usage, date | None]:
    """Model names, token amounts and the date of a compare/cost question, in any order."""
    models: list[str] = []
    total = input_tokens = output_tokens = requests = None
    split: Ratio | None = None
    once = cursor.once

    while not cursor.done():
        if cursor.take_date():
            continue
        if (ratio := cursor.take_ratio()) is not None:
            split = once(split, ratio, "split")
            continue
        if (times := cursor.take_multiplier()) is not None:
            requests = once(requests, times, "number of requests")
            cursor.position += cursor.peek() in _REQUEST_WORDS
            continue
        word = cursor.peek()
        assert word is not None
        if word in _INPUT_WORDS | _OUTPUT_WORDS and cursor._is_count(cursor.peek(1)):
            cursor.position += 1
            amount = cursor.amount()
            if word in _INPUT_WORDS:
                input_tokens = once(input_tokens, amount, "input amount")
            else:
                output_tokens = once(output_tokens, amount, "output amount")
            cursor.position += cursor.peek() in _TOKEN_WORDS
            continue
        if looks_like_count(word) or (word[:1].isdecimal() and not _looks_like_model(word)):
            amount = cursor.amount()
            cursor.position += cursor.peek() in _TOKEN_WORDS
            follower = cursor.peek()
            if follower in _INPUT_WORDS:
                input_tokens = once(input_tokens, amount, "input amount")
                cursor.position += 1
            elif follower in _OUTPUT_WORDS:
                output_tokens = once(output_tokens, amount, "output amount")
                cursor.position += 1
            elif follower in _REQUEST_WORDS or follower == "times":
                requests = once(requests, amount, "number of requests")
                cursor.position += 1
            else:
                total = once(total, amount, "token amount")
            continue
        if word in RESERVED:
            cursor.position += 1  # filler ("and", "with", "per", a stray "tokens")
            continue
        _reject_malformed_amount(cursor, word)
        if (name := _model_name(cursor.next_raw())) is not None:
            models.append(name)

    if total is None and input_tokens is None and output_tokens is None:
        example = f"{cursor.verb} {' '.join(models) or 'gpt-4-8k'} 200k tokens"
        raise ParseError(
            "How many tokens? Give a total like '200k tokens' or '150k in 50k out'. "
            f"Try: {example}",
            suggestions=[example],
        )
    if requests == 0:
        raise cursor.fail("The number of requests must be at least 1.")
    try:
        usage = Usage(
            total=total, input=input_tokens, output=output_tokens, split=split, requests=requests
        )
    except ValidationError as exc:
        raise cursor.fail(f"{exc.errors()[0]['msg'].removeprefix('Value error, ')}.") from exc
    return models, usage, cursor.as_of


def _reject_malformed_amount(cursor: _Cursor, word: str) -> None:
    """'-5k' and '1e6' would otherwise be read as model names."""
    if _NEGATIVE.match(word):
        raise cursor.fail(f"Amounts cannot be negative: '{word}'.")
    if _SCIENTIFIC.match(word):
        raise cursor.fail(f"Write '{word}' without an exponent, e.g. 1M or 1,000,000.")


def _model_name(word: str) -> str | None:
    """A model name as written ('GPT-4' -> 'gpt-4'); None for a reserved word."""
    name = word.lower()
    return name if name and name not in RESERVED else None


def _looks_like_model(word: str) -> bool:
    """'4o-mini' or '3.5-turbo' start with a digit but are names, not amounts."""
    return any(ch.isalpha() for ch in word.rstrip("kKmMbB"))


def _parse_compare(cursor: _Cursor) -> Query:
    models, usage, as_of = _parse_usage(cursor)
    if not models:
        raise cursor.fail("Which models? Name one or more.")
    return CompareQuery(models=tuple(models), usage=usage, as_of=as_of)


def _parse_cost(cursor: _Cursor) -> Query:
    models, usage, as_of = _parse_usage(cursor)
    if len(models) != 1:
        if not models:
            raise cursor.fail("Which model? Name one.")
        example = f"compare {' '.join(models)} {render_usage(usage)}"
        named = ", ".join(f"'{model}'" for model in models)
        raise ParseError(
            f"'cost' prices one model, but I read {len(models)} model names: {named}. "
            f"Drop the words that are not models, or put them side by side: {example}",
            suggestions=[example],
        )
    return CostQuery(model=models[0], usage=usage, as_of=as_of)


def _parse_cheapest(cursor: _Cursor) -> Query:
    words, usage, as_of = _parse_usage(cursor)
    return CheapestQuery(filter=" ".join(words) or None, usage=usage, as_of=as_of)


def _take_training(cursor: _Cursor) -> tuple[int | None, int | None]:
    """'100k tokens 3 epochs', '100k x3', '100k epochs 3'."""
    tokens = epochs = None
    if cursor._is_count(cursor.peek()) and cursor.peek(1) not in _EPOCH_WORDS:
        tokens = cursor.count(cursor.next_raw())
        cursor.position += cursor.peek() in _TOKEN_WORDS
    while not cursor.done():
        if (times := cursor.take_multiplier()) is not None:
            epochs = cursor.once(epochs, times, "number of epochs")
            cursor.position += cursor.peek() in _EPOCH_WORDS
        elif cursor._is_count(cursor.peek()) and cursor.peek(1) in _EPOCH_WORDS:
            epochs = cursor.once(epochs, cursor.count(cursor.next_raw()), "number of epochs")
            cursor.position += 1
        elif cursor.peek() in _EPOCH_WORDS and cursor._is_count(cursor.peek(1)):
            cursor.position += 1
            epochs = cursor.once(epochs, cursor.count(cursor.next_raw()), "number of epochs")
        else:
            break
    if epochs == 0:
        raise cursor.fail("Training needs at least 1 epoch.")
    return tokens, epochs


def _parse_finetune(cursor: _Cursor) -> Query:
    model = None
    tokens = epochs = None
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.peek()
        assert word is not None
        if cursor._is_count(word) or (word in _TIMES_WORDS | _EPOCH_WORDS):
            found_tokens, found_epochs = _take_training(cursor)
            if found_tokens is None and found_epochs is None:
                raise _unexpected(cursor, cursor.next_raw(), "in a finetune question")
            if found_tokens is not None:
                tokens = cursor.once(tokens, found_tokens, "number of training tokens")
            if found_epochs is not None:
                epochs = cursor.once(epochs, found_epochs, "number of epochs")
            continue
        if _model_name(word) is None:
            cursor.position += 1
            continue
        if model is not None:
            raise cursor.fail(f"One model at a time: '{model}' or '{word}'?")
        model = _model_name(cursor.next_raw())
    if model is None:
        raise cursor.fail("Which model do you want to fine-tune?")
    if not tokens:
        raise cursor.fail("How many training tokens? e.g. '100k tokens'.")
    return FinetuneQuery(model=model, training_tokens=tokens, epochs=epochs, as_of=cursor.as_of)


def _parse_breakeven(cursor: _Cursor) -> Query:
    models: list[str] = []
    prompts: list[int] = []
    output = training = epochs = None
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.peek()
        assert word is not None
        if word == "prompt" or word == "prompts":
            cursor.position += 1
            if prompts:
                raise cursor.fail("The prompt sizes are given twice.")
            prompts = _take_prompt_pair(cursor)
        elif word in _OUTPUT_WORDS:
            cursor.position += 1
            if not cursor._is_count(cursor.peek()):
                raise cursor.fail("'output' needs the output tokens of one request, e.g. 300.")
            output = cursor.once(output, cursor.count(cursor.next_raw()), "output size")
            cursor.position += cursor.peek() in _TOKEN_WORDS
        elif word in {"training", "train"}:
            cursor.position += 1
            if training is not None:
                raise cursor.fail("The training size is given twice.")
            training, epochs = _take_training(cursor)
            if not training:
                raise cursor.fail("'training' needs the training tokens, e.g. 'training 100k x3'.")
        elif _model_name(word) is None:
            cursor.position += 1
        elif cursor._is_count(word):
            raise _unexpected(
                cursor, cursor.next_raw(), "(is it a prompt, output or training size?)"
            )
        else:
            models.append(word)
            cursor.position += 1
    if len(models) != 2:
        raise cursor.fail("Name the fine-tuned model, then 'vs', then the model it replaces.")
    if len(prompts) != 2:
        raise cursor.fail("Give the prompt sizes as 'prompt <long> -> <short>'.")
    if training is None:
        raise cursor.fail("Give the training size, e.g. 'training 100k x3'.")
    return BreakevenQuery(
        tuned=models[0],
        base=models[1],
        base_prompt=prompts[0],
        tuned_prompt=prompts[1],
        output=output,
        training_tokens=training,
        epochs=epochs,
        as_of=cursor.as_of,
    )


def _take_prompt_pair(cursor: _Cursor) -> list[int]:
    if not cursor._is_count(cursor.peek()):
        raise cursor.fail("'prompt' needs two sizes: the long prompt -> the fine-tuned one.")
    long_prompt = cursor.count(cursor.next_raw())
    cursor.position += cursor.peek() in _TOKEN_WORDS
    if cursor.peek() == "-" and cursor.peek(1) is None:
        # The shell took "> 200" as a redirection and left a file named 200 behind.
        raise cursor.fail(
            "The '->' was cut off: in a shell, quote the whole question or write 'to' "
            "instead of '->'."
        )
    if cursor.peek() not in {"->", "to"} or not cursor._is_count(cursor.peek(1)):
        raise cursor.fail(f"After 'prompt {long_prompt}' write '-> <shorter prompt>', e.g. -> 200.")
    cursor.position += 1
    short_prompt = cursor.count(cursor.next_raw())
    cursor.position += cursor.peek() in _TOKEN_WORDS
    return [long_prompt, short_prompt]


def _parse_one_model(cursor: _Cursor, kind: str) -> tuple[str, date | None]:
    model = None
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.next_raw()
        if (name := _model_name(word)) is None:
            continue
        if model is not None:
            raise cursor.fail(f"'{kind}' takes one model: '{model}' or '{word}'?")
        model = name
    if model is None:
        raise cursor.fail("Which model?")
    return model, cursor.as_of


def _parse_price(cursor: _Cursor) -> Query:
    model, as_of = _parse_one_model(cursor, "price")
    return PriceQuery(model=model, as_of=as_of)


def _parse_history(cursor: _Cursor) -> Query:
    model, as_of = _parse_one_model(cursor, "history")
    if as_of is not None:
        raise cursor.fail(
            "'history' shows every date; drop the date, or use 'price <model> as of'."
        )
    return HistoryQuery(model=model)


def _parse_models(cursor: _Cursor) -> Query:
    words: list[str] = []
    while not cursor.done():
        if cursor.take_date():
            continue
        words.append(cursor.next_raw().lower())
    return ModelsQuery(filter=" ".join(words) or None, as_of=cursor.as_of)


def _parse_help(cursor: _Cursor) -> Query:
    topic = cursor.peek()
    if topic is None:
        return HelpQuery()
    verb = _VERB_SYNONYMS.get(topic, topic)
    if verb not in VERBS:
        raise ParseError(
            f"There is no help on '{cursor.words[cursor.position]}'. Topics: {', '.join(VERBS)}.",
            suggestions=[f"help {v}" for v in difflib.get_close_matches(topic, VERBS, n=3)]
            or ["help"],
        )
    return HelpQuery(topic=verb)


_PARSERS = {
    "compare": _parse_compare,
    "cost": _parse_cost,
    "cheapest": _parse_cheapest,
    "finetune": _parse_finetune,
    "breakeven": _parse_breakeven,
    "models": _parse_models,
    "price": _parse_price,
    "history": _parse_history,
    "help": _parse_help,
}


def parse(text: str) -> Query:
    """Read one question. Raises ParseError (with suggestions) for anything it cannot answer."""
    stripped = text.strip()
    if not stripped:
        return HelpQuery()
    first, *tail = stripped.split(maxsplit=1)
    rest = tail[0] if tail else ""
    head = (first.strip(_STRIP) or first).lower()  # "?" alone is a verb
    verb = _VERB_SYNONYMS.get(head, head)
    if verb == "tokens":
        # Everything after the verb is the text to count, kept exactly as pasted.
        after = text.lstrip()[len(first) :]
        body = after[_TOKENS_GAP.match(after).end() :]
        # A date can only end the text: "tokens <text> as of 2023-08-22".
        dated = _TRAILING_AS_OF.search(body)
        as_of = None
        if dated:
            try:
                as_of = date.fromisoformat(dated["day"])
            except ValueError as exc:
                raise ParseError(f"'{dated['day']}' is not a real date.") from exc
            body = body[: dated.start()]
        if not body.strip():
            raise ParseError(
                f"Paste the text to count after 'tokens'. Try: {EXAMPLES['tokens']}",
                suggestions=[EXAMPLES["tokens"]],
            )
        return TokensQuery(text=body, as_of=as_of)
    if verb in _PARSERS:
        return _PARSERS[verb](_Cursor(_words(rest), verb))
    close = difflib.get_close_matches(head, VERBS, n=1, cutoff=0.75)
    if close:
        raise ParseError(
            f"I don't know the command '{first}'. Did you mean '{close[0]}'?",
            suggestions=[f"{close[0]} {rest}".strip()],
        )
    words = _words(stripped)
    if any(looks_like_count(word) for word in words):
        # "gpt-4-8k ft-gpt-3.5 200k tokens": a comparison without the verb.
        return _parse_compare(_Cursor(words, "compare"))
    raise ParseError(
        f"I don't know the command '{first}'. Commands: {', '.join(VERBS)}. "
        f"Try: {EXAMPLES['compare']}",
        suggestions=[EXAMPLES["compare"], "help"],
    )


def render_usage(usage: Usage) -> str:
    parts = []
    if usage.total is not None:
        parts.append(f"{format_count(usage.total)} tokens")
    if usage.input is not None:
        parts.append(f"{format_count(usage.input)} in")
    if usage.output is not None:
        parts.append(f"{format_count(usage.output)} out")
    if usage.requests is not None:
        parts.append(f"x {format_count(usage.requests)} requests")
    if usage.split is not None:
        parts.append(f"split {usage.split}")
    return " ".join(parts)


def _as_of(day: date | None) -> str:
    return f" as of {day.isoformat()}" if day else ""


def _training(tokens: int, epochs: int | None) -> str:
    return f"{format_count(tokens)} tokens" + (f" {epochs} epochs" if epochs else "")


def render(query: Query) -> str:
    """The canonical words for a query: `parse(render(q)) == q`."""
    match query:
        case CompareQuery():
            models = " ".join(query.models)
            return f"compare {models} {render_usage(query.usage)}{_as_of(query.as_of)}"
        case CostQuery():
            return f"cost {query.model} {render_usage(query.usage)}{_as_of(query.as_of)}"
        case CheapestQuery():
            narrowed = f"{query.filter} " if query.filter else ""
            return f"cheapest {narrowed}{render_usage(query.usage)}{_as_of(query.as_of)}"
        case FinetuneQuery():
            training = _training(query.training_tokens, query.epochs)
            return f"finetune {query.model} {training}{_as_of(query.as_of)}"
        case BreakevenQuery():
            output = f" output {format_count(query.output)}" if query.output is not None else ""
            return (
                f"breakeven {query.tuned} vs {query.base} prompt {format_count(query.base_prompt)}"
                f" -> {format_count(query.tuned_prompt)}{output}"
                f" training {_training(query.training_tokens, query.epochs)}{_as_of(query.as_of)}"
            )
        case TokensQuery():
            # Text that starts with spaces or a line break goes on the next line, kept as is.
            gap = "\n" if query.text[:1].isspace() else " "
            return f"tokens{gap}{query.text}{_as_of(query.as_of)}"
        case ModelsQuery():
            return f"models{' ' + query.filter if query.filter else ''}{_as_of(query.as_of)}"
        case PriceQuery():
            return f"price {query.model}{_as_of(query.as_of)}"
        case HistoryQuery():
            return f"history {query.model}"
        case HelpQuery():
            return f"help{' ' + query.topic if query.topic else ''}"
    raise AssertionError(f"unhandled query {query!r}")  # pragma: no cover

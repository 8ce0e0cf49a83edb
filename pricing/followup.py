"""Replies in a thread, read as changes to the question the thread is about.

After the bot answers `compare gpt-4-8k ft-gpt-3.5 200k tokens`, people reply in the thread:
"what about gpt-4-32k?", "make it 1M tokens", "split 1:1", "drop gpt-4-8k", "as of 2023-08-22".
`refine(text, previous)` turns such a reply into the next Query; a reply that starts with a
command ("compare ...", "price gpt-4") is a whole new question and is parsed on its own.

Chat returns None. A thread is a conversation between people first: "thanks!", "I think 200k is
too much", "that's pricey". Answering those would post noise, so a reply counts as a follow-up only
when every word is understood: the lead phrase, amounts, dates, ratios, a few filler words, and
model names in the model slots ("what about X", "add X", "drop X"). A model slot takes words that
look like model ids (a digit, '-', ':', '/' or '.', as in gpt-4o or claude-3-haiku), that name a
model the question already has, or, when the caller passes `is_model`, for which it says yes
("what about claude?", "add mistral"); so "what about lunch?" stays chat.

A command-led reply is held to the same bar. One that does not parse is chat ("cost seems high").
`tokens` and `models` (and their synonyms `token`, `count`, `model`, `list`) never lead a new
question in a thread: whatever follows them is free text, so any chat starting with those words
would parse ("tokens are expensive", "models look right", "count me in"). People ask those with
/llmcost or by mentioning the bot, which reads the text with `parse`. `price` and `history` lead a
new question only when their model is plausible: a word that looks like a model id (so a
mistyped id gets "did you mean"), one `is_model` says yes to, or one the thread's question
already names. So "history repeats" and "price hike" stay chat, while "price gpt-4-32k" and, with
a predicate that knows it, "price claude" are answered.

A ParseError (what was wrong, what would work) is raised only when the reply clearly is a
follow-up but cannot apply to this question: `split 1:1` on explicit input/output amounts, `drop`
of a model the comparison does not have or of its last model, `add X` to a tokens question,
`5 epochs` on a comparison. Every suggestion is a follow-up that applies to the question.

The date rule: a follow-up that gives a date ("as of 2023-08-22", "on 2023-08-22") replaces the
thread's date, and "as of today" clears it (today's prices); a follow-up that gives no date keeps
the previous question's date, so the thread stays on the day it was asked about. A whole new
question stands alone: its own date or none.

Pure and fast: the words are read with the parser's own tokenizer and cursor, and names are
compared as the tariff book compares them (`normalize_name`), without loading any tariffs. Knowing
which plain words are models is the caller's: the bot passes `is_model` backed by its tariff book;
this module only calls it, for words in a model slot that nothing else accounts for.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from pydantic import ValidationError

from pricing.errors import ParseError
from pricing.parse import (
    _EPOCH_WORDS,
    _INPUT_WORDS,
    _ISO_DATE,
    _NEGATIVE,
    _OUTPUT_WORDS,
    _REQUEST_WORDS,
    _SCIENTIFIC,
    _STRIP,
    _TOKEN_WORDS,
    _VERB_SYNONYMS,
    EXAMPLES,
    RESERVED,
    VERBS,
    _Cursor,
    _looks_like_model,
    _model_name,
    _reject_malformed_amount,
    _take_prompt_pair,
    _take_training,
    _words,
    parse,
)
from pricing.quantities import Ratio, format_count, looks_like_count, looks_like_ratio
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
from pricing.tariffs import normalize_name

_OPENERS = {"and", "ok", "okay", "now"}
_POLITE = {"please"}
# Verbs whose argument is free text: in a thread, any chat after them would parse.
_FREE_TEXT_VERBS = {"tokens", "models"}
_ARROWS = {"->", "to"}
_ID_MARKS = set("-:/.")
_EXAMPLE_DATE = "as of 2023-08-22"


class _Form(Enum):
    ABOUT = "what about"  # "what about X", "how about X", "and X?": models and/or changes
    ADD = "add"
    DROP = "drop"
    MAKE = "make it"  # changes only; a bare amount ("make it 500k") is a token amount
    BARE = "bare"  # changes only, each with its unit ("1M tokens", "split 1:1", "x 500 requests")


@dataclass
class _Changes:
    """What a reply says, before it is applied to a question."""

    models: list[str] = field(default_factory=list)
    total: int | None = None
    bare_total: bool = False  # the total had no 'tokens' after it ("500k")
    input: int | None = None
    output: int | None = None
    requests: int | None = None
    times: int | None = None  # "x 5" alone: requests, or epochs for a training question
    epochs: int | None = None
    split: Ratio | None = None
    training: int | None = None
    prompts: tuple[int, int] | None = None
    dated: bool = False
    as_of: date | None = None

    def amounts(self) -> bool:
        return any(
            value is not None
            for value in (
                self.total,
                self.input,
                self.output,
                self.requests,
                self.times,
                self.epochs,
                self.split,
                self.training,
                self.prompts,
            )
        )


def refine(
    text: str, previous: Query, *, is_model: Callable[[str], bool] | None = None
) -> Query | None:
    """The question a thread reply asks, read against the thread's `previous` question; None when
    the reply is conversation. Raises ParseError when it is a follow-up that cannot apply.

    `is_model(word)`, when given, says whether a plain word (lowercased, such as "claude") names
    a model; a model slot then takes it as well as the words that look like model ids, and a new
    `price`/`history` question is taken only for a model it knows (or the thread names)."""
    question = _without_openers(text.lstrip())  # the text to count keeps its trailing spaces
    if (head := _command_word(question)) is not None:
        return _new_question(question, head, previous, is_model)
    words = [word for word in _words(text) if word.lower() not in _POLITE]
    opened_with_and = False
    while words and words[0].lower() in _OPENERS:
        opened_with_and |= words.pop(0).lower() == "and"
    form, body = _form(words, opened_with_and)
    if not body or not _understood(body, form, previous, is_model):
        return None
    changes = _scan(_ReplyCursor(body, previous))
    if form is _Form.BARE and changes.bare_total:
        return None  # "200k?" alone could be anything; "make it 200k" or "200k tokens" is not
    if not changes.models and not changes.amounts() and not changes.dated:
        return None
    if form in (_Form.ADD, _Form.DROP) and not changes.models:
        example = f"{form.value} gpt-4o"
        raise _cannot(f"'{form.value}' needs model names, e.g. '{example}'.", previous)
    return _apply(previous, form, changes)


# -- reading ---------------------------------------------------------------------------------


def _command_word(text: str) -> str | None:
    """The first word when it is a command or a synonym of one, as `parse` reads it."""
    if not text.strip():
        return None
    first = text.split(maxsplit=1)[0]
    head = (first.strip(_STRIP) or first).lower()
    return head if _VERB_SYNONYMS.get(head, head) in VERBS else None


def _without_openers(text: str) -> str:
    """The text after any leading 'and', 'ok', 'now' ("ok, compare ...")."""
    rest = text
    while rest and (first := rest.split(maxsplit=1)[0]).strip(_STRIP + ".").lower() in _OPENERS:
        rest = rest[len(first) :].lstrip()
    return rest


def _new_question(
    question: str, head: str, previous: Query, is_model: Callable[[str], bool] | None
) -> Query | None:
    """A reply that starts with a command is a whole question, parsed alone with its own date;
    one that does not parse is chat ("cost seems high"), and so is one led by a free-text verb
    ("tokens are expensive") or naming a model nobody knows ("history repeats")."""
    if _VERB_SYNONYMS.get(head, head) in _FREE_TEXT_VERBS:
        return None
    try:
        query = parse(question)
    except ParseError:
        return None
    if isinstance(query, PriceQuery | HistoryQuery) and not _is_known_model(
        query.model, previous, is_model
    ):
        return None
    return query


def _form(words: list[str], opened_with_and: bool) -> tuple[_Form, list[str]]:
    lead = [word.lower() for word in words[:2]]
    if lead in (["what", "about"], ["how", "about"]):
        return _Form.ABOUT, words[2:]
    if lead[:1] == ["add"]:
        return _Form.ADD, words[1:]
    if lead[:1] and lead[0] in {"drop", "remove", "without"}:
        return _Form.DROP, words[1:]
    if lead in (["make", "it"], ["make", "that"]):
        return _Form.MAKE, words[2:]
    return (_Form.ABOUT if opened_with_and else _Form.BARE), words


def _is_vocabulary(word: str) -> bool:
    """A word the follow-up grammar reads itself (never a model name), as `parse` does."""
    return (
        word in RESERVED
        or looks_like_count(word)
        or looks_like_ratio(word)
        or _ISO_DATE.fullmatch(word) is not None
        or (word[:1].isdecimal() and not _looks_like_model(word))
        or _NEGATIVE.match(word) is not None
        or _SCIENTIFIC.match(word) is not None
    )


def _known_models(previous: Query) -> set[str]:
    names = [getattr(previous, slot, None) for slot in ("model", "tuned", "base")]
    names += list(getattr(previous, "models", ()))
    return {normalize_name(name) for name in names if name}


def _looks_like_id(word: str) -> bool:
    return any(ch.isdecimal() or ch in _ID_MARKS for ch in word)


def _is_known_model(name: str, previous: Query, is_model: Callable[[str], bool] | None) -> bool:
    """The model of a new `price`/`history` question: one the thread's question already names,
    a word that looks like a model id (a mistyped id then gets "did you mean", as in the model
    slots), or one the caller knows."""
    if normalize_name(name) in _known_models(previous) or _looks_like_id(name):
        return True
    return is_model is not None and is_model(name)


def _understood(
    body: list[str], form: _Form, previous: Query, is_model: Callable[[str], bool] | None
) -> bool:
    """Every word is grammar, or a plausible model name where the form has a model slot."""
    known = _known_models(previous)
    for raw in body:
        word = raw.lower()
        if _is_vocabulary(word):
            continue
        if form in (_Form.MAKE, _Form.BARE):
            return False
        if _looks_like_id(word) or normalize_name(word) in known:
            continue
        if is_model is None or not is_model(word):
            return False
    return True


class _ReplyCursor(_Cursor):
    """The parser's cursor, whose errors suggest follow-ups to the thread's question."""

    def __init__(self, words: list[str], previous: Query) -> None:
        super().__init__(words, previous.kind)
        self.previous = previous
        self.hint = ""  # how the phrase being read starts: its example is suggested first

    def fail(self, message: str) -> ParseError:
        fitting = [s for s in follow_ups(self.previous) if self.hint and s.startswith(self.hint)]
        return _cannot(message, self.previous, *fitting)


_HINTS = {"as": "as of", "on": "as of", "at": "as of", "split": "split", "ratio": "split"}
_HINTS |= {"prompt": "prompt", "prompts": "prompt", "training": "training", "train": "training"}


def _hint(word: str) -> str:
    if _ISO_DATE.fullmatch(word):
        return "as of"
    return "split" if looks_like_ratio(word) else _HINTS.get(word, "")


def _scan(cursor: _ReplyCursor) -> _Changes:
    """The changes a reply names, in any order, read with the parser's own pieces."""
    changes = _Changes()
    once = cursor.once
    while not cursor.done():
        word = cursor.peek()
        assert word is not None
        cursor.hint = _hint(word)
        if cursor.take_date():
            if changes.dated:
                raise cursor.fail("The date is given twice.")
            changes.dated, changes.as_of = True, cursor.as_of
            continue
        if (ratio := cursor.take_ratio()) is not None:
            changes.split = once(changes.split, ratio, "split")
            continue
        if (times := cursor.take_multiplier()) is not None:
            if cursor.peek() in _REQUEST_WORDS:
                changes.requests = once(changes.requests, times, "number of requests")
                cursor.position += 1
            elif cursor.peek() in _EPOCH_WORDS:
                changes.epochs = once(changes.epochs, times, "number of epochs")
                cursor.position += 1
            else:
                changes.times = once(changes.times, times, "multiplier")
            continue
        if word in {"prompt", "prompts"} and _prompt_pair_ahead(cursor):
            cursor.position += 1
            pair = _take_prompt_pair(cursor)
            changes.prompts = once(changes.prompts, (pair[0], pair[1]), "prompt sizes")
            continue
        if word in {"training", "train"}:
            cursor.position += 1
            tokens, epochs = _take_training(cursor)
            if not tokens:
                raise cursor.fail("'training' needs the training tokens, e.g. 'training 100k x3'.")
            changes.training = once(changes.training, tokens, "training size")
            if epochs is not None:
                changes.epochs = once(changes.epochs, epochs, "number of epochs")
            continue
        if word in _INPUT_WORDS | _OUTPUT_WORDS and cursor._is_count(cursor.peek(1)):
            cursor.position += 1
            _take_side(cursor, changes, word, cursor.amount())
            cursor.position += cursor.peek() in _TOKEN_WORDS
            continue
        if word in _EPOCH_WORDS and cursor._is_count(cursor.peek(1)):
            cursor.position += 1
            changes.epochs = once(changes.epochs, cursor.count(cursor.next_raw()), "epochs")
            continue
        if looks_like_count(word) or (word[:1].isdecimal() and not _looks_like_model(word)):
            _take_amount(cursor, changes)
            continue
        if word in RESERVED:
            cursor.position += 1  # filler: "for 500 requests", "gpt-4o and gpt-4-32k"
            continue
        _reject_malformed_amount(cursor, word)
        name = _model_name(cursor.next_raw())
        assert name is not None
        changes.models.append(name)
    return changes


def _prompt_pair_ahead(cursor: _Cursor) -> bool:
    """'prompt 2000 -> 300' (not 'prompt 2000', which is an input amount)."""
    after = 2 + (cursor.peek(2) in _TOKEN_WORDS)
    return cursor._is_count(cursor.peek(1)) and cursor.peek(after) in _ARROWS


def _take_side(cursor: _Cursor, changes: _Changes, word: str, amount: int) -> None:
    if word in _INPUT_WORDS:
        changes.input = cursor.once(changes.input, amount, "input amount")
    else:
        changes.output = cursor.once(changes.output, amount, "output amount")


def _take_amount(cursor: _Cursor, changes: _Changes) -> None:
    """'1M tokens', '150k in', '50k out', '500 requests', '5 epochs', a bare '500k'."""
    amount = cursor.amount()
    unit = cursor.peek() in _TOKEN_WORDS
    cursor.position += unit
    follower = cursor.peek()
    if follower in _INPUT_WORDS | _OUTPUT_WORDS:
        cursor.position += 1
        _take_side(cursor, changes, follower, amount)
    elif follower in _REQUEST_WORDS or follower == "times":
        cursor.position += 1
        changes.requests = cursor.once(changes.requests, amount, "number of requests")
    elif follower in _EPOCH_WORDS and not unit:
        cursor.position += 1
        changes.epochs = cursor.once(changes.epochs, amount, "number of epochs")
    else:
        changes.total = cursor.once(changes.total, amount, "token amount")
        changes.bare_total = not unit


# -- applying --------------------------------------------------------------------------------


def _apply(previous: Query, form: _Form, changes: _Changes) -> Query:
    if isinstance(previous, HelpQuery):
        raise _cannot("There is no question in this thread to change; ask a whole one.", previous)
    if isinstance(previous, HistoryQuery) and changes.dated:
        raise _cannot(
            "'history' shows every date; ask for one day's prices instead.",
            previous,
            f"price {previous.model} {_EXAMPLE_DATE}",
        )
    if form in (_Form.ADD, _Form.DROP) and not isinstance(previous, CompareQuery | CostQuery):
        raise _cannot(
            f"'{form.value}' changes the models of a comparison, and this thread asks a "
            f"{previous.kind} question.",
            previous,
        )
    as_of = changes.as_of if changes.dated else getattr(previous, "as_of", None)
    try:
        match previous:
            case CompareQuery() | CostQuery():
                return _priced_models(previous, form, changes, as_of)
            case CheapestQuery():
                _only_usage(previous, changes)
                narrowed = " ".join(changes.models) if changes.models else previous.filter
                usage = _usage(previous, changes)
                return CheapestQuery(filter=narrowed, usage=usage, as_of=as_of)
            case FinetuneQuery():
                return _finetune(previous, changes, as_of)
            case BreakevenQuery():
                return _breakeven(previous, changes, as_of)
            case TokensQuery():
                _no_amounts(previous, changes)
                if changes.models:
                    raise _cannot(
                        "A tokens question counts a text; it has no models to change.", previous
                    )
                return TokensQuery(text=previous.text, as_of=as_of)
            case ModelsQuery():
                _no_amounts(previous, changes)
                narrowed = " ".join(changes.models) if changes.models else previous.filter
                return ModelsQuery(filter=narrowed, as_of=as_of)
            case PriceQuery():
                _no_amounts(previous, changes)
                return PriceQuery(model=_one_model(previous, changes), as_of=as_of)
            case HistoryQuery():
                _no_amounts(previous, changes)
                return HistoryQuery(model=_one_model(previous, changes))
    except ValidationError as exc:  # pragma: no cover - every rule is checked before building
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise _cannot(f"{message}.", previous) from exc
    raise AssertionError(f"unhandled query {previous!r}")  # pragma: no cover


def _priced_models(
    previous: CompareQuery | CostQuery, form: _Form, changes: _Changes, as_of: date | None
) -> Query:
    _only_usage(previous, changes)
    usage = _usage(previous, changes)
    models = list(previous.models if isinstance(previous, CompareQuery) else [previous.model])
    if form is _Form.DROP:
        models = _dropped(previous, models, changes.models)
    else:
        seen = {normalize_name(model) for model in models}
        for model in changes.models:
            if normalize_name(model) not in seen:
                seen.add(normalize_name(model))
                models.append(model)
    if isinstance(previous, CostQuery) and len(models) == 1:
        return CostQuery(model=models[0], usage=usage, as_of=as_of)
    return CompareQuery(models=tuple(models), usage=usage, as_of=as_of)


def _dropped(previous: Query, models: list[str], names: list[str]) -> list[str]:
    if isinstance(previous, CostQuery):
        raise _cannot(
            f"This thread prices one model ({previous.model}); there is nothing to drop.",
            previous,
        )
    kept = list(models)
    for name in names:
        remaining = [model for model in kept if normalize_name(model) != normalize_name(name)]
        if len(remaining) == len(kept):
            listed = ", ".join(models)
            raise _cannot(
                f"'{name}' is not in this comparison ({listed}).",
                previous,
                *_drops(models),
            )
        kept = remaining
    if not kept:
        raise _cannot(
            "That would drop every model in the comparison; keep at least one.",
            previous,
            *_drops(models)[1:],
        )
    return kept


def _drops(models: Sequence[str]) -> list[str]:
    """'drop X' for each model that can go: none when there is only one (under any spelling)."""
    distinct: dict[str, str] = {}
    for model in models:
        distinct.setdefault(normalize_name(model), model)
    return [f"drop {model}" for model in distinct.values()] if len(distinct) > 1 else []


def _usage(previous: CompareQuery | CostQuery | CheapestQuery, changes: _Changes) -> Usage:
    """The amounts with the reply's changes: a total replaces in/out and in/out replace a total;
    requests stay, and so does a split while there is a total for it to split."""
    old = previous.usage
    total, input_tokens, output_tokens = old.total, old.input, old.output
    split, requests = old.split, old.requests
    explicit = changes.input is not None or changes.output is not None
    if changes.total is not None and explicit:
        raise _cannot(
            "Give either a total or input/output amounts, not both.",
            previous,
            f"make it {format_count(changes.total)} tokens",
        )
    if changes.total is not None:
        total, input_tokens, output_tokens = changes.total, None, None
    if explicit:
        if total is not None:
            total = input_tokens = output_tokens = split = None
        if changes.input is not None:
            input_tokens = changes.input
        if changes.output is not None:
            output_tokens = changes.output
    if changes.requests is not None and changes.times is not None:
        raise _cannot("The number of requests is given twice.", previous)
    new_requests = changes.requests if changes.requests is not None else changes.times
    if new_requests == 0:
        raise _cannot("The number of requests must be at least 1.", previous, "x 500 requests")
    if new_requests is not None:
        requests = new_requests
    if changes.split is not None:
        if total is None:
            whole = (input_tokens or 0) + (output_tokens or 0)
            raise _cannot(
                f"A split divides a total, and this question gives input and output amounts "
                f"({_in_out(input_tokens, output_tokens)}).",
                previous,
                f"make it {format_count(whole)} tokens split {changes.split}",
            )
        split = changes.split
    return Usage(
        total=total, input=input_tokens, output=output_tokens, split=split, requests=requests
    )


def _in_out(input_tokens: int | None, output_tokens: int | None) -> str:
    sides = ((input_tokens, "in"), (output_tokens, "out"))
    return " ".join(f"{format_count(count)} {side}" for count, side in sides if count is not None)


def _finetune(previous: FinetuneQuery, changes: _Changes, as_of: date | None) -> Query:
    _refuse(
        previous,
        input=changes.input,
        output=changes.output,
        requests=changes.requests,
        split=changes.split,
        prompts=changes.prompts,
    )
    if changes.total is not None and changes.training is not None:
        raise _cannot("The training size is given twice.", previous)
    training = changes.training if changes.training is not None else changes.total
    if training == 0:
        raise _cannot("Training needs at least one token.", previous, "make it 200k tokens")
    epochs = _epochs(previous, changes)
    return FinetuneQuery(
        model=_one_model(previous, changes),
        training_tokens=previous.training_tokens if training is None else training,
        epochs=epochs,
        as_of=as_of,
    )


def _breakeven(previous: BreakevenQuery, changes: _Changes, as_of: date | None) -> Query:
    _refuse(
        previous,
        total=changes.total,
        input=changes.input,
        requests=changes.requests,
        split=changes.split,
    )
    tuned, base = previous.tuned, previous.base
    replaced: set[str] = set()
    for model in changes.models:
        slot = "tuned" if model.startswith(("ft-", "ft:")) else "base"
        if slot in replaced:
            which = "fine-tuned" if slot == "tuned" else "base"
            raise _cannot(
                f"Name one {which} model at a time; a breakeven weighs one against one.", previous
            )
        replaced.add(slot)
        tuned, base = (model, base) if slot == "tuned" else (tuned, model)
    prompts = changes.prompts or (previous.base_prompt, previous.tuned_prompt)
    if changes.training == 0:
        raise _cannot("Training needs at least one token.", previous, "training 200k x4")
    return BreakevenQuery(
        tuned=tuned,
        base=base,
        base_prompt=prompts[0],
        tuned_prompt=prompts[1],
        output=previous.output if changes.output is None else changes.output,
        training_tokens=changes.training or previous.training_tokens,
        epochs=_epochs(previous, changes),
        as_of=as_of,
    )


def _epochs(previous: FinetuneQuery | BreakevenQuery, changes: _Changes) -> int | None:
    if changes.epochs is not None and changes.times is not None:
        raise _cannot("The number of epochs is given twice.", previous)
    epochs = changes.epochs if changes.epochs is not None else changes.times
    if epochs == 0:
        raise _cannot("Training needs at least 1 epoch.", previous, "3 epochs")
    return previous.epochs if epochs is None else epochs


def _one_model(previous: FinetuneQuery | PriceQuery | HistoryQuery, changes: _Changes) -> str:
    if len(changes.models) > 1:
        named = " or ".join(f"'{model}'" for model in changes.models)
        raise _cannot(
            f"A {previous.kind} question takes one model: {named}?",
            previous,
            *(f"what about {model}" for model in changes.models),
        )
    return changes.models[0] if changes.models else previous.model


_WHAT = {
    "total": "a token amount",
    "input": "an input amount",
    "output": "an output amount",
    "requests": "a number of requests",
    "split": "an input:output split",
    "prompts": "prompt sizes",
    "training": "a training size",
    "epochs": "epochs",
}


def _refuse(previous: Query, **given: object) -> None:
    """A ParseError naming the first change this kind of question has no place for."""
    for name, value in given.items():
        if value is not None:
            raise _cannot(f"A {previous.kind} question has no place for {_WHAT[name]}.", previous)


def _only_usage(previous: Query, changes: _Changes) -> None:
    _refuse(previous, training=changes.training, epochs=changes.epochs, prompts=changes.prompts)


def _no_amounts(previous: Query, changes: _Changes) -> None:
    if changes.amounts():
        raise _cannot(f"A {previous.kind} question has no amounts to change.", previous)


# -- what would work -------------------------------------------------------------------------


def _cannot(message: str, previous: Query, *suggestions: str) -> ParseError:
    """A ParseError whose suggestions are follow-ups that apply to `previous`."""
    tries = list(dict.fromkeys([*suggestions, *follow_ups(previous)]))
    return ParseError(f"{message} Try: {tries[0]}", suggestions=tries)


def follow_ups(previous: Query) -> list[str]:
    """Replies that would refine `previous`: the examples a thread can offer."""
    match previous:
        case CompareQuery():
            other = "gpt-4o" if "gpt-4o" not in previous.models else "gpt-4-32k"
            drops = _drops(previous.models)[-1:]
            split = ["split 1:1"] if previous.usage.total is not None else []
            return [
                f"what about {other}",
                *drops,
                "make it 1M tokens",
                *split,
                "x 500 requests",
                _EXAMPLE_DATE,
            ]
        case CostQuery():
            other = "gpt-4o" if previous.model != "gpt-4o" else "gpt-4o-mini"
            return [f"what about {other}", "make it 1M tokens", "x 500 requests", _EXAMPLE_DATE]
        case CheapestQuery():
            return ["what about gpt-4", "make it 1M tokens", "x 500 requests", _EXAMPLE_DATE]
        case FinetuneQuery():
            return ["make it 200k tokens", "5 epochs", "what about gpt-4o-mini", _EXAMPLE_DATE]
        case BreakevenQuery():
            return ["training 200k x4", "output 500", "prompt 2000 -> 300", _EXAMPLE_DATE]
        case ModelsQuery():
            return ["what about gpt-4", _EXAMPLE_DATE]
        case TokensQuery():
            return [_EXAMPLE_DATE, EXAMPLES["compare"]]
        case PriceQuery():
            return ["what about gpt-4-32k", _EXAMPLE_DATE]
        case HistoryQuery():
            return ["what about gpt-4-32k", f"price {previous.model} {_EXAMPLE_DATE}"]
    return [EXAMPLES["compare"], "help"]

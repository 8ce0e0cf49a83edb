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

Pure and fast: the words are read with the shared vocabulary (`pricing.lexicon`), and names are
compared as the tariff book compares them (`normalize_name`), without loading any tariffs. Knowing
which plain words are models is the caller's: the bot passes `is_model` backed by its tariff book;
this module only calls it, for words in a model slot that nothing else accounts for.

This module reads a reply; how it applies to each kind of question is that verb's `apply`
(`pricing.verbs`), with the shared rules of `pricing.refinement`.
"""

from collections.abc import Callable

from pydantic import ValidationError

from pricing.errors import ParseError
from pricing.lexicon import (
    CURRENCY_WORDS,
    EPOCH_WORDS,
    INPUT_WORDS,
    ISO_DATE,
    OUTPUT_WORDS,
    PERIOD_LEAD,
    PERIOD_WORDS,
    PROMPT_WORDS,
    REQUEST_WORDS,
    RESERVED,
    SELLER_LEADS,
    SELLER_NAMES,
    STRIP,
    TOKEN_WORDS,
    TRAINING_WORDS,
    Cursor,
    is_vocabulary,
    joined_name,
    looks_like_amount,
    name_length,
    prompt_pair_ahead,
    reject_malformed_amount,
    sold_by,
    take_prompt_pair,
    take_training,
    words,
)
from pricing.parse import parse
from pricing.quantities import looks_like_ratio
from pricing.query import Usage
from pricing.refinement import CannotApply, Changes, Form, Reply
from pricing.tariffs import normalize_name
from pricing.verbs.history import HistoryQuery
from pricing.verbs.price import PriceQuery
from pricing.verbs.registry import Query, verb_named, verb_of

_OPENERS = {"and", "ok", "okay", "now"}
_POLITE = {"please"}
_ID_MARKS = set("-:/.")


def refine(
    text: str, previous: Query, *, is_model: Callable[[str], bool] | None = None
) -> Query | None:
    """The question a thread reply asks, read against the thread's `previous` question; None when
    the reply is conversation. Raises ParseError when it is a follow-up that cannot apply.

    `is_model(word)`, when given, says whether a plain word (lowercased, such as "claude") names
    a model; a model slot then takes it as well as the words that look like model ids, and a new
    `price`/`history` question is taken only for a model it knows (or the thread names)."""
    question = _without_openers(text.lstrip())  # the text to count keeps its trailing spaces
    own_reply = verb_of(previous).own_reply
    if own_reply is not None and (changed := own_reply(previous, question)) is not None:
        return changed
    if (head := _command_word(question)) is not None:
        return _new_question(question, head, previous, is_model)
    body = [word for word in words(text) if word.lower() not in _POLITE]
    opened_with_and = False
    while body and body[0].lower() in _OPENERS:
        opened_with_and |= body.pop(0).lower() == "and"
    form, body = _form(body, opened_with_and)
    if not body or not _understood(body, form, previous, is_model):
        return None
    changes = _scan(_ReplyCursor(body, previous))
    if form is Form.BARE and changes.bare_total:
        return None  # "200k?" alone could be anything; "make it 200k" or "200k tokens" is not
    if not changes.models and not changes.amounts() and not changes.dated:
        return None
    if form in (Form.ADD, Form.DROP) and not changes.models:
        example = f"{form.value} gpt-4o"
        raise _cannot(f"'{form.value}' needs model names, e.g. '{example}'.", previous)
    as_of = changes.as_of if changes.dated else getattr(previous, "as_of", None)
    try:
        return verb_of(previous).apply(previous, Reply(form, changes, as_of))
    except CannotApply as exc:
        raise _cannot(exc.message, previous, *exc.suggestions) from exc
    except ValidationError as exc:  # pragma: no cover - every rule is checked before building
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise _cannot(f"{message}.", previous) from exc


# -- reading ---------------------------------------------------------------------------------


def _command_word(text: str) -> str | None:
    """The first word when it is a command or a synonym of one, as `parse` reads it."""
    if not text.strip():
        return None
    first = text.split(maxsplit=1)[0]
    head = (first.strip(STRIP) or first).lower()
    return head if verb_named(head) is not None else None


def _without_openers(text: str) -> str:
    """The text after any leading 'and', 'ok', 'now' ("ok, compare ...")."""
    rest = text
    while rest and (first := rest.split(maxsplit=1)[0]).strip(STRIP + ".").lower() in _OPENERS:
        rest = rest[len(first) :].lstrip()
    return rest


def _new_question(
    question: str, head: str, previous: Query, is_model: Callable[[str], bool] | None
) -> Query | None:
    """A reply that starts with a command is a whole question, parsed alone with its own date;
    one that does not parse is chat ("cost seems high"), and so is one led by a free-text verb
    ("tokens are expensive") or naming a model nobody knows ("history repeats")."""
    verb = verb_named(head)
    if verb is None or verb.free_text:
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


def _form(body: list[str], opened_with_and: bool) -> tuple[Form, list[str]]:
    lead = [word.lower() for word in body[:2]]
    if lead in (["what", "about"], ["how", "about"]):
        return Form.ABOUT, body[2:]
    if lead[:1] == ["add"]:
        return Form.ADD, body[1:]
    if lead[:1] and lead[0] in {"drop", "remove", "without"}:
        return Form.DROP, body[1:]
    if lead in (["make", "it"], ["make", "that"]):
        return Form.MAKE, body[2:]
    return (Form.ABOUT if opened_with_and else Form.BARE), body


def _is_budget_word(word: str) -> bool:
    """Money and periods, which only a budget thread reads: "$1000", "500 usd", "per day"."""
    return (
        word.startswith(("$", "-$"))
        or word in CURRENCY_WORDS
        or word in PERIOD_WORDS
        or word in PERIOD_LEAD
    )


def _has_periods(previous: Query) -> bool:
    """Replies may say "per day" to a budget, or to a question whose amounts can be a period's."""
    return verb_of(previous).budget_replies or isinstance(getattr(previous, "usage", None), Usage)


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
    body: list[str], form: Form, previous: Query, is_model: Callable[[str], bool] | None
) -> bool:
    """Every word is grammar, or a plausible model name where the form has a model slot."""
    known = _known_models(previous)
    budget = verb_of(previous).budget_replies
    periods = _has_periods(previous)
    index = 0
    while index < len(body):
        word = body[index].lower()
        if (
            word in SELLER_LEADS
            and index
            and (body[index + 1 : index + 2] or [""])[0].lower() in SELLER_NAMES
        ):
            index += 2  # "... on bedrock": a seller of the model named before
            continue
        if (
            is_vocabulary(word)
            or (budget and _is_budget_word(word))
            or (periods and word in PERIOD_WORDS)
        ):
            index += 1
            continue
        if form in (Form.MAKE, Form.BARE):
            return False
        length = name_length(body, index)  # "what about claude 3.5 sonnet?"
        name = joined_name(body[index : index + length])
        index += length
        # A name in words is plausible by its first word ("gpt-4o mini"), not by the joining
        # hyphens ("lunch pro" is chat unless `is_model` knows lunch-pro).
        if _looks_like_id(word) or normalize_name(name) in known:
            continue
        if is_model is None or not is_model(name):
            return False
    return True


class _ReplyCursor(Cursor):
    """The shared cursor, whose errors suggest follow-ups to the thread's question."""

    def __init__(self, body: list[str], previous: Query) -> None:
        super().__init__(body, previous.kind, "")
        self.previous = previous
        self.budget_replies = verb_of(previous).budget_replies
        self.period_replies = _has_periods(previous)
        self.hint = ""  # how the phrase being read starts: its example is suggested first

    def fail(self, message: str) -> ParseError:
        fitting = [s for s in follow_ups(self.previous) if self.hint and s.startswith(self.hint)]
        return _cannot(message, self.previous, *fitting)


_HINTS = {"as": "as of", "on": "as of", "at": "as of", "split": "split", "ratio": "split"}
_HINTS |= {"prompt": "prompt", "prompts": "prompt", "training": "training", "train": "training"}


def _hint(word: str) -> str:
    if ISO_DATE.fullmatch(word):
        return "as of"
    if word.startswith(("$", "-$")):
        return "make it $"
    return "split" if looks_like_ratio(word) else _HINTS.get(word, "")


def _scan(cursor: _ReplyCursor) -> Changes:
    """The changes a reply names, in any order, read with the shared vocabulary. Over 60 lines:
    one branch per kind of phrase, in the order they must be tried (was 71)."""
    changes = Changes()
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
        if cursor.budget_replies and (money := cursor.take_money()) is not None:
            changes.budget = once(changes.budget, money, "budget")
            continue
        if cursor.period_replies and (period := cursor.take_period()) is not None:
            changes.period = once(changes.period, period, "period")
            continue
        if cursor.take_dimension(changes.dims):
            continue
        if (ratio := cursor.take_ratio()) is not None:
            changes.split = once(changes.split, ratio, "split")
            continue
        if (times := cursor.take_multiplier()) is not None:
            if cursor.peek() in REQUEST_WORDS:
                changes.requests = once(changes.requests, times, "number of requests")
                cursor.position += 1
            elif cursor.peek() in EPOCH_WORDS:
                changes.epochs = once(changes.epochs, times, "number of epochs")
                cursor.position += 1
            else:
                changes.times = once(changes.times, times, "multiplier")
            continue
        if word in PROMPT_WORDS and prompt_pair_ahead(cursor):
            cursor.position += 1
            pair = take_prompt_pair(cursor)
            changes.prompts = once(changes.prompts, (pair[0], pair[1]), "prompt sizes")
            continue
        if word in TRAINING_WORDS:
            cursor.position += 1
            tokens, epochs = take_training(cursor)
            if not tokens:
                raise cursor.fail("'training' needs the training tokens, e.g. 'training 100k x3'.")
            changes.training = once(changes.training, tokens, "training size")
            if epochs is not None:
                changes.epochs = once(changes.epochs, epochs, "number of epochs")
            continue
        if word in INPUT_WORDS | OUTPUT_WORDS and cursor.is_count(cursor.peek(1)):
            cursor.position += 1
            _take_side(cursor, changes, word, cursor.amount())
            cursor.skip(cursor.peek() in TOKEN_WORDS)
            continue
        if word in EPOCH_WORDS and cursor.is_count(cursor.peek(1)):
            cursor.position += 1
            changes.epochs = once(changes.epochs, cursor.count(cursor.next_raw()), "epochs")
            continue
        if looks_like_amount(word):
            _take_amount(cursor, changes)
            continue
        _take_model(cursor, changes, word)
    return changes


def _take_model(cursor: _ReplyCursor, changes: Changes, word: str) -> None:
    """A model's name, the seller of the one named before ('on bedrock'), or filler."""
    if changes.models and (seller := cursor.take_seller()) is not None:
        changes.models[-1] = sold_by(changes.models[-1], seller)
    elif word in RESERVED or (
        (cursor.budget_replies and _is_budget_word(word))
        or (cursor.period_replies and word in PERIOD_WORDS)
    ):
        cursor.position += 1  # filler: "for 500 requests", "gpt-4o and gpt-4-32k"
    else:
        reject_malformed_amount(cursor, word)
        name = cursor.take_name()  # "claude 3.5 sonnet" is one model
        assert name is not None
        changes.models.append(name)


def _take_side(cursor: Cursor, changes: Changes, word: str, amount: int) -> None:
    if word in INPUT_WORDS:
        changes.input = cursor.once(changes.input, amount, "input amount")
    else:
        changes.output = cursor.once(changes.output, amount, "output amount")


def _take_amount(cursor: Cursor, changes: Changes) -> None:
    """'1M tokens', '150k in', '50k out', '500 requests', '5 epochs', a bare '500k'."""
    amount = cursor.amount()
    unit = cursor.peek() in TOKEN_WORDS
    cursor.skip(unit)
    follower = cursor.peek()
    if follower in INPUT_WORDS | OUTPUT_WORDS:
        cursor.position += 1
        _take_side(cursor, changes, follower, amount)
    elif follower in REQUEST_WORDS or follower == "times":
        cursor.position += 1
        changes.requests = cursor.once(changes.requests, amount, "number of requests")
    elif follower in EPOCH_WORDS and not unit:
        cursor.position += 1
        changes.epochs = cursor.once(changes.epochs, amount, "number of epochs")
    else:
        changes.total = cursor.once(changes.total, amount, "token amount")
        changes.bare_total = not unit


# -- what would work -------------------------------------------------------------------------


def _cannot(message: str, previous: Query, *suggestions: str) -> ParseError:
    """A ParseError whose suggestions are follow-ups that apply to `previous`."""
    tries = list(dict.fromkeys([*suggestions, *follow_ups(previous)]))
    return ParseError(f"{message} Try: {tries[0]}", suggestions=tries)


def follow_ups(previous: Query) -> list[str]:
    """Replies that would refine `previous`: the examples a thread can offer."""
    return verb_of(previous).follow_ups(previous)

"""Words -> Query, and Query -> words (the canonical way to say it, which parses back the same).

Each verb's grammar and rendering live in its module under `pricing.verbs`; this reads the verb
and hands the rest to it. A question without a verb but with an amount is a comparison.
"""

import difflib
from collections.abc import Callable

from pricing.errors import ParseError
from pricing.lexicon import STRIP, words
from pricing.phrasing.sentences import as_command, is_sentence
from pricing.quantities import looks_like_count
from pricing.verbs.registry import VERBS, Query, load, verb_named, verb_of
from pricing.verbs.spec import Verb


def parse(text: str, is_model: Callable[[str], bool] | None = None) -> Query:
    """Read one question. Raises ParseError (with suggestions) for anything it cannot answer.

    `is_model(name)`, when given, says whether a name is a model the tariffs know: a model's
    name alone ('gpt-4o', 'claude 3.5 sonnet') is then a question, its price."""
    stripped = text.strip()
    if not stripped:
        return load("help").parse("")
    first, *tail = stripped.split(maxsplit=1)
    rest = tail[0] if tail else ""
    head = _head(first)
    verb = verb_named(head)
    if verb is not None:
        # The words after the verb exactly as typed: 'tokens' counts them, spaces and all.
        return verb.parse(text.lstrip()[len(first) :])
    if is_sentence(head):
        command = as_command(stripped)
        if verb_named(command.split()[0]) is not None:
            return parse(command, is_model)
    if is_model is not None and (named := _model_alone(stripped, is_model)) is not None:
        return named
    close = difflib.get_close_matches(head, VERBS, n=1, cutoff=0.75)
    if close:
        raise ParseError(
            f"I don't know the command '{first}'. Did you mean '{close[0]}'?",
            suggestions=[f"{close[0]} {rest}".strip()],
        )
    if any(looks_like_count(word) for word in words(stripped)):
        # "gpt-4-8k ft-gpt-3.5 200k tokens": a comparison without the verb.
        return load("compare").parse(stripped)
    example = load("compare").example
    raise ParseError(
        f"I don't know the command '{first}'. Commands: {', '.join(VERBS)}. Try: {example}",
        suggestions=[example, "help"],
    )


def verb_asked(text: str) -> Verb | None:
    """The verb a question's first word names, to which `parse` hands the rest; None when it
    names none (a sentence or a comparison without its verb: never a token count)."""
    stripped = text.strip()
    return verb_named(_head(stripped.split(maxsplit=1)[0])) if stripped else None


def _head(first: str) -> str:
    return (first.strip(STRIP) or first).lower()  # "?" alone is a verb


def _model_alone(text: str, is_model: Callable[[str], bool]) -> Query | None:
    """'gpt-4o', 'claude 3.5 sonnet': a name the tariffs know, alone, asks for its price."""
    from pricing.verbs.price import PriceQuery

    try:
        query = load("price").parse(text)
    except ParseError:
        return None
    assert isinstance(query, PriceQuery)
    return query if is_model(query.model) else None


def render(query: Query) -> str:
    """The canonical words for a query: `parse(render(q)) == q`."""
    return verb_of(query).render(query)

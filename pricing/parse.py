"""Words -> Query, and Query -> words (the canonical way to say it, which parses back the same).

Each verb's grammar and rendering live in its module under `pricing.verbs`; this reads the verb
and hands the rest to it. A question without a verb but with an amount is a comparison.
"""

import difflib

from pricing.errors import ParseError
from pricing.lexicon import STRIP, words
from pricing.quantities import looks_like_count
from pricing.verbs.compare import parse as parse_comparison
from pricing.verbs.help import HelpQuery
from pricing.verbs.registry import EXAMPLES, VERBS, Query, verb_named, verb_of


def parse(text: str) -> Query:
    """Read one question. Raises ParseError (with suggestions) for anything it cannot answer."""
    stripped = text.strip()
    if not stripped:
        return HelpQuery()
    first, *tail = stripped.split(maxsplit=1)
    rest = tail[0] if tail else ""
    head = (first.strip(STRIP) or first).lower()  # "?" alone is a verb
    verb = verb_named(head)
    if verb is not None:
        # The words after the verb exactly as typed: 'tokens' counts them, spaces and all.
        return verb.parse(text.lstrip()[len(first) :])
    close = difflib.get_close_matches(head, VERBS, n=1, cutoff=0.75)
    if close:
        raise ParseError(
            f"I don't know the command '{first}'. Did you mean '{close[0]}'?",
            suggestions=[f"{close[0]} {rest}".strip()],
        )
    if any(looks_like_count(word) for word in words(stripped)):
        # "gpt-4-8k ft-gpt-3.5 200k tokens": a comparison without the verb.
        return parse_comparison(stripped)
    raise ParseError(
        f"I don't know the command '{first}'. Commands: {', '.join(VERBS)}. "
        f"Try: {EXAMPLES['compare']}",
        suggestions=[EXAMPLES["compare"], "help"],
    )


def render(query: Query) -> str:
    """The canonical words for a query: `parse(render(q)) == q`."""
    return verb_of(query).render(query)

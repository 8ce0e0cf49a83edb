"""Every phrasing table, applied in order to the words after a question's verb."""

from datetime import date

from pricing.phrasing import amounts, moments, names
from pricing.phrasing.phrases import Context, Phrase, apply_all

# Currencies and units refuse or convert first (before '5 hours' could read as a period),
# dates and times before the splits (a '/' in a zone name is no split).
PHRASES: tuple[Phrase, ...] = (
    *amounts.NUMBERS,
    *amounts.CURRENCIES,
    *amounts.UNITS,
    *moments.ALL,
    *amounts.CACHE,
)
PHRASES += (*amounts.PERIODS, *amounts.SPLITS, *amounts.RATES, *names.NAMES)
# A verb's own phrases, read before the shared ones.
VERB_PHRASES: dict[str, tuple[Phrase, ...]] = {"budget": amounts.BUDGET}


def rewrite(text: str, today: date, verb: str) -> tuple[str, tuple[str, ...]]:
    """`text` in the grammar's words, and the notes its answer states because of how it was
    read. Raises ParseError for a phrase that cannot be priced (another currency, pages)."""
    context = Context(today)
    phrases = (*VERB_PHRASES.get(verb, ()), *PHRASES)
    return apply_all(text, phrases, context), tuple(context.notes)

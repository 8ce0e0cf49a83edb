"""models: the tariff table, prices per 1M tokens, context windows, training prices."""

from typing import Literal

from pricing.answers import TableAnswer
from pricing.costing import tariff_matches, tariff_row
from pricing.lexicon import Cursor, as_of_words, words
from pricing.quantities import counted
from pricing.query import PricedQuery
from pricing.refinement import EXAMPLE_DATE, Reply, fixed_models, no_amounts
from pricing.verbs.spec import PricingDay, Verb

EXAMPLE = "models gpt-4"
MODELS_TABLE_LIMIT = 40


class ModelsQuery(PricedQuery):
    kind: Literal["models"] = "models"
    filter: str | None = None


def parse(after: str) -> ModelsQuery:
    cursor = Cursor(words(after), "models", EXAMPLE)
    found: list[str] = []
    while not cursor.done():
        if cursor.take_date():
            continue
        found.append(cursor.next_raw().lower())
    return ModelsQuery(filter=" ".join(found) or None, as_of=cursor.as_of)


def render(query: ModelsQuery) -> str:
    return f"models{' ' + query.filter if query.filter else ''}{as_of_words(query.as_of)}"


def answer(query: ModelsQuery, at: PricingDay) -> TableAnswer:
    day, historical = at.day, at.historical
    if query.filter:
        candidates = [t for t in at.book.tariffs() if tariff_matches(t, query.filter)]
    else:
        candidates = at.book.own_tariffs()
    priced = [(t, e) for t in candidates if (e := t.entry_at(day)) is not None]
    # As in 'cheapest': an undated catalog price is only known to hold today.
    undated = [(t, e) for t, e in priced if historical and e.effective is None]
    priced = [(t, e) for t, e in priced if not (historical and e.effective is None)]
    rows = tuple(tariff_row(t, e, day) for t, e in priced[:MODELS_TABLE_LIMIT])
    notes = []
    if len(priced) > len(rows):
        notes.append(
            f"Showing {len(rows)} of {len(priced)} models; narrow the filter to see the rest."
        )
    if not query.filter:
        # Counting the catalog would load it (~0.15 s) just for this line.
        notes.append(
            "Many more models from genai-prices: filter by name or provider, "
            "e.g. 'models claude' or 'models mistral'."
        )
    if not priced and not undated:
        notes.append(f"No model matches '{query.filter}' on {day.isoformat()}.")
    if undated:
        notes.append(
            f"{counted(len(undated), 'model')} with only undated catalog prices, which may not "
            f"have applied on {day.isoformat()}: left out."
        )
    title = f"Models matching '{query.filter}'" if query.filter else "Models"
    return TableAnswer(
        kind="models",
        as_of=day,
        title=f"{title}, prices per 1M tokens",
        rows=rows,
        matched=len(priced),
        notes=tuple(notes),
    )


def follow_ups(previous: ModelsQuery) -> list[str]:
    return ["what about gpt-4", EXAMPLE_DATE]


def apply(previous: ModelsQuery, reply: Reply) -> ModelsQuery:
    """Words in a model slot are the new filter."""
    fixed_models(previous, reply.form)
    no_amounts(previous, reply.changes)
    narrowed = " ".join(reply.changes.models) if reply.changes.models else previous.filter
    return ModelsQuery(filter=narrowed, as_of=reply.as_of)


VERB = Verb(
    name="models",
    query=ModelsQuery,
    summary="The tariff table: prices per 1M tokens, context windows, training prices.",
    details=(
        "Without a filter: llmcost's own tariffs. With one ('models claude', 'models mistral'): "
        "every model in the catalog whose name or provider matches.",
    ),
    example=EXAMPLE,
    more_examples=("models",),
    synonyms=("model", "list"),
    parse=parse,
    render=render,
    answer=answer,
    follow_ups=follow_ups,
    apply=apply,
    free_text=True,
)

"""models: the tariff table, prices per 1M tokens, context windows, training prices."""

from datetime import date
from typing import Literal

from pricing.answers import TableAnswer
from pricing.costing import tariff_matches, tariff_row
from pricing.errors import UnknownModel
from pricing.lexicon import Cursor, as_of_words, words
from pricing.quantities import counted
from pricing.query import PricedQuery
from pricing.refinement import EXAMPLE_DATE, Reply, fixed_models, no_amounts
from pricing.tariffs import Tariff, TariffBook, exists_on, newest_first
from pricing.verbs.spec import PricingDay

EXAMPLE = "models gpt-4"
SUMMARY = "The tariff table: prices per 1M tokens, context windows, training prices."
DETAILS = (
    "Without a filter: today's main models across providers, newest first. With one "
    "('models claude', 'models mistral'): every model whose name or provider matches.",
)
MORE_EXAMPLES = ("models",)
FREE_TEXT = True

MODELS_TABLE_LIMIT = 40
FAMILIES = ("gpt", "claude", "gemini", "mistral")  # filters to try when a name matches nothing


class ModelsQuery(PricedQuery):
    kind: Literal["models"] = "models"
    filter: str | None = None


QUERY = ModelsQuery


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


# Today's main models: ours, then each big maker's newest few (the Home tab shows them too).
MAIN_MAKERS = ("openai", "anthropic", "google", "mistral", "deepseek", "x-ai")
MAIN_PER_MAKER = 3
# Models for speech, images and search are priced by the token too, but are nobody's main model.
NOT_MAIN = ("tts", "live", "image", "audio", "realtime", "embed", "robotics", "search", "transcri")


def main_models(book: TariffBook, day: date) -> tuple[list[Tariff], int]:
    """Today's main models across providers: ours (the bundled and the user's tariffs), then
    each big maker's newest few; and how many more models are priced on `day`."""
    current = [t for t in book.tariffs() if exists_on(t, day)]
    own = book.own_tariffs()
    chosen = [t for t in own if exists_on(t, day)]
    providers = {t.provider for t in current}
    for maker in MAIN_MAKERS:
        # A maker reselling another's model ("mistral/zai-glm-5-3") is not its main model.
        others = tuple(f"{p}-" for p in providers if p != maker)
        listed = [
            t
            for t in current
            if t.provider == maker
            and t.is_makers_listing
            and not any(t is mine for mine in own)
            and not any(word in t.model for word in NOT_MAIN)
            and not t.model.removeprefix(f"{maker}/").startswith(others)
        ]
        chosen += newest_first(listed)[:MAIN_PER_MAKER]
    return chosen, len(current) - len(chosen)


def answer(query: ModelsQuery, at: PricingDay) -> TableAnswer:
    day, historical = at.day, at.historical
    more = 0
    if query.filter:
        providers = at.book.providers()
        candidates = [
            t
            for t in at.book.tariffs()
            if not t.is_prefix and tariff_matches(t, query.filter, providers)
        ]
    else:
        candidates, more = main_models(at.book, day)
    priced = [(t, e) for t in candidates if (e := t.entry_at(day)) is not None]
    # As in 'cheapest': an undated catalog price is only known to hold today.
    undated = [(t, e) for t, e in priced if historical and e.effective is None]
    priced = [(t, e) for t, e in priced if not (historical and e.effective is None)]
    if query.filter and not priced and not undated:
        raise UnknownModel(
            f"No model matches '{query.filter}' on {day.isoformat()}.",
            suggestions=at.book.suggest(query.filter, day=day) or list(FAMILIES),
        )
    rows = tuple(tariff_row(t, e, day) for t, e in priced[:MODELS_TABLE_LIMIT])
    notes = []
    if len(priced) > len(rows):
        notes.append(
            f"Showing {len(rows)} of {len(priced)} models; narrow the filter to see the rest."
        )
    if not query.filter:
        notes.append(
            f"{more:,} more: narrow with 'models NAME', e.g. 'models claude' or 'models mistral'."
        )
    if undated:
        notes.append(
            f"{counted(len(undated), 'model')} with only undated catalog prices, which may not "
            f"have applied on {day.isoformat()}: left out."
        )
    title = f"Models matching '{query.filter}'" if query.filter else "Main models"
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

"""lifecycle: when a model was released and shuts down (done or scheduled), the notice that
said so, its substitute and when fine-tuning on it stops; or a maker's shutdowns in a year."""

from datetime import date
from typing import Literal

from pricing.answers import LifecycleAnswer, LifecycleRow
from pricing.costing import announced_stops
from pricing.lexicon import INPUT_WORDS, SELLER_NAMES, Cursor, as_of_words, take_one_model, words
from pricing.query import PricedQuery
from pricing.refinement import EXAMPLE_DATE, Reply, fixed_models, no_amounts, one_model
from pricing.tariffs import Tariff, TariffBook
from pricing.verbs.spec import PricingDay

EXAMPLE = "lifecycle gpt-4-turbo"
SUMMARY = "When a model was released and shuts down, with the notice and its substitute."
DETAILS = (
    "'lifecycle openai 2026' lists a maker's models shut down, or scheduled to shut down, in "
    "a year ('retired openai 2026' says the same). Asked in words: 'is gpt-4-turbo retired', "
    "'when does gpt-4.1 shut down', 'is gpt-3.5-turbo still available'.",
)
MORE_EXAMPLES = ("lifecycle openai 2026", "lifecycle o3")
YEARS = range(2000, 2100)


class LifecycleQuery(PricedQuery):
    kind: Literal["lifecycle"] = "lifecycle"
    model: str | None = None
    maker: str | None = None
    year: int | None = None


QUERY = LifecycleQuery


def parse(after: str) -> LifecycleQuery:
    said = words(after)
    year = next((int(w) for w in said if w.isdecimal() and int(w) in YEARS), None)
    maker = next((SELLER_NAMES[w.lower()] for w in said if w.lower() in SELLER_NAMES), None)
    rest = [w for w in said if not (w.isdecimal() and int(w) in YEARS)]
    rest = [w for w in rest if w.lower() not in SELLER_NAMES and w.lower() not in INPUT_WORDS]
    cursor = Cursor(rest, "lifecycle", EXAMPLE)
    if maker is not None and all(cursor.take_date() or cursor.done() for _ in rest):
        return LifecycleQuery(maker=maker, year=year, as_of=cursor.as_of)
    cursor = Cursor([w for w in said if w.lower() not in INPUT_WORDS], "lifecycle", EXAMPLE)
    if year is not None:
        raise cursor.fail(f"A year lists a maker's shutdowns: 'lifecycle openai {year}'.")
    return LifecycleQuery(model=take_one_model(cursor), as_of=cursor.as_of)


def render(query: LifecycleQuery) -> str:
    if query.model is not None:
        return f"lifecycle {query.model}{as_of_words(query.as_of)}"
    year = f" {query.year}" if query.year is not None else ""
    return f"lifecycle {query.maker}{year}{as_of_words(query.as_of)}"


def status(tariff: Tariff, day: date) -> str:
    if tariff.retired is not None and day >= tariff.retired:
        return f"shut down on {tariff.retired.isoformat()}"
    if tariff.retired is not None:
        return f"shuts down on {tariff.retired.isoformat()}"
    if tariff.deprecated:
        return "deprecated (no date published)"
    return "available"


def fine_tuning(tariff: Tariff, book: TariffBook, day: date) -> str | None:
    tuned = book.fine_tuned_variant(tariff)
    if tuned is None:
        return None
    stops = announced_stops(tuned, book, day)
    if not stops:
        return f"fine-tuning available ({tuned.model})"
    stop = min(stops, key=lambda each: each.stops)
    verb = "stopped" if day >= stop.stops else "stops"
    return f"new fine-tuning jobs {verb} on {stop.stops.isoformat()} for {stop.who}"


def row(tariff: Tariff, book: TariffBook, day: date) -> LifecycleRow:
    notice = tariff.retirement
    latest = tariff.latest
    return LifecycleRow(
        model=tariff.model,
        name=tariff.display_name,
        provider=tariff.provider,
        released=tariff.released or tariff.first_priced(),
        shutdown=tariff.retired,
        announced=notice.announced if notice else None,
        substitute=notice.replacement if notice else None,
        status=status(tariff, day),
        fine_tuning=fine_tuning(tariff, book, day),
        source=notice.source if notice else latest.source,
    )


def answer(query: LifecycleQuery, at: PricingDay) -> LifecycleAnswer:
    if query.model is not None:
        tariff = at.book.resolve(query.model, at.day)
        one = row(tariff, at.book, at.day)
        summary = f"{one.name}: {one.status}."
        if one.substitute:
            summary += f" Its vendor names {one.substitute} as the substitute."
        title = f"{one.name}: lifecycle (as of {at.day.isoformat()})"
        return LifecycleAnswer(as_of=at.day, title=title, summary=summary, rows=(one,))
    return _listed(query, at)


def _listed(query: LifecycleQuery, at: PricingDay) -> LifecycleAnswer:
    assert query.maker is not None
    dated = {
        tariff.model: tariff
        for tariff in at.book.tariffs()
        if tariff.provider == query.maker
        and tariff.retired is not None
        and (query.year is None or tariff.retired.year == query.year)
    }
    rows = tuple(
        row(tariff, at.book, at.day)
        for tariff in sorted(dated.values(), key=lambda t: (t.retired, t.model))
    )
    within = f" in {query.year}" if query.year is not None else ""
    done = sum(1 for each in rows if each.status.startswith("shut down"))
    to_come = len(rows) - done
    summary = (
        f"{len(rows)} {query.maker} models shut down or scheduled to{within}: {done} done, "
        f"{to_come} still to come (as of {at.day.isoformat()})."
        if rows
        else f"No {query.maker} model shuts down{within} in the dates llmcost knows."
    )
    title = f"{query.maker} shutdowns{within}"
    return LifecycleAnswer(as_of=at.day, title=title, summary=summary, rows=rows)


def follow_ups(previous: LifecycleQuery) -> list[str]:
    return ["what about gpt-4o", EXAMPLE_DATE]


def apply(previous: LifecycleQuery, reply: Reply) -> LifecycleQuery:
    fixed_models(previous, reply.form)
    no_amounts(previous, reply.changes)
    if previous.model is None:
        return previous.model_copy(update={"as_of": reply.as_of})
    model = one_model(previous.kind, previous.model, reply.changes)
    return LifecycleQuery(model=model, as_of=reply.as_of)

"""history: one model's dated price history, with sources."""

from typing import Literal

from pricing.answers import TableAnswer
from pricing.costing import tariff_row
from pricing.lexicon import Cursor, take_one_model, words
from pricing.query import VerbQuery
from pricing.refinement import EXAMPLE_DATE, CannotApply, Reply, fixed_models, no_amounts, one_model
from pricing.verbs.spec import PricingDay

EXAMPLE = "history gpt-3.5-turbo"
SUMMARY = "One model's dated price history, with sources."
DETAILS = ("Every dated price with its source.",)


class HistoryQuery(VerbQuery):
    kind: Literal["history"] = "history"
    model: str


QUERY = HistoryQuery


def parse(after: str) -> HistoryQuery:
    cursor = Cursor(words(after), "history", EXAMPLE)
    model = take_one_model(cursor)
    if cursor.as_of is not None:
        raise cursor.fail(
            "'history' shows every date; drop the date, or use 'price <model> as of'."
        )
    return HistoryQuery(model=model)


def render(query: HistoryQuery) -> str:
    return f"history {query.model}"


def answer(query: HistoryQuery, at: PricingDay) -> TableAnswer:
    tariff = at.book.resolve(query.model)
    rows = tuple(tariff_row(tariff, entry, at.day) for entry in tariff.entries)
    notes = []
    if tariff.retired is not None:
        shutdown = tariff.retired.isoformat()
        if tariff.is_retired_on(at.day):
            notes.append(f"Shut down on {shutdown}.")
        elif tariff.retiring_after(at.day):
            notes.append(f"Shuts down on {shutdown}.")
    if len(rows) == 1 and rows[0].effective is None:
        notes.append("The source records only the current price, without a start date.")
    return TableAnswer(
        kind="history",
        as_of=at.day,
        title=f"Price history of {tariff.display_name}, per 1M tokens",
        rows=rows,
        matched=len(rows),
        notes=tuple(notes),
    )


def follow_ups(previous: HistoryQuery) -> list[str]:
    return ["what about gpt-4-32k", f"price {previous.model} {EXAMPLE_DATE}"]


def apply(previous: HistoryQuery, reply: Reply) -> HistoryQuery:
    if reply.changes.dated:
        raise CannotApply(
            "'history' shows every date; ask for one day's prices instead.",
            f"price {previous.model} {EXAMPLE_DATE}",
        )
    fixed_models(previous, reply.form)
    no_amounts(previous, reply.changes)
    return HistoryQuery(model=one_model(previous.kind, previous.model, reply.changes))

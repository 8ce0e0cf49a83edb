"""The engine: a Query and the tariff book in, an Answer out. Renderers only format Answers.

Each verb's engine function lives in its module under `pricing.verbs`; this picks the day whose
prices apply and says when that day is in the future."""

from datetime import date

from pricing.answers import Answer
from pricing.tariffs import TariffBook
from pricing.verbs.registry import Query, verb_of
from pricing.verbs.spec import PricingDay


def answer(query: Query, book: TariffBook, today: date) -> Answer:
    """Answer one question with the prices in force on its `as of` date, else on `today`."""
    day = getattr(query, "as_of", None) or today
    # Undated catalog prices are known to hold today; only an earlier date needs a warning.
    result = verb_of(query).answer(query, PricingDay(book=book, day=day, historical=day < today))
    if result.as_of > today and result.kind != "help":
        future = (
            f"{result.as_of.isoformat()} is in the future: these are the prices known today "
            "for that date; changes announced later are not in them."
        )
        return result.model_copy(update={"notes": (*result.notes, future)})
    return result

"""finetune: the training cost of fine-tuning, tokens x epochs x the training price."""

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from pricing.answers import FinetuneAnswer
from pricing.costing import lifecycle_source, price_warnings
from pricing.errors import NoPrice
from pricing.lexicon import (
    EPOCH_WORDS,
    TIMES_WORDS,
    Cursor,
    as_of_words,
    model_name,
    take_training,
    training_words,
    words,
)
from pricing.money import cost_of, format_rate, format_usd
from pricing.quantities import format_count
from pricing.query import DEFAULT_EPOCHS, PricedQuery
from pricing.refinement import (
    EXAMPLE_DATE,
    CannotApply,
    Reply,
    changed_epochs,
    fixed_models,
    one_model,
    refuse,
)
from pricing.tariffs import Quote, Tariff, TariffBook, TrainingStop, normalize_name
from pricing.verbs.spec import PricingDay, Verb

EXAMPLE = "finetune gpt-3.5-turbo 100k tokens 3 epochs"


class FinetuneQuery(PricedQuery):
    kind: Literal["finetune"] = "finetune"
    model: str
    training_tokens: int = Field(ge=1)
    epochs: int | None = Field(default=None, ge=1)


def parse(after: str) -> FinetuneQuery:
    cursor = Cursor(words(after), "finetune", EXAMPLE)
    model = None
    tokens = epochs = None
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.peek()
        assert word is not None
        if cursor.is_count(word) or (word in TIMES_WORDS | EPOCH_WORDS):
            found_tokens, found_epochs = take_training(cursor)
            if found_tokens is None and found_epochs is None:
                raise cursor.unexpected(cursor.next_raw(), "in a finetune question")
            if found_tokens is not None:
                tokens = cursor.once(tokens, found_tokens, "number of training tokens")
            if found_epochs is not None:
                epochs = cursor.once(epochs, found_epochs, "number of epochs")
            continue
        if model_name(word) is None:
            cursor.position += 1
            continue
        if model is not None:
            raise cursor.fail(f"One model at a time: '{model}' or '{word}'?")
        model = model_name(cursor.next_raw())
    if model is None:
        raise cursor.fail("Which model do you want to fine-tune?")
    if not tokens:
        raise cursor.fail("How many training tokens? e.g. '100k tokens'.")
    return FinetuneQuery(model=model, training_tokens=tokens, epochs=epochs, as_of=cursor.as_of)


def render(query: FinetuneQuery) -> str:
    training = training_words(query.training_tokens, query.epochs)
    return f"finetune {query.model} {training}{as_of_words(query.as_of)}"


def training_quote(name: str, book: TariffBook, day: date) -> tuple[Quote, Decimal]:
    """The fine-tuned variant of `name` and its training price on `day`, or a NoPrice that says
    why the model cannot be priced for fine-tuning."""
    tariff = book.resolve(name)
    tuned = book.fine_tuned_variant(tariff)
    retirement = tariff.retirement
    if tuned is None:
        tunable = sorted(
            t.fine_tune_of
            for t in book.own_tariffs()
            if t.fine_tune_of is not None and t.entry_at(day) is not None
        )
        why = f"No training price is known for {tariff.display_name}"
        if retirement is not None and retirement.with_fine_tunes and tariff.retired is not None:
            until = "until" if day < tariff.retired else "until its shutdown on"
            # The vendor's notice retires its fine-tunes: it could be fine-tuned.
            why += f", though it could be fine-tuned {until} {tariff.retired.isoformat()}."
        else:
            why += ": it cannot be fine-tuned, or llmcost does not know what that costs."
        raise NoPrice(
            f"{why} Models with training prices on {day.isoformat()}: "
            f"{', '.join(tunable) or 'none'}.",
            suggestions=[f"finetune {model} 100k tokens 3 epochs" for model in tunable[:3]],
        )
    quote = book.quote(tuned.model, day)
    training_rate = tuned.training_price_at(day)
    if training_rate is None:
        raise NoPrice(
            f"No training price is known for {tuned.display_name} on {day.isoformat()}.",
        )
    # Named by its base ("gpt-3.5-turbo"), the row is about the fine-tuned model: say which.
    requested = normalize_name(name) if tuned is tariff else tuned.model
    return replace(quote, requested=requested), training_rate


def announced_stops(tuned: Tariff, book: TariffBook, day: date) -> list[TrainingStop]:
    """The ends of new fine-tuning jobs on `tuned` announced by `day`."""
    return [stop for stop in book.training_stops if stop.announced <= day and stop.covers(tuned)]


def training_stop_warnings(tuned: Tariff, book: TariffBook, day: date) -> list[str]:
    """When new fine-tuning jobs are no longer possible on `day`, or stop later as announced."""
    warnings = []
    if tuned.is_retired_on(day):
        warnings.append("No new fine-tuning job can use it: it is shut down.")
    for stop in announced_stops(tuned, book, day):
        notice = f"notice of {stop.announced.isoformat()}"
        if day >= stop.stops:
            warnings.append(
                f"since {stop.stops.isoformat()}, new fine-tuning jobs are not possible "
                f"for {stop.who} ({notice})."
            )
        else:
            warnings.append(
                f"new fine-tuning jobs stop on {stop.stops.isoformat()} for {stop.who} ({notice})."
            )
    return [warning[0].upper() + warning[1:] for warning in warnings]


def answer(query: FinetuneQuery, at: PricingDay) -> FinetuneAnswer:
    quote, training_rate = training_quote(query.model, at.book, at.day)
    epochs = query.epochs or DEFAULT_EPOCHS
    trained = query.training_tokens * epochs
    notes = [] if query.epochs else [f"Epochs not given: {DEFAULT_EPOCHS} assumed."]
    notes += price_warnings(quote, at.historical)
    notes += training_stop_warnings(quote.tariff, at.book, at.day)
    notes.append(
        f"Using {quote.tariff.display_name} then costs {format_rate(quote.entry.input_per_mtok)}"
        f"/1M input and {format_rate(quote.entry.output_per_mtok)}/1M output tokens."
    )
    return FinetuneAnswer(
        as_of=at.day,
        title=f"Fine-tuning {normalize_name(query.model)}: {format_count(trained)} tokens trained",
        model=normalize_name(query.model),
        model_id=quote.tariff.model,
        name=quote.tariff.display_name,
        training_tokens=query.training_tokens,
        epochs=epochs,
        trained_tokens=trained,
        training_per_mtok=training_rate,
        training_usd=cost_of(trained, training_rate),
        input_per_mtok=quote.entry.input_per_mtok,
        output_per_mtok=quote.entry.output_per_mtok,
        effective=quote.entry.effective,
        training_source=quote.entry.source,
        note_sources=tuple(
            source
            for source in (
                lifecycle_source(quote.tariff, at.day),
                *(stop.source for stop in announced_stops(quote.tariff, at.book, at.day)),
            )
            if source
        ),
        summary=(
            f"Fine-tuning costs {format_usd(cost_of(trained, training_rate))}: "
            f"{trained:,} tokens at {format_rate(training_rate)}/1M."
        ),
        notes=tuple(notes),
    )


def follow_ups(previous: FinetuneQuery) -> list[str]:
    return ["make it 200k tokens", "5 epochs", "what about gpt-4o-mini", EXAMPLE_DATE]


def apply(previous: FinetuneQuery, reply: Reply) -> FinetuneQuery:
    """A bare token amount is the training size."""
    fixed_models(previous, reply.form)
    changes = reply.changes
    refuse(
        previous,
        input=changes.input,
        output=changes.output,
        requests=changes.requests,
        split=changes.split,
        prompts=changes.prompts,
    )
    if changes.total is not None and changes.training is not None:
        raise CannotApply("The training size is given twice.")
    training = changes.training if changes.training is not None else changes.total
    if training == 0:
        raise CannotApply("Training needs at least one token.", "make it 200k tokens")
    epochs = changed_epochs(previous.epochs, changes)
    return FinetuneQuery(
        model=one_model(previous.kind, previous.model, changes),
        training_tokens=previous.training_tokens if training is None else training,
        epochs=epochs,
        as_of=reply.as_of,
    )


VERB = Verb(
    name="finetune",
    query=FinetuneQuery,
    summary="Training cost of fine-tuning: tokens x epochs x the training price.",
    details=(
        "Name the base model or its fine-tuned variant. "
        "Epochs: '3 epochs' or 'x3' (3 if not given).",
    ),
    example=EXAMPLE,
    more_examples=("finetune ft-davinci-002 1M tokens x2 as of 2023-08-22",),
    synonyms=("fine-tune", "finetuning", "fine-tuning", "train"),
    parse=parse,
    render=render,
    answer=answer,
    follow_ups=follow_ups,
    apply=apply,
)

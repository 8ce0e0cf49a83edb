"""breakeven: requests after which a fine-tuned model with a shorter prompt has paid back its
training against a base model with the long prompt."""

from typing import Literal

from pydantic import Field

from pricing.answers import BreakevenAnswer
from pricing.costing import (
    priced_row,
    requests_to_break_even,
    training_closed,
    training_quote,
    training_stop_notes,
    training_stop_warnings,
)
from pricing.lexicon import (
    OUTPUT_WORDS,
    PROMPT_WORDS,
    TOKEN_WORDS,
    TRAINING_WORDS,
    Cursor,
    as_of_words,
    model_name,
    take_prompt_pair,
    take_training,
    training_words,
    words,
)
from pricing.money import EXACT, cost_of, format_usd
from pricing.quantities import counted, format_count
from pricing.query import DEFAULT_EPOCHS, PricedQuery
from pricing.refinement import (
    EXAMPLE_DATE,
    CannotApply,
    Reply,
    changed_epochs,
    fixed_models,
    refuse,
)
from pricing.verbs.spec import PricingDay

EXAMPLE = "breakeven ft-gpt-3.5 vs gpt-4-8k prompt 1500 -> 200 output 300 training 100k x3"
SUMMARY = (
    "Requests after which a fine-tuned model with a shorter prompt has paid back its "
    "training against a base model with the long prompt."
)
DETAILS = (
    "The first model is fine-tuned (or its fine-tuned variant is used), the second is the "
    "model it replaces. 'prompt 1500 -> 200' is the long prompt, then the short one; "
    "'output 300' is the reply size; 'training 100k x3' the training tokens and epochs.",
)


class BreakevenQuery(PricedQuery):
    kind: Literal["breakeven"] = "breakeven"
    tuned: str
    base: str
    base_prompt: int = Field(ge=0)
    tuned_prompt: int = Field(ge=0)
    output: int | None = Field(default=None, ge=0)
    training_tokens: int = Field(ge=1)
    epochs: int | None = Field(default=None, ge=1)


QUERY = BreakevenQuery


def parse(after: str) -> BreakevenQuery:
    cursor = Cursor(words(after), "breakeven", EXAMPLE)
    models: list[str] = []
    prompts: list[int] = []
    output = training = epochs = None
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.peek()
        assert word is not None
        if word in PROMPT_WORDS:
            cursor.position += 1
            if prompts:
                raise cursor.fail("The prompt sizes are given twice.")
            prompts = take_prompt_pair(cursor)
        elif word in OUTPUT_WORDS:
            cursor.position += 1
            if not cursor.is_count(cursor.peek()):
                raise cursor.fail("'output' needs the output tokens of one request, e.g. 300.")
            output = cursor.once(output, cursor.count(cursor.next_raw()), "output size")
            cursor.skip(cursor.peek() in TOKEN_WORDS)
        elif word in TRAINING_WORDS:
            cursor.position += 1
            if training is not None:
                raise cursor.fail("The training size is given twice.")
            training, epochs = take_training(cursor)
            if not training:
                raise cursor.fail("'training' needs the training tokens, e.g. 'training 100k x3'.")
        elif model_name(word) is None:
            cursor.position += 1
        elif cursor.is_count(word):
            raise cursor.unexpected(cursor.next_raw(), "(is it a prompt, output or training size?)")
        else:
            models.append(word)
            cursor.position += 1
    if len(models) != 2:
        raise cursor.fail("Name the fine-tuned model, then 'vs', then the model it replaces.")
    if len(prompts) != 2:
        raise cursor.fail("Give the prompt sizes as 'prompt <long> -> <short>'.")
    if training is None:
        raise cursor.fail("Give the training size, e.g. 'training 100k x3'.")
    return BreakevenQuery(
        tuned=models[0],
        base=models[1],
        base_prompt=prompts[0],
        tuned_prompt=prompts[1],
        output=output,
        training_tokens=training,
        epochs=epochs,
        as_of=cursor.as_of,
    )


def render(query: BreakevenQuery) -> str:
    output = f" output {format_count(query.output)}" if query.output is not None else ""
    return (
        f"breakeven {query.tuned} vs {query.base} prompt {format_count(query.base_prompt)}"
        f" -> {format_count(query.tuned_prompt)}{output}"
        f" training {training_words(query.training_tokens, query.epochs)}"
        f"{as_of_words(query.as_of)}"
    )


def answer(query: BreakevenQuery, at: PricingDay) -> BreakevenAnswer:
    tuned_quote, training_rate = training_quote(query.tuned, at.book, at.day)
    base_quote = at.book.quote(query.base, at.day, complete=False)  # standard rates only
    output = query.output or 0
    epochs = query.epochs or DEFAULT_EPOCHS
    tuned_row = priced_row(tuned_quote, query.tuned_prompt, output, at.historical, requests=1)
    base_row = priced_row(base_quote, query.base_prompt, output, at.historical, requests=1)
    training_usd = cost_of(query.training_tokens * epochs, training_rate)
    saving = EXACT.subtract(base_row.total_usd, tuned_row.total_usd)
    requests = requests_to_break_even(training_usd, saving)
    notes = []
    if query.epochs is None:
        notes.append(f"Epochs not given: {DEFAULT_EPOCHS} assumed.")
    if query.output is None:
        notes.append("No output size given: requests priced on prompt tokens only.")
    if query.tuned_prompt > query.base_prompt:
        notes.append(
            f"The fine-tuned prompt ({query.tuned_prompt:,}) is longer than the base prompt "
            f"({query.base_prompt:,}); 'prompt 1500 -> 200' gives the long prompt first."
        )
    if requests is None:
        summary = (
            f"Never breaks even: a {tuned_row.model} request costs "
            f"{format_usd(tuned_row.total_usd)}, not less than {format_usd(base_row.total_usd)} "
            f"on {base_row.model}."
        )
    else:
        summary = (
            f"Breaks even after {counted(requests, 'request')}: fine-tuning costs "
            f"{format_usd(training_usd)} and saves {format_usd(saving)} a request."
        )
    too_small = [row.model for row in (tuned_row, base_row) if row.fits_context is False]
    if too_small:
        summary += f" But one request does not fit {' or '.join(too_small)}: see below."
    tuned = tuned_quote.tariff
    notes += training_stop_warnings(tuned, at.book, at.day)
    if (closed := training_closed(tuned, at.book, at.day)) is not None:
        summary = (
            f"No new fine-tuning job can be started on {at.day.isoformat()}: {closed}. {summary}"
        )
    return BreakevenAnswer(
        as_of=at.day,
        title=f"Break-even: {tuned_row.model} vs {base_row.model}",
        rows=(tuned_row, base_row),
        training_tokens=query.training_tokens,
        epochs=epochs,
        training_usd=training_usd,
        saving_per_request_usd=saving,
        breakeven_requests=requests,
        training_source=tuned_quote.entry.source,
        summary=summary,
        notes=tuple(notes),
        note_sources=training_stop_notes(tuned, at.book, at.day),
    )


def follow_ups(previous: BreakevenQuery) -> list[str]:
    return ["training 200k x4", "output 500", "prompt 2000 -> 300", EXAMPLE_DATE]


def apply(previous: BreakevenQuery, reply: Reply) -> BreakevenQuery:
    """A model named 'ft-...' replaces the fine-tuned one; any other, the base model."""
    fixed_models(previous, reply.form)
    changes = reply.changes
    refuse(previous, changes, "total", "input", "requests", "split", "dimensions")
    tuned, base = previous.tuned, previous.base
    replaced: set[str] = set()
    for model in changes.models:
        slot = "tuned" if model.startswith(("ft-", "ft:")) else "base"
        if slot in replaced:
            which = "fine-tuned" if slot == "tuned" else "base"
            raise CannotApply(
                f"Name one {which} model at a time; a breakeven weighs one against one."
            )
        replaced.add(slot)
        tuned, base = (model, base) if slot == "tuned" else (tuned, model)
    prompts = changes.prompts or (previous.base_prompt, previous.tuned_prompt)
    if changes.training == 0:
        raise CannotApply("Training needs at least one token.", "training 200k x4")
    return BreakevenQuery(
        tuned=tuned,
        base=base,
        base_prompt=prompts[0],
        tuned_prompt=prompts[1],
        output=previous.output if changes.output is None else changes.output,
        training_tokens=changes.training or previous.training_tokens,
        epochs=changed_epochs(previous.epochs, changes),
        as_of=reply.as_of,
    )

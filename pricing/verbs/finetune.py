"""finetune: the training cost of fine-tuning, tokens x epochs x the training price; or, given a
training file (`finetune train.jsonl`), the file checked and counted and priced on every
fine-tunable model (pricing.verbs.finetune_file)."""

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from pricing.answers import FinetuneAnswer, FinetuneFileAnswer
from pricing.costing import (
    Terms,
    price_warnings,
    rate_card,
    training_closed,
    training_quote,
    training_stop_notes,
    training_stop_warnings,
)
from pricing.errors import ParseError
from pricing.lexicon import (
    EPOCH_WORDS,
    EXAMPLE_WORDS,
    PROMPT_WORDS,
    TIMES_WORDS,
    TOKEN_WORDS,
    VALIDATION_WORDS,
    VS_WORDS,
    Cursor,
    as_of_words,
    model_name,
    take_training,
    training_words,
    words,
)
from pricing.money import cost_of, format_rate, format_usd
from pricing.quantities import format_count
from pricing.query import DEFAULT_EPOCHS, CacheTokens, PricedQuery
from pricing.refinement import (
    EXAMPLE_DATE,
    CannotApply,
    Reply,
    changed_epochs,
    fixed_models,
    one_model,
    refuse,
)
from pricing.tariffs import Quote, normalize_name
from pricing.training_file import FileTally
from pricing.verbs.spec import PricingDay

EXAMPLE = "finetune gpt-3.5-turbo 100k tokens 3 epochs"
SUMMARY = "Training cost of fine-tuning: tokens x epochs x the training price."
DETAILS = (
    "Name the base model or its fine-tuned variant. Epochs: '3 epochs' or 'x3' (3 if not given).",
    "Or give a training file (JSONL; in Slack, share it with the app): it is checked and "
    "counted as OpenAI's cookbook does, and priced on every fine-tunable model, or those "
    "named; 'epochs N', 'validation val.jsonl', 'vs gpt-4.1 prompt 1500' (break-even "
    "against a base model with a long prompt).",
)
MORE_EXAMPLES = ("finetune ft-davinci-002 1M tokens x2 as of 2023-08-22",)


FILE_EXAMPLE = "finetune train.jsonl gpt-4.1-mini gpt-4o-mini"
VS_EXAMPLE = "vs gpt-4.1 prompt 1500"


class FinetuneQuery(PricedQuery):
    """Either one model and a token amount, or a training file (`file`, as typed) and the models
    to price it on (none: every fine-tunable model). `training` and `validation_tally` are the
    files' tallies, filled in by whoever may read the files (the terminal, or Slack from a shared
    file): the words only name them."""

    kind: Literal["finetune"] = "finetune"
    model: str | None = None
    training_tokens: int | None = Field(default=None, ge=1)
    epochs: int | None = Field(default=None, ge=1)
    file: str | None = None
    models: tuple[str, ...] = ()
    validation: str | None = None
    vs: str | None = None
    vs_prompt: int | None = Field(default=None, ge=0)
    training: FileTally | None = None
    validation_tally: FileTally | None = None

    @model_validator(mode="after")
    def _a_size_or_a_file(self) -> "FinetuneQuery":
        if self.file is None and (self.model is None or self.training_tokens is None):
            raise ValueError("a finetune question needs a model and tokens, or a file")
        return self


QUERY = FinetuneQuery


# A file shared in Slack, named in a question as 'slack:<file id>:<file name>'.
SLACK_FILE = "slack:"


def is_file_word(word: str) -> bool:
    """A word that names a training file: '-' (standard input), a path ('./x', '/x', '~/x'), a
    file shared in Slack ('slack:F0123:train.jsonl') or a .jsonl/.json name. A bare word that is
    also a model's name is the model."""
    return (
        word == "-"
        or word.startswith(("./", "../", "/", "~/", SLACK_FILE))
        or word.lower().endswith((".jsonl", ".json"))
    )


def slack_file_reference(file_id: str, name: str) -> str:
    """How a question names a file shared in Slack: one word, whatever its name."""
    return f"{SLACK_FILE}{file_id}:{'_'.join(name.split()) or 'file.jsonl'}"


def slack_file_id(file: str | None) -> str | None:
    """The Slack file id a question's file names, or None for any other file."""
    if file is None or not file.startswith(SLACK_FILE):
        return None
    return file.removeprefix(SLACK_FILE).partition(":")[0] or None


def file_label(file: str) -> str:
    """A file as shown in an answer: a Slack file by its name."""
    if file.startswith(SLACK_FILE):
        return file.removeprefix(SLACK_FILE).partition(":")[2] or file
    return file


def parse(after: str) -> FinetuneQuery:
    found = words(after)
    if any(is_file_word(word) for word in found):
        return parse_file_question(found)
    cursor = Cursor(found, "finetune", EXAMPLE)
    model = None
    tokens = epochs = None
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.peek()
        assert word is not None
        if cursor.is_count(word) and cursor.peek(1) in EXAMPLE_WORDS:
            example = f"finetune {model or 'gpt-4o-mini'} 2M tokens"
            raise ParseError(
                f"Fine-tuning is billed per training token, not per example ('{word} "
                f"{cursor.peek(1)}'): give training tokens, or share the training file to count "
                f"them. Try: {example}",
                suggestions=[example],
            )
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
        name = cursor.take_name()  # "gpt 3.5 turbo" is gpt-3.5-turbo
        if model is not None:
            raise cursor.fail(f"One model at a time: '{model}' or '{name}'?")
        model = name
    if model is None:
        raise cursor.fail("Which model do you want to fine-tune?")
    if not tokens:
        raise cursor.fail("How many training tokens? e.g. '100k tokens'.")
    return FinetuneQuery(model=model, training_tokens=tokens, epochs=epochs, as_of=cursor.as_of)


def _no_amount_with_a_file(
    words: list[str], start: int, end: int, epochs: int | None
) -> ParseError:
    """ "finetune train.jsonl 2k": the file decides the training tokens; the question without
    the amount (words[start:end]) is what would work."""
    said = " ".join(words[start:end])
    rest = [word for index, word in enumerate(words) if not start <= index < end]
    example = " ".join(["finetune", *rest, *([f"{epochs} epochs"] if epochs else [])])
    return ParseError(
        "A training file's tokens are counted from the file, so an amount has no place in the "
        f"question ('{said}'). Try: {example}",
        suggestions=[example],
    )


def parse_file_question(found: list[str]) -> FinetuneQuery:
    cursor = Cursor(found, "finetune", FILE_EXAMPLE)
    file = validation = vs = None
    vs_prompt = epochs = None
    models: list[str] = []
    while not cursor.done():
        if cursor.take_date():
            continue
        word = cursor.peek()
        assert word is not None
        if word in VALIDATION_WORDS:
            cursor.position += 1
            if cursor.done() or not is_file_word(cursor.words[cursor.position]):
                raise cursor.fail("'validation' needs a file, e.g. 'validation val.jsonl'.")
            validation = cursor.once(validation, cursor.next_raw(), "validation file")
        elif word in VS_WORDS:
            cursor.position += 1
            base = model_name(cursor.peek() or "")
            if base is None or is_file_word(base):
                raise cursor.fail(f"'vs' needs a base model and its prompt: {VS_EXAMPLE}.")
            vs = cursor.once(vs, model_name(cursor.next_raw()), "base model")
            if cursor.peek() in PROMPT_WORDS:
                cursor.position += 1
            if not cursor.is_count(cursor.peek()):
                raise cursor.fail(f"'vs' needs the base model's prompt size: {VS_EXAMPLE}.")
            vs_prompt = cursor.count(cursor.next_raw())
            cursor.skip(cursor.peek() in TOKEN_WORDS)
        elif cursor.is_count(word) or word in TIMES_WORDS | EPOCH_WORDS:
            start = cursor.position
            amount, found_epochs = take_training(cursor)
            if amount is not None:
                raise _no_amount_with_a_file(cursor.words, start, cursor.position, found_epochs)
            if found_epochs is None:
                raise cursor.unexpected(word, "(epochs are 'epochs 3' or '3 epochs')")
            epochs = cursor.once(epochs, found_epochs, "number of epochs")
        elif is_file_word(cursor.words[cursor.position]):
            file = cursor.once(file, cursor.next_raw(), "training file")
        elif model_name(word) is None:
            cursor.position += 1
        else:
            models.append(model_name(cursor.next_raw()) or word)
    if file is None:
        raise cursor.fail("Which training file? Give its path, or '-' for standard input.")
    return FinetuneQuery(
        file=file,
        models=tuple(dict.fromkeys(models)),
        epochs=epochs,
        validation=validation,
        vs=vs,
        vs_prompt=vs_prompt,
        as_of=cursor.as_of,
    )


def render(query: FinetuneQuery) -> str:
    if query.file is not None:
        parts = ["finetune", query.file, *query.models]
        if query.epochs:
            parts.append(f"{query.epochs} epochs")
        if query.validation:
            parts += ["validation", query.validation]
        if query.vs:
            parts += ["vs", query.vs, "prompt", format_count(query.vs_prompt or 0)]
        return " ".join(parts) + as_of_words(query.as_of)
    assert query.model is not None
    assert query.training_tokens is not None
    training = training_words(query.training_tokens, query.epochs)
    return f"finetune {query.model} {training}{as_of_words(query.as_of)}"


def inference_note(quote: Quote) -> str:
    """What using the fine-tuned model then costs, at the rates the costing function bills."""
    name = quote.tariff.display_name
    rates = rate_card(quote.entry, name, quote.day, Terms(cache=CacheTokens(1, 0, 0)), None).rates
    cached = rates["cache_read"]
    cached_words = f" ({format_rate(cached)} cached)" if cached != rates["input"] else ""
    return (
        f"Using {name} then costs {format_rate(rates['input'])}/1M input{cached_words} and "
        f"{format_rate(rates['output'])}/1M output tokens."
    )


def answer(query: FinetuneQuery, at: PricingDay) -> FinetuneAnswer | FinetuneFileAnswer:
    if query.file is not None:
        # Imported here: only a training file needs the planner and its tokenizers, and every
        # cold start imports this verb.
        from pricing.finetune_plan import price_file

        return price_file(
            file=file_label(query.file),
            training=query.training,
            models=query.models,
            epochs=query.epochs,
            validation=query.validation_tally,
            vs=query.vs,
            vs_prompt=query.vs_prompt,
            at=at,
        )
    assert query.model is not None
    assert query.training_tokens is not None
    quote, training_rate = training_quote(query.model, at.book, at.day)
    epochs = query.epochs or DEFAULT_EPOCHS
    trained = query.training_tokens * epochs
    notes = [] if query.epochs else [f"Epochs not given: {DEFAULT_EPOCHS} assumed."]
    notes += price_warnings(quote, at.historical)
    notes += training_stop_warnings(quote.tariff, at.book, at.day)
    notes.append(inference_note(quote))
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
        note_sources=training_stop_notes(quote.tariff, at.book, at.day),
        summary=_summary(quote, cost_of(trained, training_rate), trained, training_rate, at),
        notes=tuple(notes),
    )


def _summary(quote: Quote, usd: Decimal, trained: int, rate: Decimal, at: PricingDay) -> str:
    """The training cost, led by why no new job can be started on the day asked, if so."""
    cost = f"{format_usd(usd)}: {trained:,} tokens at {format_rate(rate)}/1M."
    closed = training_closed(quote.tariff, at.book, at.day)
    if closed is None:
        return f"Fine-tuning costs {cost}"
    return (
        f"No new fine-tuning job can be started on {at.day.isoformat()}: {closed}. "
        f"At its last price, fine-tuning cost {cost}"
    )


def follow_ups(previous: FinetuneQuery) -> list[str]:
    if previous.file is not None:
        return ["what about gpt-4.1", "epochs 5", "vs gpt-4o prompt 2000", EXAMPLE_DATE]
    return ["make it 200k tokens", "5 epochs", "what about gpt-4o-mini", EXAMPLE_DATE]


def apply(previous: FinetuneQuery, reply: Reply) -> FinetuneQuery:
    """A bare token amount is the training size."""
    fixed_models(previous, reply.form)
    if previous.file is not None:
        return apply_to_file_question(previous, reply)
    assert previous.model is not None
    assert previous.training_tokens is not None
    changes = reply.changes
    refuse(previous, changes, "input", "output", "requests", "split", "prompts", "dimensions")
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


def apply_to_file_question(previous: FinetuneQuery, reply: Reply) -> FinetuneQuery:
    """Models named replace the models priced; epochs, a date and 'vs MODEL prompt N' apply."""
    changes = reply.changes
    refuse(previous, changes, "total", "input", "output", "requests", "split", "training")
    vs, vs_prompt = previous.vs, previous.vs_prompt
    models = tuple(changes.models) or previous.models
    if changes.prompts is not None:
        # 'vs gpt-4o prompt 2000': the model named is the base, the prompt its size.
        if len(changes.models) != 1:
            raise CannotApply("Name the base model with its prompt.", "vs gpt-4o prompt 2000")
        vs, vs_prompt, models = changes.models[0], changes.prompts[0], previous.models
    return previous.model_copy(
        update={
            "models": models,
            "epochs": changed_epochs(previous.epochs, changes),
            "vs": vs,
            "vs_prompt": vs_prompt,
            "as_of": reply.as_of,
        }
    )


def own_reply(previous: FinetuneQuery, text: str) -> FinetuneQuery | None:
    """Read before the shared reading of thread replies: 'vs gpt-4o prompt 2000' in a training
    file's thread is the base model to break even against (elsewhere 'vs' starts a
    comparison); None for any other reply (or any other finetune question)."""
    found = words(text)
    if previous.file is None or not found or found[0].lower() not in VS_WORDS:
        return None
    asked = parse_file_question([previous.file, *found])
    return previous.model_copy(update={"vs": asked.vs, "vs_prompt": asked.vs_prompt})

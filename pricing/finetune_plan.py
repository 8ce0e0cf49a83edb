"""A training file's tally priced on each fine-tunable model: tokens trained, training cost, a
typical request on the tuned model and, against a base model with a long prompt, the requests
to break even. The file is read elsewhere (pricing.training_file counts it; bot/ reads it)."""

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from pricing import tokens as tokenizers
from pricing.answers import FileErrorRow, FinetuneFileAnswer, TokenStats, TrainingRow
from pricing.costing import (
    announced_stops,
    priced_row,
    requests_to_break_even,
    training_stop_warnings,
)
from pricing.errors import LlmcostError, NoPrice
from pricing.money import cost_of, format_usd
from pricing.quantities import counted
from pricing.tariffs import Tariff, TariffBook, normalize_name
from pricing.training_file import (
    ERROR_KINDS,
    FORMAT_NAMES,
    EncodingTally,
    FileTally,
    TrainingFileError,
    histogram_over,
    histogram_quantile,
    histogram_total,
)
from pricing.training_terms import (
    BILLING_RULES,
    EXAMPLE_CAPS,
    NOT_PER_TOKEN,
    PREFERENCE_UNSUPPORTED,
)
from pricing.verbs.spec import PricingDay

# The cookbook's default-epochs rule (OpenAI's, as the notebook codes it).
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25
# The JSON's token statistics use this encoding when no model is named.
STATS_ENCODING = "o200k_base"
LEGACY_BASES = frozenset({"babbage-002", "davinci-002"})
ERRORS_SHOWN = 20


def default_epochs(examples: int) -> int:
    epochs = TARGET_EPOCHS
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        epochs = min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    elif examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        epochs = max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return epochs


def epochs_rule_note(examples: int, epochs: int) -> str:
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        why = (
            f"{examples:,} examples x {TARGET_EPOCHS} < {MIN_TARGET_EXAMPLES}, so "
            f"min({MAX_DEFAULT_EPOCHS}, {MIN_TARGET_EXAMPLES} // {examples:,}) = {epochs}"
        )
    elif examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        why = (
            f"{examples:,} examples x {TARGET_EPOCHS} > {MAX_TARGET_EXAMPLES:,}, so "
            f"max({MIN_DEFAULT_EPOCHS}, {MAX_TARGET_EXAMPLES:,} // {examples:,}) = {epochs}"
        )
    else:
        why = f"{TARGET_EPOCHS} for {examples:,} examples"
    return (
        f"Epochs not given: {counted(epochs, 'epoch')} by OpenAI's default rule as the cookbook "
        f"codes it ({why}); used for every provider (say 'epochs N' to change it)."
    )


@dataclass(frozen=True)
class Candidate:
    """A fine-tunable model: its tuned tariff and the base it tunes, as named."""

    base: str
    tuned: Tariff


def base_id(tuned: Tariff) -> str:
    """The base model's id without its provider ('google/gemini-2.5-pro' -> 'gemini-2.5-pro')."""
    return normalize_name(tuned.fine_tune_of or tuned.model).rpartition("/")[2]


def encoding_of(tuned: Tariff) -> tuple[str, bool]:
    """(encoding, estimated): the base's OpenAI encoding, or o200k_base as an estimate."""
    exact = tokenizers.encoding_name_for(base_id(tuned))
    return (exact, False) if exact else (tokenizers.ESTIMATE_ENCODING, True)


def candidates(
    models: Iterable[str], book: TariffBook, day: date, file_format: str
) -> tuple[list[Candidate], list[str]]:
    """The models to price (named, else every tuned tariff with a training price on `day` that
    takes this format) and one line for each named model that cannot be priced."""
    named = list(models)
    found: list[Candidate] = []
    refused: list[str] = []
    if named:
        for name in named:
            tariff = book.resolve(name)
            tuned = book.fine_tuned_variant(tariff)
            if tuned is None or tuned.training_price_at(day) is None:
                refused.append(f"{tariff.display_name}: no training price on {day.isoformat()}.")
            else:
                found.append(Candidate(base=normalize_name(name), tuned=tuned))
        return found, refused
    legacy = file_format == "prompt_completion"
    for tariff in book.own_tariffs():
        if tariff.fine_tune_of is None or tariff.training_price_at(day) is None:
            continue
        if tariff.entry_at(day) is None or (base_id(tariff) in LEGACY_BASES) != legacy:
            continue
        if tariff.is_retired_on(day):
            continue  # shut down: no longer fine-tunable (named, it is priced with a warning)
        found.append(Candidate(base=base_id(tariff), tuned=tariff))
    return found, refused


def encodings_needed(
    models: Iterable[str], book: TariffBook, day: date, file_format: str
) -> tuple[str, ...]:
    """What a file must be counted under to answer: each priced model's encoding, and the
    statistics' (the first named model's, else o200k_base)."""
    found, _ = candidates(models, book, day, file_format)
    needed = [encoding_of(candidate.tuned)[0] for candidate in found]
    stats = needed[0] if models and needed else STATS_ENCODING
    return tuple(dict.fromkeys([stats, *needed]))


def checked(tally: FileTally, file: str) -> FileTally:
    """The tally, or one clear error when the file holds no example at all."""
    if tally.examples:
        return tally
    if tally.lines == 0 or (tally.invalid == 0):
        raise TrainingFileError(f"{file} is empty: a training file has one JSON example a line.")
    first = tally.errors[0]
    if set(tally.error_counts) == {"not_json"}:
        raise TrainingFileError(
            f"{file} is not JSONL: no line of it is JSON (a training file has one JSON object "
            f"a line; line {first.line}: {first.message})."
        )
    raise TrainingFileError(
        f"{file} has no valid example: all {tally.invalid:,} are invalid "
        f"(line {first.line}: {first.message})."
    )


def stats_of(histogram: dict[int, int], encoding: str) -> TokenStats:
    size = sum(histogram.values())
    total = histogram_total(histogram)
    return TokenStats(
        encoding=encoding,
        total=total,
        min=min(histogram) if histogram else 0,
        mean=round(total / size, 1) if size else 0.0,
        median=histogram_quantile(histogram, 0.5),
        p90=round(histogram_quantile(histogram, 0.9), 1),
        max=max(histogram) if histogram else 0,
    )


def price_file(
    *,
    file: str,
    training: FileTally | None,
    models: tuple[str, ...],
    epochs: int | None,
    validation: FileTally | None,
    vs: str | None,
    vs_prompt: int | None,
    at: PricingDay,
) -> FinetuneFileAnswer:
    if training is None:
        raise LlmcostError(
            f"{file} has not been read: in a terminal give a path to an existing file (or '-' "
            "for standard input); in Slack, share the .jsonl file with the app.",
            suggestions=["finetune train.jsonl"],
        )
    tally = checked(training, file)
    day = at.day
    found, refused = candidates(models, at.book, day, tally.format)
    if not found and models:
        raise NoPrice(" ".join(refused), suggestions=["finetune train.jsonl"])
    chosen_epochs = epochs or default_epochs(tally.examples)
    stats_encoding = encoding_of(found[0].tuned)[0] if models and found else STATS_ENCODING
    stats = stats_of(_under(tally, stats_encoding).examples, stats_encoding)
    base_request = None
    if vs is not None:
        # The base model answers the same typical reply, counted as the statistics are.
        reply = math.ceil(histogram_quantile(_under(tally, stats_encoding).completions, 0.5))
        base_row = priced_row(
            at.book.quote(vs, day, complete=False), vs_prompt or 0, reply, at.historical, 1
        )
        base_request = base_row.per_request_usd
    rows = []
    for candidate in found:
        row = _row(candidate, tally, chosen_epochs, at)
        if base_request is not None and row.training_usd is not None:
            saving = base_request - row.request_usd
            row = row.model_copy(
                update={"breakeven_requests": requests_to_break_even(row.training_usd, saving)}
            )
        rows.append(row)
    notes = _notes(tally, epochs, chosen_epochs, rows, validation, refused, at)
    validation_tokens = None
    if validation is not None:
        validation = checked(validation, "the validation file")
        validation_tokens = histogram_total(_under(validation, stats_encoding).examples)
    priced = [row for row in rows if row.training_usd is not None]
    return FinetuneFileAnswer(
        as_of=day,
        title=f"Fine-tuning {file}: {counted(tally.examples, 'example')}, "
        f"{counted(chosen_epochs, 'epoch')}",
        file=file,
        format=tally.format,
        format_name=FORMAT_NAMES[tally.format],
        examples=tally.examples,
        invalid=tally.invalid,
        errors=tuple(
            FileErrorRow(
                line=error.line,
                message=": ".join(filter(None, (ERROR_KINDS[error.kind], error.message))),
            )
            for error in tally.errors[:ERRORS_SHOWN]
        ),
        error_counts=tally.error_counts,
        tokens=stats,
        epochs=chosen_epochs,
        epochs_rule="given" if epochs else "default",
        validation_examples=validation.examples if validation else None,
        validation_tokens=validation_tokens,
        rows=tuple(rows),
        vs=normalize_name(vs) if vs else None,
        vs_prompt=vs_prompt,
        vs_request_usd=base_request,
        not_priced=tuple(
            f"{offer.what}: {offer.billing}. Source: {offer.source}" for offer in NOT_PER_TOKEN
        ),
        summary=_summary(priced, tally, stats),
        note_sources=tuple(dict.fromkeys(source for row in rows for source in row.stop_sources)),
        notes=tuple(notes),
    )


def _under(tally: FileTally, encoding: str) -> EncodingTally:
    try:
        return tally.under(encoding)
    except KeyError:
        raise LlmcostError(
            f"The file was counted without {encoding}; ask again with the file to count it."
        ) from None


def _row(candidate: Candidate, tally: FileTally, epochs: int, at: PricingDay) -> TrainingRow:
    tuned, day = candidate.tuned, at.day
    encoding, estimated = encoding_of(tuned)
    counts = _under(tally, encoding)
    cap_fact = EXAMPLE_CAPS.get(base_id(tuned))
    cap = cap_fact.tokens if cap_fact else None
    training_tokens = histogram_total(counts.examples, cap)
    trained = training_tokens * epochs
    rate = tuned.training_price_at(day)
    assert rate is not None
    quote = replace(at.book.quote(tuned.model, day, complete=False), requested=candidate.base)
    prompt = math.ceil(histogram_quantile(counts.prompts, 0.5))
    completion = math.ceil(histogram_quantile(counts.completions, 0.5))
    request = priced_row(quote, prompt, completion, at.historical, requests=1)
    assert request.per_request_usd is not None
    warnings = [*request.warnings, *training_stop_warnings(tuned, at.book, day)]
    training_usd: Decimal | None = cost_of(trained, rate)
    stops = announced_stops(tuned, at.book, day)
    if tuned.is_retired_on(day) or (stops and day >= max(stop.stops for stop in stops)):
        training_usd = None  # no job can be started: the price is the last one published
    if tally.format == "preference" and base_id(tuned) in PREFERENCE_UNSUPPORTED:
        warnings.append(f"{base_id(tuned)} does not take preference (DPO) data.")
        training_usd = None
    if estimated:
        warnings.append(
            f"Tokens counted with {encoding} as an estimate: the model's own tokenizer is not "
            "available offline."
        )
    if cap is None:
        warnings.append("No published longest training example: examples counted whole.")
    return TrainingRow(
        model=candidate.base,
        model_id=tuned.model,
        name=tuned.display_name,
        provider=tuned.provider,
        encoding=encoding,
        estimated_tokens=estimated,
        cap=cap,
        over_cap=histogram_over(counts.examples, cap),
        training_tokens=training_tokens,
        trained_tokens=trained,
        training_per_mtok=rate,
        training_usd=training_usd,
        request_input_tokens=prompt,
        request_output_tokens=completion,
        request_usd=request.per_request_usd,
        effective=request.effective,
        source=request.source,
        lifecycle_source=request.lifecycle_source,
        stop_sources=tuple(stop.source for stop in stops),
        warnings=tuple(warnings),
    )


def _summary(priced: list[TrainingRow], tally: FileTally, stats: TokenStats) -> str:
    size = f"{stats.total:,} tokens in {counted(tally.examples, 'valid example')}"
    if not priced:
        return f"{size}; no model listed can be trained on it on that date."
    cheapest = min(priced, key=lambda row: row.training_usd or Decimal(0))
    dearest = max(priced, key=lambda row: row.training_usd or Decimal(0))
    if cheapest is dearest:
        cost = format_usd(cheapest.training_usd or Decimal(0))
        return f"Training costs {cost} on {cheapest.model}: {size}."
    return (
        f"Training costs {format_usd(cheapest.training_usd or Decimal(0))} ({cheapest.model}) to "
        f"{format_usd(dearest.training_usd or Decimal(0))} ({dearest.model}): {size}."
    )


def _notes(
    tally: FileTally,
    given_epochs: int | None,
    epochs: int,
    rows: list[TrainingRow],
    validation: FileTally | None,
    refused: list[str],
    at: PricingDay,
) -> list[str]:
    notes = [f"Format: {FORMAT_NAMES[tally.format]}."]
    if tally.invalid:
        kinds = ", ".join(
            f"{ERROR_KINDS[kind]} {count:,}" for kind, count in sorted(tally.error_counts.items())
        )
        notes.append(
            f"{counted(tally.invalid, 'invalid example')} left out of every count ({kinds})."
        )
    if given_epochs is None:
        notes.append(epochs_rule_note(tally.examples, epochs))
    notes.append(
        "Tokens counted as the cookbook's num_tokens_from_messages: 3 a message, its string "
        "values (role and content alike), 1 more for a name, 3 an example."
        if tally.format != "prompt_completion"
        else "Tokens counted as the prompt's and the completion's tokens."
    )
    if tally.counted_beyond_cookbook:
        beyond = ", ".join(
            f"{name} ({counted(count, 'example')})"
            for name, count in sorted(tally.counted_beyond_cookbook.items())
        )
        notes.append(
            f"Counted beyond the cookbook, as compact JSON text: {beyond}; OpenAI's own count "
            "of these may differ."
        )
    caps = sorted({(row.cap, row.over_cap) for row in rows if row.cap})
    for cap, over in caps:
        notes.append(
            f"Examples are capped at {cap:,} tokens on the models that take at most that; "
            f"{counted(over, 'example')} over it."
        )
    notes.append(
        "A typical request: the messages before the last assistant message as input, that "
        "message as output (medians over the file)."
    )
    notes.extend(BILLING_RULES)
    if validation is not None:
        notes.append(
            f"Validation file: {counted(validation.examples, 'example')}, not billed (see above)."
        )
    notes.extend(refused)
    return notes

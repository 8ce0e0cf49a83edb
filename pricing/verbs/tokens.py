"""tokens: count the tokens of pasted text and price it as input."""

import re
from datetime import date
from typing import Literal

from pydantic import Field

from pricing.answers import TokenCountRow, TokensAnswer
from pricing.costing import priced_row
from pricing.errors import NoPrice, ParseError
from pricing.lexicon import as_of_words
from pricing.quantities import counted
from pricing.query import PricedQuery
from pricing.refinement import EXAMPLE_DATE, CannotApply, Reply, fixed_models, no_amounts
from pricing.verbs.compare import EXAMPLE as COMPARE_EXAMPLE
from pricing.verbs.spec import PricingDay

EXAMPLE = "tokens How many tokens is this sentence?"
SUMMARY = "Count the tokens of pasted text and price it as input."
DETAILS = (
    "Counts with cl100k_base (GPT-4, GPT-3.5) and o200k_base (GPT-4o and later).",
    "In a terminal, text on a pipe is read: 'cat notes.txt | llmcost tokens' (or "
    "'llmcost tokens - < notes.txt').",
)
FREE_TEXT = True

# Models whose input cost a pasted text is shown on: the article's and today's common choices.
TOKENS_PRICED_ON = (
    "gpt-4-8k",
    "gpt-3.5-turbo",
    "ft-gpt-3.5",
    "gpt-4o",
    "gpt-4o-mini",
    "claude-sonnet-4",
)
# The date after a text to count: exactly one whitespace character before it (render writes a
# space), so a text that itself ends in spaces keeps them: `parse(render(q)) == q`.
TRAILING_AS_OF = re.compile(r"\sas of (?P<day>\d{4}-\d{2}-\d{2})\s*$", re.I)
# The text after 'tokens': spaces up to and including one line break separate it from the verb.
TOKENS_GAP = re.compile(r"[^\S\r\n]*(?:\r\n|\r|\n)?")
USED_BY = {
    "cl100k_base": "GPT-4, GPT-3.5 Turbo",
    "o200k_base": "GPT-4o, GPT-4.1, GPT-5, o-series",
}


class TokensQuery(PricedQuery):
    """Every word after 'tokens' is the text, but for an 'as of YYYY-MM-DD' that ends it."""

    kind: Literal["tokens"] = "tokens"
    text: str = Field(min_length=1)


QUERY = TokensQuery


def parse(after: str) -> TokensQuery:
    """Everything after the verb is the text to count, kept exactly as pasted."""
    gap = TOKENS_GAP.match(after)
    assert gap is not None  # the pattern matches the empty string
    body = after[gap.end() :]
    # A date can only end the text: "tokens <text> as of 2023-08-22".
    dated = TRAILING_AS_OF.search(body)
    as_of = None
    if dated:
        try:
            as_of = date.fromisoformat(dated["day"])
        except ValueError as exc:
            raise ParseError(f"'{dated['day']}' is not a real date.") from exc
        body = body[: dated.start()]
    if not body.strip():
        raise ParseError(
            f"Paste the text to count after 'tokens'. Try: {EXAMPLE}", suggestions=[EXAMPLE]
        )
    return TokensQuery(text=body, as_of=as_of)


def render(query: TokensQuery) -> str:
    # Text that starts with spaces or a line break goes on the next line, kept as is.
    gap = "\n" if query.text[:1].isspace() else " "
    return f"tokens{gap}{query.text}{as_of_words(query.as_of)}"


def answer(query: TokensQuery, at: PricingDay) -> TokensAnswer:
    # Loaded on first use: tiktoken would add ~60 ms to every command's start.
    from pricing import tokens as tokenizers

    counts = {encoding: tokenizers.count(query.text, encoding) for encoding in tokenizers.ENCODINGS}
    rows = []
    for name in TOKENS_PRICED_ON:
        try:
            quote = at.book.quote(name, at.day, complete=False)  # standard rates only
        except NoPrice:
            continue  # e.g. gpt-4o on a 2023 date: not yet released
        encoding = tokenizers.encoding_name_for(quote.tariff.model)
        # Sending the text once is one request: its context window and rate tier apply.
        tokens = counts[encoding or tokenizers.ESTIMATE_ENCODING]
        row = priced_row(quote, tokens, 0, at.historical, requests=1)
        if encoding is None:
            estimate = (
                f"Estimated with {tokenizers.ESTIMATE_ENCODING}: {quote.tariff.display_name}'s "
                "own tokenizer is not available offline."
            )
            row = row.model_copy(update={"warnings": (*row.warnings, estimate)})
        rows.append(row)
    summary = ", ".join(f"{counted(n, 'token')} in {encoding}" for encoding, n in counts.items())
    return TokensAnswer(
        as_of=at.day,
        title=f"Tokens in {counted(len(query.text), 'character')}",
        characters=len(query.text),
        counts=tuple(
            TokenCountRow(encoding=e, tokens=n, used_by=USED_BY.get(e, ""))
            for e, n in counts.items()
        ),
        rows=tuple(rows),
        summary=summary[0].upper() + summary[1:] + ".",
        notes=("Cost of sending the text once as input, on each model's own tokenizer.",),
    )


def follow_ups(previous: TokensQuery) -> list[str]:
    return [EXAMPLE_DATE, COMPARE_EXAMPLE]


def apply(previous: TokensQuery, reply: Reply) -> TokensQuery:
    fixed_models(previous, reply.form)
    no_amounts(previous, reply.changes)
    if reply.changes.models:
        raise CannotApply("A tokens question counts a text; it has no models to change.")
    return TokensQuery(text=previous.text, as_of=reply.as_of)

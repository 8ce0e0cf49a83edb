"""The shared, public vocabulary of the grammars: the question grammar (`pricing.verbs`) and the
thread follow-up grammar (`pricing.followup`) read words with these pieces, and the `digest`
grammar can: the tokenizer (`words`), the `Cursor`, word sets, amounts, money, periods, dates and
model names.

The grammar is forgiving where people vary (case, commas, "1,500", "1.2M", "tok", "x3",
"ft:gpt-3.5-turbo", "gpt4") and strict where a guess would give a wrong price: every word is
either understood or reported, with what would work instead.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation, localcontext
from typing import NamedTuple, TypeVar

from pydantic import ValidationError

from pricing.errors import ParseError
from pricing.quantities import (
    MAX_COUNT,
    QuantityError,
    Ratio,
    format_count,
    looks_like_count,
    looks_like_ratio,
    parse_count,
    parse_ratio,
)
from pricing.query import AskedTier, Period, Usage

T = TypeVar("T")

TOKEN_WORDS = {"tokens", "token", "tok", "toks", "tokes"}
INPUT_WORDS = {"in", "input", "inputs", "prompt"}
OUTPUT_WORDS = {"out", "output", "outputs", "completion", "completions"}
REQUEST_WORDS = {"requests", "request", "reqs", "req", "calls", "call"}
TIMES_WORDS = {"x", "*", "times"}
EPOCH_WORDS = {"epochs", "epoch"}
# The side an amount is of: "200k in", "in 200k", "50k out".
SIDES = dict.fromkeys(INPUT_WORDS, "input") | dict.fromkeys(OUTPUT_WORDS, "output")
COUNTED_WORDS = REQUEST_WORDS | {"times"}  # "500 requests", "500 times": a number of requests
FILLER_WORDS = {
    "and", "with", "vs", "versus", "against", "of", "for", "on", "a", "the", "&", "per", "each",
}  # fmt: skip
SCALE_WORDS = {"thousand": "k", "million": "m", "billion": "b"}
# Other ways people write a scale, after a number ("2 mln") or glued to it ("2mil", "3bn").
SCALE_WORDS |= {"mil": "m", "mln": "m", "mio": "m", "millions": "m", "bn": "b", "bln": "b"}
SCALE_WORDS |= {"thousands": "k", "billions": "b"}
GLUED_SCALE = re.compile(r"^(?P<number>\d[\d,]*(?:\.\d+)?|\.\d+)(?P<unit>[a-z]+)$", re.I)
# Words that ask no question of their own: "cheapest model for 100k", "price of gpt-4o please".
POLITE_WORDS = {"model", "please", "pls"}
DATE_LEAD = {"as", "on", "at"}
PROMPT_WORDS = {"prompt", "prompts"}
TRAINING_WORDS = {"training", "train"}
ARROWS = {"->", "to"}
# Price dimensions: cache reads and writes among the input tokens, tiers and times of day.
CACHED_WORDS = {"cached", "cache-hits", "cache-reads"}
CACHE_WORDS = {"cache", "caching"}
CACHE_READ_WORDS = {"reads", "read", "hits", "hit"}
CACHE_WRITE_WORDS = {"writes", "write"}
ONE_HOUR_WORDS = {"1h", "1hr", "1-hour", "60m", "60min"}
FIVE_MINUTE_WORDS = {"5m", "5min", "5-minute"}
TIER_NAMES: dict[str, AskedTier] = {
    "batch": "batch",
    "batched": "batch",
    "flex": "flex",
    "priority": "priority",
    "off-peak": "off_peak",
    "offpeak": "off_peak",
    "off_peak": "off_peak",
}
TIER_SAID: dict[AskedTier, str] = {"batch": "batch", "flex": "flex", "priority": "priority"}
TIER_SAID["off_peak"] = "off-peak"
STANDARD_WORDS = {"standard"}
NO_CACHE_WORDS = {"uncached"}
PERCENT = re.compile(r"^(?P<number>\d+(?:\.\d+)?)%$")
CLOCK = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")
# "utc", "gmt", "z", "utc+8", "utc-05:00", "+08:00": a zone after a time of day.
ZONE = re.compile(
    r"^(?:(?:utc|gmt|z)(?:(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?)?"
    r"|(?P<bare_sign>[+-])(?P<bare_hours>\d{1,2}):?(?P<bare_minutes>\d{2}))$",
    re.I,
)
DIMENSION_WORDS = (
    CACHED_WORDS
    | CACHE_WORDS
    | CACHE_READ_WORDS
    | CACHE_WRITE_WORDS
    | ONE_HOUR_WORDS
    | FIVE_MINUTE_WORDS
    | set(TIER_NAMES)
    | STANDARD_WORDS
    | NO_CACHE_WORDS
    | {"no", "utc", "gmt"}
)
RESERVED = (
    TOKEN_WORDS
    | INPUT_WORDS
    | OUTPUT_WORDS
    | REQUEST_WORDS
    | TIMES_WORDS
    | EPOCH_WORDS
    | FILLER_WORDS
    | DATE_LEAD
    | set(SCALE_WORDS)
    | DIMENSION_WORDS
    | POLITE_WORDS
    | {"split", "ratio", "training", "train", "prompts", "->", "to", "today", "private"}
)

# The words a training-file question reads ('finetune train.jsonl validation val.jsonl vs gpt-4o').
VS_WORDS = {"vs", "versus", "against"}
VALIDATION_WORDS = {"validation", "val", "valid"}
# "50k examples": a training set counted in examples, which have no price until tokenized.
EXAMPLE_WORDS = {"examples", "example", "samples", "rows", "conversations", "lines"}
FILE_WORDS = VS_WORDS | VALIDATION_WORDS | EXAMPLE_WORDS
# Words that carry no price meaning: a question holding them is answered without them, and the
# answer names them ("ignored: api").
NO_PRICE_MEANING = {
    "api", "please", "pls", "plz", "thanks", "thx", "thank", "hey", "hi", "hello", "bill",
    "usage", "using", "use", "roughly", "approximately", "approx", "about", "around", "~",
    "just", "llmcost", "overall", "workload", "traffic", "estimate", "estimated", "spend",
    "spending", "cost", "costs", "price", "prices", "total", "quick", "quickly", "so", "ok",
    "okay", "our", "my", "we", "us", "it", "me", "run", "be", "would",
}  # fmt: skip
# "on groq", "via azure", "on bedrock": a seller after one of these picks its listing; people
# call some sellers by a product's name.
SELLER_LEADS = {"on", "via", "at", "from", "through", "thru"}
SELLERS = {
    "anthropic", "aws", "azure", "baseten", "cerebras", "cloudflare", "cohere", "databricks",
    "deepseek", "fireworks", "google", "groq", "meta", "mistral", "modal", "moonshotai", "novita",
    "openai", "openrouter", "perplexity", "together", "x-ai", "zai",
}  # fmt: skip
SELLER_NAMES = {seller: seller for seller in SELLERS} | {
    "bedrock": "aws", "amazon": "aws", "vertex": "google", "gemini-api": "google", "xai": "x-ai",
    "grok": "x-ai", "fireworks-ai": "fireworks", "togetherai": "together",
    "together-ai": "together", "azure-openai": "azure", "workers-ai": "cloudflare",
}  # fmt: skip

# A period's length in hours (a 30-day month, a quarter of a 365-day year: 91.25 days), and in
# days, as every reply states it.
PERIOD_HOURS: dict[Period, int] = {"hour": 1, "day": 24, "week": 168, "month": 720}
PERIOD_HOURS |= {"quarter": 2190, "year": 8760}
PERIOD_DAYS: dict[Period, int | Decimal] = {
    name: hours // 24 if hours % 24 == 0 else Decimal(hours) / 24
    for name, hours in PERIOD_HOURS.items()
}
PERIOD_LENGTHS = "a 30-day month, a 91.25-day quarter, a 365-day year"
PERIOD_WORDS: dict[str, Period] = {"day": "day", "days": "day", "week": "week", "weeks": "week"}
PERIOD_WORDS |= {"month": "month", "months": "month", "year": "year", "years": "year"}
PERIOD_WORDS |= {"hour": "hour", "hours": "hour", "quarter": "quarter", "quarters": "quarter"}
PERIOD_LEAD = {"per", "a", "each", "every"}
CURRENCY_WORDS = {"usd", "dollars", "dollar", "$"}

NEGATIVE = re.compile(r"^-\d")
SCIENTIFIC = re.compile(r"^\d+(\.\d+)?e\d+$", re.I)
ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
# "x10000", "x3" (or with a multiplication sign): a multiplier glued to its number.
TIMES_SIGN = "\u00d7"
GLUED_TIMES = re.compile(rf"^[x{TIMES_SIGN}*](?=\d)", re.I)
STRIP = ",;!?\"'()"
# "gpt-4-8k,ft-gpt-3.5": a comma not between two digits separates words.
WORD_COMMA = re.compile(r"(?<!\d),|,(?!\d)")
# "$500", "$1.5k", "$2,000", "$0.50": dollars, written as people write them.
MONEY = re.compile(
    r"\$(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?P<scale>[kmb]?)", re.I
)
MONEY_SCALE = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
# A budget beyond a quadrillion dollars is a typo, not a question (as MAX_COUNT for tokens).
MAX_MONEY = Decimal(MAX_COUNT)


def words(text: str) -> list[str]:
    """The words of a question: punctuation around them dropped, '->' and 'x3' split off."""
    text = text.replace("→", " -> ").replace("->", " -> ").replace(TIMES_SIGN, " x ")
    text = WORD_COMMA.sub(" ", text)
    found = []
    for raw in text.split():
        # A trailing "." or ":" ends no keyword ("vs.", "tokens.", "prompt:"); ".5k" keeps its dot.
        word = raw.rstrip(STRIP + ".:").lstrip(STRIP)
        if not word:
            continue
        glued = GLUED_TIMES.match(word)
        if glued:
            found.extend(["x", word[glued.end() :]])
        else:
            found.append(scaled_word(word) or word)
    return found


def looks_like_money(word: str) -> bool:
    return MONEY.fullmatch(word) is not None


def parse_money(word: str) -> Decimal:
    """'$500', '$1.5k', '$2,000' as an exact Decimal; '500' (the number before 'usd') too."""
    match = MONEY.fullmatch(word if word.startswith("$") else f"${word}")
    if match is None:
        raise QuantityError(f"'{word}' is not an amount of money (try $500, $1.5k or $2,000)")
    digits = match["number"].replace(",", "")
    with localcontext() as context:
        context.prec = len(digits) + 10
        try:
            value = Decimal(digits) * MONEY_SCALE[match["scale"].lower()]
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
            raise QuantityError(f"'{word}' is not an amount of money") from exc
    if value > MAX_MONEY:
        raise QuantityError(f"'{word}' is more than llmcost prices (at most ${MAX_MONEY:,})")
    return value


# A size or version inside a model name: "3.5", "2.0", "70b", "8x7b", "3", "4o" ("gpt 4o").
# "v3", "r1", "v3.1": a version as some makers write it ("deepseek v3", "deepseek r1").
SIZE = re.compile(r"^(\d{1,2}|\d+\.\d+|\d+(\.\d+)?b|\d+x\d+b|\d+[a-z]\w*|[vr]\d+(\.\d+)?)$", re.I)
# "gpt 4 8k", "gpt 3.5 turbo 16k": a context size after a version is part of the name.
CONTEXT_SIZES = {"4k", "8k", "16k", "32k", "128k"}
# Words that finish a model's name as vendors write it: "claude 3.5 sonnet", "gpt-4o mini",
# "mistral large", "gemini 2.0 flash lite". Each is a word of a name, never a model alone.
NAME_WORDS = {
    "mini", "nano", "micro", "tiny", "small", "medium", "large", "turbo", "pro", "flash", "lite",
    "instruct", "preview", "sonnet", "haiku", "opus", "max", "plus", "latest", "chat", "vision",
    "fast", "ultra", "air", "coder", "reasoning", "thinking", "versatile", "embedding",
    "reasoner", "instant", "codex",
}  # fmt: skip
# After a size, these words make it an amount again: "70b tokens", "2 billion", "1M in", "5 usd".
AMOUNT_FOLLOWERS = (
    (TOKEN_WORDS | INPUT_WORDS | OUTPUT_WORDS | REQUEST_WORDS | EPOCH_WORDS | set(SCALE_WORDS))
    | CURRENCY_WORDS
    | {"times", "x", "examples", "example"}
)
SIZE_RULE = (
    "A model's name may be written in words: 'claude 3.5 sonnet' is claude-3.5-sonnet, "
    "'llama 3 70b' is llama-3-70b, 'gpt-4o mini' is gpt-4o-mini. A size or version (70b, 8x7b, "
    "3.5) belongs to the name only right after a model word; '70b tokens', 'x 10000', "
    "'2 billion' and '1M in' stay amounts."
)


def is_plain_word(word: str) -> bool:
    """'claude', 'llama', 'sonnet', 'ft:gpt': letters only (the start of a name written in
    words, a fine-tune's too)."""
    return word.removeprefix("ft:").isalpha()


def continues_name(last: str, word: str | None, after: str | None) -> bool:
    """Whether `word` is the next part of the model name whose last part is `last`: a size
    right after a plain word or another size (and not an amount: '70b tokens'), or one of
    NAME_WORDS."""
    if word is None or word in RESERVED:
        return False
    if word in NAME_WORDS:
        return True
    if word in CONTEXT_SIZES and is_size(last) and after not in AMOUNT_FOLLOWERS:
        return True
    if not is_size(word) or after in AMOUNT_FOLLOWERS:
        return False
    return is_plain_word(last) or is_size(last)


def is_size(word: str) -> bool:
    """'3.5', '70b', '8x7b', '4o'; not '1M' or '200k', which are amounts."""
    return SIZE.fullmatch(word) is not None and not (
        looks_like_count(word) and word[-1:].lower() in "km"
    )


def name_length(words: list[str], start: int) -> int:
    """How many words from `start` make one model name ('claude 3.5 sonnet': 3)."""
    end = start + 1
    while end < len(words) and continues_name(
        words[end - 1].lower(),
        words[end].lower(),
        words[end + 1].lower() if end + 1 < len(words) else None,
    ):
        end += 1
    return end - start


def joined_name(parts: list[str]) -> str:
    """The words of one name as one id: ['Claude', '3.5', 'Sonnet'] -> 'claude-3.5-sonnet'."""
    return "-".join(part.lower() for part in parts)


def sold_by(name: str, seller: str) -> str:
    """'groq/llama-3.1-8b': a seller's listing of a model, as the tariff book looks it up."""
    return name if "/" in name else f"{seller}/{name}"


def render_names(models: Sequence[str]) -> str:
    """Model ids side by side, with 'and' where a name would otherwise read as part of the one
    before it ('gpt-4o and mini' is two models; 'gpt-4o mini' is gpt-4o-mini)."""
    text = ""
    for index, model in enumerate(models):
        if index:
            last = models[index - 1].lower().split()[-1]
            after = model.split()[1].lower() if len(model.split()) > 1 else None
            text += " and " if continues_name(last, model.lower(), after) else " "
        text += model
    return text


def model_name(word: str) -> str | None:
    """A model name as written ('GPT-4' -> 'gpt-4'); None for a reserved word."""
    name = word.lower()
    return name if name and name not in RESERVED else None


def looks_like_model(word: str) -> bool:
    """'4o-mini' or '3.5-turbo' start with a digit but are names, not amounts."""
    return any(ch.isalpha() for ch in word.rstrip("kKmMbB"))


def looks_like_amount(word: str) -> bool:
    """A count, or a word starting with a digit that is no model name ('1,5', '2.5.1')."""
    return looks_like_count(word) or (word[:1].isdecimal() and not looks_like_model(word))


def is_vocabulary(word: str) -> bool:
    """A word the grammars read themselves (never a model name)."""
    return (
        word in RESERVED
        or looks_like_amount(word)
        or looks_like_ratio(word)
        or ISO_DATE.fullmatch(word) is not None
        or PERCENT.fullmatch(word) is not None
        or CLOCK.fullmatch(word) is not None
        or ZONE.fullmatch(word) is not None
        or NEGATIVE.match(word) is not None
        or SCIENTIFIC.match(word) is not None
    )


def as_of_words(day: date | None) -> str:
    """' as of 2023-08-22', or nothing: how a rendered question ends."""
    return f" as of {day.isoformat()}" if day else ""


def training_words(tokens: int, epochs: int | None) -> str:
    return f"{format_count(tokens)} tokens" + (f" {epochs} epochs" if epochs else "")


def money_words(amount: Decimal) -> str:
    """'$500', '$1500', '$0.5': exact, so it parses back the same."""
    return f"${format(amount.normalize(), 'f')}"


# How `render_usage` says each token count of a Usage, in the order it says them.
AMOUNTS_SAID = (("total", "{} tokens"), ("input", "{} in"), ("output", "{} out"))
CACHE_AMOUNTS_SAID = (
    ("cached", "cached {}"),
    ("cache_writes", "cache writes {}"),
    ("cache_writes_1h", "cache writes {} 1h"),
)


def _counted(usage: Usage, said: tuple[tuple[str, str], ...]) -> list[str]:
    return [
        phrase.format(format_count(count))
        for field, phrase in said
        if (count := getattr(usage, field)) is not None
    ]


def render_usage(usage: Usage) -> str:
    parts = _counted(usage, AMOUNTS_SAID)
    if usage.requests is not None:
        parts.append(f"x {format_count(usage.requests)} requests")
    if usage.split is not None:
        parts.append(f"split {usage.split}")
    if usage.cached_percent is not None:
        parts.append(f"{usage.cached_percent}% cached")
    parts += _counted(usage, CACHE_AMOUNTS_SAID)
    if usage.tier is not None:
        parts.append(TIER_SAID[usage.tier])
    if usage.clock is not None:
        zone = "" if usage.utc_assumed else " UTC"
        parts.append(f"at {usage.clock.strftime('%H:%M')}{zone}")
    if usage.period is not None:
        parts.append(f"per {usage.period}")
    return " ".join(parts)


@dataclass
class Dimensions:
    """What a question or reply says of price dimensions: cache reads (a share or an amount) and
    writes, a tier, a time of day; `standard` and `no_cache` undo them in a reply."""

    cached_percent: int | None = None
    cached: int | None = None
    cache_writes: int | None = None
    cache_writes_1h: int | None = None
    tier: AskedTier | None = None
    clock: time | None = None
    utc_assumed: bool = False
    standard: bool = False
    no_cache: bool = False

    def said(self) -> bool:
        return any(getattr(self, f.name) not in (None, False) for f in fields(self))

    def usage_fields(self) -> dict[str, object]:
        """The Usage fields a question gives (a reply's undoing words have no field)."""
        names = ("cached_percent", "cached", "cache_writes", "cache_writes_1h", "tier", "clock")
        given: dict[str, object] = {name: getattr(self, name) for name in names}
        return {**given, "utc_assumed": self.utc_assumed}


class Cursor:
    """Walks a list of words; small `take_*` methods consume one phrase each or nothing.
    `example` is the question a failure suggests: it works when pasted."""

    def __init__(self, words: list[str], verb: str, example: str) -> None:
        self.words = words
        self.position = 0
        self.verb = verb
        self.example = example
        self.as_of: date | None = None

    def peek(self, offset: int = 0) -> str | None:
        index = self.position + offset
        return self.words[index].lower() if index < len(self.words) else None

    def next_raw(self) -> str:
        word = self.words[self.position]
        self.position += 1
        return word

    def skip(self, condition: bool) -> None:
        """Step over the next word when `condition` holds ('tokens' after an amount)."""
        self.position += condition

    def done(self) -> bool:
        return self.position >= len(self.words)

    def fail(self, message: str) -> ParseError:
        return ParseError(f"{message} Try: {self.example}", suggestions=[self.example])

    def unexpected(self, word: str, what: str) -> ParseError:
        return self.fail(f"I didn't understand '{word}' {what}.")

    def is_count(self, word: str | None) -> bool:
        return word is not None and looks_like_count(word)

    def count(self, word: str) -> int:
        try:
            return parse_count(word)
        except QuantityError as exc:
            raise self.fail(f"{exc}.") from exc

    def amount(self) -> int:
        """A count and an optional scale word after it: '200k', '1.5 million', '2 thousand',
        '2 mln', '2mil'."""
        raw = self.next_raw()
        suffix = SCALE_WORDS.get(self.peek() or "")
        if suffix is None or not raw[-1:].isdecimal():
            return self.count(raw)
        self.position += 1
        return self.count(raw + suffix)  # "1.2 million" is "1.2m"

    def take_name(self) -> str | None:
        """One model name, written as one id or in words ('claude 3.5 sonnet'), joined into
        one id; None for a reserved word (which it steps over)."""
        length = name_length(self.words, self.position)
        parts = self.words[self.position : self.position + length]
        self.position += length
        if length == 1:
            return model_name(parts[0])
        return joined_name(parts)

    def once(self, current: T | None, value: T, what: str) -> T:
        if current is not None:
            raise self.fail(f"The {what} is given twice.")
        return value

    def take_date(self) -> bool:
        """'as of 2023-08-22', 'on 2023-08-22', 'at 2023-08-22', a bare ISO date or 'as of today'
        (no date: today's prices). True when it took one; the date is kept in `as_of`."""
        lead = 0
        if self.peek() == "as" and self.peek(1) == "of":
            lead = 2
        elif self.peek() in DATE_LEAD:
            lead = 1
        word = self.peek(lead)
        if word is None:
            if lead == 2:
                raise self.fail("'as of' needs a date like 2023-08-22.")
            return False
        if word == "today" and lead:
            self.position += lead + 1
            self.as_of = None
            return True
        if not ISO_DATE.fullmatch(word):
            if lead == 2:
                raise self.fail(f"'{word}' is not a date; write it as YYYY-MM-DD, e.g. 2023-08-22.")
            return False
        try:
            day = date.fromisoformat("-".join(part.zfill(2) for part in word.split("-")))
        except ValueError as exc:
            raise self.fail(f"'{word}' is not a real date.") from exc
        self.position += lead + 1
        self.as_of = day
        return True

    def take_ratio(self) -> Ratio | None:
        lead = 1 if self.peek() in {"split", "ratio"} else 0
        word = self.peek(lead)
        if word is None or not looks_like_ratio(word):
            if lead:
                raise self.fail("'split' needs an input:output ratio like 3:1 or 1:1.")
            return None
        self.position += lead + 1
        try:
            return parse_ratio(word)
        except QuantityError as exc:
            raise self.fail(f"{exc}.") from exc

    def take_multiplier(self) -> int | None:
        """'x 3', 'times 3' (the number after a multiplication sign)."""
        if self.peek() in TIMES_WORDS and self.is_count(self.peek(1)):
            self.position += 1
            return self.count(self.next_raw())
        return None

    def take_money(self) -> Decimal | None:
        """'$500', '$1.5k', '$2,000', '$ 500', '500 usd', '500 dollars'; None when the next
        words are no amount of money. A negative amount ('$-5', '-$5') is refused here."""
        word, after = self.peek(), self.peek(1)
        if word is None:
            return None
        if word.startswith(("-$", "$-")) or (word == "$" and (after or "").startswith("-")):
            raise self.fail("A budget cannot be negative.")
        if word == "$" and after is not None and after[:1].isdecimal():
            self.position += 1
            word = f"${self.peek()}"
        elif word[:1].isdecimal() and after in CURRENCY_WORDS:
            word = f"${word}"
            self.position += 1
        elif NEGATIVE.match(word) and after in CURRENCY_WORDS:
            raise self.fail("A budget cannot be negative.")
        elif not word.startswith("$"):
            return None
        self.position += 1
        try:
            amount = parse_money(word)
        except QuantityError as exc:
            raise self.fail(f"{exc}.") from exc
        self.skip(self.peek() in CURRENCY_WORDS)  # "$500 usd" says it twice
        return amount

    def take_dimension(self, dims: Dimensions) -> bool:
        """One phrase of price dimensions, kept in `dims`: '90% cached', 'cached 90%',
        'cached 200k', '200k cached', 'cache reads 200k', 'cache writes 50k [1h]', '50k cache
        writes', 'batch', 'flex', 'priority', 'off-peak', 'standard', 'no cache', 'at 18:00 UTC'.
        True when it took one."""
        word = self.peek()
        if word is None:
            return False
        if word in TIER_NAMES:
            self.position += 1
            dims.tier = self.once(dims.tier, TIER_NAMES[word], "tier")
            return True
        if word in STANDARD_WORDS:
            self.position += 1
            dims.standard = True
            return True
        if word in NO_CACHE_WORDS or (word == "no" and self.peek(1) in CACHE_WORDS | CACHED_WORDS):
            self.position += 1 if word in NO_CACHE_WORDS else 2
            dims.no_cache = True
            return True
        if word == "at" and self.peek(1) is not None and CLOCK.fullmatch(self.peek(1) or ""):
            self.position += 1
            self._take_clock(dims)
            return True
        if PERCENT.fullmatch(word) and self.peek(1) in CACHED_WORDS | CACHE_WORDS:
            self.position += 1
            self._skip_cache_reads()
            dims.cached_percent = self.once(
                dims.cached_percent, self._percent(word), "cached share"
            )
            return True
        if word in CACHED_WORDS or (word in CACHE_WORDS and self.peek(1) in CACHE_READ_WORDS):
            self._skip_cache_reads()
            after = self.peek()
            if after is not None and PERCENT.fullmatch(after):
                self.position += 1
                dims.cached_percent = self.once(
                    dims.cached_percent, self._percent(after), "cached share"
                )
            elif self.is_count(after):
                dims.cached = self.once(dims.cached, self._cache_amount(), "cached amount")
            else:
                raise self.fail(
                    f"'{word}' needs a share or an amount, e.g. '90% cached' or 'cached 200k'."
                )
            return True
        if word in CACHE_WORDS and self.peek(1) in CACHE_WRITE_WORDS:
            self.position += 2
            if not self.is_count(self.peek()):
                raise self.fail("'cache writes' needs an amount, e.g. 'cache writes 50k'.")
            self._take_writes(dims, self._cache_amount())
            return True
        return self.is_count(word) and self._take_counted_cache(dims)

    def _take_counted_cache(self, dims: Dimensions) -> bool:
        """'200k cached', '2 million cache reads', '50k cache writes 1h': an amount, then what
        it is; True when it took one."""
        offset = 1 + (self.peek(1) in SCALE_WORDS)
        offset += self.peek(offset) in TOKEN_WORDS
        follower, second = self.peek(offset), self.peek(offset + 1)
        reads = follower in CACHED_WORDS or (follower in CACHE_WORDS and second in CACHE_READ_WORDS)
        writes = follower in CACHE_WORDS and second in CACHE_WRITE_WORDS
        # "1M tokens cached 200k": the phrase names the amount after it, not this one.
        phrase = offset + (1 if follower in CACHED_WORDS else 2)
        phrase += self.peek(phrase) in CACHE_READ_WORDS and follower in CACHED_WORDS
        taken = self.peek(phrase) or ""
        if not (reads or writes) or self.is_count(taken) or PERCENT.fullmatch(taken):
            return False
        amount = self.amount()
        self.skip(self.peek() in TOKEN_WORDS)
        self.position += 1 if self.peek() in CACHED_WORDS else 2
        if reads:
            dims.cached = self.once(dims.cached, amount, "cached amount")
        else:
            self._take_writes(dims, amount)
        return True

    def _skip_cache_reads(self) -> None:
        """'cached', 'cache reads', 'cache hits': whichever of them comes next."""
        if self.peek() in CACHED_WORDS or self.peek() in CACHE_WORDS:
            self.position += 1
            self.skip(self.peek() in CACHE_READ_WORDS)

    def _cache_amount(self) -> int:
        amount = self.amount()
        self.skip(self.peek() in TOKEN_WORDS)
        return amount

    def _take_writes(self, dims: Dimensions, amount: int) -> None:
        if self.peek() in ONE_HOUR_WORDS:
            self.position += 1
            dims.cache_writes_1h = self.once(dims.cache_writes_1h, amount, "1-hour cache writes")
            return
        self.skip(self.peek() in FIVE_MINUTE_WORDS)
        dims.cache_writes = self.once(dims.cache_writes, amount, "cache writes")

    def _percent(self, word: str) -> int:
        match = PERCENT.fullmatch(word)
        assert match is not None
        number = Decimal(match["number"])
        if number > 100 or number != number.to_integral_value():
            raise self.fail(f"A cached share is a whole percentage from 0% to 100%, not '{word}'.")
        return int(number)

    def _take_clock(self, dims: Dimensions) -> None:
        """'18:00 UTC', '18:00 utc+8', '09:30 +05:30', or '18:00' alone (UTC assumed)."""
        raw = self.next_raw()
        match = CLOCK.fullmatch(raw)
        assert match is not None
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour > 23 or minute > 59:
            raise self.fail(f"'{raw}' is not a time of day; write it as HH:MM, e.g. 18:00 UTC.")
        offset = timedelta()
        zone = ZONE.fullmatch(self.peek() or "")
        if zone is not None:
            self.position += 1
            sign = zone["sign"] or zone["bare_sign"]
            if sign:
                hours = int(zone["hours"] or zone["bare_hours"])
                minutes = int(zone["minutes"] or zone["bare_minutes"] or 0)
                if hours > 14 or minutes > 59:
                    raise self.fail(f"'{self.words[self.position - 1]}' is not a time zone.")
                offset = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
        local = datetime(2000, 1, 1, hour, minute)
        if dims.clock is not None:
            raise self.fail("The time of day is given twice.")
        dims.clock = (local - offset).time()
        dims.utc_assumed = zone is None

    def take_seller(self) -> str | None:
        """'on groq', 'via azure', 'on bedrock': the seller named (as genai-prices names it)."""
        seller = SELLER_NAMES.get(self.peek(1) or "")
        if self.peek() not in SELLER_LEADS or seller is None:
            return None
        self.position += 2
        return seller

    def take_period(self) -> Period | None:
        """'per month', 'a day', 'each week', 'every year': the period of a budget."""
        if self.peek() in PERIOD_LEAD and (period := PERIOD_WORDS.get(self.peek(1) or "")):
            self.position += 2
            return period
        return None


def scaled_word(word: str) -> str | None:
    """'2mil' -> '2m', '3bn' -> '3b': a number glued to a scale word, as a count; None else."""
    glued = GLUED_SCALE.fullmatch(word)
    if glued is None or (suffix := SCALE_WORDS.get(glued["unit"].lower())) is None:
        return None
    return glued["number"] + suffix


def reject_malformed_amount(cursor: Cursor, word: str) -> None:
    """'-5k', '1e6' and '2xyz tokens' would otherwise be read as model names."""
    glued = GLUED_SCALE.fullmatch(word) if word[:1].isdecimal() else None
    if glued is not None and cursor.peek(1) in TOKEN_WORDS | INPUT_WORDS | OUTPUT_WORDS:
        raise cursor.fail(
            f"I don't know the unit '{glued['unit']}' in '{word}': write 2k, 2M, 2B, "
            "2 thousand, 2 million or 2 billion."
        )
    if NEGATIVE.match(word):
        raise cursor.fail(f"Amounts cannot be negative: '{word}'.")
    if SCIENTIFIC.match(word):
        raise cursor.fail(f"Write '{word}' without an exponent, e.g. 1M or 1,000,000.")


class Amounts(NamedTuple):
    """What `read_usage` read: the model names (or filter words) and the token amounts."""

    models: list[str]  # names written in words joined into one id ("claude-3.5-sonnet")
    usage: Usage | None  # None when no token amount was given
    # Without a token amount, a split or a number of requests has nothing to apply to yet.
    split: Ratio | None
    requests: int | None
    filter_words: list[str]  # the model words as written, for a filter ("llama 70b")


def read_usage(cursor: Cursor, take_more: Callable[[Cursor], bool] | None = None) -> Amounts:
    """Model names and token amounts of a priced question, in any order, and its date (kept in
    `cursor.as_of`). `take_more(cursor)`, when given, reads a verb's own phrases first and says
    whether it took one."""
    said = _UsageSaid(cursor)
    while not cursor.done():
        if take_more is not None and take_more(cursor):
            continue
        if cursor.take_date() or cursor.take_dimension(said.dims) or said.take_phrase():
            continue
        said.take_word()
    return said.amounts()


@dataclass
class _UsageSaid:
    """What a priced question has said so far, as `read_usage` reads it."""

    cursor: Cursor
    models: list[str] = field(default_factory=list)
    filter_words: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # total, input, output, requests
    split: Ratio | None = None
    period: Period | None = None
    dims: Dimensions = field(default_factory=Dimensions)

    def count(self, name: str, amount: int) -> None:
        what = {"total": "token amount", "requests": "number of requests"}.get(name)
        self.cursor.once(self.counts.get(name), amount, what or f"{name} amount")
        self.counts[name] = amount

    def take_phrase(self) -> bool:
        """A split, a period, 'x 10 requests', or an amount with its side ('in 200k')."""
        cursor = self.cursor
        if (ratio := cursor.take_ratio()) is not None:
            self.split = cursor.once(self.split, ratio, "split")
        elif (period := cursor.take_period()) is not None:
            self.period = cursor.once(self.period, period, "period")
        elif (times := cursor.take_multiplier()) is not None:
            self.count("requests", times)
            cursor.skip(cursor.peek() in REQUEST_WORDS)
        elif (word := cursor.peek() or "") in SIDES and cursor.is_count(cursor.peek(1)):
            cursor.position += 1
            self.count(SIDES[word], cursor.amount())
            cursor.skip(cursor.peek() in TOKEN_WORDS)
        else:
            return False
        return True

    def take_word(self) -> None:
        """An amount ('200k tokens', '500 requests'), a seller, filler, or a model's name."""
        cursor = self.cursor
        word = cursor.peek() or ""
        if looks_like_amount(word):
            amount = cursor.amount()
            unknown_unit(cursor)
            cursor.skip(cursor.peek() in TOKEN_WORDS)
            follower = cursor.peek() or ""
            counted = SIDES.get(follower) or ("requests" if follower in COUNTED_WORDS else "total")
            cursor.skip(counted != "total")
            self.count(counted, amount)
        # "llama 3.1 8b on groq": that seller's listing of the model named before it ("on
        # deepseek chat", naming none before, is a model).
        elif self.models and (seller := cursor.take_seller()) is not None:
            self.models[-1] = sold_by(self.models[-1], seller)
            self.filter_words.extend(["via", seller])
        elif word in RESERVED:
            cursor.position += 1  # filler ("and", "with", "per", a stray "tokens")
        else:
            reject_malformed_amount(cursor, word)
            start = cursor.position
            if (name := cursor.take_name()) is not None:
                self.models.append(name)
                self.filter_words.extend(cursor.words[start : cursor.position])

    def amounts(self) -> Amounts:
        cursor, counts = self.cursor, self.counts
        filter_words = [word.lower() for word in self.filter_words]
        if not {"total", "input", "output"} & set(counts):
            if self.dims.said():
                raise cursor.fail(
                    "Cache shares, tiers and times of day apply to token amounts; give them too."
                )
            if self.period is not None:
                raise cursor.fail(f"'per {self.period}' needs token amounts to apply to.")
            return Amounts(self.models, None, self.split, counts.get("requests"), filter_words)
        if counts.get("requests") == 0:
            raise cursor.fail("The number of requests must be at least 1.")
        if self.dims.no_cache or self.dims.standard:
            plain = "no cache" if self.dims.no_cache else "standard"
            raise cursor.fail(f"'{plain}' is what a question means without it; leave it out.")
        try:
            usage = Usage(
                **counts,  # type: ignore[arg-type]
                split=self.split,
                period=self.period,
                **self.dims.usage_fields(),  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            raise cursor.fail(f"{exc.errors()[0]['msg'].removeprefix('Value error, ')}.") from exc
        return Amounts(self.models, usage, None, None, filter_words)


def unknown_unit(cursor: Cursor) -> None:
    """'2 lakh tokens': a word between an amount and its unit that is no scale llmcost knows."""
    word, after = cursor.peek(), cursor.peek(1)
    if word is not None and word.isalpha() and word not in RESERVED and after in TOKEN_WORDS:
        raise cursor.fail(
            f"I don't know the unit '{word}': write 2k, 2M, 2B, 2 thousand, 2 million or 2 billion."
        )


def required_usage(cursor: Cursor, amounts: Amounts, *, filtering: bool = False) -> Usage:
    """The token amounts of a compare/cost/cheapest question, or an error asking for them. Its
    example keeps the models named, or the words `filtering` by (cheapest), as typed."""
    if amounts.usage is None:
        named = amounts.filter_words if filtering else amounts.models or ["gpt-4-8k"]
        example = " ".join([cursor.verb, *named, "200k tokens"])
        raise ParseError(
            "How many tokens? Give a total like '200k tokens' or '150k in 50k out'. "
            f"Try: {example}",
            suggestions=[example],
        )
    return amounts.usage


def take_training(cursor: Cursor) -> tuple[int | None, int | None]:
    """'100k tokens 3 epochs', '100k x3', '100k epochs 3'."""
    tokens = epochs = None
    if cursor.is_count(cursor.peek()) and cursor.peek(1) not in EPOCH_WORDS:
        tokens = cursor.amount()  # "2 million" is 2,000,000, not 2
        cursor.skip(cursor.peek() in TOKEN_WORDS)
    while not cursor.done():
        if (times := cursor.take_multiplier()) is not None:
            epochs = cursor.once(epochs, times, "number of epochs")
            cursor.skip(cursor.peek() in EPOCH_WORDS)
        elif cursor.is_count(cursor.peek()) and cursor.peek(1) in EPOCH_WORDS:
            epochs = cursor.once(epochs, cursor.count(cursor.next_raw()), "number of epochs")
            cursor.position += 1
        elif cursor.peek() in EPOCH_WORDS and cursor.is_count(cursor.peek(1)):
            cursor.position += 1
            epochs = cursor.once(epochs, cursor.count(cursor.next_raw()), "number of epochs")
        else:
            break
    if epochs == 0:
        raise cursor.fail("Training needs at least 1 epoch.")
    return tokens, epochs


def take_prompt_pair(cursor: Cursor) -> list[int]:
    """'1500 -> 200' after 'prompt': the long prompt, then the fine-tuned one."""
    if not cursor.is_count(cursor.peek()):
        raise cursor.fail("'prompt' needs two sizes: the long prompt -> the fine-tuned one.")
    long_prompt = cursor.count(cursor.next_raw())
    cursor.skip(cursor.peek() in TOKEN_WORDS)
    if cursor.peek() == "-" and cursor.peek(1) is None:
        # The shell took "> 200" as a redirection and left a file named 200 behind.
        raise cursor.fail(
            "The '->' was cut off: in a shell, quote the whole question or write 'to' "
            "instead of '->'."
        )
    if cursor.peek() not in ARROWS or not cursor.is_count(cursor.peek(1)):
        raise cursor.fail(f"After 'prompt {long_prompt}' write '-> <shorter prompt>', e.g. -> 200.")
    cursor.position += 1
    short_prompt = cursor.count(cursor.next_raw())
    cursor.skip(cursor.peek() in TOKEN_WORDS)
    return [long_prompt, short_prompt]


def prompt_pair_ahead(cursor: Cursor) -> bool:
    """'prompt 2000 -> 300' (not 'prompt 2000', which is an input amount)."""
    after = 2 + (cursor.peek(2) in TOKEN_WORDS)
    return cursor.is_count(cursor.peek(1)) and cursor.peek(after) in ARROWS


def take_one_model(cursor: Cursor) -> str:
    """The one model of a price/history question (and its date, kept in `cursor.as_of`)."""
    model = None
    while not cursor.done():
        if cursor.take_date():
            continue
        if (name := cursor.take_name()) is None:
            continue
        if model is not None:
            raise cursor.fail(f"'{cursor.verb}' takes one model: '{model}' or '{name}'?")
        model = name
    if model is None:
        raise cursor.fail("Which model?")
    return model

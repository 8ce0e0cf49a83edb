"""Amounts as people say them: cache hit rates, splits, money per period, words and characters.

Each table is phrases (`pricing.phrasing.phrases.phrase`): what people write and the grammar's
words for it. A rule that changes a number (words into tokens) states itself in the answer."""

import re

from pricing.lexicon import PERIOD_HOURS, PERIOD_WORDS
from pricing.phrasing.phrases import Context, phrase, refuse
from pricing.quantities import QuantityError, format_count, parse_count

NUMBER = r"\d[\d,]*(?:\.\d+)?[kmb]?|\.\d+[kmb]?"
SCALE = r"thousand|million|billion|mil|mln|bn"
SCALES = {"thousand": "k", "million": "m", "billion": "b", "mil": "m", "mln": "m", "bn": "b"}
SHARE = r"\d+(?:\.\d+)?"
OF_THE_INPUT = (
    r"(?:of\s+(?:it|them|the\s+input|input|the\s+prompts?|prompts?)\s+)?(?:is\s+|are\s+)?"
)
SHARES = {"half": "50", "a quarter": "25", "three quarters": "75", "all": "100", "none": "0"}

# "with a 70% cache hit rate", "cache hit rate 70%", "70 percent cached", "half of it cached".
CACHE = (
    phrase(rf"\b({SHARE})\s+percent\b", r"\1%", when=("percent",)),
    phrase(
        rf"\b(?:with\s+)?(?:an?\s+)?({SHARE})%\s+cache[- ]?hits?(?:\s+(?:rate|ratio))?\b",
        r"\1% cached",
        when=("cache",),
    ),
    phrase(
        rf"\b(?:with\s+)?(?:an?\s+)?cache[- ]?hits?\s+(?:rate|ratio)\s+(?:of\s+|is\s+|at\s+|=\s*)?"
        rf"({SHARE})%",
        r"\1% cached",
        when=("cache",),
    ),
    phrase(rf"\b({SHARE})%\s+{OF_THE_INPUT}cached\b", r"\1% cached", when=("cached",)),
    phrase(
        rf"\b({'|'.join(SHARES)})\s+{OF_THE_INPUT}cached\b",
        lambda match, _context: f"{SHARES[match[1].lower()]}% cached",
        when=("cached",),
    ),
)

# "50/50", "80:20" (read already), "split 4 to 1", "3 to 1 split".
SPLITS = (
    phrase(
        r"(?:\b(?:split|ratio)\s+)?(?<![\w/.$-])(\d{1,3})\s*/\s*(\d{1,3})(?![\w/.])",
        r"split \1:\2",
        when=("/",),
    ),
    phrase(rf"\b(split|ratio)\s+({SHARE})\s+to\s+({SHARE})\b", r"split \2:\3", when=(" to ",)),
    phrase(rf"\b({SHARE})\s+to\s+({SHARE})\s+(?:split|ratio)\b", r"split \1:\2", when=(" to ",)),
)

PERIOD_SAID = {"mo": "month", "mos": "month", "mon": "month", "month": "month", "d": "day"}
PERIOD_SAID |= {"day": "day", "wk": "week", "week": "week", "yr": "year", "year": "year"}
PERIOD_SAID |= {"hr": "hour", "hour": "hour", "q": "quarter", "qtr": "quarter"}
PERIOD_SAID |= {"quarter": "quarter"}
ADJECTIVES = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month"}
ADJECTIVES |= {"quarterly": "quarter", "yearly": "year", "annually": "year", "annual": "year"}

NUMBER_WORDS = {"a": "1", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}
NUMBER_WORDS |= {"six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
NUMBER_WORDS |= {"twenty": "20", "fifty": "50", "hundred": "100", "half a": "0.5"}
# "one million tokens", "half a million", "a billion": a count in words before a scale.
NUMBERS = (
    phrase(
        rf"\b({'|'.join(NUMBER_WORDS)})\s+(thousand|million|billion)\b",
        lambda match, _context: f"{NUMBER_WORDS[match[1].lower()]} {match[2].lower()}",
        when=("thousand", "million", "billion"),
    ),
)

# "$1.5k/mo", "20k requests/day", "monthly": a period, said as 'per month'.
PERIODS = (
    phrase(
        rf"(?<=[\w%])\s*/\s*({'|'.join(PERIOD_SAID)})\b",
        lambda match, _context: f" per {PERIOD_SAID[match[1].lower()]}",
        when=("/",),
    ),
    phrase(
        rf"\b({'|'.join(ADJECTIVES)})\b",
        lambda match, _context: f"per {ADJECTIVES[match[1].lower()]}",
        when=("ly", "annual"),
    ),
)

CURRENCY_EXAMPLE = "budget $500 gpt-4o 2k in 500 out"
OTHER_CURRENCIES = r"eur|euros?|gbp|pounds?|jpy|yen|inr|rupees?|cad|aud|chf|cny|rmb|yuan"
CURRENCY_NAMES: tuple[str, ...] = (
    "eur",
    "gbp",
    "pound",
    "jpy",
    "yen",
    "inr",
    "rupee",
    "cad",
    "aud",
    "chf",
    "cny",
)
CURRENCY_NAMES += ("rmb", "yuan")


def _not_dollars(match: re.Match[str], _context: Context) -> str:
    raise refuse(
        f"'{match[0].strip()}': llmcost prices in US dollars, as the providers bill; write the "
        "amount in dollars ($500, 500 usd).",
        CURRENCY_EXAMPLE,
    )


# "€500", "500 eur": prices are in dollars; converting at a rate llmcost does not know would be
# a guess that changes the answer.
CURRENCIES = (
    # "1M tokens in usd": what every price is in ('in' would read as input tokens).
    phrase(r"\bin\s+(usd|dollars|us\s+dollars)\b", "usd", when=("usd", "dollar")),
    phrase(rf"[€£¥₹]\s*(?:{NUMBER})|(?:{NUMBER})\s*[€£¥₹]", _not_dollars, when=tuple("€£¥₹")),
    phrase(rf"\b(?:{NUMBER})\s*(?:{OTHER_CURRENCIES})\b", _not_dollars, when=CURRENCY_NAMES),
)

TOKEN_RULE = (
    "about 4 characters, or 3/4 of a word, make a token in English text; count real text with "
    "'tokens'"
)
UNITS_EXAMPLE = "cost gpt-4o 1M tokens"


def _count(number: str, scale: str | None) -> int:
    try:
        return parse_count(number + SCALES.get((scale or "").lower(), ""))
    except QuantityError as error:
        raise refuse(f"{error}.", UNITS_EXAMPLE) from error


def _as_tokens(match: re.Match[str], context: Context) -> str:
    """'1M words' is 1,333,333 tokens; '2M characters' is 500k: stated, with the rule."""
    count = _count(match["number"], match["scale"])
    per_word = match["unit"].lower().startswith("w")
    tokens = (count * 4 + 2) // 3 if per_word else (count + 2) // 4
    context.note(f"{match[0].strip()} priced as {tokens:,} tokens: {TOKEN_RULE}.")
    return f"{format_count(tokens)} tokens"


def _not_tokens(match: re.Match[str], _context: Context) -> str:
    raise refuse(
        f"llmcost prices tokens, not '{match[0].strip()}': give tokens, or words or characters "
        f"of text ({TOKEN_RULE}).",
        UNITS_EXAMPLE,
    )


# The units llmcost does not price: the refusal's text holds one of these.
NOT_TOKENS: tuple[str, ...] = (
    "kb",
    "mb",
    "gb",
    "tb",
    "byte",
    "page",
    "hour",
    "hr",
    "min",
    "sec",
    "image",
)
NOT_TOKENS += ("picture", "video", "file", "doc", "book", "email")
AMOUNT = rf"(?P<number>{NUMBER})(?:\s+(?P<scale>{SCALE}))?"
UNITS = (
    phrase(
        rf"\b{AMOUNT}\s+(?P<unit>words?|characters?|chars?)\b", _as_tokens, when=("word", "char")
    ),
    phrase(
        rf"\b{AMOUNT}\s*(?P<unit>[kmgt]b|bytes?|[kmgt]ilobytes?|megabytes?|gigabytes?|"
        r"terabytes?|pages?|hours?|hrs?|minutes?|mins?|seconds?|secs?|images?|pictures?|"
        r"videos?|files?|documents?|docs?|books?|emails?)\b",
        _not_tokens,
        when=NOT_TOKENS,
    ),
)


def _requests_over(match: re.Match[str], context: Context) -> str:
    """'20k requests a day' in a question about a month: the month's requests, stated."""
    rate, bill = PERIOD_WORDS[match["rate"].lower()], PERIOD_WORDS[match["bill"].lower()]
    count = _count(match["number"], match["scale"])
    total = count * PERIOD_HOURS[bill] // PERIOD_HOURS[rate]
    context.note(
        f"{match['said'].strip()} is {total:,} requests a {bill} "
        "(a 30-day month, a 91.25-day quarter, a 365-day year)."
    )
    return f"x {format_count(total)} requests{match['between']}per {bill}"


PERIOD_NAMES = "|".join(PERIOD_HOURS)
# "20k requests a day ... per month": the requests of the period the question asks about.
RATES = (
    phrase(
        rf"(?P<said>\b{AMOUNT}\s+(?:requests?|calls?|reqs?)\s+(?:a|per|each|every)\s+"
        rf"(?P<rate>{PERIOD_NAMES})\b)(?P<between>.*?\s)(?:per|a|each|every)\s+"
        rf"(?P<bill>{PERIOD_NAMES})\b",
        lambda match, context: (
            match[0]
            if match["rate"].lower() == match["bill"].lower()
            else _requests_over(match, context)
        ),
        when=("req", "call"),
    ),
)


def _shell_ate_dollars(match: re.Match[str], _context: Context) -> str:
    raise refuse(
        f"A budget of '{match[1]}' looks like '$' and a digit were taken by the shell ('$300' "
        "is a shell variable there): quote the whole question.",
        "budget $300 gpt-4o 2k in 500 out",
    )


# Right after 'budget', a bare number is dollars ('budget 500 gpt-4o'), as the answer says; a
# leading zero ('budget 00 gpt-4o') is what a shell leaves of '$300'.
BUDGET = (
    phrase(r"^\s*(0\d*)(?=\s|$)", _shell_ate_dollars, when=("0",)),
    phrase(
        rf"^\s*({NUMBER})(?!\s+(?:{SCALE}|usd|dollars?|tokens?|tok|in|out|input|output|"
        r"requests?|calls?|x)\b)(?=\s|$)",
        r"$\1",
        note=r"A bare number right after 'budget' is dollars: $\1.",
        when=tuple("0123456789"),
    ),
)

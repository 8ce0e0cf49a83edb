"""Questions asked in a sentence, turned into a command: 'what's o4-mini for 2M in 200k out' is
`cost o4-mini 2M in 200k out`; 'how many calls does $80 cover on claude haiku 4.5' is a budget;
'is gpt-4-turbo retired' asks its lifecycle.

A sentence is recognised by its first word (LEADS); what it asks by the first INTENTS row whose
words it holds; the words that only make it a sentence (FORM_WORDS, and the intent's own) go."""

from typing import NamedTuple

from pricing.lexicon import looks_like_money, words
from pricing.phrasing.phrases import compiled
from pricing.quantities import looks_like_count

LEADS = {
    "how", "what", "what's", "whats", "which", "when", "is", "are", "does", "do", "can", "could",
    "will", "would", "we", "i", "our", "if", "tell", "show", "give", "estimate", "calculate",
    "has", "have", "was", "were", "did",
}  # fmt: skip
# The words that make a question a sentence and mean nothing for its price.
FORM_WORDS = LEADS | {
    "much", "many", "does", "do", "is", "are", "would", "will", "it", "an", "me", "to", "be",
    "the", "us", "cost", "costs", "price", "prices", "pricing", "run", "bill", "total",
    "spend", "pay", "get", "you", "my", "there", "going", "gonna", "about", "roughly", "around",
    "approximately", "need", "want", "like", "still", "was", "were", "been", "did", "that",
}  # fmt: skip


class Intent(NamedTuple):
    command: str  # the command the sentence asks ("budget", "help breakeven")
    pattern: str  # the words that say so (compiled when a sentence is first read)
    needs_money: bool = False


def _intent(command: str, pattern: str, needs_money: bool = False) -> Intent:
    return Intent(command, pattern, needs_money)


FINE_TUNING = r"fine[- ]?tun\w*"
INTENTS = (
    _intent("help breakeven", rf"\b(?:{FINE_TUNING}|training)\b.*\b(?:worth|pay\s*s?\s*off)\b"),
    _intent("help breakeven", rf"\bworth\s+(?:it\s+)?(?:{FINE_TUNING})\b"),
    _intent(
        "lifecycle",
        r"\b(?:retired?|retiring|retirement|shut(?:s|ting)?\s*down|shutdown|deprecat\w*|"
        r"sunset\w*|available|lifecycle|end[- ]of[- ]life|eol|discontinued|released?|"
        r"launch(?:ed)?)\b",
    ),
    _intent("finetune", rf"\b(?:{FINE_TUNING})\b"),
    _intent(
        "budget",
        r"\b(?:cover|covers|buy|buys|afford|get|gets|budget|go|goes|last|lasts)\b|"
        r"\bhow\s+many\s+(?:calls|requests|tokens)\b",
        needs_money=True,
    ),
    _intent("cheapest", r"\bcheapest\b"),
    # "what's cheaper, gpt-4o or claude 3.5 sonnet": the models side by side.
    _intent("compare", r"\b(?:cheaper|compare|compared|versus|vs)\b"),
)
# Words of an intent that go with the sentence's form ("shut down", "still available").
INTENT_WORDS = {
    "retired", "retire", "retiring", "retirement", "shut", "shuts", "shutting", "down",
    "shutdown", "deprecated", "deprecation", "sunset", "available", "discontinued", "eol",
    "calls", "cover", "covers", "buy", "buys", "afford", "gets", "worth",
    "cheapest", "fine-tune", "finetune", "fine-tuning", "finetuning", "fine-tuned", "which",
    "models", "when", "was", "were", "budget", "lifecycle", "fine", "tune", "released",
    "release", "launched", "launch", "far", "go", "goes", "last", "lasts", "cheaper", "or",
    "compared", "make", "can",
}  # fmt: skip


def is_sentence(first_word: str) -> bool:
    return first_word.lower() in LEADS


def as_command(text: str) -> str:
    """The command a sentence asks, with the words that only made it a sentence left out:
    'what's o4-mini for 2M in 200k out' -> 'cost o4-mini for 2M in 200k out'."""
    said = words(text)
    has_money = any(looks_like_money(word) or word.lower() == "usd" for word in said)
    for intent in INTENTS:
        if compiled(intent.pattern).search(text) and (has_money or not intent.needs_money):
            if intent.command.startswith("help"):
                return intent.command
            kept = _kept(said, FORM_WORDS | INTENT_WORDS)
            return f"{intent.command} {' '.join(kept)}"
    kept = _kept(said, FORM_WORDS)
    amounts = any(looks_like_count(word) for word in kept)
    return f"{'cost' if amounts else 'price'} {' '.join(kept)}"


def _kept(said: list[str], dropped: set[str]) -> list[str]:
    return [word for word in said if word.lower() not in dropped]

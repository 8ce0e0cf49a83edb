"""A new user's own phrasings, beyond issue 20's list (tests/data/fresh_phrasings.txt, typed
before the fixes that made the last of them work): each is answered with the line saying how it
was read, or refused on purpose with one line saying what would work; never a traceback."""

from datetime import date
from pathlib import Path

import pytest

from bot.cli.asking import run

PHRASINGS = Path(__file__).resolve().parents[2] / "data" / "fresh_phrasings.txt"
TYPED = [line for line in PHRASINGS.read_text(encoding="utf-8").splitlines() if line.strip()]
# Refused on purpose: which of a seller's listings, units that are not text, other currencies.
REFUSED = {
    "cost llama 3.3 70b on groq 1M tokens": "groq sells several models",
    "cost claude sonnet 4.5 on bedrock 1M tokens": "aws sells several models",
    "cost gpt-4o 20 images": "llmcost prices tokens, not '20 images'",
    "cost gpt-4o 3 MB": "llmcost prices tokens, not '3 MB'",
    "budget £200 gpt-4o": "US dollars",
    "budget 200 euros gpt-4o": "US dollars",
}


@pytest.fixture(autouse=True)
def no_user_tariffs(monkeypatch):
    monkeypatch.delenv("LLMCOST_TARIFFS", raising=False)


@pytest.mark.parametrize("typed", TYPED)
def test_each_is_answered_and_says_how_it_was_read_or_refused_on_purpose(typed):
    code, out, err = run([typed], today=date(2026, 12, 7))
    assert "Traceback" not in out + err
    if typed in REFUSED:
        assert code == 2
        assert REFUSED[typed] in err
    else:
        assert (code, err) == (0, "")
        assert any(line.startswith("Read as: ") for line in out.splitlines())


def test_the_set_is_the_one_described():
    assert len(TYPED) == 84
    assert set(REFUSED) <= set(TYPED)

"""Any way a person asks (issue 20): each phrasing is read as the canonical words named here,
those words ask the same question again, and what cannot be priced is refused with what can."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing.answer import answer
from pricing.errors import LlmcostError
from pricing.parse import parse
from pricing.reading import BookNames, read, read_reply

TODAY = date(2026, 12, 7)

# (as typed, read as)
READ_AS = [
    # Where a model runs
    ("cost llama 3.1 8b on groq 2M tokens", "cost groq/llama-3.1-8b 2M tokens"),
    ("cost gpt-4o via azure 1M tokens", "cost azure/gpt-4o 1M tokens"),
    ("cheapest llama 70b on fireworks 1M tokens", "cheapest llama 70b via fireworks 1M tokens"),
    # Cache phrasing
    ("cost gpt-4o 1M tokens with a 70% cache hit rate", "cost gpt-4o 1M tokens 70% cached"),
    ("cost gpt-4o 1M tokens cache hit rate 70%", "cost gpt-4o 1M tokens 70% cached"),
    ("cost gpt-4o 1M tokens 70 percent cached", "cost gpt-4o 1M tokens 70% cached"),
    ("cost gpt-4o 1M tokens half of it cached", "cost gpt-4o 1M tokens 50% cached"),
    # Sentences
    ("what's o4-mini for 2M in 200k out", "cost o4-mini 2M in 200k out"),
    ("how much would 500k tokens on gpt-5 run me", "cost gpt-5 500k tokens"),
    (
        "we do 20k requests a day on gpt-4.1-mini, 1500 in 300 out each, what's the monthly bill",
        "cost gpt-4.1-mini 1.5k in 300 out x 600k requests per month",
    ),
    (
        "how many calls does $80 cover on claude haiku 4.5 at 3k in 400 out",
        "budget $80 claude-haiku-4.5 3k in 400 out",
    ),
    ("what does $250 a month buy on gemini 2.5 flash", "budget $250 per month gemini-2.5-flash"),
    (
        "how much to fine-tune gpt-4.1-mini on 500k tokens for 2 epochs",
        "finetune gpt-4.1-mini 500k tokens 2 epochs",
    ),
    ("is fine-tuning worth it", "help breakeven"),
    # Lifecycle
    ("is gpt-4-turbo retired", "lifecycle gpt-4-turbo"),
    ("when does gpt-4.1 shut down", "lifecycle gpt-4.1"),
    ("is gpt-3.5-turbo still available", "lifecycle gpt-3.5-turbo"),
    ("which openai models were shut down in 2026", "lifecycle openai 2026"),
    ("retired openai 2026", "lifecycle openai 2026"),
    ("lifecycle o3", "lifecycle o3"),
    # Money and periods
    ("budget $1.5k/mo gpt-4o 2k in 500 out", "budget $1500 per month gpt-4o 2k in 500 out"),
    ("budget $1,000/month gpt-4o 2k in 500 out", "budget $1000 per month gpt-4o 2k in 500 out"),
    ("budget 1.5k USD a month gpt-4o 2k in 500 out", "budget $1500 per month gpt-4o 2k in 500 out"),
    ("budget 500 gpt-4o 2k in 500 out", "budget $500 gpt-4o 2k in 500 out"),
    ("cost gpt-4o 1M tokens per quarter", "cost gpt-4o 1M tokens per quarter"),
    ("cost gpt-4o 10k tokens per hour", "cost gpt-4o 10k tokens per hour"),
    # Splits, dates, times
    ("cost gpt-4o 1M tokens 50/50", "cost gpt-4o 1M tokens split 50:50"),
    ("cost gpt-4o 1M tokens 80:20", "cost gpt-4o 1M tokens split 80:20"),
    ("cost gpt-4o 1M tokens split 4 to 1", "cost gpt-4o 1M tokens split 4:1"),
    ("cost gpt-4 1M tokens as of yesterday", "cost gpt-4 1M tokens as of 2026-12-06"),
    ("cost gpt-4 1M tokens as of last month", "cost gpt-4 1M tokens as of 2026-11-07"),
    ("cost gpt-4 1M tokens as of march 2024", "cost gpt-4 1M tokens as of 2024-03-01"),
    ("cost gpt-4 1M tokens as of 2024-03", "cost gpt-4 1M tokens as of 2024-03-01"),
    ("cost gpt-4 1M tokens a year ago", "cost gpt-4 1M tokens as of 2025-12-07"),
    ("cost deepseek-chat 1M tokens at 9am pacific", "cost deepseek-chat 1M tokens at 17:00 UTC"),
    ("cost deepseek-chat 1M tokens at 18:00 CET", "cost deepseek-chat 1M tokens at 17:00 UTC"),
    ("cost deepseek-chat 1M tokens at 3pm tokyo", "cost deepseek-chat 1M tokens at 06:00 UTC"),
    (
        "cost deepseek-chat 1M tokens at 18:00 America/New_York",
        "cost deepseek-chat 1M tokens at 23:00 UTC",
    ),
    # Versions after model words
    ("cost gpt 3.5 1M tokens", "cost gpt-3.5 1M tokens"),
    ("compare gpt 4 8k gpt 4 32k 1M tokens", "compare gpt-4-8k gpt-4-32k 1M tokens"),
    ("cost gpt 4o mini 1M tokens", "cost gpt-4o-mini 1M tokens"),
    ("cost claude 3 opus 1M tokens", "cost claude-3-opus 1M tokens"),
    ("cost deepseek reasoner 1M tokens", "cost deepseek-reasoner 1M tokens"),
    ("cost deepseek r1 1M tokens", "cost deepseek-r1 1M tokens"),
    ("cost fine-tuned gpt 4o mini 1M tokens", "cost ft:gpt-4o-mini 1M tokens"),
    ("cost ft gpt 4.1 mini 1M tokens", "cost ft:gpt-4.1-mini 1M tokens"),
    (
        "finetune gpt 3.5 turbo 250k tokens 2 epochs",
        "finetune gpt-3.5-turbo 250k tokens 2 epochs",
    ),
    # More than one model, in any priced verb
    ("cost gpt-4o and claude sonnet 4.5 1M tokens", "compare gpt-4o claude-sonnet-4.5 1M tokens"),
    (
        "compare gpt-4o vs claude sonnet 4.5 vs gemini 2.5 pro 1M tokens",
        "compare gpt-4o claude-sonnet-4.5 gemini-2.5-pro 1M tokens",
    ),
    # Units people use
    ("cost gpt-4o 1M words", "cost gpt-4o 1333334 tokens"),
    ("cost gpt-4o 2M characters", "cost gpt-4o 500k tokens"),
    # Pasted input; words of no price meaning
    ("/llmcost cost gpt-4o 1M tokens", "cost gpt-4o 1M tokens"),
    ("cost gpt-5-nano api 3M in 1M out batch please", "cost gpt-5-nano 3M in 1M out batch"),
    ("cheapest gpt 5 1M tokens", "cheapest gpt 5 1M tokens"),
]

# Phrasings beyond the list, typed in a new-user pass (each was refused or misread once).
READ_AS += [
    (
        "what's cheaper, gpt-4o or claude 3.5 sonnet, for 1M tokens",
        "compare gpt-4o claude-3.5-sonnet 1M tokens",
    ),
    ("how far does $20 go on deepseek chat", "budget $20 deepseek-chat"),
    (
        "how much does it cost to fine tune gpt-4o-mini on 2M tokens",
        "finetune gpt-4o-mini 2M tokens",
    ),
    ("when was gpt-4o released", "lifecycle gpt-4o"),
    ("cost gpt-4o 3 to 1 split 1M tokens", "cost gpt-4o 1M tokens split 3:1"),
    ("cost gpt-4o one million tokens", "cost gpt-4o 1M tokens"),
    ("cost gpt-4o half a million tokens", "cost gpt-4o 500k tokens"),
    ("cost gpt-4o 1M tokens in usd", "cost gpt-4o 1M tokens"),
    (
        "we send 5k requests per day to gpt-4o, 2k in 300 out, monthly cost?",
        "cost gpt-4o 2k in 300 out x 150k requests per month",
    ),
    (
        "cost claude sonnet 4 2M tokens at a 60% cache hit rate",
        "cost claude-sonnet-4 2M tokens 60% cached",
    ),
    ("cost gemini 2.5 pro on vertex 1M tokens", "cost google/gemini-2.5-pro 1M tokens"),
    ("cost deepseek-chat 1M tokens at 2am eastern", "cost deepseek-chat 1M tokens at 07:00 UTC"),
    ("budget $500 gpt-4o 2k in 500 out quarterly", "budget $500 per quarter gpt-4o 2k in 500 out"),
    ("price gpt-4o as of last year", "price gpt-4o as of 2025-12-07"),
    ("cost gpt-4o on openrouter 1M tokens", "cost openrouter/gpt-4o 1M tokens"),
]

# (as typed, what the refusal says)
REFUSED = [
    ("budget €500 gpt-4o 2k in 500 out", ["US dollars", "$500"]),
    ("budget 500 eur gpt-4o", ["US dollars"]),
    ("cost gpt-4o 5 GB", ["prices tokens, not '5 GB'", "3/4 of a word"]),
    ("cost gpt-4o 1000 pages", ["not '1000 pages'"]),
    ("cost gpt-4o 10 hours", ["not '10 hours'"]),
    ("cost deepseek-chat 1M tokens at 18:00 IST", ["several zones", "Asia/Kolkata"]),
    ("budget 00 gpt-4o", ["quote the whole question"]),
    # Its only model name is unknown and close to none: not dropped, but named as unknown.
    ("cost nosuchmodel 1M tokens", ["I don't know a model called 'nosuchmodel'"]),
    ("cost deepseek v3 1M tokens", ["'deepseek-v3' names several models"]),
    ("cost gpt-4o 1M tokens at 25:00 CET", ["not a time of day"]),
    # A seller with several listings of the name: which one (regional or global)?
    ("cost claude sonnet 4.5 on bedrock 1M tokens", ["aws sells several models"]),
]


@pytest.fixture(scope="module")
def names(book):
    return BookNames(lambda: book)


@pytest.mark.parametrize(("typed", "read_as"), READ_AS, ids=[typed for typed, _ in READ_AS])
def test_each_phrasing_is_read_as_its_canonical_words_and_answered(book, names, typed, read_as):
    reading = read(typed, TODAY, names)
    assert reading.read_as == read_as
    result = reading.stated(answer(reading.query, book, TODAY))
    assert result.read_as == read_as


@pytest.mark.parametrize(("typed", "read_as"), READ_AS, ids=[typed for typed, _ in READ_AS])
def test_the_read_as_words_ask_the_same_question(names, typed, read_as):
    again = read(read_as, TODAY, names)
    assert again.query == read(typed, TODAY, names).query
    assert again.ignored == ()
    assert parse(read_as) == again.query  # the grammar alone reads them: they work when pasted


@settings(max_examples=60, deadline=None)
@given(
    example=st.sampled_from(READ_AS),
    noise=st.lists(st.sampled_from(["please", "api", "thanks", "roughly"]), max_size=2),
    shout=st.booleans(),
)
def test_words_of_no_price_meaning_change_nothing_but_are_named(book, example, noise, shout):
    typed, read_as = example
    if typed.split()[0].lower() not in {"cost", "compare", "budget", "cheapest", "finetune"}:
        return  # a sentence's own words are read as a sentence
    text = f"{typed} {' '.join(noise)}"
    # Shouted, except an IANA zone's name, which is spelled as the database spells it.
    shouted = text.upper().replace("AMERICA/NEW_YORK", "America/New_York")
    reading = read(shouted if shout else text, TODAY, BookNames(lambda: book))
    assert reading.read_as.lower() == read_as.lower()
    assert set(reading.ignored) >= {word for word in noise if word != "please"} - {""}


@pytest.mark.parametrize(("typed", "fragments"), REFUSED, ids=[typed for typed, _ in REFUSED])
def test_what_cannot_be_priced_is_refused_saying_what_can(book, names, typed, fragments):
    with pytest.raises(LlmcostError) as refused:
        answer(read(typed, TODAY, names).query, book, TODAY)
    for fragment in fragments:
        assert fragment in refused.value.message
    # What would work: an example, or where to find the names.
    assert refused.value.suggestions or "'models'" in refused.value.message


def test_each_reinterpretation_is_stated(names):
    notes = read("cost gpt-4o 1M words", TODAY, names).notes
    assert any("1,333,334 tokens" in note and "3/4 of a word" in note for note in notes)
    notes = read("cost deepseek-chat 1M tokens at 9am pacific", TODAY, names).notes
    assert any("17:00 UTC" in note and "America/Los_Angeles" in note for note in notes)
    notes = read("cost gpt-4 1M tokens as of march 2024", TODAY, names).notes
    assert any("first day, 2024-03-01" in note for note in notes)
    notes = read("budget 500 gpt-4o 2k in 500 out", TODAY, names).notes
    assert any("is dollars: $500" in note for note in notes)
    reading = read("we do 20k requests a day on gpt-4.1-mini, 1500 in 300 out", TODAY, names)
    assert reading.read_as == "cost gpt-4.1-mini 1.5k in 300 out x 20k requests per day"


def test_a_word_close_to_a_model_or_a_grammar_word_is_never_dropped(names):
    with pytest.raises(LlmcostError, match="Did you mean 'cached'") as typo:
        read("cost gpt-4o 1M tokens 70% cahced", TODAY, names)
    assert typo.value.suggestions == ["cost gpt-4o 1M tokens 70% cached"]
    reading = read("cost gpt-4o 1M tokens batch api", TODAY, names)
    assert reading.ignored == ("api",)
    assert read("price sonnet", TODAY, names).read_as == "price sonnet"  # a family: asked which


def test_a_filter_version_is_that_version():
    from pricing.costing import holds_version

    assert holds_version(("gpt", "5", "nano"), ("5",))
    assert not holds_version(("gpt", "3", "5", "turbo"), ("5",))
    assert holds_version(("claude", "sonnet", "4", "5"), ("4", "5"))


def test_the_lifecycle_answer_says_what_is_scheduled(book, names):
    result = answer(read("when does gpt-4.1 shut down", TODAY, names).query, book, TODAY)
    (row,) = result.rows
    assert row.status == "shuts down on 2027-01-14"
    assert row.announced == date(2026, 10, 14)
    assert row.substitute
    listed = answer(read("retired openai 2026", TODAY, names).query, book, TODAY)
    assert {row.shutdown.year for row in listed.rows} == {2026}
    assert any(row.status.startswith("shuts down") for row in listed.rows)  # o3, 2026-12-11
    assert any(row.status.startswith("shut down on") for row in listed.rows)


@pytest.mark.parametrize(
    ("previous", "reply", "read_as"),
    [
        (
            "cost gpt-4o 1M tokens",
            "what about claude sonnet 4.5 on bedrock?",
            "compare gpt-4o aws/claude-sonnet-4.5 1M tokens",
        ),
        ("budget $500 gpt-4o 2k in 500 out", "make it $2k/mo", None),
        (
            "cost deepseek-chat 1M tokens",
            "at night pacific time",
            "cost deepseek-chat 1M tokens at 07:00 UTC",
        ),
    ],
)
def test_thread_replies_take_the_same_phrasing(names, previous, reply, read_as):
    reading = read_reply(reply, parse(previous), TODAY, names.is_model)
    assert reading is not None
    if read_as is not None:
        assert reading.read_as == read_as
    else:
        assert reading.read_as == "budget $2000 per month gpt-4o 2k in 500 out"


def test_chat_in_a_thread_that_a_question_would_refuse_stays_chat():
    assert read_reply("that took 5 hours", parse("cost gpt-4o 1M tokens"), TODAY) is None


def test_relative_dates_load_dateparser_only_when_asked():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from datetime import date\n"
        "from pricing.reading import read\n"
        "read('cost gpt-4o 1M tokens at 18:00 UTC as of 2024-01-01', date(2026, 12, 7))\n"
        "print('dateparser' in sys.modules)\n"
        "read('cost gpt-4o 1M tokens as of last month at 9am pacific', date(2026, 12, 7))\n"
        "print('dateparser' in sys.modules)\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert shown[:2] == ["False", "True"]


def test_a_training_files_path_is_no_phrase():
    # 'logs/d.jsonl' holds '/d', which a question's words would read as 'per day'.
    reading = read("finetune logs/d.jsonl gpt-4o-mini", TODAY)
    assert reading.read_as == "finetune logs/d.jsonl gpt-4o-mini"


def test_a_filter_names_its_seller_as_a_question_does(book):
    # 'on bedrock' in a models filter is aws's listings, as 'on bedrock' is in a question.
    result = answer(parse("models claude sonnet 4.5 on bedrock"), book, TODAY)
    assert result.rows
    assert {row.provider for row in result.rows} == {"aws"}

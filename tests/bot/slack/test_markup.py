"""Text crossing the Slack boundary: markup in, the words typed out; user words escaped back."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.markup import escape, from_slack, mentions, strip_mention, take_private

# --- from_slack ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("compare a &amp; b", "compare a & b"),
        ("150k in -&gt; 50k out", "150k in -> 50k out"),
        ("&lt;b&gt;", "<b>"),
        ("&amp;lt;", "&lt;"),  # what was typed was the entity itself
        ("<@U123> hi", "@U123 hi"),
        ("<@U123|alice> hi", "@alice hi"),
        ("<@W0ABC>", "@W0ABC"),
        ("<!channel> look", "@channel look"),
        ("<!here>", "@here"),
        ("<!here|here>", "@here"),
        ("<!everyone>", "@everyone"),
        ("<!subteam^S1|@team>", "@team"),
        ("<!subteam^S1>", "@S1"),
        ("<!date^1392734382^{date_num}|2014-02-18>", "2014-02-18"),
        ("<#C123|general>", "#general"),
        ("<#C123>", "#C123"),
        ("<#C123|>", "#C123"),
        ("see <https://x.y|label>", "see label"),
        ("see <https://x.y>", "see https://x.y"),
        ("<https://x.y/?a=1&amp;b=2>", "https://x.y/?a=1&b=2"),
        ("<mailto:a@b.c|a@b.c>", "a@b.c"),
        ("<https://x.y|a &amp; b>", "a & b"),
        # Slack links words that look like host names; the label is what was typed.
        (
            "compare <http://gpt-4.1|gpt-4.1> <http://ft-gpt-3.5|ft-gpt-3.5> 200k tokens",
            "compare gpt-4.1 ft-gpt-3.5 200k tokens",
        ),
        ("no markup at all", "no markup at all"),
    ],
)
def test_from_slack_gives_back_the_words_typed(sent, typed):
    assert from_slack(sent) == typed


# --- escape -------------------------------------------------------------------------------------


def test_escape_defuses_mentions_links_and_ampersands():
    assert escape("<!channel> <@U999> <https://x.y|z> & co") == (
        "&lt;!channel&gt; &lt;@U999&gt; &lt;https://x.y|z&gt; &amp; co"
    )


def test_escape_touches_only_the_three_characters():
    assert escape("*bold* _it_ `code` 'q' \"d\" $7.50") == "*bold* _it_ `code` 'q' \"d\" $7.50"


_ENTITY_OR_PLAIN = re.compile(r"&(?:amp|lt|gt);|[^&]")


@settings(derandomize=True, max_examples=300)
@given(st.text())
def test_escaped_text_can_form_no_markup_and_reads_back_as_typed(text):
    escaped = escape(text)

    assert "<" not in escaped
    assert ">" not in escaped
    # Every '&' starts one of the three entities: nothing else can be decoded from it.
    assert "".join(_ENTITY_OR_PLAIN.findall(escaped)) == escaped
    assert from_slack(escaped) == text


@settings(derandomize=True, max_examples=200)
@given(st.text(alphabet=st.characters(blacklist_characters="<>")))
def test_from_slack_of_text_without_markup_only_unescapes(text):
    # With no '<...>', from_slack undoes Slack's escaping and nothing else.
    assert from_slack(text) == (
        re.sub(r"&(amp|lt|gt);", lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m[1]], text)
    )


# --- strip_mention ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "left"),
    [
        ("<@B1> compare gpt-4 1k tokens", "compare gpt-4 1k tokens"),
        ("<@B1|llmcost> compare gpt-4 1k tokens", "compare gpt-4 1k tokens"),
        ("compare <@B1> gpt-4", "compare gpt-4"),
        ("price gpt-4 <@B1>", "price gpt-4"),
        ("<@U2> what does <@B1> say", "<@U2> what does say"),
        ("<@B12> not the bot", "<@B12> not the bot"),
    ],
)
def test_strip_mention_removes_the_bot_anywhere(raw, left):
    assert strip_mention(raw, "B1") == left


@settings(derandomize=True, max_examples=200)
@given(st.text())
def test_strip_mention_leaves_escaped_user_text_alone(text):
    assert strip_mention(f"<@B1> {escape(text)}", "B1") == escape(text).strip()


# --- take_private -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "taken"),
    [
        (
            "compare gpt-4 ft-gpt-3.5 200k tokens private",
            ("compare gpt-4 ft-gpt-3.5 200k tokens", True),
        ),
        ("PRIVATE cheapest 1M tokens", ("cheapest 1M tokens", True)),
        ("cost gpt-4 Private 1k tokens", ("cost gpt-4 1k tokens", True)),
        ("cheapest, private 1M tokens", ("cheapest, 1M tokens", True)),
        ("privately cheapest 1M tokens", ("privately cheapest 1M tokens", False)),
        ("models private-llm", ("models private-llm", False)),
        ("models my_private", ("models my_private", False)),
        ("cheapest 1M tokens", ("cheapest 1M tokens", False)),
    ],
)
def test_take_private(words, taken):
    assert take_private(words) == taken


@settings(derandomize=True, max_examples=200)
@given(st.text().filter(lambda text: not re.search("private", text, re.IGNORECASE | re.ASCII)))
def test_take_private_without_the_word_changes_nothing(words):
    assert take_private(words) == (words, False)


@settings(derandomize=True, max_examples=200)
@given(st.lists(st.sampled_from(["cost", "gpt-4", "1k", "tokens", "private", "Private"])))
def test_take_private_flags_the_word_and_removes_every_one(words):
    text, private = take_private(" ".join(words))
    assert private == any(word.lower() == "private" for word in words)
    assert text.split() == [word for word in words if word.lower() != "private"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U0BOT> compare", True),
        ("hey <@U0BOT|llmcost>", True),
        ("<@U0BOTTLE> compare", False),
        ("no mention", False),
    ],
)
def test_mentions_matches_the_whole_user_id(text, expected):
    assert mentions(text, "U0BOT") is expected

"""The answer work the listeners hand to `Services.priced`: a question, a follow-up, the Home and
the help modal, priced and rendered; and which questions are heavy enough for a thread.

Measured on the 2-core machine this was written on: a `compare` of every model (2,050 tariffs,
69,598 characters) prices and renders in 280 ms; counting a long text's tokens takes as long. In
a thread (`is_heavy`), the answer process's loop still takes its turn every switch interval
meanwhile; an ordinary question (a few models, under a millisecond) costs less than the hop.
"""

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.digests.content import compose
from bot.render.blocks import help_view, home_view
from bot.render.digest import subscription_blocks, week_blocks
from bot.slack.markup import from_slack, take_private
from bot.slack.replies import Reply, to_follow_up, to_question
from pricing.answers import HelpAnswer, TableAnswer
from pricing.parse import verb_asked
from pricing.verbs.help import HelpQuery
from pricing.verbs.models import ModelsQuery

if TYPE_CHECKING:  # the answerer brings the database: imported where it is made
    from bot.answering import Answerer
    from bot.storage.subscriptions import Subscription

# Longer questions name many models (or count a long text): priced in a thread. A compare of 20
# models is about 400 characters and 3 ms.
SMALL_QUESTION_CHARS = 1_000


def is_heavy(raw: str, previous: str | None = None) -> bool:
    """True for a question worth a thread: a long one, or one that counts tokens, which only
    a question whose first word asks `tokens` does (parsing the whole question to know took
    a tenth as long as pricing and rendering it)."""
    texts = [raw] if previous is None else [raw, previous]
    if any(len(text) > SMALL_QUESTION_CHARS for text in texts):
        return True
    for text in texts:
        verb = verb_asked(take_private(from_slack(text))[0])
        if verb is not None and verb.name == "tokens":
            return True
    return False


def question(answerer: "Answerer", raw: str, asked_by: str | None) -> Reply:
    """A new question, its message rendered here too (the reply carries it)."""
    reply = to_question(raw, answerer, asked_by)
    reply.message  # noqa: B018 - a cached property: rendered now, where the CPU is free
    return reply


def follow_up(answerer: "Answerer", raw: str, previous: str, asked_by: str | None) -> Reply | None:
    reply = to_follow_up(raw, previous, answerer, asked_by)
    if reply is not None:
        reply.message  # noqa: B018 - as above
    return reply


def home(answerer: "Answerer", subscriptions: "Sequence[Subscription]" = ()) -> dict:
    """The App Home view: this week's tariff changes, the workspace's digest subscriptions,
    today's tariff table for the main models, and how to ask."""
    models = answerer.answer(ModelsQuery())
    help_answer = answerer.answer(HelpQuery())
    assert isinstance(models, TableAnswer)
    assert isinstance(help_answer, HelpAnswer)
    today = answerer.today()
    week = compose(answerer.book(), since=today - timedelta(days=7), until=today)
    return home_view(models, help_answer, week_blocks(week), subscription_blocks(subscriptions))


def help_modal(answerer: "Answerer") -> dict:
    """How to ask, as a modal (the Home's "How to ask" button)."""
    help_answer = answerer.answer(HelpQuery())
    assert isinstance(help_answer, HelpAnswer)
    return help_view(help_answer)

"""What llmcost says back to a Slack message, decided apart from how it is delivered.

Listeners turn Slack's payloads into calls here, then post the Reply where it belongs (the
channel, a thread, only to the asker). Nothing here talks to Slack or the database.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from bot.render.blocks import SlackMessage, answer_message, error_message
from bot.slack.markup import from_slack, take_private
from pricing.answers import Answer
from pricing.errors import LlmcostError
from pricing.parse import render
from pricing.verbs.registry import Query

if TYPE_CHECKING:  # the answerer brings the database: not on the path to the first ack
    from bot.answering import Answerer


@dataclass(frozen=True)
class Reply:
    # The canonical question behind a priced answer, stored so that the thread can refine it;
    # None for help and errors, which start no thread.
    question: str | None
    private: bool
    answer: Answer | None = None
    error: LlmcostError | None = None
    typed: str = ""
    asked_by: str | None = None
    # A reply in a thread, whose suggestions are replies too.
    in_thread: bool = False
    # The words shown as asked, when not the question itself: a button's ("batch").
    asked_as: str | None = None

    @property
    def is_help_or_error(self) -> bool:
        return self.answer is None or self.answer.kind == "help"

    @cached_property
    def message(self) -> SlackMessage:
        return self.with_note(None)

    def with_note(self, note: str | None) -> SlackMessage:
        if self.error is not None:
            return error_message(self.error, question=self.typed, in_thread=self.in_thread)
        assert self.answer is not None
        return answer_message(
            self.answer,
            question=self.asked_as or self.question or self.typed,
            asked_by=self.asked_by,
            note=note,
            # Only the asker sees a private answer; one click shows it to the channel.
            shareable=self.private and self.question is not None,
            next_from=None if self.private else self.question,
        )


def to_question(raw: str, answerer: "Answerer", asked_by: str | None) -> Reply:
    """A new question: `/llmcost <words>`, a mention, a direct message."""
    typed, private = take_private(from_slack(raw))
    try:
        query, answer = answerer.ask(typed)
    except LlmcostError as error:
        return failed(error, typed, asked_by, in_thread=False)
    return answered(query, answer, typed, private, asked_by)


def to_follow_up(
    raw: str, previous: str, answerer: "Answerer", asked_by: str | None
) -> Reply | None:
    """A reply in a thread the bot answered in; None when it is conversation, not a question."""
    typed, private = take_private(from_slack(raw))
    try:
        refined = answerer.follow_up(typed, previous)
    except LlmcostError as error:
        return failed(error, typed, asked_by, in_thread=True)
    if refined is None:
        return None
    return answered(*refined, typed, private, asked_by)


def answered(
    query: Query, answer: Answer, typed: str, private: bool, asked_by: str | None
) -> Reply:
    """A priced answer, with the question its thread can refine."""
    question = None if query.kind == "help" else render(query)
    return Reply(question=question, private=private, answer=answer, typed=typed, asked_by=asked_by)


def failed(error: LlmcostError, typed: str, asked_by: str | None, *, in_thread: bool) -> Reply:
    """What was wrong, only for the asker; it starts no thread."""
    return Reply(
        question=None,
        private=True,
        error=error,
        typed=typed,
        asked_by=asked_by,
        in_thread=in_thread,
    )

"""The buttons under an answer: the likely next questions, each the words a person would type
in the answer's thread ("per month", "batch", "50% cached", "chart"), so that a click is asked
through the same reader as a typed reply and changes the thread the same way.

Each button carries those words and the answer's canonical question: a click on an answer whose
thread has no stored question any more re-asks that question with the words applied."""

import json
from dataclasses import dataclass

from pricing import answers

NEXT_ACTION = "llmcost_next"
MOST_BUTTONS = 5
CHART = "chart"
# Not words to ask: the button opens a modal with the model picker, whose choice is asked as
# "add <models>" in the thread.
ADD_MODEL = "add a model"


@dataclass(frozen=True)
class NextQuestion:
    label: str  # the button's text
    reply: str  # the words it asks, as typed in the thread

    def value(self, question: str) -> str:
        return json.dumps({"reply": self.reply, "question": question}, separators=(",", ":"))


def next_questions(answer: answers.Answer) -> list[NextQuestion]:
    """Up to MOST_BUTTONS next questions for `answer`; none for an answer without a thread to
    change (help, a token count, the models table)."""
    found: list[NextQuestion] = []
    match answer:
        case answers.PricedAnswer():
            usage = answer.usage
            if usage.period is None:
                found.append(NextQuestion("Per month", "per month"))
            if usage.tier == "batch":
                found.append(NextQuestion("Standard", "standard"))
            elif usage.tier is None and usage.clock is None:
                found.append(NextQuestion("Batch", "batch"))
            if not usage.uses_cache:
                found.append(NextQuestion("With 50% cached", "50% cached"))
            if answer.kind in ("cost", "compare"):
                found.append(NextQuestion("Add a model…", ADD_MODEL))
            found.append(NextQuestion("Chart", CHART))
        case answers.BreakevenAnswer() | answers.FinetuneAnswer():
            epochs = "1 epoch" if answer.epochs != 1 else "3 epochs"
            found.append(NextQuestion(epochs.capitalize(), epochs))
            if isinstance(answer, answers.BreakevenAnswer):
                found.append(NextQuestion("Chart", CHART))
        case answers.BudgetAnswer():
            period = "per day" if answer.period != "day" else "per month"
            found.append(NextQuestion(period.capitalize(), period))
            found.append(NextQuestion("Chart", CHART))
        case answers.TableAnswer() if answer.kind == "history":
            found.append(NextQuestion("Chart", CHART))
    return found[:MOST_BUTTONS]


def read_value(value: str) -> tuple[str, str] | None:
    """(the words, the question) a button carries; None for a value that is not ours."""
    try:
        said = json.loads(value)
    except ValueError:
        return None
    if not isinstance(said, dict):
        return None
    reply, question = said.get("reply"), said.get("question")
    if isinstance(reply, str) and isinstance(question, str) and reply and question:
        return reply, question
    return None

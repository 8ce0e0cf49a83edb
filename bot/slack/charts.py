"""Charts in Slack: a thread reply `chart` (`chart it`, `show a chart`) uploads the chart of the
thread's current question into that thread, and `/llmcost chart QUESTION` answers with the table
and then the chart in the answer's thread.

The chart is priced and drawn in a thread (`chart_file`, run like any heavy question), never on
the event loop, and uploaded with slack_sdk's `files_upload_v2`
(files.getUploadURLExternal, the bytes, files.completeUploadExternal into the thread), with alt
text that says the numbers. An upload Slack refuses is one log line and a one-line note in the
thread saying why the chart is missing and what would fix it."""

import logging
import re
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.client import upload_image
from bot.slack.delivery import Place
from bot.slack.services import Services
from pricing.errors import LlmcostError
from pricing.verbs.finetune import SLACK_FILE

if TYPE_CHECKING:  # matplotlib's side is imported when a chart is asked, not at start-up,
    # and the answerer brings the database
    from bot.answering import Answerer
    from bot.render.chart import ChartImage

log = logging.getLogger(__name__)

# "chart", "chart it", "show a chart", "show me a chart please", "graph it", "plot this".
CHART_REPLY = re.compile(
    r"^(?:(?:show|draw|make|give)(?:\s+me)?\s+)?(?:an?\s+|the\s+)?(?:chart|graph|plot)"
    r"(?:\s+(?:it|this|that))?(?:\s+please)?[\s.!?]*$",
    re.I,
)
CHART_COMMAND = re.compile(r"^\s*chart\s+(?P<question>\S.*)$", re.I | re.S)
FILENAME = "llmcost-chart.png"
# Why an upload was refused, and what fixes it.
UPLOAD_REFUSED = {
    "missing_scope": "this install of llmcost may not upload files; reinstall the app so that it "
    "gets the `files:write` scope",
    "not_in_channel": "llmcost is not in this channel; invite it with `/invite @llmcost`",
    "channel_not_found": "llmcost cannot see this channel; invite it with `/invite @llmcost`",
    "not_allowed_token_type": "this install of llmcost may not upload files; reinstall the app",
}


def is_chart_reply(text: str) -> bool:
    return CHART_REPLY.fullmatch(text.strip()) is not None


def chart_command(text: str) -> str | None:
    """The question of `/llmcost chart QUESTION`, or None for any other command."""
    found = CHART_COMMAND.fullmatch(text)
    return found["question"].strip() if found else None


def chart_file(answerer: "Answerer", question: str) -> "ChartImage | None":
    """The chart of a stored (canonical) question, drawn; None when it has nothing to plot.
    Runs in a thread."""
    from bot.render.chart import drawn
    from pricing.chart_data import chart_of

    if SLACK_FILE in question:  # its tally is the file's, read when it was shared
        raise LlmcostError(
            "a training file's chart is drawn in a terminal: "
            "`llmcost --chart chart.png finetune train.jsonl`."
        )
    query = answerer.question(question)
    answer = answerer.answer(query)
    chart = chart_of(query, answer, answerer.book(), answerer.today())
    if chart is None:
        return None
    return drawn(chart)


async def post_chart(
    client: AsyncWebClient, services: Services, question: str, place: Place
) -> None:
    """Upload the chart of `question` into the thread at `place`, or say in it why not."""
    try:
        image = await services.priced(chart_file, question, heavy=True)
    except LlmcostError as error:
        await _note(client, place, f"No chart: {error.message}")
        return
    if image is None:
        await _note(
            client,
            place,
            "This answer has nothing to chart: ask `chart` under a "
            "compare, cost, cheapest, breakeven, budget or history answer.",
        )
        return
    try:
        assert place.thread_ts is not None  # a chart always goes into a thread
        await upload_image(
            client, image, channel=place.channel, thread_ts=place.thread_ts, filename=FILENAME
        )
    except SlackApiError as error:
        code = str(error.response.get("error"))
        log.warning("chart upload refused in %s: %s", place.channel, code)
        why = UPLOAD_REFUSED.get(code, f"Slack refused the upload (`{code}`)")
        await _note(client, place, f"No chart: {why}.")


async def _note(client: AsyncWebClient, place: Place, text: str) -> None:
    try:
        await client.chat_postMessage(channel=place.channel, thread_ts=place.thread_ts, text=text)
    except SlackApiError as error:
        log.warning("chart note not posted in %s: %s", place.channel, error.response.get("error"))

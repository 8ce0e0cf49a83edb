"""The calculator modal: opened by `/llmcost` with no words, the "Price LLM usage" shortcut and
the Home's button; its model picker's options; its submission, asked as the question a person
would type and posted where chosen. Also the "Add a model…" modal of an answer's button.

The modal's fields become words (`pricing.calculator.question_of`) read by the same reader as a
typed question: what the fields alone show to be wrong, and a model the catalog does not know,
are shown under their fields and the modal stays open.
"""

import asyncio
import json
import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.blocks import HOW_TO_ASK_ACTION, OPEN_CALCULATOR_ACTION
from bot.render.calculator import (
    ADD_MODEL_VIEW,
    CALCULATOR_VIEW,
    MODELS_ACTION,
    POST_TO,
    calculator_view,
    model_options,
)
from bot.slack.answer_work import help_modal, question
from bot.slack.delivery import NOT_A_MEMBER, Place, post_in_thread
from bot.slack.forms import read_added_models, read_calculator
from bot.slack.listeners.actions import ask_in_thread
from bot.slack.payloads import (
    OptionsRequest,
    Shortcut,
    ViewSubmission,
    is_slack_ts,
    read_payload,
)
from bot.slack.replies import Reply
from bot.slack.services import Services
from pricing import calculator
from pricing.calculator import FormErrors, question_of
from pricing.errors import LlmcostError, UnknownModel
from pricing.model_search import ModelIndex
from pricing.tariffs import TariffBook

log = logging.getLogger(__name__)

CALCULATOR_SHORTCUT = "llmcost_calculator"
# How long a submission waits for its answer to be posted before the modal closes anyway:
# well inside the 3 seconds Slack gives a view_submission's ack.
POST_WAIT_SECONDS = 1.5
# How long what answers inside the request waits for the prices while the server starts.
READY_WAIT_SECONDS = 1.0
MOST_ERROR_CHARS = 300
STARTING = "llmcost is starting up; try again in a few seconds."
NOT_THERE = (
    "llmcost is not in that conversation: invite it there with /invite @llmcost, or choose another."
)


async def open_calculator(client: AsyncWebClient, trigger_id: str, channel_id: str | None) -> None:
    """views.open at once: the trigger expires 3 seconds after the click or command."""
    try:
        await client.views_open(trigger_id=trigger_id, view=calculator_view(channel_id))
    except SlackApiError as error:
        log.warning("views.open of the calculator failed: %s", error.response.get("error"))


async def on_calculator_shortcut(
    ack: AsyncAck, body: dict, client: AsyncWebClient, services: Services
) -> None:
    await ack()
    opened = read_payload(Shortcut, body, what="a shortcut")
    if opened is not None:
        services.soon(open_calculator(client, opened.trigger_id, None))


async def on_how_to_ask(
    ack: AsyncAck, body: dict, client: AsyncWebClient, services: Services
) -> None:
    await ack()
    clicked = read_payload(Shortcut, body, what="a click")
    if clicked is None:
        return

    async def open_help() -> None:
        view = await services.priced(help_modal, heavy=False)
        try:
            await client.views_open(trigger_id=clicked.trigger_id, view=view)
        except SlackApiError as error:
            log.warning("views.open of help failed: %s", error.response.get("error"))

    services.after_ack(open_help())


async def on_model_options(ack: AsyncAck, body: dict, services: Services) -> None:
    """The picker's options for what has been typed, from the book's index; none while the
    server is still loading prices, or for words that find no model."""
    request = read_payload(OptionsRequest, body, what="a picker's search")
    if request is None or not await services.ready_within(READY_WAIT_SECONDS):
        await ack(options=[])
        return
    choices = ModelIndex.of(services.answerer.book()).search(request.value)
    await ack(**model_options(choices))


async def on_calculator_submitted(
    ack: AsyncAck,
    body: dict,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """Field errors keep the modal open; otherwise the answer is posted where chosen before the
    modal closes, so that a conversation llmcost is not in is said under its field."""
    submitted = read_payload(ViewSubmission, body, what="a calculator submission")
    if submitted is None:
        await ack()
        return
    read = read_calculator(submitted.view.state.get("values"))
    errors = dict(read.errors)
    try:
        asked = question_of(read.form)
    except FormErrors as problems:
        errors = {**problems.errors, **errors}
    if not read.post_to:
        errors[POST_TO] = "Choose where to post the answer."
    if not errors and not await services.ready_within(READY_WAIT_SECONDS):
        errors[calculator.MODELS] = STARTING
    if not errors:
        errors = _unknown_models(services.answerer.book(), read.form.models)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    reply = await services.priced(question, asked, submitted.user.id, heavy=False)
    if reply.error is not None:
        await ack(response_action="errors", errors={calculator.MODELS: _said(reply.error)})
        return
    assert read.post_to is not None
    place = Place(context.team_id or "", read.post_to)
    refused = await _post_before_closing(client, services, reply, place, submitted.user.id)
    if refused is None:
        await ack()
    else:
        await ack(response_action="errors", errors={POST_TO: refused})


def _said(error: LlmcostError) -> str:
    """An error of the engine's as one line under a field: what was wrong, what would do."""
    return f"{error.message}{error.name_hint}"[:MOST_ERROR_CHARS]


def _unknown_models(book: TariffBook, models: tuple[str, ...]) -> dict[str, str]:
    """An error under the models for one the book does not know: the picker offers only known
    ones, so this is an old view after a new price file, or a tampered payload."""
    for name in models:
        try:
            book.resolve(name)
        except UnknownModel as error:
            return {calculator.MODELS: _said(error)}
    return {}


async def _post_before_closing(
    client: AsyncWebClient, services: Services, reply: Reply, place: Place, user: str
) -> str | None:
    """Post the answer; what to say under "Post the answer in" when Slack would not take it
    there, else None. A post still under way after POST_WAIT_SECONDS goes on after the close."""
    posting = asyncio.ensure_future(post_in_thread(client, services, reply, place, user=user))
    done, _pending = await asyncio.wait({posting}, timeout=POST_WAIT_SECONDS)
    if not done:
        posting.add_done_callback(_log_late_failure)
        return None
    error = posting.exception()
    if error is None:
        return None
    code = error.response.get("error") if isinstance(error, SlackApiError) else None
    if code in NOT_A_MEMBER:
        return NOT_THERE
    log.warning("posting a calculator answer in %s failed: %r", place.channel, code or error)
    return f"Slack would not take the answer there ({code or 'no answer'}); choose another."


def _log_late_failure(task: "asyncio.Future[None]") -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning(
            "a calculator answer posted after its modal closed failed: %r", task.exception()
        )


async def on_add_model_submitted(
    ack: AsyncAck,
    body: dict,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """The chosen models added to the thread's question, as "add X Y" typed there."""
    submitted = read_payload(ViewSubmission, body, what="an 'Add a model…' submission")
    if submitted is None:
        await ack()
        return
    models, errors = read_added_models(submitted.view.state.get("values"))
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    carried = _carried(submitted.view.private_metadata)
    await ack()
    if carried is None:
        log.warning("an 'Add a model…' submission without its thread; ignored")
        return
    question_words, channel, thread_ts = carried
    place = Place(context.team_id or "", channel, thread_ts)
    words = "add " + " ".join(models)
    services.after_ack(
        ask_in_thread(client, services, words, question_words, place, submitted.user.id)
    )


def _carried(metadata: str) -> tuple[str, str, str] | None:
    """(question, channel, thread) that the "Add a model…" view carries; None if not ours."""
    try:
        said = json.loads(metadata)
    except ValueError:
        return None
    if not isinstance(said, dict):
        return None
    found = (said.get("question"), said.get("channel"), said.get("thread_ts"))
    if all(isinstance(part, str) and part for part in found) and is_slack_ts(found[2]):
        return found  # type: ignore[return-value]
    return None


async def on_open_calculator(
    ack: AsyncAck, body: dict, client: AsyncWebClient, services: Services
) -> None:
    """The Home's "Price LLM usage" button."""
    await ack()
    clicked = read_payload(Shortcut, body, what="a click")
    if clicked is not None:
        services.soon(open_calculator(client, clicked.trigger_id, None))


def register(app: AsyncApp, services: Services) -> None:
    app.shortcut(CALCULATOR_SHORTCUT)(services.bind(on_calculator_shortcut))
    app.action(OPEN_CALCULATOR_ACTION)(services.bind(on_open_calculator))
    app.action(HOW_TO_ASK_ACTION)(services.bind(on_how_to_ask))
    app.options(MODELS_ACTION)(services.bind(on_model_options))
    app.view(CALCULATOR_VIEW)(services.bind(on_calculator_submitted))
    app.view(ADD_MODEL_VIEW)(services.bind(on_add_model_submitted))

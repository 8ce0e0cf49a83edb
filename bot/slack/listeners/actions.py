"""Buttons: "Post in channel" on an answer only the asker could see, and the next questions
under a public answer ("Per month", "Batch", "Chart"...), asked in its thread as if typed there."""

import logging
import re
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render.blocks import SHARE_ACTION
from bot.render.buttons import ADD_MODEL, CHART, NEXT_ACTION, read_value
from bot.render.calculator import add_model_view
from bot.slack.answer_work import follow_up, is_heavy, question
from bot.slack.charts import post_chart
from bot.slack.delivery import TROUBLE, Place, deliver, post_in_thread, respond_to_asker
from bot.slack.payloads import ButtonClick, read_payload
from bot.slack.services import Services

log = logging.getLogger(__name__)


async def on_share(
    ack: AsyncAck,
    body: dict,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    await ack()
    services.after_ack(share(body, client, respond, context.team_id or "", services))


async def share(
    body: dict, client: AsyncWebClient, respond: AsyncRespond, team_id: str, services: Services
) -> None:
    click = read_payload(ButtonClick, body, what="a click")
    if click is None:
        return
    try:
        # The button carries the canonical question; it is asked again, so the channel sees
        # today's prices (or the question's own date), never a stale copy.
        asked = click.actions[0].value
        heavy = is_heavy(asked)
        reply = await services.priced(question, asked, click.user.id, heavy=heavy)
        # A private answer in a thread is shared in that thread.
        place = Place(team_id, click.channel.id, click.container.thread_ts)
        await deliver(reply, client, respond, services, place)
    except Exception:
        log.exception("sharing an answer failed")
        await respond_to_asker(respond, text=TROUBLE, response_type="ephemeral")
        return
    if not reply.is_help_or_error:
        try:
            await respond_to_asker(respond, delete_original=True)
        except Exception:  # shared all the same; the private copy just stays
            log.exception("removing the private copy failed")


async def on_next(
    ack: AsyncAck,
    body: dict,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    await ack()
    click = read_payload(ButtonClick, body, what="a click")
    if click is None:
        return
    carried = read_value(click.actions[0].value)
    thread_ts = click.container.thread_ts or click.container.message_ts
    if carried is None or thread_ts is None:
        log.warning("a next-question click without its question or its message; ignored")
        return
    words, carried_question = carried
    place = Place(context.team_id or "", click.channel.id, thread_ts)
    if words != ADD_MODEL:
        services.after_ack(
            ask_in_thread(client, services, words, carried_question, place, click.user.id)
        )
    elif click.trigger_id is not None:
        # At once, not after the prices: the modal's trigger expires 3 seconds after the click.
        services.soon(open_add_model(client, click.trigger_id, carried_question, place))


async def ask_in_thread(
    client: AsyncWebClient,
    services: Services,
    words: str,
    carried_question: str,
    place: Place,
    user: str,
) -> None:
    """`words` asked in a thread against its question as it stands now (or, when the thread's
    question is gone, `carried_question`, the one the button or modal carries), answered there
    as a typed reply is, saying who asked ("Asked by @ana: batch")."""
    assert place.thread_ts is not None
    stored = await services.off_loop(
        services.store.thread_question,
        team_id=place.team_id,
        channel_id=place.channel,
        thread_ts=place.thread_ts,
    )
    previous = stored or carried_question
    try:
        if words == CHART:
            await post_chart(client, services, previous, place)
            return
        heavy = is_heavy(words, previous)
        reply = await services.priced(follow_up, words, previous, user, heavy=heavy)
        if reply is None:  # a button's words always change a question; never chat
            log.warning("next-question words %r did not apply to %r", words, previous)
            return
        clicked = replace(reply, asked_as=words)
        await post_in_thread(client, services, clicked, place, user=user)
    except Exception:
        log.exception("answering a next-question click failed")


async def open_add_model(
    client: AsyncWebClient, trigger_id: str, question_words: str, place: Place
) -> None:
    """The "Add a model…" button's modal: the picker alone, for the answer's thread."""
    assert place.thread_ts is not None
    view = add_model_view(question_words, place.channel, place.thread_ts)
    if view is None:
        log.warning("a question too long to carry in a view; 'Add a model…' not opened")
        return
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("views.open of 'Add a model…' failed: %s", error.response.get("error"))


def register(app: AsyncApp, services: Services) -> None:
    app.action(SHARE_ACTION)(services.bind(on_share))
    app.action(re.compile(rf"^{NEXT_ACTION}_\d$"))(services.bind(on_next))

"""Messages: replies in the threads of llmcost's answers, mentions, and direct messages.

People talk in threads, so a reply there is answered only when it reads as a change to the
thread's question (or a whole new question); anything else is left alone. A mention or a direct
message is addressed to llmcost, so it is always answered, in a thread.
"""

import logging

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.answer_work import follow_up, is_heavy, question
from bot.slack.charts import is_chart_reply, post_chart
from bot.slack.delivery import Place, post_in_thread
from bot.slack.markup import mentions, strip_mention
from bot.slack.payloads import ConversationMessage, read_payload
from bot.slack.replies import Reply
from bot.slack.services import Services
from bot.slack.training import answer_about_a_file
from pricing.verbs.finetune import SLACK_FILE

log = logging.getLogger(__name__)

# Message subtypes that are a person writing; edits, joins, deletions and the like are not.
_PEOPLE_WRITING = {None, "thread_broadcast", "file_share"}


def is_from_a_person(event: dict) -> bool:
    """Not another bot (nor llmcost itself), not an edit or a join; has words or files."""
    return (
        event.get("subtype") in _PEOPLE_WRITING
        and not event.get("bot_id")
        and bool(event.get("user"))
        and (
            (isinstance(event.get("text"), str) and bool(event["text"].strip()))
            or bool(event.get("files"))
        )
    )


async def on_message(
    ack: AsyncAck,
    body: dict,
    event: dict,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    services: Services,
) -> None:
    """A message or a mention (both are registered here): ack, then answer it after the ack."""
    await ack()
    answer = answer_mention if event.get("type") == "app_mention" else answer_message
    services.after_ack(answer(body, event, client, context.bot_user_id or "", services))


async def answer_message(
    body: dict, event: dict, client: AsyncWebClient, bot_user: str, services: Services
) -> None:
    if not is_from_a_person(event):
        log.debug("ignored %s: not a person writing", body.get("event_id"))
        return
    direct = event.get("channel_type") == "im"
    if bot_user and mentions(event.get("text") or "", bot_user) and not direct:
        log.debug("ignored %s: a mention, answered as such", body.get("event_id"))
        return
    if event.get("thread_ts") is None and not direct:
        return  # channel conversation, not addressed to llmcost
    await _answer(body, event, client, services, bot_user, direct=direct)


async def answer_mention(
    body: dict, event: dict, client: AsyncWebClient, bot_user: str, services: Services
) -> None:
    if event.get("bot_id"):
        return
    await _answer(body, event, client, services, bot_user, addressed=True)


def register(app: AsyncApp, services: Services) -> None:
    app.event("message")(services.bind(on_message))
    app.event("app_mention")(services.bind(on_message))


async def _answer(
    body: dict,
    event: dict,
    client: AsyncWebClient,
    services: Services,
    bot_user: str,
    *,
    direct: bool = False,
    addressed: bool = False,
) -> None:
    said = read_payload(ConversationMessage, event, what=f"event {body.get('event_id')}")
    if said is None:
        return
    team_id = body.get("team_id") or said.team or ""
    channel, user = said.channel, said.user
    thread_ts = said.thread_ts or said.ts
    text = strip_mention(said.text, bot_user) if bot_user else said.text
    previous = None
    if said.thread_ts:
        previous = await services.off_loop(
            services.store.thread_question, team_id=team_id, channel_id=channel, thread_ts=thread_ts
        )
    if previous is None and not (direct or addressed):
        log.debug("left alone %s: a thread llmcost never answered in", body.get("event_id"))
        return
    if previous is not None and is_chart_reply(text):
        if await services.claim_event(body):
            await post_chart(client, services, previous, Place(team_id, channel, thread_ts))
        return
    if event.get("files") or (previous is not None and SLACK_FILE in previous):
        await answer_about_a_file(
            body,
            event,
            text,
            previous,
            client,
            services,
            team_id=team_id,
            channel=channel,
            thread_ts=thread_ts,
            direct=direct,
            addressed=addressed,
        )
        return
    reply: Reply | None = None
    if previous is not None:
        heavy = is_heavy(text, previous)
        reply = await services.priced(follow_up, text, previous, user, heavy=heavy)
    if reply is None:
        if not (direct or addressed):
            log.debug("left alone %s: conversation in the thread", body.get("event_id"))
            return
        reply = await services.priced(question, text, user, heavy=is_heavy(text))
    # Claimed only now, when there is something to post: most messages are none of our business.
    if not await services.claim_event(body):
        log.info("event %s was already answered (a retry by Slack)", body.get("event_id"))
        return
    place = Place(team_id, channel, thread_ts)
    await post_in_thread(client, services, reply, place, user=user, direct=direct)

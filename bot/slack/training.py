"""Training files shared in Slack: which one a message brings, whether it may be read, reading it
with the bot token and counting it for a finetune question.

Only a file shared where llmcost was asked is read: the file attached to the message being
answered, or the file the thread's question was about (a follow-up re-reads it). A path typed in
Slack is never read: it names a file on the asker's machine, not on this server.
"""

import logging
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import Place, post_in_thread
from bot.slack.markup import from_slack, take_private
from bot.slack.replies import answered, failed
from bot.slack.services import Services
from bot.training_files import read_chunks, tally_chunks
from pricing.errors import LlmcostError
from pricing.finetune_plan import encodings_needed
from pricing.training_file import FileTally, Format
from pricing.verbs.finetune import (
    FinetuneQuery,
    slack_file_id,
    slack_file_reference,
)
from pricing.verbs.registry import is_verb

if TYPE_CHECKING:  # the answerer brings the database: not on the path to the first ack
    from bot.answering import Answerer

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024  # stated in the refusal
# A file larger than this gets a "counting..." message first, updated with the answer.
SLOW_FILE_BYTES = 1024 * 1024
# Downloaded files wait on disk past this, so memory stays flat.
IN_MEMORY_BYTES = 4 * 1024 * 1024
DOWNLOAD_CHUNK = 256 * 1024
# Hosts that get the bot token: Slack's file host, and the API's own (a local fake in tests).
SLACK_FILE_HOSTS = frozenset({"files.slack.com"})
EXAMPLE = "@llmcost finetune gpt-4o-mini (with the .jsonl file attached)"


class FileRefused(LlmcostError):
    """A shared file llmcost will not read (its type, its size, where it was shared)."""


@dataclass(frozen=True)
class SharedFile:
    id: str
    name: str
    size: int
    url: str

    @property
    def reference(self) -> str:
        return slack_file_reference(self.id, self.name)

    @property
    def megabytes(self) -> str:
        return f"{self.size / 1e6:,.1f} MB"


def shared_file(file: dict) -> SharedFile:
    return SharedFile(
        id=str(file.get("id", "")),
        name=str(file.get("name") or file.get("title") or "file"),
        size=_size(file),
        url=str(file.get("url_private_download") or file.get("url_private") or ""),
    )


def _size(file: dict) -> int:
    """The size Slack states, in bytes; 0 (unknown) for anything else, said in one line: the
    download is capped at MAX_FILE_BYTES whatever the size claims."""
    size = file.get("size")
    if size is None or (isinstance(size, int) and not isinstance(size, bool) and size >= 0):
        return size or 0
    if isinstance(size, str) and size.isdecimal():
        return int(size)
    log.warning(
        "file %s states no readable size (%r); reading it within the cap", file.get("id"), size
    )
    return 0


def training_file_in(event: dict) -> SharedFile | None:
    """The file a message shares, checked: a .jsonl file within the size limit; FileRefused for
    another type or a larger one; None when the message shares no file."""
    files = [shared_file(file) for file in event.get("files") or [] if isinstance(file, dict)]
    if not files:
        return None
    for file in files:
        if file.name.lower().endswith(".jsonl"):
            if file.size > MAX_FILE_BYTES:
                raise FileRefused(
                    f"{file.name} is {file.megabytes}: I read training files of up to "
                    f"{MAX_FILE_BYTES // 1024 // 1024} MB (split it, or run "
                    "`llmcost finetune FILE` in a terminal, which has no limit).",
                )
            return file
    names = ", ".join(file.name for file in files)
    raise FileRefused(
        f"I price fine-tuning training files, which are JSONL (.jsonl); {names} is not one, "
        "so I did not read it.",
        suggestions=[EXAMPLE],
    )


def file_question(text: str, file: SharedFile) -> str:
    """The words of a question about a shared file: 'finetune <file> <the rest>'."""
    words = text.split()
    if words and is_verb(words[0], "finetune"):
        words = words[1:]
    return " ".join(["finetune", file.reference, *words])


def readable(query: FinetuneQuery, shared: SharedFile | None, previous: str | None) -> str:
    """The Slack file id a finetune question may read: the file shared with the message, or the
    thread's own file; FileRefused for any other file (a path, another file id)."""
    wanted = slack_file_id(query.file)
    allowed = {shared.id} if shared else set()
    if previous is not None:
        allowed |= {word for word in map(slack_file_id, previous.split()) if word}
    if wanted is None or wanted not in allowed:
        raise FileRefused(
            "In Slack I read only a training file shared with the question: attach the .jsonl "
            "file to a message to me (a path names a file on your computer, which I can't see).",
            suggestions=[EXAMPLE],
        )
    return wanted


async def file_by_id(client: AsyncWebClient, file_id: str) -> SharedFile:
    """A file of the thread, looked up again (its download address may have changed)."""
    found = await client.files_info(file=file_id)
    return shared_file(found["file"])


async def download(file: SharedFile, token: str, api_url: str | None) -> Path:
    """The file's bytes, fetched with the bot token, in a temporary file on disk (so memory
    stays flat, and a thread can read it by its path); the caller deletes it. The token
    goes only to Slack's file host (or the configured API's host)."""
    host = urlsplit(file.url).hostname or ""
    trusted = set(SLACK_FILE_HOSTS)
    if api_url:
        trusted.add(urlsplit(api_url).hostname or "")
    if host not in trusted:
        raise FileRefused(f"{file.name} is not stored by Slack, so I did not read it.")
    with tempfile.NamedTemporaryFile(prefix="llmcost-", suffix=".jsonl", delete=False) as kept:
        path = Path(kept.name)
    try:
        await _fetch_into(path, file, token)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


async def _fetch_into(path: Path, file: SharedFile, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session, session.get(file.url, headers=headers) as got:
        if got.status != 200:
            raise FileRefused(f"Slack would not give me {file.name} (HTTP {got.status}).")
        received = 0
        with path.open("wb") as written:
            async for chunk in got.content.iter_chunked(DOWNLOAD_CHUNK):
                received += len(chunk)
                if received > MAX_FILE_BYTES:
                    raise FileRefused(
                        f"{file.name} is over {MAX_FILE_BYTES // 1024 // 1024} MB, the most I read."
                    )
                written.write(chunk)


def counted(answerer: "Answerer", query: FinetuneQuery, path: str, day: date) -> FinetuneQuery:
    """The question with its file's tally, `work` for Services.priced: in a thread of the
    answer process (counting a 50 MB file is seconds of CPU; acks are the web processes'), on one
    core: forking a process that serves requests is not safe, and files here are at most
    MAX_FILE_BYTES."""
    book = answerer.book()

    def encodings_for(file_format: Format) -> tuple[str, ...]:
        # Both OpenAI encodings for chat files, so that follow-ups naming other models can be
        # answered from the same count when the file is read again.
        named = encodings_needed(query.models, book, day, file_format)
        every = encodings_needed((), book, day, file_format)
        return tuple(dict.fromkeys([*named, *every]))

    with open(path, "rb") as downloaded:
        tally: FileTally = tally_chunks(read_chunks(downloaded), encodings_for, workers=1)
    return query.model_copy(update={"training": tally})


async def with_tally(
    query: FinetuneQuery,
    shared: SharedFile | None,
    previous: str | None,
    client: AsyncWebClient,
    services: Services,
    on_slow: Callable[[SharedFile], Awaitable[None]] | None = None,
) -> FinetuneQuery:
    """The question with the file it names read and counted, or FileRefused."""
    file_id = readable(query, shared, previous)
    file = shared if shared is not None and shared.id == file_id else None
    if file is None:
        file = await file_by_id(client, file_id)
    if file.size > MAX_FILE_BYTES:
        raise FileRefused(
            f"{file.name} is {file.megabytes}: I read training files of up to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB."
        )
    if on_slow is not None and file.size > SLOW_FILE_BYTES:
        await on_slow(file)
    downloaded = await download(file, client.token or "", client.base_url)
    day = query.as_of or services.answerer.today()
    log.info("counting %s (%s)", file.id, file.megabytes)
    try:
        return await services.priced(counted, query, str(downloaded), day)
    finally:
        downloaded.unlink(missing_ok=True)


async def answer_about_a_file(
    body: dict,
    event: dict,
    text: str,
    previous: str | None,
    client: AsyncWebClient,
    services: Services,
    *,
    team_id: str,
    channel: str,
    thread_ts: str,
    direct: bool,
    addressed: bool,
) -> None:
    """A message sharing a file (or a reply in a file's thread): read the file if it may be,
    answer in the thread; a long file gets "counting N MB..." first, updated with the answer."""
    user = event["user"]
    typed, private = take_private(from_slack(text))
    in_thread = previous is not None
    counting: list[str] = []
    claimed = False
    answerer = services.answerer
    try:
        shared = training_file_in(event)
        if shared is not None:
            query = answerer.question(file_question(typed, shared))
        elif previous is not None:
            refined = answerer.refined(typed, previous)
            if refined is None:
                if not (direct or addressed):
                    log.debug("left alone %s: conversation in the thread", body.get("event_id"))
                    return
                refined = answerer.question(typed)
            query = refined
        else:
            return
        claimed = True
        if not await services.claim_event(body):
            log.info("event %s was already answered (a retry by Slack)", body.get("event_id"))
            return
        if isinstance(query, FinetuneQuery) and query.file is not None:

            async def say_counting(file: SharedFile) -> None:
                posted = await client.chat_postMessage(
                    channel=channel,
                    thread_ts=thread_ts,
                    text=f"Counting {file.megabytes} of {file.name}…",
                )
                counting.append(posted["ts"])

            query = await with_tally(query, shared, previous, client, services, say_counting)
        reply = answered(query, answerer.answer(query), typed, private, user)
    except LlmcostError as error:
        if not claimed and not await services.claim_event(body):
            return
        reply = failed(error, typed, user, in_thread=in_thread)
    place = Place(team_id, channel, thread_ts)
    update_ts = counting[0] if counting else None
    await post_in_thread(
        client, services, reply, place, user=user, direct=direct, update_ts=update_ts
    )

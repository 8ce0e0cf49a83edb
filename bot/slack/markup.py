"""Text crossing the Slack boundary: Slack's markup in, escaped text out.

Slack sends what a user typed with its own markup: `&`, `<` and `>` escaped as HTML entities,
and mentions, channels and links wrapped in `<...>`. `from_slack` turns that back into the words
the user typed; `escape` makes any text safe to echo back in mrkdwn or plain text, so that user
words can never form `<!channel>`, `<@U...>` or a link.
"""

import re

# Slack escapes every literal '<' and '>', so anything between them is markup.
_MARKUP = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
# Broadcasts Slack writes as <!channel>, <!here>, <!everyone> (old clients: <!here|here>).
_BROADCASTS = {"channel", "here", "everyone", "group"}
# `private` as a word of its own, in any (ASCII) case: not 'privately', not 'private-llm'.
_PRIVATE = re.compile(r"[ \t]*(?<![\w-])(?ai:private)(?![\w-])[ \t]*")


def _plain(markup: re.Match[str]) -> str:
    """One piece of Slack markup as the user saw it typed."""
    body = markup.group(1)
    target, _, label = body.partition("|")
    match target[:1]:
        case "@":  # <@U123>, <@U123|name>
            return f"@{label or target[1:]}"
        case "#":  # <#C123|general>, <#C123>, <#C123|>
            return f"#{label or target[1:]}"
        case "!":  # <!channel>, <!subteam^S1|@team>, <!date^1392734382^{date}|Feb 18>
            command, _, argument = target[1:].partition("^")
            if command in _BROADCASTS:
                return f"@{command}"
            if label:
                return label
            if command == "subteam" and argument:
                return f"@{argument}"  # <!subteam^S1>: a user group without its handle
            return f"@{command}"
    # A link: <https://x.y|label>, <https://x.y>, <mailto:a@b|a@b>, <http://gpt-4.1|gpt-4.1>
    return label or target


def _unescape(text: str) -> str:
    """One pass, so '&amp;lt;' becomes '&lt;' (what was typed), never '<'."""
    return _ENTITY.sub(lambda entity: _ENTITIES[entity.group(1)], text)


def from_slack(text: str) -> str:
    """The plain words a user typed, from the text Slack sends (its markup resolved)."""
    return _unescape(_MARKUP.sub(_plain, text))


def escape(text: str) -> str:
    """Text safe to send in mrkdwn or plain text: `&`, `<` and `>` as entities (only those
    three, as Slack asks), so it shows as typed and never forms a mention or a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mention_of(user_id: str) -> re.Pattern[str]:
    return re.compile(rf"[ \t]*<@{re.escape(user_id)}(?:\|[^<>]*)?>[ \t]*")


def mentions(text: str, user_id: str) -> bool:
    """Whether raw Slack text mentions that user (`<@U1>` or `<@U1|name>`, not `<@U12>`)."""
    return bool(user_id) and _mention_of(user_id).search(text) is not None


def strip_mention(text: str, bot_user_id: str) -> str:
    """Raw Slack text without mentions of the bot (`<@B1>`, `<@B1|llmcost>`), anywhere."""
    if not bot_user_id:
        return text.strip()
    return _mention_of(bot_user_id).sub(" ", text).strip()


def take_private(words: str) -> tuple[str, bool]:
    """The words without `private` (any case, a word of its own, anywhere), and whether it
    was there: `private` asks for an answer only the asker sees."""
    remaining, found = _PRIVATE.subn(" ", words)
    if not found:
        return words, False
    return remaining.strip(), True

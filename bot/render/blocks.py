"""Answers as Slack messages: Block Kit built with slack_sdk, and a plain fallback text.

Layout of an answer: a header (the title); who asked what; the verdict with its key figures in
bold; the priced rows as one table block (Slack allows one table a message); the totals; the
warnings and notes; the assumptions (split, date, sources). The cells come from the same grids
as the terminal's tables (`bot.render.text`), so money is formatted in one place.

Everything that came from an answer or from a user (titles name models as typed, error messages
echo user words) is escaped with `markup.escape`; only the text written here uses mrkdwn.
Slack's limits are enforced once, by `fit`, on the finished list of blocks.
"""

import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
    TableBlock,
)
from slack_sdk.models.views import View

from bot.render import block_json
from bot.render.buttons import NEXT_ACTION, next_questions
from bot.render.text import (
    MAX_SOURCES_LISTED,
    Grid,
    answer_grid,
    breakdown_lines,
    breakeven_training,
    finetune_facts,
    finetune_file_facts,
    finetune_file_remarks,
    rate_lines,
    tariff_grid,
    token_counts_grid,
)
from bot.slack.markup import escape
from pricing import answers
from pricing.errors import LlmcostError, UnknownModel
from pricing.parse import parse

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_HEADER_TEXT = 150
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 3000
MAX_TABLE_ROWS = 100  # the header row included
MAX_TABLE_COLUMNS = 20
# Slack truncates a message's top-level text past 40,000 characters; a fallback is for
# notifications and screen readers, so it stays far shorter.
MAX_FALLBACK_TEXT = 4000

COMMAND = "/llmcost"
SHARE_ACTION = "llmcost_share"
OPEN_CALCULATOR_ACTION = "llmcost_open_calculator"
HOW_TO_ASK_ACTION = "llmcost_how_to_ask"
MAX_BUTTON_VALUE = 2000
# A Slack user id as Slack sends it (U… or, on Enterprise Grid, W…): safe inside <@…>.
_USER_ID = re.compile(r"[UW][A-Z0-9]+")
# A dollar amount as pricing.money writes it: '$7.50', '$0.0015', '-$3.20', '$1,234.56'.
_MONEY = re.compile(r"(?<![\w$*])-?\$\d[\d,]*(?:\.\d+)?(?![\w*])")
# A help line that names its command: 'compare: Price a workload ...'.
_HELP_TOPIC = re.compile(r"^([a-z]+):")
_FENCE = "```"
# An address in a source: 'OpenAI GPT-4 launch ... (https://openai.com/research/gpt-4)'.
_URL = re.compile(r"https?://[^\s()<>|]*[^\s()<>|.,;:!?'\"]")


class SlackMessage(BaseModel):
    """One message: the blocks people see, and the text notifications and screen readers use."""

    model_config = ConfigDict(frozen=True)

    text: str  # plain fallback: notifications, screen readers, old clients
    blocks: list[dict]  # already serialised (bot.render.block_json)

    def as_kwargs(self) -> dict:
        """For chat_postMessage, chat_postEphemeral, respond, chat_update."""
        return {"text": self.text, "blocks": self.blocks}


# --- text --------------------------------------------------------------------------------------


def mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text, verbatim=True)


def code(words: str) -> str:
    """User words as inline code: escaped, on one line, without a backtick to end the code."""
    flat = " ".join(words.split()).replace("`", "'")
    return f"`{escape(flat)}`" if flat else "_(nothing)_"


def _command(words: str) -> str:
    return code(f"{COMMAND} {words}")


def bold_money(escaped: str) -> str:
    """The key figures of a verdict in bold: 'cheapest at *$0.75*'."""
    return _MONEY.sub(lambda amount: f"*{amount.group(0)}*", escaped)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in '…' when cut; never cut inside an entity ('&amp;')
    or a mention, and a code block or code span cut short is closed again."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1 - len(_FENCE)]
    entity = cut.rfind("&")
    if entity != -1 and len(cut) - entity < len("&amp;") and ";" not in cut[entity:]:
        cut = cut[:entity]
    markup = cut.rfind("<")
    if markup > cut.rfind(">"):
        cut = cut[:markup]
    cut += "…"
    if cut.count(_FENCE) % 2:
        return cut + _FENCE
    # An inline code span cut short (a long question in "Asked: `...`") is closed too.
    return cut + "`" if cut.replace(_FENCE, "").count("`") % 2 else cut


def line_sections(lines: Sequence[str], limit: int = MAX_SECTION_TEXT) -> list[SectionBlock]:
    """mrkdwn lines as few sections as fit, each within Slack's section limit."""
    sections: list[SectionBlock] = []
    chunk: list[str] = []
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > limit:
            sections.append(SectionBlock(text=mrkdwn("\n".join(chunk))))
            chunk = []
        chunk.append(line)
    if chunk:
        sections.append(SectionBlock(text=mrkdwn("\n".join(chunk))))
    return sections


def _escaped(grid: Grid) -> Grid:
    return Grid(
        [escape(cell) for cell in grid.headers],
        [[escape(cell) for cell in row] for row in grid.rows],
        grid.text_columns,
    )


def _preformatted(grid: Grid, limit: int = MAX_SECTION_TEXT) -> list[SectionBlock]:
    """A grid as fixed-width text in code blocks, the column headers atop each block."""
    lines = _escaped(grid).render().splitlines()
    head, body = lines[:2], lines[2:]
    sections: list[SectionBlock] = []
    chunk: list[str] = []
    for line in body:
        if chunk and len(_fenced([*head, *chunk, line])) > limit:
            sections.append(SectionBlock(text=mrkdwn(_fenced([*head, *chunk]))))
            chunk = []
        chunk.append(line)
    sections.append(SectionBlock(text=mrkdwn(_fenced([*head, *chunk]))))
    return sections


def _fenced(lines: Sequence[str]) -> str:
    return _FENCE + "\n".join(lines) + _FENCE


# --- blocks ------------------------------------------------------------------------------------


def header_block(title: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=escape(title) or "llmcost", emoji=False))


def context_block(*texts: str) -> ContextBlock:
    return ContextBlock(elements=[mrkdwn(text) for text in texts])


def _table(grid: Grid) -> TableBlock:
    """One table block: the header row first, figures right-aligned, names wrapped. Its cells
    and column settings are the dicts slack_sdk's own objects serialise to (it takes either):
    an answer's table is most of its objects, and building and serialising one of slack_sdk's
    per cell was a fifth of an answer's rendering. A cell is never empty ("-" stands in), as
    RawTextObject's one validator asks."""
    cells = [grid.headers, *grid.rows]
    return TableBlock(
        rows=[[{"text": escape(cell) or "-", "type": "raw_text"} for cell in row] for row in cells],
        column_settings=[
            {"align": "left", "is_wrapped": True}
            if index in grid.text_columns
            else {"align": "right"}
            for index in range(len(grid.headers))
        ],
    )


def _asked(question: str, asked_by: str | None) -> ContextBlock:
    if asked_by is not None and _USER_ID.fullmatch(asked_by):
        return context_block(f"Asked by <@{asked_by}>: {code(question)}")
    return context_block(f"Asked: {code(question)}")


def _read_as(answer: answers.Answer) -> list[ContextBlock]:
    """How the question was read, in the words that ask it again, and what was left out."""
    if answer.read_as is None:
        return []
    return [context_block(f"Read as: {code(answer.read_as)}{escape(answer.ignored_said)}")]


def _totals(answer: answers.PricedAnswer, grid: Grid) -> list[SectionBlock]:
    """compare and cost: each model's total (and per request), read off the table's cells."""
    if answer.kind == "cheapest" or not grid.rows:
        return []
    per_request = answer.usage.requests is not None
    totals = []
    for row in grid.rows:
        total = f"{code(row[0])} *{escape(row[-1])}*"
        if per_request:
            total += f" ({escape(row[-2])} a request)"
        totals.append(total)
    label = "Total" if len(totals) == 1 else "Totals"
    return line_sections([f"*{label}:* " + " · ".join(totals)])


def _warnings(rows: Iterable[answers.PricedRow | answers.BudgetRow]) -> list[SectionBlock]:
    lines = [
        f":warning: {code(row.model)}: {escape(warning)}"
        for row in rows
        for warning in row.warnings
    ]
    return line_sections(lines)


def _notes(answer: answers.Answer) -> list[ContextBlock]:
    return [context_block(*(escape(note) for note in answer.notes))] if answer.notes else []


def _sources(sources: Sequence[str]) -> str:
    """Up to five sources, their addresses as links (escaped first, so a link holds no markup)."""
    listed = [
        "• " + _URL.sub(r"<\g<0>>", escape(source)) for source in sources[:MAX_SOURCES_LISTED]
    ]
    if len(sources) > MAX_SOURCES_LISTED:
        listed.append(f"… and {len(sources) - MAX_SOURCES_LISTED} more")
    return "\n".join(["Sources:", *listed])


def _assumptions(answer: answers.Answer) -> list[ContextBlock]:
    """The split nobody said, the date the prices are in force on, and where they come from."""
    elements = []
    split = getattr(answer, "assumed_split", None)
    if split is not None:
        elements.append(f"Assumed split {escape(str(split))} input:output")
    if answer.kind != "history":
        elements.append(f"Prices as of {answer.as_of.isoformat()}")
    if answer.sources:
        elements.append(_sources(answer.sources))
    return [context_block(*elements)] if elements else []


def _help_lines(answer: answers.HelpAnswer) -> list[SectionBlock]:
    lines = [_HELP_TOPIC.sub(r"*\1*:", escape(line)) for line in answer.lines]
    return line_sections(lines)


def _examples(examples: Sequence[str]) -> list[SectionBlock]:
    return line_sections(["*Examples*", *(_command(example) for example in examples)])


def _body(answer: answers.Answer, grid: Grid | None) -> list[Block]:
    """What each kind of answer shows between its verdict and its assumptions; `grid` is its
    `answer_grid`."""
    table: list[Block] = [_table(grid)] if grid is not None and grid.rows else []
    match answer:
        case answers.PricedAnswer():
            assert grid is not None
            breakdown = [escape(line) for line in breakdown_lines(answer.rows)]
            return [
                *table,
                *_totals(answer, grid),
                *line_sections(["*Breakdown*", *breakdown] if breakdown else []),
                *_warnings(answer.rows),
            ]
        case answers.FinetuneAnswer():
            facts = finetune_facts(answer)
            fields = [mrkdwn(f"*{label}*\n{escape(value)}") for label, value in facts.items()]
            return [SectionBlock(text=mrkdwn("*Training*"), fields=fields)]
        case answers.FinetuneFileAnswer():
            facts = finetune_file_facts(answer)
            fields = [mrkdwn(f"*{label}*\n{escape(value)}") for label, value in facts.items()]
            remarks = [escape(remark) for remark in finetune_file_remarks(answer)]
            return [
                SectionBlock(text=mrkdwn("*Training file*"), fields=fields),
                *table,
                *line_sections(remarks),
            ]
        case answers.BreakevenAnswer():
            training = bold_money(escape(breakeven_training(answer)))
            return [*table, SectionBlock(text=mrkdwn(training)), *_warnings(answer.rows)]
        case answers.TokensAnswer():
            counts = [
                f"{code(encoding)} *{escape(tokens)}* tokens ({escape(used_by)})"
                for encoding, tokens, used_by in token_counts_grid(answer).rows
            ]
            return [*line_sections(counts), *table, *_warnings(answer.rows)]
        case answers.TableAnswer():
            rates = [escape(line) for line in rate_lines(answer)]
            return [
                *table,
                *line_sections(["*Other rates per 1M tokens*", *rates] if rates else []),
            ]
        case answers.BudgetAnswer():
            return [*table, *_warnings(answer.rows)]
        case answers.LifecycleAnswer():
            fine_tuning = [
                f"{code(row.model)}: {escape(row.fine_tuning)}"
                for row in answer.rows
                if row.fine_tuning
            ]
            return [*table, *line_sections(fine_tuning)]
        case answers.HelpAnswer():
            return [*_help_lines(answer), *_examples(answer.examples)]
    raise AssertionError(f"unhandled answer {answer!r}")  # pragma: no cover


# --- limits ------------------------------------------------------------------------------------


def fit(blocks: Sequence[Block], max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[dict]:
    """The one place Slack's limits are enforced: texts clipped, table rows and columns cut
    (saying how many rows are not shown), context elements merged, blocks counted; then each
    block serialised (slack_sdk validates it as it does: bot.render.block_json)."""
    fitted: list[Block] = []
    for block in blocks:
        fitted.append(block)
        if isinstance(block, HeaderBlock) and block.text is not None:
            block.text.text = clip(block.text.text, MAX_HEADER_TEXT)
        elif isinstance(block, SectionBlock):
            if block.text is not None:
                block.text.text = clip(block.text.text, MAX_SECTION_TEXT)
            for field in block.fields[:MAX_FIELDS]:
                field.text = clip(field.text, MAX_FIELD_TEXT)
            block.fields = block.fields[:MAX_FIELDS]
        elif isinstance(block, ContextBlock):
            elements = list(block.elements)
            if len(elements) > MAX_CONTEXT_ELEMENTS:
                rest = elements[MAX_CONTEXT_ELEMENTS - 1 :]
                merged = "\n".join(getattr(element, "text", "") for element in rest)
                elements = [*elements[: MAX_CONTEXT_ELEMENTS - 1], mrkdwn(merged)]
            for element in elements:
                if isinstance(element, MarkdownTextObject | PlainTextObject):
                    element.text = clip(element.text, MAX_CONTEXT_TEXT)
            block.elements = elements
        elif isinstance(block, TableBlock):
            rows = [list(row)[:MAX_TABLE_COLUMNS] for row in block.rows]
            if block.column_settings is not None:
                block.column_settings = list(block.column_settings)[:MAX_TABLE_COLUMNS]
            block.rows = rows[:MAX_TABLE_ROWS]
            if len(rows) > MAX_TABLE_ROWS:
                hidden = len(rows) - MAX_TABLE_ROWS
                fitted.append(
                    context_block(f"{hidden:,} more rows not shown; narrow the question.")
                )
    if len(fitted) > max_blocks:
        hidden = len(fitted) - (max_blocks - 1)
        notice = context_block(
            f"{hidden:,} more parts of this answer not shown; narrow the question."
        )
        # The last block says what the figures assume; it is kept.
        fitted = [*fitted[: max_blocks - 2], notice, fitted[-1]]
    return [block_json.as_json(block) for block in fitted]


# --- fallback text -----------------------------------------------------------------------------


def _fallback(lines: Sequence[str], grid: Grid | None = None) -> str:
    """Plain text with the key figures: the lines, then the table (as many rows as fit)."""
    head = "\n".join(lines)
    if grid is None or not grid.rows:
        return clip(head, MAX_FALLBACK_TEXT)
    safe = _escaped(grid)

    def with_rows(count: int) -> str:
        shown = Grid(safe.headers, safe.rows[:count], safe.text_columns).render()
        hidden = len(safe.rows) - count
        more = f"\n… and {hidden:,} more rows" if hidden else ""
        return f"{head}\n{_FENCE}{shown}{more}{_FENCE}"

    whole = with_rows(len(safe.rows))
    if len(whole) <= MAX_FALLBACK_TEXT:  # as most answers do: no need to look for the most
        return whole
    low, high = 0, len(safe.rows)  # the most rows that fit, by bisection
    while low < high:
        middle = (low + high + 1) // 2
        if len(with_rows(middle)) <= MAX_FALLBACK_TEXT:
            low = middle
        else:
            high = middle - 1
    return clip(with_rows(low), MAX_FALLBACK_TEXT)


def _fallback_lines(answer: answers.Answer) -> list[str]:
    lines = [escape(answer.title)]
    if answer.summary:
        lines.append(escape(answer.summary))
    match answer:
        case answers.FinetuneAnswer():
            lines += [
                f"{label}: {escape(value)}" for label, value in finetune_facts(answer).items()
            ]
        case answers.FinetuneFileAnswer():
            lines += [
                f"{label}: {escape(value)}" for label, value in finetune_file_facts(answer).items()
            ]
        case answers.BreakevenAnswer():
            lines.append(escape(breakeven_training(answer)))
        case answers.HelpAnswer():
            lines += [escape(line) for line in answer.lines]
            lines += [f"{COMMAND} {escape(example)}" for example in answer.examples]
    return lines


# --- public ------------------------------------------------------------------------------------


def answer_message(
    answer: answers.Answer,
    *,
    question: str,
    asked_by: str | None = None,
    note: str | None = None,
    shareable: bool = False,
    next_from: str | None = None,
) -> SlackMessage:
    """An answer as a Slack message. `question` is user words (escaped here); `asked_by` a Slack
    user id; `note` an extra line of our own mrkdwn (not escaped); `shareable` adds a button
    that posts the same question in the channel (for an answer only the asker sees);
    `next_from`, the canonical question of a public answer, adds the likely next questions as
    buttons (bot.render.buttons)."""
    blocks: list[Block] = [header_block(answer.title), _asked(question, asked_by)]
    blocks += _read_as(answer)
    if answer.summary:
        blocks.append(SectionBlock(text=mrkdwn(bold_money(escape(answer.summary)))))
    grid = answer_grid(answer)  # for the table and the fallback: made once
    blocks += _body(answer, grid)
    blocks += _notes(answer)
    if note:
        blocks.append(context_block(note))
    if shareable and len(question) <= MAX_BUTTON_VALUE:
        button = ButtonElement(
            text="Post in channel", action_id=SHARE_ACTION, value=question, style="primary"
        )
        blocks.append(ActionsBlock(elements=[button]))
    elif next_from is not None:
        blocks += _next_buttons(answer, next_from)
    if answer.kind != "help":
        blocks += _assumptions(answer)  # last: `fit` keeps it when it must cut
    return SlackMessage(text=_fallback(_fallback_lines(answer), grid), blocks=fit(blocks))


def _next_buttons(answer: answers.Answer, question: str) -> list[ActionsBlock]:
    buttons = [
        ButtonElement(text=next.label, action_id=f"{NEXT_ACTION}_{index}", value=value)
        for index, next in enumerate(next_questions(answer))
        if len(value := next.value(question)) <= MAX_BUTTON_VALUE
    ]
    return [ActionsBlock(elements=buttons)] if buttons else []


def _is_question(words: str) -> bool:
    try:
        parse(words)
    except LlmcostError:
        return False
    return True


def _suggestion(words: str) -> str:
    """A whole question to type again as a command; a model name or a phrase as itself."""
    is_command = words.startswith("digest ") or _is_question(words)
    return _command(words) if is_command else code(words)


def error_message(error: LlmcostError, *, question: str, in_thread: bool = False) -> SlackMessage:
    """What was wrong with a question, and what would work instead."""
    message = error.message
    if error.suggestions:
        # The terminal's message ends with its example; here the examples follow as commands.
        message = message.removesuffix(f" Try: {error.suggestions[0]}")
    problem = f":warning: {escape(message)}"
    blocks: list[Block] = [SectionBlock(text=mrkdwn(problem))]
    text = [problem]
    if error.suggestions:
        lead = "Did you mean" if isinstance(error, UnknownModel) else "Try"
        # A reply in a thread suggests other replies, which are not commands of their own.
        suggestions = [
            code(words) if in_thread else _suggestion(words) for words in error.suggestions
        ]
        blocks += line_sections([f"*{lead}:*", *suggestions])
        text.append(f"{lead}: " + ", ".join(suggestions))
    if question.strip():
        blocks.append(context_block(f"You asked: {code(question)}"))
    return SlackMessage(text=clip("\n".join(text), MAX_FALLBACK_TEXT), blocks=fit(blocks))


HOW_TO = (
    f"*Ask in any channel:* {_command('compare gpt-4-8k ft-gpt-3.5 200k tokens')}",
    "• Reply in the answer's thread to change it: `what about gpt-4-32k?`, `split 1:1`",
    f"• Add `private` and only you see the answer: {_command('private cheapest 1M tokens')}",
    f"• {_command('help')} lists every command; {_command('help compare')} explains one",
)
# The tariff table on the Home tab: the columns people compare, narrow enough for a phone.
HOME_COLUMNS = ("Model", "In $/1M", "Out $/1M", "Train $/1M", "Context", "Since")


def _columns(grid: Grid, headers: Sequence[str]) -> Grid:
    picked = [grid.headers.index(header) for header in headers]
    return Grid(
        [grid.headers[index] for index in picked],
        [[row[index] for index in picked] for row in grid.rows],
        tuple(new for new, old in enumerate(picked) if old in grid.text_columns),
    )


def home_view(
    models: answers.TableAnswer,
    help: answers.HelpAnswer,
    week: Sequence[Block] = (),
    subscriptions: Sequence[Block] = (),
) -> dict:
    """The App Home tab: buttons to price usage and to learn how to ask, this week's tariff
    changes (`week`), the workspace's digest subscriptions, the tariff table of the main
    models, then how to ask and the commands.

    The tariff table is fixed-width text, not a table block: a table block is made for messages
    (one a message), and the Home tab must publish on every client."""
    blocks: list[Block] = [
        header_block("llmcost"),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Price LLM usage", action_id=OPEN_CALCULATOR_ACTION, style="primary"
                ),
                ButtonElement(text="How to ask", action_id=HOW_TO_ASK_ACTION),
            ]
        ),
        *week,
        *subscriptions,
        DividerBlock(),
        header_block(models.title),
    ]
    grid = _columns(tariff_grid(models), HOME_COLUMNS)
    if grid.rows:
        blocks += _preformatted(grid)
    blocks += _notes(models)
    blocks += _assumptions(models)
    blocks += [
        DividerBlock(),
        *line_sections(HOW_TO),
        *_help_lines(help),
        *_examples(help.examples),
    ]
    return block_json.as_json(View(type="home", blocks=fit(blocks, MAX_VIEW_BLOCKS)))


def help_view(help: answers.HelpAnswer) -> dict:
    """How to ask, as a modal: the Home's "How to ask" button, where there is no channel."""
    blocks: list[Block] = [
        *line_sections(HOW_TO),
        *_help_lines(help),
        *_examples(help.examples),
    ]
    view = View(
        type="modal",
        title=PlainTextObject(text="How to ask llmcost"),
        close=PlainTextObject(text="Close"),
        blocks=fit(blocks, MAX_VIEW_BLOCKS),
    )
    return block_json.as_json(view)

"""What the engine tests share: fixed dates and asking a question in words."""

from datetime import date
from decimal import Decimal

from pricing.answer import answer
from pricing.parse import parse

TODAY = date(2026, 11, 24)
LAUNCH = date(2023, 8, 22)  # OpenAI's GPT-3.5 Turbo fine-tuning launch


def ask(book, text: str, today: date = TODAY):
    return answer(parse(text), book, today=today)


def figures(row) -> tuple[Decimal, Decimal, Decimal]:
    return row.input_usd, row.output_usd, row.total_usd

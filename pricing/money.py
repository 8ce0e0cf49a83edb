"""Money is Decimal end to end; rounding happens once, for display, here."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Annotated

from pydantic import PlainSerializer

MTOK = Decimal(1_000_000)
CENT = Decimal("0.01")
# Below a dime, cents alone would show a $0.063 request as "$0.06" (and a $0.0015 one as
# "$0.00"), hiding exactly what a per-request comparison is about: keep two significant digits.
KEEP_DIGITS_BELOW = Decimal("0.1")
SIGNIFICANT_DIGITS = 2

# Money in JSON: a plain decimal string, never exponent notation ("4E-7").
Money = Annotated[
    Decimal, PlainSerializer(lambda amount: format(amount, "f"), return_type=str, when_used="json")
]


def cost_of(tokens: int, per_mtok: Decimal) -> Decimal:
    """Exact cost of `tokens` at a price quoted per million tokens."""
    with localcontext() as context:
        # Enough digits for the whole product: the default 28 would round a huge workload.
        context.prec = max(context.prec, len(str(tokens)) + len(per_mtok.as_tuple().digits))
        return Decimal(tokens) * per_mtok / MTOK


def display_round(amount: Decimal) -> Decimal:
    """The one rounding rule for display: cents, with at least two significant digits."""
    if amount == 0 or abs(amount) >= KEEP_DIGITS_BELOW:
        with localcontext() as context:
            context.prec = max(context.prec, amount.adjusted() + 3)  # every digit down to cents
            return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    exponent = amount.adjusted() - (SIGNIFICANT_DIGITS - 1)
    rounded = amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP).normalize()
    if rounded.as_tuple().exponent > -2:  # "0.05", not "0.050"; 0.0999 -> "0.10", not "0.1"
        return rounded.quantize(CENT)
    return rounded


def format_usd(amount: Decimal) -> str:
    """'$1,234.56', '$0.063', '$0.0015', '-$3.20'."""
    rounded = display_round(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${rounded.copy_abs():,f}"


def format_rate(per_mtok: Decimal) -> str:
    """A price per million tokens as published: '$30', '$0.15', '$1.25' (no trailing zeros)."""
    normalized = per_mtok.normalize()
    if normalized == normalized.to_integral_value():
        normalized = normalized.quantize(Decimal(1))
    return f"${normalized:,f}"


def percent_change(old: Decimal, new: Decimal) -> Decimal | None:
    """Signed change from old to new in percent, one decimal; None when old is zero."""
    if old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

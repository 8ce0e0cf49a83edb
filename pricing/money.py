"""Money is Decimal end to end; rounding happens once, for display, here."""

from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Annotated

from pydantic import PlainSerializer

MTOK = Decimal(1_000_000)
CENT = Decimal("0.01")
# Below a dime, cents alone would show a $0.063 request as "$0.06" (and a $0.0015 one as
# "$0.00"), hiding exactly what a per-request comparison is about: keep two significant digits.
KEEP_DIGITS_BELOW = Decimal("0.1")
SIGNIFICANT_DIGITS = 2


def plain_decimal(amount: Decimal) -> str:
    """'0.0000004', '60000000', '1' (not '1.00'): exact, without exponent or padding zeros."""
    return format(amount.normalize(), "f")


# Money in JSON: a plain decimal string, never exponent notation ("4E-7").
Money = Annotated[Decimal, PlainSerializer(plain_decimal, return_type=str, when_used="json")]


# Costs never round: 60 digits hold the largest count llmcost accepts (16 digits) times any
# price, where the default context's 28 digits could cut a product short.
EXACT = Context(prec=60)


def cost_of(tokens: int, per_mtok: Decimal) -> Decimal:
    """Exact cost of `tokens` at a price quoted per million tokens."""
    return EXACT.divide(EXACT.multiply(Decimal(tokens), per_mtok), MTOK)


def request_fee_of(requests: int, per_k_requests: Decimal) -> Decimal:
    """Exact fee of `requests` at a price quoted per 1,000 requests."""
    return EXACT.divide(EXACT.multiply(Decimal(requests), per_k_requests), Decimal(1000))


def ratio(larger: Decimal, smaller: Decimal) -> Decimal | None:
    """How many times `smaller` fits in `larger`, to one decimal; None when that cannot be
    said (nothing to divide by, or more digits than even the exact context holds)."""
    if smaller <= 0:
        return None
    try:
        return EXACT.quantize(EXACT.divide(larger, smaller), Decimal("0.1"))
    except InvalidOperation:
        return None


def exponent_of(amount: Decimal) -> int:
    """The exponent of a finite amount (money is never NaN or infinite)."""
    exponent = amount.as_tuple().exponent
    assert isinstance(exponent, int), amount
    return exponent


def display_round(amount: Decimal) -> Decimal:
    """The one rounding rule for display: cents, with at least two significant digits."""
    if amount == 0 or abs(amount) >= KEEP_DIGITS_BELOW:
        with localcontext() as context:
            context.prec = max(context.prec, amount.adjusted() + 3)  # every digit down to cents
            return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    exponent = amount.adjusted() - (SIGNIFICANT_DIGITS - 1)
    rounded = amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP).normalize()
    if exponent_of(rounded) > -2:  # "0.05", not "0.050"; 0.0999 -> "0.10", not "0.1"
        return rounded.quantize(CENT)
    return rounded


def footed(parts: Sequence[Decimal], total: Decimal) -> tuple[list[Decimal], Decimal]:
    """Non-negative `parts` of `total` rounded for display so that they add up to the total
    as displayed: each to the total's last digit, rounded down, then the digits still missing
    given to the parts that lost most (largest remainder). '$0.38 + $1.87 = $2.25', never
    '$0.38 + $1.88 = $2.25'."""
    shown_total = display_round(total)
    quantum = Decimal(1).scaleb(exponent_of(shown_total))
    with localcontext(EXACT):
        shown = [part.quantize(quantum, rounding=ROUND_FLOOR) for part in parts]
        missing = int((shown_total - sum(shown, Decimal(0))) / quantum)
        losses = sorted(range(len(parts)), key=lambda i: parts[i] - shown[i], reverse=True)
        for index in losses[:missing]:
            shown[index] += quantum
    return shown, shown_total


def places_of(amount: Decimal) -> int:
    """The decimal places an amount rounded for display has (at least 2: '$3.00')."""
    return max(2, -exponent_of(amount))


def format_usd(amount: Decimal, places: int | None = None) -> str:
    """'$1,234.56', '$0.063', '$0.0015', '-$3.20'; with `places`, exactly that many decimals."""
    if places is not None:
        with localcontext() as context:
            context.prec = max(context.prec, amount.adjusted() + places + 2)
            rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        sign = "-" if rounded < 0 else ""
        return f"{sign}${rounded.copy_abs():,f}"
    rounded = display_round(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${rounded.copy_abs():,f}"


def format_rate(per_mtok: Decimal) -> str:
    """A price per million tokens as price lists write it: '$30', '$0.40', '$1.25', '$0.075'."""
    normalized = per_mtok.normalize()
    if normalized == normalized.to_integral_value():
        return f"${normalized.quantize(Decimal(1)):,f}"
    if exponent_of(normalized) > -2:
        normalized = normalized.quantize(CENT)
    return f"${normalized:,f}"

"""Money is Decimal end to end; rounding happens once, for display, here."""

from decimal import ROUND_HALF_UP, Decimal

MTOK = Decimal(1_000_000)
CENT = Decimal("0.01")
# Sub-cent amounts (one request on a cheap model) would all read "$0.00": keep enough digits to
# tell them apart.
SUB_CENT_SIGNIFICANT_DIGITS = 2


def cost_of(tokens: int, per_mtok: Decimal) -> Decimal:
    """Exact cost of `tokens` at a price quoted per million tokens."""
    return Decimal(tokens) * per_mtok / MTOK


def display_round(amount: Decimal) -> Decimal:
    """The one rounding rule for display: cents, or two significant digits below a cent."""
    if amount == 0 or abs(amount) >= CENT:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    exponent = amount.adjusted() - (SUB_CENT_SIGNIFICANT_DIGITS - 1)
    rounded = amount.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
    if abs(rounded) >= CENT:  # 0.009999 rounds up into cents
        return rounded.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded.normalize()


def format_usd(amount: Decimal) -> str:
    """'$1,234.56', '$0.0015', '-$3.20'."""
    rounded = display_round(amount)
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,f}"


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

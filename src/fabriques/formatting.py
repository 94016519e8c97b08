"""French formatting of numbers, shared by pages, e-mails, PDFs, letters and the solver's messages.

Plain Python, no Django: the lowest layer, so that every app (and the committee's maths) can use it.
"""

from decimal import Decimal

NARROW_NBSP = "\u202f"  # between thousands
NBSP = "\u00a0"  # before the unit


def euros(amount) -> str:
    """A whole amount in euros the French way: « 150 000 € »; « — » when there is none."""
    if amount is None or amount == "":
        return "—"
    whole = int(Decimal(amount))
    sign = "-" if whole < 0 else ""
    return f"{sign}{abs(whole):,}".replace(",", NARROW_NBSP) + f"{NBSP}€"


def decimal_fr(value: Decimal) -> str:
    """A decimal with a decimal comma and no trailing zero: Decimal("2.50") → « 2,5 »."""
    return f"{value.normalize():f}".replace(".", ",")

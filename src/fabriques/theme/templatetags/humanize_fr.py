"""French number formatting for templates: 150 000 €."""

from decimal import Decimal

from django import template

register = template.Library()

NARROW_NBSP = "\u202f"


@register.filter
def euros(value) -> str:
    """Format a whole amount in euros the French way: '150 000 €'."""
    if value is None or value == "":
        return "—"
    amount = int(Decimal(value))
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}".replace(",", NARROW_NBSP)
    return f"{sign}{digits}\u00a0€"

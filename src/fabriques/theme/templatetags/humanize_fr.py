"""French number formatting for templates: 150 000 €, scores « 2,63 » (one rounding rule)."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from fabriques.formatting import euros

register = template.Library()


# The one rounding rule of scores, stated wherever scores are shown (`{% score_rounding_note %}`).
SCORE_ROUNDING_NOTE = "Notes arrondies au centième le plus proche, 0,005 vers le haut."


def score_round(value) -> Decimal | None:
    """A score rounded half-up to the hundredth, in decimal: 2.625 → 2.63 (a float's shortest form is read, so
    2.675 stored as 2.67499… is 2.68, as people read it). None stays None."""
    if value is None or value == "":
        return None
    return Decimal(repr(value) if isinstance(value, float) else str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@register.filter
def note(value) -> str:
    """A score the French way with two decimals, by `score_round`: « 2,63 »; « — » when there is none."""
    rounded = score_round(value)
    return "—" if rounded is None else f"{rounded:.2f}".replace(".", ",")


@register.simple_tag
def score_rounding_note() -> str:
    return SCORE_ROUNDING_NOTE


register.filter("euros", euros)  # fabriques.formatting.euros: « 150 000 € »

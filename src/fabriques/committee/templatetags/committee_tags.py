"""Small renderers for the committee pages: a budget gauge in SVG, labels."""

from django import template
from django.utils.html import format_html

from fabriques.committee.allocation import TargetKind
from fabriques.formatting import euros
from fabriques.territory.enums import REGION_NAMES

register = template.Library()

KIND_LABELS = {
    TargetKind.MIN_RURAL: "minimum de lauréats ruraux",
    TargetKind.MIN_QPV: "minimum de lauréats en QPV",
    TargetKind.TRACK_MIN: "minimum pour une entrée",
    TargetKind.TRACK_MAX: "maximum pour une entrée",
    TargetKind.REGION_MIN: "minimum pour une région",
    TargetKind.REGION_MAX: "maximum pour une région",
    TargetKind.EVERY_REGION_MIN: "minimum dans chaque région candidate",
    TargetKind.MAX_LAUREATES: "nombre maximal de lauréats",
}


@register.filter
def target_kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@register.filter
def region_label(code: str) -> str:
    return REGION_NAMES.get(code or "", code or "—")


@register.filter
def index(sequence, i):
    try:
        return sequence[i]
    except (IndexError, TypeError, KeyError):
        return None


@register.simple_tag
def budget_gauge(used: int, envelope: int):
    """A horizontal bar: the share of the envelope used, with its text equivalent."""
    share = 0 if not envelope else min(1.0, used / envelope)
    width = round(300 * share)
    colour = "#18753c" if used <= envelope else "#ce0500"
    return format_html(
        '<svg class="fab-gauge" viewBox="0 0 300 20" width="300" height="20" role="img" aria-labelledby="gauge-title">'
        '<title id="gauge-title">Budget utilisé : {} sur {} ({} %)</title>'
        '<rect x="0" y="0" width="300" height="20" fill="#e5e5e5"></rect>'
        '<rect x="0" y="0" width="{}" height="20" fill="{}"></rect></svg>',
        euros(used),
        euros(envelope),
        round(100 * share),
        width,
        colour,
    )

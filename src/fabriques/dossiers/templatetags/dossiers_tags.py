"""Template helpers of the dossiers pages, and the "Mes dossiers" block of the dashboard."""

from django import template

from fabriques.dossiers import queries
from fabriques.dossiers.enums import NEXT_STEP
from fabriques.dossiers.filetypes import types_label as _types_label

register = template.Library()


@register.filter
def types_label(types) -> str:
    return _types_label(types)


@register.filter
def next_step(dossier) -> str:
    return NEXT_STEP.get(dossier.state, "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.filter
def field_for(form, criterion):
    return form[f"c{criterion.pk}"]


@register.inclusion_tag("dossiers/_dashboard_block.html", takes_context=True)
def my_dossiers_block(context):
    """The applicant's dossiers on the dashboard (one query)."""
    user = context["request"].user
    return {"dossiers": list(queries.my_dossiers(user)), "request": context["request"]}

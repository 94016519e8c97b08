from django import template

from fabriques.instruction.models import SavedFilter
from fabriques.instruction.saved_filters import clean_query

register = template.Library()


@register.inclusion_tag("instruction/_saved_filters.html", takes_context=True)
def saved_filters(context, query: str):
    """The agent's saved filters (one query) and the form that keeps the current ones under a name."""
    request = context["request"]
    return {"saved": list(SavedFilter.objects.filter(user=request.user)), "query": clean_query(query),
            "csrf_token": context.get("csrf_token")}

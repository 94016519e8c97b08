"""The DSFR breadcrumb (« fil d’Ariane ») of a secondary page, in one line of its template:

    {% block crumbs %}{% breadcrumb "Évaluateurs" "Mon espace" "accounts:dashboard" %}{% endblock %}

Arguments after the current page's label go by pairs, outermost first: a label, then a URL name without
arguments or an already resolved path (`{% url … as up %}` then `up`).
"""

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("theme/_breadcrumb.html")
def breadcrumb(current, *parents):
    links = []
    for label, target in zip(parents[::2], parents[1::2], strict=False):
        try:
            url = target if str(target).startswith("/") else reverse(target)
        except NoReverseMatch:
            url = ""
        links.append((label, url))
    return {"links": links, "current": current}

"""`{% fixed_url "name" %}`: `{% url "name" %}` for a URL without arguments, reversed once per process
(`theme.links`): the layout's header, footer and breadcrumbs repeat a dozen of them on every page."""

from django import template

from fabriques.theme.links import fixed_url as _fixed_url

register = template.Library()


@register.simple_tag
def fixed_url(name: str) -> str:
    return _fixed_url(name)

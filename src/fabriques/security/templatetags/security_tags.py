"""The antivirus state, for the admin's home and the agents' pages."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def antivirus_off() -> bool:
    """True when no clamd is configured: uploads are stored as « Non analysé »."""
    return not getattr(settings, "FABRIQUES_CLAMD", "")

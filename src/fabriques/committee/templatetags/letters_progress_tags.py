from django import template

from fabriques.committee.letters_progress import letters_progress

register = template.Library()


@register.inclusion_tag("committee/_letters_progress.html")
def letters_progress_status(wave):
    """« 12 / 60 envoyées », refreshed by htmx while letters wait in the e-mail outbox."""
    return {"wave": wave, "progress": letters_progress(wave)}

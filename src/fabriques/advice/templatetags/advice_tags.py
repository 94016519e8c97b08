"""Small hooks other pages include: threads beside an answer, networks covering a place, the call's networks."""

from django import template

from fabriques.advice import queries
from fabriques.advice.forms import CommentForm

register = template.Library()


@register.inclusion_tag("advice/_answer_threads.html")
def advice_threads(dossier, criterion):
    """The advisers' threads on one criterion, on the applicant's answer page (three queries)."""
    threads = queries.dossier_threads(dossier, criterion)
    version = dossier.answers.filter(criterion=criterion).values_list("version", flat=True).first() or 0
    for thread in threads:
        thread.reply_form = CommentForm(prefix=f"t{thread.pk}", with_suggestion=False)
        thread.answer_version = version
    return {"dossier": dossier, "criterion": criterion, "threads": threads}


@register.inclusion_tag("advice/_networks_covering.html")
def networks_covering(location):
    """« Être accompagné »: the listed networks covering the located place (eligibility page)."""
    def get(key):  # the report carries the location as a dict; a `Location` works too
        return location.get(key) if isinstance(location, dict) else getattr(location, key, None)

    if not location or not get("commune"):
        return {"networks": [], "location": location}
    found = queries.networks_covering(region=get("region"), departement=get("departement"))
    return {"networks": found, "location": location}


@register.inclusion_tag("advice/_call_networks.html")
def call_networks(call):
    """« Être accompagné » on the call page: the listed networks and their territory."""
    return {"networks": queries.networks_listed_with_areas(), "call": call}


@register.inclusion_tag("advice/_dashboard_block.html", takes_context=True)
def advice_dashboard_block(context):
    """« Mon espace »: invitations waiting for the person, dossiers they review, their networks (three queries)."""
    from fabriques.advice import rules

    user = context["user"]
    return {"pending": queries.pending_invitations_for(user), "advisings": queries.my_advisings(user),
            "networks": list(rules.networks_of(user))}

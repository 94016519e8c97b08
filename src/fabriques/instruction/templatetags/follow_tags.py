"""The « Suivre » / « Attribuer » panel of the agents' dossier page."""

from django import template

from fabriques.instruction import follow, rules
from fabriques.instruction.models import DossierFollow

register = template.Library()


@register.inclusion_tag("instruction/_follow_panel.html", takes_context=True)
def follow_panel(context, dossier):
    user = context["request"].user
    instruction = getattr(dossier, "instruction", None)
    can_assign = instruction is not None and rules.can_instruct(user, dossier)
    return {
        "dossier": dossier,
        "following": DossierFollow.objects.filter(user=user, dossier=dossier).exists(),
        "assigned_to": instruction.assigned_to if instruction else None,
        "can_assign": can_assign,
        "instructors": list(follow.assignable_instructors(dossier)) if can_assign else [],
        "csrf_token": context.get("csrf_token"),
    }

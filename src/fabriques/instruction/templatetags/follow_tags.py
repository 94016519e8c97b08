"""The « Suivre » / « Attribuer » panel of the agents' dossier page."""

from django import template

from fabriques.instruction import follow, rules
from fabriques.instruction.labels import label_order
from fabriques.instruction.models import DossierFollow, Label

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
        "labels": sorted((label.name for label in dossier.labels.all()), key=label_order),
        "call_labels": list(Label.objects.filter(call_id=dossier.wave.call_id).values_list("name", flat=True)),
        "can_label": rules.can_instruct(user, dossier),
        "csrf_token": context.get("csrf_token"),
    }

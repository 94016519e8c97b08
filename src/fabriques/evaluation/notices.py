"""E-mails of the evaluation side to agents, through the outbox (`mail.domain`): nobody is left unaware.

The applicant is never written to about these internal steps (assignment, conflict, reopening); their dossier's
state e-mails are the workflow's (`dossiers.workflow.NOTIFICATIONS`), which leaves the evaluation states out.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from fabriques.accounts.capabilities import roles_with
from fabriques.accounts.models import CallRole, User
from fabriques.instruction.models import Instruction
from fabriques.mail.domain import Email, emails_queue

SIGNATURE = "L’équipe Fabriques"


def _link(name: str, *args) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def dossier_managers(dossier) -> list[str]:
    """Whoever manages the dossier's evaluation: its instruction group's members, else the call's admins."""
    group_id = Instruction.objects.filter(dossier=dossier).values_list("group_id", flat=True).first()
    people = User.objects.none()
    if group_id is not None:
        people = User.objects.filter(instruction_groups=group_id, is_active=True)
    emails = sorted(set(people.values_list("email", flat=True)))
    if not emails:
        admins = CallRole.objects.filter(call_id=dossier.wave.call_id, role__in=roles_with("dossier.instruct_all"),
                                        user__is_active=True)
        emails = sorted(set(admins.values_list("user__email", flat=True)))
    return emails


def conflict_to_managers(*, dossier, evaluator, replacements: list, missing: int, wanted: int) -> None:
    """Tell the dossier's managers that an evaluator declared a conflict, and who replaces them or what is left."""
    to = dossier_managers(dossier)
    if not to:
        return
    link = _link("evaluation:dossier_assignments", dossier.uuid)
    if replacements:
        done = "Un remplaçant a été désigné automatiquement : " + ", ".join(u.email for u in replacements) + "."
    else:
        done = ""
    if missing:
        subject = f"[Fabriques] Place à pourvoir — {dossier.reference}"
        todo = (f"Place à pourvoir : il manque {missing} évaluateur(s) sur les {wanted} prévus par dossier, et "
                "aucun évaluateur disponible (périmètre, conflits, nombre) n’a pu être désigné automatiquement. "
                "Désignez un évaluateur :")
    else:
        subject = f"[Fabriques] Conflit d’intérêts déclaré — {dossier.reference}"
        todo = "Les affectations du dossier :"
    body = (f"Bonjour,\n\n{evaluator.email} a déclaré un conflit d’intérêts sur le dossier {dossier.reference} "
            f"({dossier.organisation.name}) et ne l’évaluera pas.\n{done}\n\n{todo}\n{link}\n\n{SIGNATURE}")
    emails_queue(emails=[Email(to=to, subject=subject, body=body)])


def reopened_to_evaluator(*, evaluation, reason: str) -> None:
    """Tell the evaluator their evaluation was reopened, and why."""
    assignment = evaluation.assignment
    dossier = assignment.dossier
    body = (f"Bonjour,\n\nVotre évaluation du dossier {dossier.reference} a été rouverte pour que vous la revoyiez.\n\n"
            f"Motif : {reason}\n\nModifiez votre grille puis soumettez-la de nouveau :\n"
            f"{_link('evaluation:grid', assignment.pk)}\n\n{SIGNATURE}")
    emails_queue(emails=[Email(to=[assignment.evaluator.email],
                               subject=f"[Fabriques] Évaluation rouverte — {dossier.reference}", body=body)])

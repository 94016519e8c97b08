"""Reads shaped for the advice pages; each page runs a constant number of queries whatever the rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fabriques.advice import rules
from fabriques.advice.enums import AreaKind, InvitationState
from fabriques.advice.models import AdviserInvitation, Comment, Network, NetworkArea, Thread
from fabriques.calls.models import Reference
from fabriques.dossiers import queries as dossier_queries
from fabriques.dossiers import selfcheck as selfcheck_reads
from fabriques.faq.enums import QuestionState
from fabriques.faq.models import Question


def adviser_invitation_for(user, uuid) -> AdviserInvitation | None:
    """The invitation if the user reads it as an adviser now (accepted, unexpired, theirs), else None (→ 404)."""
    return (rules.invitations_for_adviser(user)
            .select_related("dossier__wave__call", "dossier__track", "dossier__organisation", "network")
            .filter(uuid=uuid).first())


def _comments() -> Prefetch:
    return Prefetch("comments", queryset=Comment.objects.select_related("author").order_by("created_at", "id"))


def threads_of(queryset: QuerySet[Thread]) -> list[Thread]:
    return list(queryset.select_related("criterion", "resolved_by").prefetch_related(_comments())
                .order_by("criterion__position", "created_at", "id"))


@dataclass
class CriterionView:
    criterion: object
    answer: str
    references: list = field(default_factory=list)
    threads: list = field(default_factory=list)
    faq: list = field(default_factory=list)


@dataclass
class AdviserPage:
    invitation: AdviserInvitation
    items: list[CriterionView]
    check: dict
    attachments: list


def adviser_page(invitation: AdviserInvitation) -> AdviserPage:
    """The draft as the adviser reads it: the criteria of the scope with the answer, the call's guidance and
    references, the adviser's threads; the self-check; attachments only when granted. Constant queries."""
    dossier = invitation.dossier
    criteria = dossier_queries.criteria_for(dossier)
    if not invitation.whole_dossier:
        scope = set(invitation.criteria.values_list("pk", flat=True))
        criteria = [c for c in criteria if c.pk in scope]
    ids = [c.pk for c in criteria]
    answers = dict(dossier.answers.filter(criterion__in=ids).order_by().values_list("criterion_id", "text"))
    references: dict[int, list] = {}
    for ref in Reference.objects.filter(criterion__in=ids).order_by("criterion", "position"):
        references.setdefault(ref.criterion_id, []).append(ref)
    threads: dict[int, list] = {}
    for thread in threads_of(invitation.threads.filter(criterion__in=ids)):
        threads.setdefault(thread.criterion_id, []).append(thread)
    faq: dict[int, list] = {}
    for question in Question.objects.filter(criterion__in=ids, state=QuestionState.PUBLISHED).order_by("-published_at"):
        faq.setdefault(question.criterion_id, []).append(question)
    items = [CriterionView(criterion=c, answer=answers.get(c.pk, ""), references=references.get(c.pk, []),
                           threads=threads.get(c.pk, []), faq=faq.get(c.pk, [])) for c in criteria]
    check = selfcheck_reads.selfcheck(dossier)
    check["rows"] = [row for row in check["rows"] if row.criterion.pk in set(ids)]
    attachments = (list(dossier.attachments.select_related("required").order_by("required__position", "uploaded_at"))
                   if invitation.sees_attachments else [])
    return AdviserPage(invitation=invitation, items=items, check=check, attachments=attachments)


def dossier_invitations(dossier) -> list[AdviserInvitation]:
    """The dossier's invitations with their scope, for the applicant's page (three queries)."""
    return list(dossier.adviser_invitations.select_related("network", "accepted_by", "invited_by")
                .prefetch_related("criteria").order_by("-created_at"))


def dossier_threads(dossier, criterion=None) -> list[Thread]:
    queryset = dossier.advice_threads.select_related("invitation__network")
    if criterion is not None:
        queryset = queryset.filter(criterion=criterion)
    return threads_of(queryset)


def my_advisings(user) -> list[AdviserInvitation]:
    """The dossiers the user reads as an adviser now (theirs and their networks'), with their state."""
    return list(rules.invitations_for_adviser(user)
                .select_related("dossier__wave", "dossier__organisation", "network").order_by("expires_at"))


def pending_invitations_for(user) -> list[AdviserInvitation]:
    """E-mail invitations addressed to the user and still waiting for them."""
    if not user.is_authenticated:
        return []
    return list(AdviserInvitation.objects.filter(email=user.email.lower(), network__isnull=True,
                                                 state=InvitationState.PENDING, expires_at__gt=timezone.now())
                .select_related("dossier"))


def networks_listed() -> QuerySet[Network]:
    return Network.objects.filter(listed=True).prefetch_related("areas").order_by("name")


def networks_listed_with_areas() -> list[Network]:
    """Listed networks with `area_labels`, in one query (the call page's « Être accompagné »)."""
    networks: dict[int, Network] = {}
    rows = (NetworkArea.objects.filter(network__listed=True).select_related("network")
            .order_by("network__name", "network_id", "kind", "code"))
    for area in rows:
        network = networks.setdefault(area.network_id, area.network)
        network.__dict__.setdefault("area_labels", []).append(area.label)
    return list(networks.values())


def networks_covering(*, region: str | None, departement: str | None) -> list[Network]:
    """Listed networks covering a région or a département (one query for networks, one for their areas)."""
    if not region and not departement:
        return []
    covering = NetworkArea.objects.none()
    if region:
        covering = covering | NetworkArea.objects.filter(kind=AreaKind.REGION, code=region)
    if departement:
        covering = covering | NetworkArea.objects.filter(kind=AreaKind.DEPARTEMENT, code=departement)
    return list(networks_listed().filter(pk__in=covering.values("network_id")))


def network_dossiers(user, network: Network) -> list[AdviserInvitation]:
    """What a network member sees: the invitations addressed to the network and their dossier's state."""
    return list(rules.network_invitations_for(user, network).select_related("dossier", "accepted_by")
                .order_by("-created_at"))

"""Conflicts of interest carried across an organisation's dossiers.

An evaluator who declared a conflict on one dossier has a link with its applicant: the same legal person (same
SIREN, the first nine digits of the SIRET, whichever `Organisation` row holds it) is in conflict for every other
dossier it deposits. The automatic assignment never gives them such a dossier; the manual assignment page warns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from fabriques.evaluation.enums import AssignmentState
from fabriques.evaluation.models import Assignment


@dataclass(frozen=True)
class OrganisationConflict:
    """`evaluator_id` declared a conflict on dossier `reference`, deposited by the same organisation."""

    evaluator_id: int
    reference: str


def siren(siret: str) -> str:
    return (siret or "")[:9]


def organisation_conflicts(*, dossiers: Iterable, evaluator_ids: Iterable[int] | None = None,
                           ) -> dict[tuple[int, int], OrganisationConflict]:
    """(dossier id, evaluator id) → the conflict declared on another dossier of the same organisation (one query).

    `dossiers` carry their `organisation` (select it); `evaluator_ids` limits the evaluators looked at."""
    by_siren: dict[str, list[int]] = defaultdict(list)
    by_organisation: dict[int, list[int]] = defaultdict(list)
    for dossier in dossiers:
        by_organisation[dossier.organisation_id].append(dossier.pk)
        if siren(dossier.organisation.siret):
            by_siren[siren(dossier.organisation.siret)].append(dossier.pk)
    if not by_organisation:
        return {}
    declared = Assignment.objects.filter(state=AssignmentState.CONFLICT)
    if evaluator_ids is not None:
        declared = declared.filter(evaluator_id__in=list(evaluator_ids))
    found: dict[tuple[int, int], OrganisationConflict] = {}
    for evaluator_id, dossier_id, reference, organisation_id, siret in declared.values_list(
        "evaluator_id", "dossier_id", "dossier__reference", "dossier__organisation_id", "dossier__organisation__siret"
    ).order_by("dossier__reference"):
        same = set(by_organisation.get(organisation_id, ())) | set(by_siren.get(siren(siret), ()))
        for other in same - {dossier_id}:
            found.setdefault((other, evaluator_id), OrganisationConflict(evaluator_id, reference))
    return found

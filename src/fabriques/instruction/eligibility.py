"""One eligibility truth per dossier: as computed, as settled by the instruction (confirmed or forced), or pending.

The computed result (`Dossier.eligibility_status`, from the stored report) is settled by the checklist's location
line (`AdmissibilityCheck`, item `location`): a line the data could not settle and the instructor confirmed by hand
makes the dossier eligible (« confirmée par l’instruction »); a failed rule admitted by an explicit override
(`overrides_failure`, reason required) makes it « Éligibilité forcée » with its reason. Every page, list, filter,
export, the API and open data read it from here: `eligibility_of(dossier)` for one dossier, `with_eligibility(qs)`
for a list (the same rule in SQL, so lists filter and sort on it and keep their number of queries).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Concat

from fabriques.instruction.enums import CheckItem, CheckStatus
from fabriques.instruction.models import AdmissibilityCheck


class Eligibility(models.TextChoices):
    PASS = "pass", "Éligible"
    CONFIRMED = "confirmed", "Éligible, confirmée par l’instruction"
    FORCED = "forced", "Éligibilité forcée"
    FAIL = "fail", "Non éligible"
    PENDING = "pending", "À vérifier"


# Counted as eligible by the « Éligible » filter: the instruction may admit the dossier.
ELIGIBLE = frozenset({Eligibility.PASS, Eligibility.CONFIRMED, Eligibility.FORCED})
BADGE_KIND = {
    Eligibility.PASS: "success", Eligibility.CONFIRMED: "success", Eligibility.FORCED: "warning",
    Eligibility.FAIL: "error", Eligibility.PENDING: "info",
}


@dataclass(frozen=True)
class EligibilityTruth:
    status: str
    reason: str = ""  # the instructor's reason, for a confirmation or an override

    @property
    def label(self) -> str:
        return str(Eligibility(self.status).label)

    @property
    def text(self) -> str:
        """The words every page, list and export shows: « Éligibilité forcée : <motif> »."""
        if self.status == Eligibility.FORCED and self.reason:
            return f"{self.label} : {self.reason}"
        return self.label

    @property
    def badge_kind(self) -> str:
        return BADGE_KIND[Eligibility(self.status)]

    @property
    def eligible(self) -> bool:
        return self.status in ELIGIBLE


def eligibility_settle(computed: str, *, line_status: str = "", overrides_failure: bool = False,
                       reason: str = "") -> EligibilityTruth:
    """The rule, once: the computed status settled by the location line of the checklist (if any)."""
    confirmed = line_status == CheckStatus.MANUAL
    if computed == "pass":
        return EligibilityTruth(Eligibility.PASS)
    if computed == "fail":  # a confirmation never covers a failure: only an explicit override does
        if confirmed and overrides_failure:
            return EligibilityTruth(Eligibility.FORCED, reason)
        return EligibilityTruth(Eligibility.FAIL)
    if confirmed and not overrides_failure:
        return EligibilityTruth(Eligibility.CONFIRMED, reason)
    return EligibilityTruth(Eligibility.PENDING)


def eligibility_of(dossier) -> EligibilityTruth:
    """The dossier's eligibility truth (reads the location line: one query, none with `with_eligibility` rows)."""
    if hasattr(dossier, "eligibility"):  # annotated by `with_eligibility`
        return EligibilityTruth(dossier.eligibility, dossier.eligibility_reason or "")
    line = (
        AdmissibilityCheck.objects.filter(instruction__dossier_id=dossier.pk, item=CheckItem.LOCATION)
        .values("status", "overrides_failure", "confirmed_reason").first()
    ) or {}
    return eligibility_settle(dossier.eligibility_status, line_status=line.get("status", ""),
                              overrides_failure=line.get("overrides_failure", False),
                              reason=line.get("confirmed_reason", ""))


def _line(dossier_ref: str = "pk", **kwargs) -> QuerySet[AdmissibilityCheck]:
    return AdmissibilityCheck.objects.filter(
        instruction__dossier=OuterRef(dossier_ref), item=CheckItem.LOCATION, status=CheckStatus.MANUAL, **kwargs
    )


def _settled(prefix: str, then: dict[str, object], output_field) -> Case:
    """`eligibility_settle` in SQL: one CASE over the computed status and the location line, `then` per outcome."""
    computed = f"{prefix}eligibility_status"
    ref = f"{prefix}pk" if prefix else "pk"
    return Case(
        When(**{computed: "pass"}, then=then[Eligibility.PASS]),
        When(Q(**{computed: "fail"}) & Exists(_line(ref, overrides_failure=True)), then=then[Eligibility.FORCED]),
        When(**{computed: "fail"}, then=then[Eligibility.FAIL]),
        When(Exists(_line(ref, overrides_failure=False)), then=then[Eligibility.CONFIRMED]),
        default=then[Eligibility.PENDING],
        output_field=output_field,
    )


def eligibility_expression(prefix: str = "") -> Case:
    """The `Eligibility` value of each dossier (`prefix`: the path to the dossier, e.g. "dossier__")."""
    return _settled(prefix, {e: Value(e.value) for e in Eligibility}, models.CharField())


def eligibility_reason_expression(prefix: str = "") -> Subquery:
    """The reason of the confirmation or override that settled the eligibility (NULL when none)."""
    ref = f"{prefix}pk" if prefix else "pk"
    return Subquery(_line(ref).values("confirmed_reason")[:1], output_field=models.TextField())


def eligibility_label_expression(prefix: str = "") -> Case:
    """The words of `EligibilityTruth.text`, rendered by the database (exports): « Éligibilité forcée : motif »."""
    then = {e: Value(str(e.label)) for e in Eligibility}
    then[Eligibility.FORCED] = Concat(Value(f"{Eligibility.FORCED.label} : "), eligibility_reason_expression(prefix),
                                      output_field=models.TextField())
    return _settled(prefix, then, models.TextField())


def with_eligibility(qs: QuerySet) -> QuerySet:
    """Dossiers annotated with `eligibility` (an `Eligibility` value) and `eligibility_reason`."""
    return qs.annotate(eligibility=eligibility_expression(), eligibility_reason=eligibility_reason_expression())


def eligibility_condition(wanted: str) -> Q:
    """`eligibility_settle` as a condition on dossiers: those whose truth is `wanted` ("eligible": every eligible one).

    The same rule as `_settled`, written for filtering: the computed status is a column and the location lines two
    semi-joins (`id IN (…)`), which PostgreSQL hashes once instead of evaluating the CASE and its subqueries on
    every row (`eligibility=pass` at 50,000 dossiers: docs/benchmarks.md). A test checks both forms agree.
    """
    def lines(overrides: bool) -> Q:
        return Q(pk__in=AdmissibilityCheck.objects.filter(
            item=CheckItem.LOCATION, status=CheckStatus.MANUAL, overrides_failure=overrides,
        ).values("instruction__dossier_id"))

    settled = ~Q(eligibility_status__in=["pass", "fail"])  # neither passed nor failed: the line settles it
    conditions = {
        Eligibility.PASS: Q(eligibility_status="pass"),
        Eligibility.FORCED: Q(eligibility_status="fail") & lines(True),
        Eligibility.FAIL: Q(eligibility_status="fail") & ~lines(True),
        Eligibility.CONFIRMED: settled & lines(False),
        Eligibility.PENDING: settled & ~lines(False),
    }
    if wanted == "eligible":
        return conditions[Eligibility.PASS] | conditions[Eligibility.FORCED] | conditions[Eligibility.CONFIRMED]
    return conditions[Eligibility(wanted)]

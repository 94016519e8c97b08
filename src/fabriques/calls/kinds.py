"""Registries of what a call definition may name: criterion kinds, eligibility rule kinds, checklist items.

A definition names entries by their key (`kind = "yes_no"`, `rules = [{kind = "qpv_proximity"}]`, `checklist = […]`);
an unknown name is a definition error listing the known ones. Criterion kinds are schema facts (how a criterion is
scored), so this module fills them. Rule kinds and checklist items are code of higher apps (territory checks the
rules, instruction computes the checklist): those apps fill `RULE_KINDS` and `CHECKLIST_ITEMS` in their
`AppConfig.ready()`, so this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fabriques.formatting import decimal_fr


@dataclass(frozen=True)
class CriterionKind:
    """How a criterion is scored.

    `scored`: evaluators give a value that enters the weighted mean (mapped onto the call's scale, as the
    consolidation does for any criterion whose scale differs); otherwise evaluators only comment.
    `fixed_scale`: (min, max, step) imposed by the kind; None when the definition's `scale` gives it.
    `labels`: a French label per value (yes/no); values without one are shown as numbers.
    """

    name: str
    label: str
    scored: bool = True
    fixed_scale: tuple[Decimal, Decimal, Decimal] | None = None
    labels: dict[Decimal, str] = field(default_factory=dict)

    def values(self, scale_min: Decimal, scale_max: Decimal, scale_step: Decimal) -> list[Decimal]:
        if not self.scored:
            return []
        out, value = [], scale_min
        while value <= scale_max:
            out.append(value)
            value += scale_step
        return out

    def value_label(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        return self.labels.get(Decimal(value).normalize(), decimal_fr(Decimal(value)))


SCALE = "scale"
YES_NO = "yes_no"
TEXT_ONLY = "text_only"

CRITERION_KINDS: dict[str, CriterionKind] = {}
RULE_KINDS: dict[str, RuleKindSpec] = {}
CHECKLIST_ITEMS: dict[str, ChecklistItem] = {}


@dataclass(frozen=True)
class RuleKindSpec:
    """An eligibility rule kind: its French label, the settings a rule of this kind must give, and its checker
    (registered by the app that checks it; its signature is that app's business)."""

    name: str
    label: str
    requires: tuple[str, ...] = ()
    check: Callable[..., Any] | None = None


@dataclass(frozen=True)
class ChecklistItem:
    """A line of the admissibility checklist: French label and the function computing (status, detail)."""

    name: str
    label: str
    compute: Callable[..., Any] | None = None


def criterion_kind_register(kind: CriterionKind) -> None:
    CRITERION_KINDS[kind.name] = kind


def rule_kind_register(spec: RuleKindSpec) -> None:
    RULE_KINDS[spec.name] = spec


def checklist_item_register(item: ChecklistItem) -> None:
    CHECKLIST_ITEMS[item.name] = item


def unknown_name(what: str, name: str, registry: dict) -> str | None:
    """`unknown rule kind 'x' (known: a, b)` or None when the registry knows the name."""
    if name in registry:
        return None
    return f"unknown {what} {name!r} (known: {', '.join(sorted(registry)) or 'none registered'})"


criterion_kind_register(CriterionKind(SCALE, "Note sur une échelle"))
criterion_kind_register(CriterionKind(
    YES_NO, "Oui ou non", fixed_scale=(Decimal(0), Decimal(1), Decimal(1)),
    labels={Decimal(0): "Non", Decimal(1): "Oui"},
))
criterion_kind_register(CriterionKind(TEXT_ONLY, "Commentaire sans note", scored=False,
                                      fixed_scale=(Decimal(0), Decimal(0), Decimal(1))))

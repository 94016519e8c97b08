"""The self-check page's reads: completeness per section, answer lengths, budget, maturity chart."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.urls import reverse

from fabriques.dossiers import queries
from fabriques.dossiers.forms import MATURITY
from fabriques.dossiers.models import Dossier

# An answer under this share of its maximum length is flagged as probably too short.
SHORT_SHARE = 0.15
CHART_WIDTH = 640
BAR_X = 250
BAR_MAX = 340
ROW_HEIGHT = 28


@dataclass
class CriterionCheck:
    criterion: object
    length: int
    max_length: int
    maturity: int | None
    url: str

    @property
    def share(self) -> int:
        return round(100 * self.length / self.max_length) if self.max_length else 0

    @property
    def status(self) -> str:
        if self.length == 0:
            return "vide"
        if self.length < SHORT_SHARE * self.max_length:
            return "courte"
        return "rédigée"

    @property
    def maturity_label(self) -> str:
        return MATURITY[self.maturity] if self.maturity is not None else "Non évalué"


@dataclass
class Bar:
    label: str
    y: int
    width: int
    value: str
    text_y: int


def maturity_chart(rows: list[CriterionCheck]) -> dict:
    """Geometry of a horizontal bar chart of maturity 0–4 (rendered as SVG by the template)."""
    bars = []
    for index, row in enumerate(rows):
        y = 30 + index * ROW_HEIGHT
        value = row.maturity if row.maturity is not None else 0
        bars.append(Bar(label=row.criterion.title, y=y, width=round(BAR_MAX * value / 4),
                        value="–" if row.maturity is None else str(row.maturity), text_y=y + 15))
    ticks = [{"x": BAR_X + round(BAR_MAX * v / 4), "label": str(v)} for v in range(5)]
    height = 40 + len(rows) * ROW_HEIGHT
    return {"bars": bars, "ticks": ticks, "height": height, "width": CHART_WIDTH, "bar_x": BAR_X,
            "axis_y": height - 8, "grid_bottom": height - 20, "label_x": BAR_X - 8}


def selfcheck(dossier: Dossier) -> dict:
    """Everything the self-check page shows, computed once."""
    content = queries.dossier_content(dossier)  # one read for the rows, the missing items and the budget
    ratings = dict(dossier.self_assessments.values_list("criterion_id", "maturity"))
    rows = []
    for criterion in content.criteria:
        rows.append(CriterionCheck(
            criterion=criterion, length=len(content.answers.get(criterion.pk, "").strip()),
            max_length=criterion.max_length,
            maturity=ratings.get(criterion.pk), url=reverse("dossiers:answer", args=[dossier.uuid, criterion.code]),
        ))
    weakest = sorted(rows, key=lambda r: (r.maturity if r.maturity is not None else -1, r.length))[:3]
    missing = queries.missing_items(dossier, content)
    sections = {}
    for item in missing:
        sections.setdefault(item.section, []).append(item)
    return {
        "rows": rows, "weakest": weakest, "chart": maturity_chart(rows), "missing": missing,
        "missing_by_section": sections, "budget": queries.budget_summary(dossier, content.lines),
        "rated": sum(1 for r in rows if r.maturity is not None),
        "empty": [r for r in rows if r.status == "vide"], "short": [r for r in rows if r.status == "courte"],
        "attachments": content.required,
        "attachment_counts": dict(Counter(a.required_id for a in content.attachments)),
    }

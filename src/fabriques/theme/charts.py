"""Server-rendered SVG bar charts: geometry computed here, drawn by templates/theme/bar_chart.html.

Used by the open-data statistics and the follow-up indicators.
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 230
BAR_AREA = 420
ROW_HEIGHT = 28
BAR_HEIGHT = 18


@dataclass
class Bar:
    label: str
    value: float
    text: str
    y: int
    width: float
    text_x: float


@dataclass
class BarChart:
    id: str
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]], *, unit: str = "") -> BarChart:
    """Horizontal bars scaled to the largest value; each bar carries its value as text."""
    top = max((v for _, v in items), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        width = BAR_AREA * value / top
        text = f"{value:,.0f}".replace(",", "\u202f") + (f" {unit}" if unit else "")
        bars.append(Bar(label=label, value=value, text=text, y=index * ROW_HEIGHT, width=round(width, 1),
                        text_x=LABEL_WIDTH + width + 6))
    return BarChart(id=chart_id, title=title, bars=bars, width=LABEL_WIDTH + BAR_AREA + 110,
                    height=max(ROW_HEIGHT, len(items) * ROW_HEIGHT))

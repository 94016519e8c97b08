"""Open data of the follow-up: indicators of accepted reports aggregated per year and track or région, with their
Table Schema. No person, organisation, SIRET or dossier: only sums and counts of laureates."""

from __future__ import annotations

from fabriques.followup.opendata_schema import TABLE_SCHEMA
from fabriques.followup.queries import indicator_breakdown

COLUMNS = [f["name"] for f in TABLE_SCHEMA["fields"]]


def opendata_rows(call) -> list[list]:
    """One row per (year, axis, value of the axis, indicator), sorted; an axis value with 1 laureate is kept
    (the figure is the laureate's own activity, public by the agreement's terms, never a person)."""
    rows = []
    for axis in ("track", "region"):
        for r in indicator_breakdown(call, by=axis):
            total = r["total"]
            rows.append([call.slug, r["year"], "entree" if axis == "track" else "region", r["key"], r["code"],
                         r["unit"], f"{total:f}" if hasattr(total, "as_tuple") else total, r["laureates"]])
    return sorted(rows, key=lambda r: (r[1], r[2], r[3], r[4]))

"""The laureates' open-data files as text, for the pages (streamed) and for publishing (`publish.py`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from fabriques.exports.formulas import text_cell_safe
from fabriques.opendata import queries


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(qs=None) -> Iterator[str]:
    """laureats.csv line by line (header first); text cells that look like formulas get an apostrophe."""
    writer = csv.writer(_Line())
    yield writer.writerow(queries.COLUMNS)
    for record in queries.laureate_records(qs):
        yield writer.writerow([_cell(record[c]) for c in queries.COLUMNS])


def _cell(value):
    """A CSV cell: empty for None, « true »/« false » for booleans (Table Schema), formula-safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return text_cell_safe(value) if isinstance(value, str) else value


def geojson_chunks(qs=None) -> Iterator[str]:
    """laureats.geojson in pieces: one Point feature per laureate with coordinates."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for record in queries.laureate_records(qs):
        if record["latitude"] is None:
            continue
        properties = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in record.items()
                      if k not in ("latitude", "longitude")}
        feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [record["longitude"],
                                                                                     record["latitude"]]},
                   "properties": properties}
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "]}"

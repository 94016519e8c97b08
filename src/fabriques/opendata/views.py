"""Public open-data page and files of laureates (CSV, GeoJSON, Frictionless Data Package)."""

import csv
import json

from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from fabriques.exports.formulas import text_cell_safe
from fabriques.opendata import queries
from fabriques.opendata.schema import FIELDS, LICENSE, datapackage

PREVIEW_ROWS = 50


class _Line:
    def write(self, value: str) -> str:
        return value


def _csv_lines():
    writer = csv.writer(_Line())
    yield writer.writerow(queries.COLUMNS)
    for record in queries.laureate_records():
        yield writer.writerow(["" if record[c] is None else text_cell_safe(record[c]) if isinstance(record[c], str)
                               else record[c] for c in queries.COLUMNS])


def opendata_page(request):
    records = list(queries.laureate_records(limit=PREVIEW_ROWS))
    context = {"records": records, "count": queries.laureates().count(), "fields": FIELDS, "license": LICENSE,
               "preview": PREVIEW_ROWS}
    return render(request, "opendata/page.html", context)


@cache_control(public=True, max_age=300)
def laureates_csv(request):
    response = StreamingHttpResponse(_csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="laureats.csv"'
    return response


def _features():
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    for record in queries.laureate_records():
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


@cache_control(public=True, max_age=300)
def laureates_geojson(request):
    response = StreamingHttpResponse(_features(), content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="laureats.geojson"'
    return response


@cache_control(public=True, max_age=300)
def datapackage_json(request):
    base = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(datapackage(base), json_dumps_params={"ensure_ascii": False, "indent": 2})

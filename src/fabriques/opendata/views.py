"""Public open-data page and files of laureates (CSV, GeoJSON, Frictionless Data Package)."""

from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from fabriques.opendata import queries
from fabriques.opendata.files import csv_lines, geojson_chunks
from fabriques.opendata.schema import FIELDS, LICENSE, datapackage

PREVIEW_ROWS = 50


def opendata_page(request):
    records = list(queries.laureate_records(limit=PREVIEW_ROWS))
    context = {"records": records, "count": queries.laureates().count(), "fields": FIELDS, "license": LICENSE,
               "preview": PREVIEW_ROWS}
    return render(request, "opendata/page.html", context)


@cache_control(public=True, max_age=300)
def laureates_csv(request):
    response = StreamingHttpResponse(csv_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="laureats.csv"'
    return response


@cache_control(public=True, max_age=300)
def laureates_geojson(request):
    response = StreamingHttpResponse(geojson_chunks(), content_type="application/geo+json")
    response["Content-Disposition"] = 'attachment; filename="laureats.geojson"'
    return response


@cache_control(public=True, max_age=300)
def datapackage_json(request):
    base = request.build_absolute_uri("/").rstrip("/")
    return JsonResponse(datapackage(base), json_dumps_params={"ensure_ascii": False, "indent": 2})

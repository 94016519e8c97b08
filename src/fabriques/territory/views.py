from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from fabriques.territory import queries
from fabriques.territory.eligibility import eligibility_report
from fabriques.territory.forms import PlaceCheckForm

SEARCH_LIMIT_MAX = 30


@require_GET
def commune_search(request):
    """Communes matching ?q=: <option> lines (for a datalist or select), or JSON with ?format=json."""
    try:
        limit = max(1, min(int(request.GET.get("limit", 10)), SEARCH_LIMIT_MAX))
    except ValueError:
        limit = 10
    communes = queries.communes_search(request.GET.get("q", ""), limit=limit)
    if request.GET.get("format") == "json":
        return JsonResponse([queries.commune_as_dict(c) for c in communes], safe=False)
    return render(request, "territory/commune_options.html", {"communes": communes})


@require_GET
def eligibility_check(request):
    """Public check of a place against a track's rules: a plain GET form, the report per rule and a map."""
    search_url = reverse("territory:commune-search")
    form = PlaceCheckForm(request.GET or None, search_url=search_url)
    report = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        report = eligibility_report(
            track=data["track"], latitude=data["latitude"], longitude=data["longitude"],
            commune_code=data["commune"] or None, address=data["address"] or None,
        )
    return render(request, "territory/eligibility_check.html", {
        "form": form, "report": report, "track": form.cleaned_data.get("track") if report else None,
        "loaded": queries.dataset_imports_latest(),
    })

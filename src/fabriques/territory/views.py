from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from fabriques.territory import queries

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

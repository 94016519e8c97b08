"""The programme team's statistics page: SVG bar charts, each with its data table."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from fabriques.calls.models import Call
from fabriques.opendata import rules
from fabriques.opendata.stats import call_stats
from fabriques.theme.charts import bar_chart


@login_required
def statistics_index(request):
    calls = list(rules.calls_for_programme_team(request.user))
    if not calls:
        raise PermissionDenied
    if len(calls) == 1:
        return redirect("opendata:statistics", call_slug=calls[0].slug)
    return render(request, "opendata/statistics_index.html", {"calls": calls})


@login_required
def statistics(request, call_slug: str):
    call = get_object_or_404(Call, slug=call_slug)
    if not rules.can_see_statistics(request.user, call):
        raise PermissionDenied
    stats = call_stats(call)
    charts = [
        bar_chart("deposes-region", "Dossiers déposés par région", [(x.label, x.deposited) for x in stats.by_region]),
        bar_chart("laureats-region", "Lauréats par région", [(x.label, x.laureates) for x in stats.by_region]),
        bar_chart("montants-entree", "Montants accordés par entrée",
                  [(x.label, x.granted_eur) for x in stats.by_track], unit="€"),
        bar_chart("entonnoir", "Du dossier commencé au lauréat", [
            ("Commencés", stats.total.started), ("Déposés", stats.total.deposited),
            ("Recevables", stats.total.admissible), ("Lauréats", stats.total.laureates),
        ]),
    ]
    tables = [("Par vague", stats.by_wave), ("Par entrée", stats.by_track), ("Par région", stats.by_region)]
    return render(request, "opendata/statistics.html",
                  {"call": call, "stats": stats, "charts": charts, "tables": tables})

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from fabriques.accounts.personal_data import retention_for
from fabriques.calls import queries
from fabriques.calls.models import Call


def home(request):
    now = timezone.now()
    calls = list(queries.calls_with_waves())
    for call in calls:
        call.open_waves = [w for w in call.waves.all() if w.is_open(now)]
        call.next_waves = [w for w in call.waves.all() if w.opens_at > now]
    open_calls = [c for c in calls if c.open_waves]
    other_calls = [c for c in calls if not c.open_waves]
    return render(request, "calls/home.html", {"open_calls": open_calls, "other_calls": other_calls})


def call_detail(request, slug: str):
    try:
        call = queries.call_full(slug)
    except Call.DoesNotExist:
        raise Http404("Appel introuvable") from None
    now = timezone.now()
    waves = list(call.waves.all())
    for wave in waves:
        wave.state = "open" if wave.is_open(now) else ("upcoming" if wave.opens_at > now else "closed")
    return render(request, "calls/call_detail.html",
                  {"call": call, "waves": waves, "now": now, "retention": retention_for(call)})

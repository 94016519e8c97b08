from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fabriques.calls import calendar, queries
from fabriques.calls.models import Call
from fabriques.calls.retention import retention_for


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
    feed_token = calendar.personal_token(call=call, user=request.user) if request.user.is_authenticated else ""
    return render(request, "calls/call_detail.html",
                  {"call": call, "waves": waves, "now": now, "retention": retention_for(call),
                   "feed_token": feed_token})


def call_calendar(request, slug: str):
    """The call's deadlines as iCalendar; `?jeton=` (a signed link) adds that person's own deadlines."""
    call = Call.objects.filter(slug=slug).first()
    if call is None:
        raise Http404("Appel introuvable")
    user, name = None, f"{call.short_title} — échéances"
    if request.GET.get("jeton"):
        user = calendar.personal_token_user(call=call, token=request.GET["jeton"])
        if user is None:
            raise Http404("Lien de calendrier invalide")
        name = f"{call.short_title} — mes échéances"
    body = calendar.calendar_bytes(call=call, events=calendar.call_events(call=call, user=user), name=name)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{call.slug}.ics"'
    response["Cache-Control"] = "private, max-age=300" if user else "public, max-age=300"
    return response

"""The small status fragment of the letters' sending, fetched again by htmx every 2 s while letters are queued."""

from django.shortcuts import render

from fabriques.accounts.capabilities import capability_required
from fabriques.committee.letters_progress import letters_progress
from fabriques.committee.views import _wave_of


@capability_required("committee.decide", _wave_of)
def outbox_progress(request, wave, call_slug, wave_slug):
    return render(request, "committee/_letters_progress.html", {"wave": wave, "progress": letters_progress(wave)})

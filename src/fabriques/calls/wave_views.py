"""The waves of a call and their dates, for its programme admins."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from fabriques.accounts.rules import can_invite_agents
from fabriques.calls.models import Call
from fabriques.calls.wave_dates import WaveDatesError, wave_dates_set

LOCAL = "%Y-%m-%dT%H:%M"


class WaveDatesForm(DsfrBaseForm):
    opens_at = forms.DateTimeField(label="Ouverture (heure de Paris)", input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL))
    closes_at = forms.DateTimeField(label="Clôture (heure de Paris)", input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL))


@login_required
def waves(request, slug: str):
    call = get_object_or_404(Call, slug=slug)
    if not can_invite_agents(request.user, call):  # the call's programme admins (or a superuser)
        raise PermissionDenied
    bound, status = None, 200
    if request.method == "POST":
        wave = get_object_or_404(call.waves, pk=request.POST.get("wave") or 0)
        form = WaveDatesForm(request.POST, prefix=f"w{wave.pk}")
        if form.is_valid():
            try:
                wave_dates_set(wave=wave, by=request.user, **form.cleaned_data)
            except WaveDatesError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Dates de « {wave.title} » enregistrées.")
                return redirect("calls:waves", slug=call.slug)
        bound, status = (wave.pk, form), 400
    rows = []
    for wave in call.waves.order_by("opens_at"):
        if bound and bound[0] == wave.pk:
            rows.append((wave, bound[1]))
        else:
            rows.append((wave, WaveDatesForm(prefix=f"w{wave.pk}", initial={
                "opens_at": timezone.localtime(wave.opens_at), "closes_at": timezone.localtime(wave.closes_at)})))
    return render(request, "calls/waves.html", {"call": call, "rows": rows}, status=status)

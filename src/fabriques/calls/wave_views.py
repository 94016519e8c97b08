"""The waves of a call and their dates, for its programme admins: change the dates, close now, extend."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from fabriques.accounts.rules import can_invite_agents
from fabriques.calls.models import Call
from fabriques.calls.wave_dates import WaveDatesError, wave_close, wave_dates_set, wave_extend

LOCAL = "%Y-%m-%dT%H:%M"


class WaveDatesForm(DsfrBaseForm):
    opens_at = forms.DateTimeField(label="Ouverture (heure de Paris)", input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL))
    closes_at = forms.DateTimeField(label="Clôture (heure de Paris)", input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL))


class WaveExtendForm(DsfrBaseForm):
    closes_at = forms.DateTimeField(label="Nouvelle clôture (heure de Paris)", input_formats=[LOCAL, "%Y-%m-%d %H:%M"],
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL))
    reason = forms.CharField(label="Motif (lu par les porteurs de brouillons)", max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class WaveCloseForm(DsfrBaseForm):
    reason = forms.CharField(label="Motif de la clôture anticipée", max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


FORMS = {"dates": WaveDatesForm, "extend": WaveExtendForm, "close": WaveCloseForm}
PREFIXES = {"dates": "w", "extend": "x", "close": "c"}


def _act(action: str, wave, data: dict, by) -> str:
    """Run one of the page's three forms; returns the success message (refusals raise WaveDatesError)."""
    if action == "extend":
        _, told = wave_extend(wave=wave, closes_at=data["closes_at"], reason=data["reason"], by=by)
        return (f"Clôture de « {wave.title} » prolongée ; {told} porteur{'s' if told > 1 else ''} de brouillon "
                f"prévenu{'s' if told > 1 else ''}.")
    if action == "close":
        wave_close(wave=wave, reason=data["reason"], by=by)
        return f"« {wave.title} » est clôturée : plus aucun dépôt n’est accepté."
    wave_dates_set(wave=wave, by=by, **data)
    return f"Dates de « {wave.title} » enregistrées."


@login_required
def waves(request, slug: str):
    call = get_object_or_404(Call, slug=slug)
    if not can_invite_agents(request.user, call):  # the call's programme admins (or a superuser)
        raise PermissionDenied
    bound, status = None, 200
    if request.method == "POST":
        wave = get_object_or_404(call.waves, pk=request.POST.get("wave") or 0)
        action = request.POST.get("action") if request.POST.get("action") in FORMS else "dates"
        form = FORMS[action](request.POST, prefix=f"{PREFIXES[action]}{wave.pk}")
        if form.is_valid():
            try:
                text = _act(action, wave, form.cleaned_data, request.user)
            except WaveDatesError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, text)
                return redirect("calls:waves", slug=call.slug)
        bound, status = (wave.pk, action, form), 400
    rows = []
    now = timezone.now()
    for wave in call.waves.order_by("opens_at"):
        forms_of = {
            "dates": WaveDatesForm(prefix=f"w{wave.pk}", initial={
                "opens_at": timezone.localtime(wave.opens_at), "closes_at": timezone.localtime(wave.closes_at)}),
            "extend": WaveExtendForm(prefix=f"x{wave.pk}", initial={
                "closes_at": timezone.localtime(wave.closes_at) + dt.timedelta(days=7)}),
            "close": WaveCloseForm(prefix=f"c{wave.pk}"),
        }
        if bound and bound[0] == wave.pk:
            forms_of[bound[1]] = bound[2]
        rows.append((wave, forms_of["dates"], forms_of["extend"], forms_of["close"], wave.is_open(now)))
    return render(request, "calls/waves.html", {"call": call, "rows": rows}, status=status)

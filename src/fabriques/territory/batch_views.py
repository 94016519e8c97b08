"""The agents' batch check: upload a CSV of places, download one line per place with the verdict of each rule."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from dsfr.forms import DsfrBaseForm

from fabriques.accounts.capabilities import can
from fabriques.calls.models import Call
from fabriques.territory.batch import BatchError, batch_check, batch_parse

MAX_BYTES = 5 * 1024 * 1024
MAX_PLACES = 20_000
MAX_PLACES_TEXT = "20\u202f000"


class BatchCheckForm(DsfrBaseForm):
    places = forms.FileField(
        label="Fichier CSV des lieux",
        help_text="Une ligne d’en-tête puis un lieu par ligne (virgules ou points-virgules, UTF-8) : id et "
                  "latitude, longitude ; ou id et code_insee ; ou id et adresse (si le géocodage est activé). "
                  f"{MAX_PLACES_TEXT} lieux au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    call = forms.ModelChoiceField(
        label="Appel dont les règles s’appliquent", queryset=Call.objects.order_by("title"), required=False,
        empty_label="Aucun : situation seulement (QPV 2024)",
        help_text="Le millésime des QPV et le rayon des tiers-lieux sont ceux de l’appel.",
    )

    def clean_places(self):
        upload = self.cleaned_data["places"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"Fichier trop volumineux ({upload.size // 1024} Ko) : 5 Mo au plus.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "Le fichier n’est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 »."
            ) from None
        try:
            places = batch_parse(text)
        except BatchError as exc:
            raise forms.ValidationError(str(exc)) from None
        if len(places) > MAX_PLACES:
            raise forms.ValidationError(
                f"{len(places)} lieux : {MAX_PLACES} au plus par fichier ici ; découpez-le ou utilisez la commande "
                "« python -m fabriques locate --csv »."
            )
        return places


@login_required
@require_http_methods(["GET", "POST"])
def batch_check_page(request):
    """Agents only (instructors, evaluators, committee members, programme admins): a POST answers with the CSV."""
    if not can(request.user, "agent.space"):
        raise PermissionDenied
    form = BatchCheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            result = batch_check(form.cleaned_data["places"], call=form.cleaned_data["call"])
            response = HttpResponse(result.as_csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
            name = f"verification-lieux-{timezone.localtime():%Y%m%d-%H%M}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return render(request, "territory/batch_check.html", {"form": form}, status=400)
    return render(request, "territory/batch_check.html", {"form": form})

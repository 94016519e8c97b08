"""Form of the public eligibility check: it parses what was typed; the territory domain decides eligibility."""

from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm

from fabriques.calls.models import Track
from fabriques.territory import queries


class TrackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Track) -> str:
        return f"{obj.title} — {obj.call.short_title}"


class PlaceCheckForm(DsfrBaseForm):
    track = TrackChoiceField(
        label="Entrée de l’appel", queryset=Track.objects.select_related("call").order_by("call__title", "position"),
        empty_label=None,
    )
    commune = forms.CharField(
        label="Commune", max_length=120, required=False,
        help_text="Nom, code postal ou code INSEE ; choisissez dans la liste proposée.",
        widget=forms.TextInput(attrs={"list": "territory-communes", "autocomplete": "off",
                                      "data-search-url": "", "class": "territory-commune-input"}),
    )
    address = forms.CharField(
        label="Adresse du lieu", max_length=250, required=False,
        help_text="Par exemple : 12 rue de la République. Localisée par la Base adresse nationale si elle est activée.",
    )
    latitude = forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90, localize=True,
        help_text="En degrés décimaux (WGS84), par exemple 45,7640.",
    )
    longitude = forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180, localize=True,
        help_text="En degrés décimaux (WGS84), par exemple 4,9015.",
    )

    def __init__(self, *args, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].widget.attrs["data-search-url"] = search_url
        self.commune = None

    def clean_commune(self) -> str:
        text = self.cleaned_data["commune"].strip()
        if not text:
            return ""
        found = queries.communes_search(text, limit=2)
        exact = [c for c in found if c.code == text.upper() or c.name.lower() == text.lower()]
        if len(exact) == 1 or len(found) == 1:
            self.commune = (exact or found)[0]
            return self.commune.code
        if not found:
            raise forms.ValidationError("Commune introuvable : vérifiez l’orthographe ou saisissez son code INSEE.")
        raise forms.ValidationError(
            "Plusieurs communes correspondent : choisissez-la dans la liste ou saisissez son code INSEE."
        )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.has_error("latitude") and not self.has_error("longitude"):
            self.add_error("longitude" if lon is None else "latitude", "Indiquez la latitude et la longitude.")
        if not (data.get("commune") or data.get("address") or lat is not None) and not self.errors:
            raise forms.ValidationError("Indiquez au moins la commune, l’adresse ou les coordonnées du lieu.")
        return data
